"""Four-eyes decisions as a typed aggregate: one person prepares, another approves or rejects.

A decision holds a typed request (what will happen if it is approved, with the figures the
approver needs to see); its kind follows from the request type, so no unknown kind can fall
through to another one. A decision is prepared once per loan and kind at a time (a reversal once
per entry), and is decided once.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from shared.amortisation.terms import LoanTerms
from shared.platform.rules import Conflict, RuleViolation
from shared.servicing.four_eyes import ensure_four_eyes


class DecisionKind(enum.StrEnum):
    DISBURSEMENT = "disbursement"
    CANCELLATION = "cancellation"
    RATE_RESET = "rate_reset"
    RESTRUCTURING = "restructure"
    WRITE_OFF = "write_off"
    REVERSAL = "reversal"
    DEFAULT = "default"


class DecisionStatus(enum.StrEnum):
    PREPARED = "prepared"
    APPROVED = "approved"
    REJECTED = "rejected"


def _date(data: Mapping[str, Any], key: str) -> date:
    return date.fromisoformat(str(data[key]))


def _optional(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


@dataclass(frozen=True)
class DisbursementRequest:
    """Pay `amount` to `iban` on `disbursed_on`; an account other than the registered one needs a reason."""

    disbursed_on: date
    amount: Decimal
    iban: str
    registered_iban: str | None
    iban_reason: str | None = None
    delivery_date: date | None = None
    first_due_date: date | None = None

    def ensure_explained(self) -> None:
        """A payout to an account other than the registered one needs a reason (checked when prepared)."""
        if self.other_account and self.registered_iban is not None and not (self.iban_reason or "").strip():
            raise RuleViolation(
                "iban_reason",
                f"is required: {self.iban} is not the registered account {self.registered_iban}; "
                "say why the payout goes elsewhere",
            )

    @property
    def other_account(self) -> bool:
        return self.iban != self.registered_iban

    def to_json(self) -> dict[str, Any]:
        return {
            "disbursed_on": self.disbursed_on.isoformat(),
            "amount": str(self.amount),
            "iban": self.iban,
            "registered_iban": self.registered_iban,
            "other_account": self.other_account,
            "iban_reason": self.iban_reason,
            "delivery_date": None if self.delivery_date is None else self.delivery_date.isoformat(),
            "first_due_date": None if self.first_due_date is None else self.first_due_date.isoformat(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DisbursementRequest:
        delivery = data.get("delivery_date")
        first_due = data.get("first_due_date")
        return cls(
            disbursed_on=_date(data, "disbursed_on"),
            amount=Decimal(str(data["amount"])),
            iban=str(data["iban"]),
            registered_iban=_optional(data, "registered_iban"),
            iban_reason=_optional(data, "iban_reason"),
            delivery_date=None if delivery is None else date.fromisoformat(str(delivery)),
            first_due_date=None if first_due is None else date.fromisoformat(str(first_due)),
        )


@dataclass(frozen=True)
class CancellationRequest:
    """An approved loan that will not be paid out gives back its drawing right or budget and its aid."""

    cancelled_on: date
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"cancelled_on": self.cancelled_on.isoformat(), "reason": self.reason}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CancellationRequest:
        return cls(_date(data, "cancelled_on"), str(data["reason"]))


@dataclass(frozen=True)
class RateResetRequest:
    effective_on: date
    annual_rate: Decimal
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "effective_on": self.effective_on.isoformat(),
            "annual_rate": str(self.annual_rate),
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RateResetRequest:
        return cls(_date(data, "effective_on"), Decimal(str(data["annual_rate"])), _optional(data, "reason"))


@dataclass(frozen=True)
class RestructuringRequest:
    """From `effective_on` the loan follows `terms`, whose principal is everything owed that day."""

    effective_on: date
    terms: LoanTerms
    committee_reference: str | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "effective_on": self.effective_on.isoformat(),
            "terms": self.terms.to_json(),
            "committee_reference": self.committee_reference,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RestructuringRequest:
        return cls(
            _date(data, "effective_on"),
            LoanTerms.from_json(data["terms"]),
            _optional(data, "committee_reference"),
            _optional(data, "reason"),
        )


@dataclass(frozen=True)
class WriteOffRequest:
    written_off_on: date
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"written_off_on": self.written_off_on.isoformat(), "reason": self.reason}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WriteOffRequest:
        return cls(_date(data, "written_off_on"), str(data["reason"]))


@dataclass(frozen=True)
class ReversalRequest:
    """Undo history entry `entry_id`, recorded by mistake; what it was is shown to the approver."""

    entry_id: int
    reason: str
    entry_kind: str
    entry_on: date
    entry_amount: Decimal | None

    def to_json(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry_id,
            "reason": self.reason,
            "entry_kind": self.entry_kind,
            "entry_on": self.entry_on.isoformat(),
            "entry_amount": None if self.entry_amount is None else str(self.entry_amount),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReversalRequest:
        amount = data.get("entry_amount")
        return cls(
            entry_id=int(data["entry_id"]),
            reason=str(data["reason"]),
            entry_kind=str(data["entry_kind"]),
            entry_on=_date(data, "entry_on"),
            entry_amount=None if amount is None else Decimal(str(amount)),
        )


@dataclass(frozen=True)
class DefaultRequest:
    """Declare the loan in default: proposed by the overdue run when an instalment passes the threshold."""

    defaulted_on: date
    reason: str
    days_past_due: int

    def to_json(self) -> dict[str, Any]:
        return {
            "defaulted_on": self.defaulted_on.isoformat(),
            "reason": self.reason,
            "days_past_due": self.days_past_due,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DefaultRequest:
        return cls(_date(data, "defaulted_on"), str(data["reason"]), int(data["days_past_due"]))


DecisionRequest = (
    DisbursementRequest
    | CancellationRequest
    | RateResetRequest
    | RestructuringRequest
    | WriteOffRequest
    | ReversalRequest
    | DefaultRequest
)

_PARSERS: Mapping[DecisionKind, Callable[[Mapping[str, Any]], DecisionRequest]] = {
    DecisionKind.DISBURSEMENT: DisbursementRequest.from_json,
    DecisionKind.CANCELLATION: CancellationRequest.from_json,
    DecisionKind.RATE_RESET: RateResetRequest.from_json,
    DecisionKind.RESTRUCTURING: RestructuringRequest.from_json,
    DecisionKind.WRITE_OFF: WriteOffRequest.from_json,
    DecisionKind.REVERSAL: ReversalRequest.from_json,
    DecisionKind.DEFAULT: DefaultRequest.from_json,
}
_KINDS: Mapping[type, DecisionKind] = {
    DisbursementRequest: DecisionKind.DISBURSEMENT,
    CancellationRequest: DecisionKind.CANCELLATION,
    RateResetRequest: DecisionKind.RATE_RESET,
    RestructuringRequest: DecisionKind.RESTRUCTURING,
    WriteOffRequest: DecisionKind.WRITE_OFF,
    ReversalRequest: DecisionKind.REVERSAL,
    DefaultRequest: DecisionKind.DEFAULT,
}


def kind_of(request: DecisionRequest) -> DecisionKind:
    return _KINDS[type(request)]


def parse_request(kind: DecisionKind, data: Mapping[str, Any]) -> DecisionRequest:
    return _PARSERS[DecisionKind(kind)](data)


@dataclass
class Decision:
    id: str
    loan_id: str
    request: DecisionRequest
    status: DecisionStatus
    prepared_by: str
    prepared_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str | None = None

    @property
    def kind(self) -> DecisionKind:
        return kind_of(self.request)

    @property
    def action(self) -> str:
        return self.kind.value.replace("_", "-")

    @classmethod
    def prepare(cls, loan_id: str, request: DecisionRequest, prepared_by: str, at: datetime) -> Decision:
        return cls(str(uuid.uuid4()), loan_id, request, DecisionStatus.PREPARED, prepared_by, at)

    def same_subject(self, request: DecisionRequest) -> bool:
        """Whether `request` would duplicate this pending decision (same kind; for a reversal, same entry)."""
        if kind_of(request) is not self.kind:
            return False
        if isinstance(request, ReversalRequest) and isinstance(self.request, ReversalRequest):
            return request.entry_id == self.request.entry_id
        return True

    def _ensure_pending(self) -> None:
        if self.status is not DecisionStatus.PREPARED:
            raise Conflict(f"decision {self.id} is already {self.status.value}")

    def check_decider(self, actor: str, verb: str = "approve") -> None:
        self._ensure_pending()
        ensure_four_eyes(self.prepared_by, actor, self.action, verb)

    def approve(self, actor: str, at: datetime) -> None:
        self.check_decider(actor)
        self.status = DecisionStatus.APPROVED
        self.decided_by = actor
        self.decided_at = at

    def reject(self, actor: str, at: datetime, reason: str | None) -> None:
        self.check_decider(actor, "reject")
        self.status = DecisionStatus.REJECTED
        self.decided_by = actor
        self.decided_at = at
        self.note = (reason or "").strip() or None

    def supersede(self, actor: str, at: datetime, note: str) -> None:
        """Close a pending decision that an approved one made moot (no four-eyes check: nothing happens)."""
        self._ensure_pending()
        self.status = DecisionStatus.REJECTED
        self.decided_by = actor
        self.decided_at = at
        self.note = note
