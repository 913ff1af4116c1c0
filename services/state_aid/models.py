"""State-aid register tables (``state_aid_`` prefix).

`state_aid_enterprise` has one row per enterprise number that was ever reserved for, declared or
linked; a reservation locks the rows of its whole single undertaking, so two reservations for one
undertaking are checked one after the other. Every measure, whoever granted it, is a row of
`state_aid_measure`; the check constraints repeat what the domain enforces.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.platform.columns import big_id, money, rate, text, timestamp


class StateAidEnterprise(SQLModel, table=True):
    __tablename__ = "state_aid_enterprise"

    enterprise_number: str = Field(primary_key=True, max_length=10)
    created_at: datetime = Field(sa_column=timestamp())


class StateAidLink(SQLModel, table=True):
    """Two enterprises under common control: one single undertaking while the link is valid (both days included)."""

    __tablename__ = "state_aid_link"
    __table_args__ = (
        sa.CheckConstraint("enterprise_number <> linked_enterprise_number", name="ck_state_aid_link_two_enterprises"),
        sa.CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="ck_state_aid_link_period"),
    )

    id: int | None = Field(default=None, sa_column=big_id())
    enterprise_number: str = Field(foreign_key="state_aid_enterprise.enterprise_number", index=True, max_length=10)
    linked_enterprise_number: str = Field(
        foreign_key="state_aid_enterprise.enterprise_number", index=True, max_length=10
    )
    valid_from: date
    valid_until: date | None = None
    reason: str = Field(sa_column=text())
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(sa_column=timestamp())


class StateAidMeasure(SQLModel, table=True):
    """One aid measure: a lender's reservation or grant, a historic grant, or aid declared from another provider."""

    __tablename__ = "state_aid_measure"
    __table_args__ = (
        sa.CheckConstraint("gge >= 0", name="ck_state_aid_measure_gge"),
        sa.CheckConstraint(
            "status IN ('reserved', 'granted', 'released', 'expired')", name="ck_state_aid_measure_status"
        ),
        sa.Index("ix_state_aid_measure_counting", "enterprise_number", "status", "grant_date"),
    )

    id: str = Field(primary_key=True, max_length=36)
    reference: str = Field(max_length=120, unique=True)
    enterprise_number: str = Field(foreign_key="state_aid_enterprise.enterprise_number", max_length=10)
    instrument: str = Field(max_length=20)
    provider: str = Field(max_length=200)
    source_reference: str = Field(max_length=120, index=True)
    grant_date: date
    gge: Decimal = Field(sa_column=money())
    reserved_gge: Decimal = Field(sa_column=money())
    reference_rate: Decimal | None = Field(default=None, sa_column=rate(nullable=True))
    discount_rate: Decimal | None = Field(default=None, sa_column=rate(nullable=True))
    legal_basis: str = Field(max_length=200)
    status: str = Field(max_length=20)
    reserved_until: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    recorded_by: str = Field(max_length=200)
    requested_by: str | None = Field(default=None, max_length=200)
    reason: str | None = Field(default=None, sa_column=text(nullable=True))
    created_at: datetime = Field(sa_column=timestamp())
    updated_at: datetime = Field(sa_column=timestamp())
