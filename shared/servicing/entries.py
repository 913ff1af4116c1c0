"""A loan's servicing history: dated entries, kept forever, replayed through the engine for every answer.

Money received (repayments, prepayments) and changes of terms (rate resets, restructurings) are
replayed; defaults and write-offs are recorded for the audit trail only. A mistaken entry is
never deleted: a *reversal* entry names it, the history keeps both, and the replay leaves the
reversed entry out, so later entries can be recorded again.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from shared.amortisation.late_interest import LateInterestPolicy
from shared.amortisation.loan_events import LoanEvent
from shared.amortisation.servicing_history import HistoryEntry, Segment, entry_of, replay
from shared.amortisation.terms import LoanTerms
from shared.servicing.accounts import LoanStatus


class EntryKind(enum.StrEnum):
    REPAYMENT = "repayment"
    PREPAYMENT = "prepayment"
    RATE_RESET = "rate_reset"
    RESTRUCTURE = "restructure"
    DEFAULT = "default"
    WRITE_OFF = "write_off"
    REVERSAL = "reversal"


REPLAYED = frozenset({EntryKind.REPAYMENT, EntryKind.PREPAYMENT, EntryKind.RATE_RESET, EntryKind.RESTRUCTURE})
REVERSIBLE = frozenset({EntryKind.REPAYMENT, EntryKind.PREPAYMENT})


@dataclass(frozen=True)
class LedgerEntry:
    """One line of the history; `id` is given by the store, `reverses` names the entry a reversal undoes."""

    kind: EntryKind
    on: date
    recorded_by: str
    recorded_at: datetime
    id: int | None = None
    amount: Decimal | None = None
    mode: str | None = None
    annual_rate: Decimal | None = None
    terms: LoanTerms | None = None
    reverses: int | None = None
    decision_id: str | None = None
    reason: str | None = None

    @classmethod
    def of_event(cls, event: LoanEvent, recorded_by: str, recorded_at: datetime) -> LedgerEntry:
        entry = entry_of(event)
        return cls(
            EntryKind(entry.kind),
            entry.on,
            recorded_by,
            recorded_at,
            amount=entry.amount,
            mode=entry.mode,
            annual_rate=entry.annual_rate,
        )


def reversed_ids(entries: Iterable[LedgerEntry]) -> set[int]:
    return {entry.reverses for entry in entries if entry.kind is EntryKind.REVERSAL and entry.reverses is not None}


def effective(entries: Sequence[LedgerEntry], leaving_out: int | None = None) -> list[LedgerEntry]:
    """The entries the replay uses, in recorded order: replayed kinds that no reversal undid."""
    gone = reversed_ids(entries) | ({leaving_out} if leaving_out is not None else set())
    return [entry for entry in entries if entry.kind in REPLAYED and entry.id not in gone]


def segments_of(
    terms: LoanTerms, policy: LateInterestPolicy, entries: Sequence[LedgerEntry], leaving_out: int | None = None
) -> list[Segment]:
    """The loan replayed from its contract and effective history (raises InvalidTerms if it does not replay)."""
    history = [
        HistoryEntry(
            kind=entry.kind.value,
            on=entry.on,
            amount=entry.amount,
            mode=entry.mode,
            annual_rate=entry.annual_rate,
            terms=entry.terms,
        )
        for entry in effective(entries, leaving_out)
    ]
    return replay(terms, policy, history)


def last_replayed_date(entries: Sequence[LedgerEntry]) -> date | None:
    dates = [entry.on for entry in effective(entries)]
    return max(dates) if dates else None


def servicing_status(entries: Sequence[LedgerEntry]) -> LoanStatus:
    """Disbursed, or defaulted when the last default has not been followed by a restructuring."""
    status = LoanStatus.DISBURSED
    for entry in entries:
        if entry.kind is EntryKind.DEFAULT:
            status = LoanStatus.DEFAULTED
        elif entry.kind is EntryKind.RESTRUCTURE and entry.id not in reversed_ids(entries):
            status = LoanStatus.DISBURSED
    return status
