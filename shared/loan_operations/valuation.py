"""What the loans of a run's chunk owe, valued together by the vectorised engine where it can.

The due and overdue runs look at a chunk of loans at a time. Replaying each loan through the
servicing core costs a Decimal replay of its whole history, milliseconds a loan once it has years
of repayments. A loan whose history holds repayments only is valued with the chunk's other such
loans by `batch_positions` instead, to the cent of that replay (the engine's own tests hold it to
`LiveLoan`). Every other loan is left to the core's replay: one restructured, prepaid, rate-reset or
with a reversal, one not paid out by the day, one whose terms the integer engine cannot hold, and
one the engine flags (a surplus or settlement, capitalised grace, a late rate asked day by day, a
half-cent tie).

The loans are locked as the core locks them (their rows, in the chunk's order) before their history
is read, so a repayment cannot come in between.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

import numpy as np
import sqlalchemy as sa

from shared.amortisation.batch import RATE_SCALE, BatchTerms, batch_capable
from shared.amortisation.batch_positions import BatchLateInterest, BatchRepayments, installments_as_of
from shared.amortisation.errors import InvalidTerms
from shared.amortisation.money import from_cents, to_cents
from shared.amortisation.position import InstallmentOwed
from shared.eventbus.command import CommandContext
from shared.loan_operations.lender import LenderOperations
from shared.servicing.accounts import LoanAccount, LoanStatus
from shared.servicing.entries import EntryKind

C = TypeVar("C", bound=CommandContext)


@dataclass(frozen=True)
class ValuedLoan:
    """A loan as the engine valued it on the run's day, with the last history entry it saw."""

    account: LoanAccount
    installments: tuple[InstallmentOwed, ...]
    """The installments due by the run's horizon and the first one after it, with what each still asks for."""
    late_interest: Decimal
    seen_entry_id: int


def value_chunk(
    ops: LenderOperations[C], command: C, loan_ids: Sequence[str], day: date, through: date
) -> dict[str, ValuedLoan]:
    """The chunk's loans the engine can value on `day`, locked; those it cannot are not in the result."""
    uow = ops.lender.unit_of_work(command)
    accounts = [uow.account(loan_id, lock=True) for loan_id in loan_ids]
    histories = _histories(ops, command, loan_ids)
    valued = [account for account in accounts if _engine_can_hold(account, histories.get(account.id, []), day)]
    if not valued:
        return {}
    days, cents, loan_of = [], [], []
    for index, account in enumerate(valued):
        for _, _, on, amount in histories.get(account.id, []):
            assert amount is not None  # a repayment (`_engine_can_hold`)
            days.append(on)
            cents.append(to_cents(amount))
            loan_of.append(index)
    terms = BatchTerms.from_terms([account.terms for account in valued])
    late = BatchLateInterest.for_policy(ops.lender.product(command).rules.late_interest_policy(), terms.rate)
    repayments = BatchRepayments(
        loan=np.array(loan_of, dtype=np.int64),
        on=np.array(days, dtype="datetime64[D]"),
        amount=np.array(cents, dtype=np.int64),
    )
    try:
        installments = installments_as_of(terms, late, repayments, day, max(day, through))
    except InvalidTerms:
        return {}  # a history the engine refuses (dates out of order): the core's replay says what is wrong
    return {
        account.id: ValuedLoan(
            account,
            installments.of(index),
            from_cents(int(installments.late_interest[index])),
            max((entry_id for entry_id, _, _, _ in histories.get(account.id, [])), default=0),
        )
        for index, account in enumerate(valued)
        if not installments.replay[index]
    }


Entry = tuple[int, str, date, Decimal | None]


def _histories(ops: LenderOperations[C], command: C, loan_ids: Sequence[str]) -> dict[str, list[Entry]]:
    """Each loan's entries (id, kind, date, amount) in recorded order, read in one statement."""
    entries = ops.lender.tables.entry.__table__  # type: ignore[attr-defined]
    rows = command.session.execute(
        sa.select(entries.c.loan_id, entries.c.id, entries.c.kind, entries.c.on, entries.c.amount)
        .where(entries.c.loan_id.in_(list(loan_ids)))
        .order_by(entries.c.loan_id, entries.c.id)
    )
    result: dict[str, list[Entry]] = defaultdict(list)
    for loan_id, entry_id, kind, on, amount in rows:
        result[loan_id].append((entry_id, kind, on, amount))
    return result


def _engine_can_hold(account: LoanAccount, history: list[Entry], day: date) -> bool:
    terms = account.terms
    return (
        account.status is LoanStatus.DISBURSED
        and account.disbursed_on is not None
        and account.disbursed_on <= day
        and terms.start_date <= day
        and batch_capable(terms)
        and (terms.annual_rate * RATE_SCALE) % 1 == 0
        and all(kind == EntryKind.REPAYMENT.value and amount is not None for _, kind, _, amount in history)
    )
