"""Request and response bodies of the register API that are not contracts with the lenders."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.state_aid import REFERENCE_PATTERN, TEXT_PATTERN, HeadroomV1, ReservationV1
from shared.platform.days import Day
from shared.platform.decimal_text import DecimalText
from shared.platform.identifiers import EnterpriseNumber

from services.state_aid.models import StateAidLink
from services.state_aid.service.measures import UndertakingHeadroom


def headroom_out(figures: UndertakingHeadroom, basis: str) -> HeadroomV1:
    return HeadroomV1(
        enterprise_number=figures.enterprise_number,
        on=figures.on,
        ceiling=figures.headroom.ceiling,
        used=figures.headroom.used,
        available=figures.headroom.available,
        window_start=figures.window_start,
        window_end=figures.window_end,
        legal_basis=basis,
        undertaking=sorted(figures.undertaking),
    )


class RecordLink(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "linked_enterprise_number": "0202.239.951",
                    "valid_from": "2025-01-01",
                    "valid_until": None,
                    "reason": "holds 60 % of the voting rights (shareholder register 2025)",
                }
            ]
        },
    )

    linked_enterprise_number: EnterpriseNumber
    valid_from: Day
    valid_until: Day | None = Field(default=None, description="last day of common control; open if absent")
    reason: str = Field(min_length=1, max_length=1000, pattern=TEXT_PATTERN)


class LinkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    enterprise_number: str
    linked_enterprise_number: str
    valid_from: date
    valid_until: date | None
    reason: str
    recorded_by: str
    recorded_at: datetime

    @classmethod
    def of(cls, row: StateAidLink) -> LinkOut:
        return cls.model_validate(row)


class UndertakingOut(BaseModel):
    enterprise_number: str
    on: date
    members: list[str] = Field(description="the single undertaking on `on`")
    links: list[LinkOut] = Field(description="every link of the members, whatever its period")
    headroom: HeadroomV1
    measures: list[ReservationV1] = Field(description="every measure of the members, in grant-date order")


class DeclareAid(BaseModel):
    """Aid from another provider that the enterprise declared (its de minimis declaration)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reference": "declaration-0403170701-2026-01",
                    "enterprise_number": "0403170701",
                    "provider": "City of Ghent",
                    "gge": "15000.00",
                    "grant_date": "2025-09-15",
                    "legal_basis": "Regulation (EU) 2023/2831",
                }
            ]
        },
    )

    reference: str = Field(pattern=REFERENCE_PATTERN, description="unique reference of the declared measure")
    enterprise_number: EnterpriseNumber
    provider: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN)
    gge: Annotated[Decimal, DecimalText(digits=16, places=2, ge=0, example="12500.00")]
    grant_date: Day
    legal_basis: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN)
