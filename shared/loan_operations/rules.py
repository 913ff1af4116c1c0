"""The pure rules of repayment operations: what to ask for, when to collect, how late, and which payment is whose.

No I/O: the runs feed these with a loan's instalments and the rows they read, and store what
comes out.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from shared.amortisation.business_days import following
from shared.amortisation.position import InstallmentOwed

ZERO = Decimal("0.00")
BUCKETS: tuple[tuple[int, str], ...] = ((30, "1-30"), (60, "31-60"), (90, "61-90"))
LAST_BUCKET = "90+"


class Channel(enum.StrEnum):
    DIRECT_DEBIT = "direct_debit"
    INVITATION = "invitation"


class RequestStatus(enum.StrEnum):
    OPEN = "open"  # asked for, not (fully) paid, not yet overdue
    OVERDUE = "overdue"
    RETURNED = "returned"  # its direct debit came back: unpaid again
    PAID = "paid"
    CLOSED = "closed"  # the loan left service (settled, defaulted, written off) before it was paid


class LineStatus(enum.StrEnum):
    """What became of a bank statement line."""

    BOOKED = "booked"
    RETURNED = "returned"  # a return line, whose repayment was reversed
    REVERSED = "reversed"  # a booked line whose money came back
    OUTGOING = "outgoing"
    REVIEW = "review"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


UNPAID = (RequestStatus.OPEN.value, RequestStatus.OVERDUE.value, RequestStatus.RETURNED.value)
"""Requests whose instalment may still owe money."""


def to_request(
    installments: Sequence[InstallmentOwed], requested: set[date], window_end: date
) -> list[InstallmentOwed]:
    """Instalments due on or before `window_end` that still ask for money and were never requested."""
    return [
        row for row in installments if row.due_date <= window_end and row.owed > ZERO and row.due_date not in requested
    ]


def next_due_after(installments: Sequence[InstallmentOwed], window_end: date) -> date | None:
    """The first due date past the window: the day the loan needs looking at again."""
    return min((row.due_date for row in installments if row.due_date > window_end), default=None)


def collection_date(due_on: date, run_date: date) -> date:
    """The TARGET2 business day a direct debit is collected on.

    The due date, moved to the following business day; never earlier than the first business day
    after the run (a SEPA Core file reaches the debtor's bank at least one business day ahead).
    """
    earliest = following(run_date + timedelta(days=1))
    return max(following(due_on), earliest)


def execution_date(requested_on: date, run_date: date) -> date:
    """The TARGET2 business day a payout is executed on: as requested, never before the run's day."""
    return following(max(requested_on, run_date))


def bucket_of(days_past_due: int) -> str:
    for limit, name in BUCKETS:
        if days_past_due <= limit:
            return name
    return LAST_BUCKET


def reminder_level(days_past_due: int, reminder_days: Sequence[int], sent: int) -> int | None:
    """The highest reminder level reached and not yet sent (a late run sends only that one), else None."""
    reached = sum(1 for day in reminder_days if days_past_due >= day)
    return reached if reached > sent else None


def overdue(due_on: date, tolerance_days: int, on: date) -> bool:
    """Unpaid after the due date plus the tolerance."""
    return on > due_on + timedelta(days=tolerance_days)


@dataclass(frozen=True)
class Candidate:
    """An open payment request a statement line could pay."""

    request_id: int
    loan_id: str
    owed: Decimal
    payer_ibans: frozenset[str]


@dataclass(frozen=True)
class Match:
    candidate: Candidate | None
    reason: str | None


def match_on_amount_and_iban(amount: Decimal, iban: str | None, candidates: Sequence[Candidate]) -> Match:
    """The one open request of this amount from this account; otherwise why a person must look."""
    if iban is None:
        return Match(None, "no structured reference and no counterparty IBAN to match on")
    from_payer = [candidate for candidate in candidates if iban in candidate.payer_ibans]
    if not from_payer:
        return Match(None, f"no structured reference, and {iban} pays no open instalment")
    exact = [candidate for candidate in from_payer if candidate.owed == amount]
    if exact and len({candidate.loan_id for candidate in exact}) == 1:
        # One loan: the core allocates the money to its oldest arrears whichever request is named.
        return Match(min(exact, key=lambda candidate: candidate.request_id), None)
    loans = {candidate.loan_id for candidate in from_payer}
    if not exact and len(loans) == 1:
        # One loan of this payer: a partial or larger payment is still its money.
        return Match(min(from_payer, key=lambda candidate: candidate.request_id), None)
    if exact:
        return Match(None, f"ambiguous: {len(exact)} open instalments of {amount} from {iban}")
    return Match(None, f"ambiguous: no open instalment of {amount} from {iban}, which pays {len(loans)} loans")
