"""Events the Trividend service publishes on ``trividend.events``.

Investee events are keyed by the investee id, decision events by the proposal id, and a
participation's events by the participation id (the id of the proposal that approved it), so
one participation's life stays in order. Money is a decimal string with two decimals; a price per
share has up to six decimals.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.topics import TRIVIDEND_EVENTS
from shared.eventbus.registry import event_type

TRIVIDEND_SOURCE = "/services/trividend"


class Contract(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


@event_type("trividend.investee.registered.v1", topic=TRIVIDEND_EVENTS)
class InvesteeRegisteredV1(Contract):
    investee_id: str
    enterprise_number: str = Field(pattern=r"^[01][0-9]{9}$")
    name: str
    legal_form: str = Field(examples=["cooperative", "bv", "vzw"])
    sector: str


@event_type("trividend.investee.headcount_reported.v1", topic=TRIVIDEND_EVENTS)
class HeadcountReportedV1(Contract):
    """The investee employs `target_group_vte` target-group employees (full-time equivalents) from `on`."""

    investee_id: str
    enterprise_number: str
    on: date
    target_group_vte: Decimal


@event_type("trividend.investee.shares_reported.v1", topic=TRIVIDEND_EVENTS)
class SharesReportedV1(Contract):
    """The investee has `shares_outstanding` shares from `on` (ownership is computed against it)."""

    investee_id: str
    enterprise_number: str
    on: date
    shares_outstanding: int


@event_type("trividend.proposal.approved.v1", topic=TRIVIDEND_EVENTS)
class ProposalApprovedV1(Contract):
    """The investment committee approved a proposal: `amount` is committed to the investee."""

    proposal_id: str
    investee_id: str
    enterprise_number: str
    instrument: str = Field(examples=["equity"])
    amount: Decimal
    approved_on: date
    proposed_by: str
    approved_by: str


@event_type("trividend.proposal.rejected.v1", topic=TRIVIDEND_EVENTS)
class ProposalRejectedV1(Contract):
    proposal_id: str
    investee_id: str
    rejected_on: date
    reason: str
    proposed_by: str
    rejected_by: str


@event_type("trividend.equity.invested.v1", topic=TRIVIDEND_EVENTS)
class EquityInvestedV1(Contract):
    """A tranche was paid in: `shares` bought at `price_per_share` for `amount`."""

    participation_id: str
    investee_id: str
    enterprise_number: str
    on: date
    amount: Decimal
    shares: int
    price_per_share: Decimal
    shares_held: int = Field(description="after this tranche")
    invested_total: Decimal = Field(description="every tranche so far")


@event_type("trividend.equity.dividend_received.v1", topic=TRIVIDEND_EVENTS)
class DividendReceivedV1(Contract):
    participation_id: str
    investee_id: str
    enterprise_number: str
    on: date
    amount: Decimal


@event_type("trividend.equity.exited.v1", topic=TRIVIDEND_EVENTS)
class EquityExitedV1(Contract):
    """Shares were sold (a four-eyes decision); the gain or loss is against their average cost."""

    participation_id: str
    investee_id: str
    enterprise_number: str
    on: date
    shares_sold: int
    proceeds: Decimal
    cost_of_shares_sold: Decimal
    realised_gain: Decimal = Field(description="proceeds - cost of the shares sold; negative for a loss")
    shares_held: int = Field(description="after this exit; 0 is a full exit")
    prepared_by: str
    approved_by: str


@event_type("trividend.valuation.approved.v1", topic=TRIVIDEND_EVENTS)
class ValuationApprovedV1(Contract):
    """A participation's fair value at a quarter's last day (IPEV method), prepared and approved by two people."""

    valuation_id: str
    participation_id: str
    investee_id: str
    enterprise_number: str
    quarter: str = Field(pattern=r"^[0-9]{4}Q[1-4]$")
    as_of: date = Field(description="the quarter's last day")
    fair_value: Decimal
    method: str = Field(examples=["price_of_recent_investment", "multiples", "net_assets", "impairment"])
    rationale: str
    corrects: str | None = Field(default=None, description="the valuation of the same quarter this one replaces")
    reason: str | None = None
    prepared_by: str
    approved_by: str
