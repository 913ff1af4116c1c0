"""The de minimis register's contracts: its HTTP reservations, its events, and the lenders' outcomes.

A lender that is about to grant aid reserves its gross grant equivalent over HTTP
(`ReservationRequest`) before it commits; in the same transaction as its grant it publishes an
`AidOutcome` on its own topic (each lender registers it under its own name), which confirms,
lowers or releases the reservation. The register publishes every measure as it stands after each
change (`MeasureRecordedV1`, keyed by the enterprise number) on ``state_aid.events``.
Money is a decimal string with two decimals.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shared.contracts.aid_vocabulary import Instrument, MeasureStatus, OutcomeKind
from shared.contracts.topics import STATE_AID_EVENTS
from shared.eventbus.registry import event_type
from shared.platform.days import Day
from shared.platform.decimal_text import DecimalText
from shared.platform.identifiers import normalise_enterprise_number

__all__ = [
    "AidCarried",
    "AidOutcome",
    "HeadroomV1",
    "Instrument",
    "LinkRecordedV1",
    "MeasureRecordedV1",
    "MeasureStatus",
    "OutcomeKind",
    "ReservationRequest",
    "ReservationV1",
]

STATE_AID_SOURCE = "/services/state_aid"
REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9:._-]{0,119}$"
# Free text the register stores: no control characters (a NUL cannot be stored in PostgreSQL text).
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"


class Contract(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReservationRequest(Contract):
    """Reserve the GGE of a grant; the lender's `reference` makes a retry return the same reservation."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reference": "sifo:8c0e3f5a-5b1e-4d8e-9f0a-2b7c1d3e4f50:grant",
                    "enterprise_number": "0403170701",
                    "instrument": "sifo",
                    "source_reference": "8c0e3f5a-5b1e-4d8e-9f0a-2b7c1d3e4f50",
                    "gge": "12500.00",
                    "reference_rate": "0.0439",
                    "discount_rate": "0.0319",
                    "requested_by": "bob@pmv.example",
                }
            ]
        },
    )

    reference: str = Field(
        pattern=REFERENCE_PATTERN,
        description="the caller's unique reference for this grant, e.g. sifo:<loan id>:grant",
        examples=["sifo:8c0e3f5a-5b1e-4d8e-9f0a-2b7c1d3e4f50:grant"],
    )
    enterprise_number: Annotated[str, AfterValidator(normalise_enterprise_number)] = Field(
        pattern=r"^[01][0-9]{9}$", examples=["0403170701"]
    )
    instrument: Instrument
    source_reference: str = Field(
        min_length=1,
        max_length=120,
        pattern=TEXT_PATTERN,
        description="the lender's loan or application id",
        examples=["8c0e3f5a"],
    )
    gge: Annotated[Decimal, DecimalText(digits=16, places=2, ge=0, example="12500.00")]
    grant_date: Day | None = Field(
        default=None, description="absent: the register's business date; a past date needs staff and a reason"
    )
    reference_rate: Annotated[Decimal, DecimalText(digits=9, places=6, ge=0, le=1, example="0.0439")] | None = None
    discount_rate: Annotated[Decimal, DecimalText(digits=9, places=6, ge=0, le=1, example="0.0319")] | None = None
    requested_by: str | None = Field(
        default=None, max_length=200, pattern=TEXT_PATTERN, description="the person who approves the grant"
    )
    reason: str | None = Field(
        default=None, max_length=1000, pattern=TEXT_PATTERN, description="required for a historic grant date"
    )


class HeadroomV1(Contract):
    """What a new grant to the single undertaking on `on` may still carry: the tightest window containing it."""

    enterprise_number: str
    on: date
    ceiling: Decimal
    used: Decimal
    available: Decimal
    window_start: date = Field(description="first day of the binding three-year window")
    window_end: date = Field(description="last day of the binding three-year window")
    legal_basis: str
    undertaking: list[str] = Field(description="enterprise numbers of the single undertaking on `on`")


class ReservationV1(Contract):
    """A measure as the register holds it."""

    id: str
    reference: str
    enterprise_number: str
    instrument: Instrument
    provider: str
    source_reference: str
    grant_date: date
    gge: Decimal
    reference_rate: Decimal | None
    discount_rate: Decimal | None
    legal_basis: str
    status: MeasureStatus
    reserved_until: datetime | None
    recorded_by: str
    reason: str | None


class AidOutcome(Contract):
    """A lender's grant (confirms), lowering (a final amount below the reservation) or release of a reservation."""

    reference: str = Field(pattern=REFERENCE_PATTERN)
    outcome: OutcomeKind
    decided_on: date
    gge: Decimal | None = Field(default=None, ge=0, description="adjusted: the lower GGE finally granted")


class AidCarried(Contract):
    """A measure a lender recorded in its own register before the shared one existed, carried over once.

    It was granted then, so the register records it as granted without a new check.
    """

    reference: str = Field(pattern=REFERENCE_PATTERN)
    enterprise_number: str = Field(pattern=r"^[01][0-9]{9}$")
    source_reference: str = Field(min_length=1, max_length=120, pattern=TEXT_PATTERN)
    grant_date: date
    gge: Decimal = Field(ge=0, max_digits=16, decimal_places=2)
    reference_rate: Decimal | None = None
    discount_rate: Decimal | None = None


@event_type("state_aid.measure.recorded.v1", topic=STATE_AID_EVENTS)
class MeasureRecordedV1(ReservationV1):
    """A measure was reserved, granted, lowered, released or expired: its state after the change."""


@event_type("state_aid.link.recorded.v1", topic=STATE_AID_EVENTS)
class LinkRecordedV1(Contract):
    """Two enterprises belong to one single undertaking (common control) from `valid_from` to `valid_until`."""

    link_id: int
    enterprise_number: str
    linked_enterprise_number: str
    valid_from: date
    valid_until: date | None
    reason: str
