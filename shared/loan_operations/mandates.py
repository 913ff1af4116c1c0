"""SEPA mandates: a borrower authorises the fund to collect a loan's instalments from an account.

One mandate is active per loan at a time; registering a new one revokes the previous one (its
next collection is then a FRST again), and a revoked mandate is kept with who revoked it and
when. A mandate is registered only for a loan that is approved or being repaid, and only after
it was signed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from sqlmodel import col, select

from shared.banking.sepa_text import bic, identifier, sepa_name
from shared.eventbus.command import CommandContext
from shared.loan_operations.lender import LenderOperations
from shared.loan_operations.tables import MandateColumns
from shared.platform.database import get_for_update
from shared.platform.identifiers import normalise_iban
from shared.platform.rules import Conflict, NotFound, RuleViolation
from shared.servicing.accounts import LoanStatus

C = TypeVar("C", bound=CommandContext)

ACCEPTS_MANDATES = (LoanStatus.APPROVED.value, LoanStatus.DISBURSED.value, LoanStatus.DEFAULTED.value)


def _checked(field: str, check: Callable[[], str]) -> str:
    try:
        return check()
    except ValueError as exc:
        raise RuleViolation(field, str(exc).split(": ", 1)[-1]) from None


def register(
    ops: LenderOperations[C],
    command: C,
    loan_id: str,
    reference: str,
    signed_on: date,
    debtor_name: str,
    debtor_iban: str,
    debtor_bic: str | None,
) -> MandateColumns:
    session = command.session
    loan = get_for_update(session, ops.loans, loan_id, "loan")
    status = str(getattr(loan, "status"))  # noqa: B009 - every loan table has it
    if status not in ACCEPTS_MANDATES:
        raise Conflict(f"loan {loan_id} is {status}; a mandate is registered for an approved or disbursed loan")
    if signed_on > command.today:
        raise RuleViolation("signed_on", f"{signed_on.isoformat()} is after today ({command.today.isoformat()})")
    reference = _checked("reference", lambda: identifier(reference.strip(), "reference"))
    name = _checked("debtor_name", lambda: sepa_name(debtor_name, "debtor_name"))
    iban = _checked("debtor_iban", lambda: normalise_iban(debtor_iban))
    code = None if debtor_bic is None else _checked("debtor_bic", lambda: bic(debtor_bic, "debtor_bic"))
    table = ops.tables.mandate
    if session.exec(select(table).where(table.reference == reference)).first() is not None:
        raise Conflict(f"mandate reference {reference} is already registered")
    for previous in active(ops, command, loan_id):
        previous.revoked_on = command.today
        previous.revoked_by = command.actor
        session.add(previous)
    row = table(
        id=str(uuid.uuid4()),
        loan_id=loan_id,
        reference=reference,
        signed_on=signed_on,
        debtor_name=name,
        debtor_iban=iban,
        debtor_bic=code,
        created_at=command.now,
        created_by=command.actor,
    )
    session.add(row)
    session.flush()
    return row


def active(ops: LenderOperations[C], command: C, loan_id: str) -> list[MandateColumns]:
    table = ops.tables.mandate
    return list(
        command.session.exec(select(table).where(table.loan_id == loan_id, col(table.revoked_on).is_(None))).all()
    )


def revoke(ops: LenderOperations[C], command: C, loan_id: str) -> MandateColumns:
    get_for_update(command.session, ops.loans, loan_id, "loan")
    current = active(ops, command, loan_id)
    if not current:
        raise NotFound("active mandate of loan", loan_id)
    for row in current:
        row.revoked_on = command.today
        row.revoked_by = command.actor
        command.session.add(row)
    return current[0]


def of_loan(ops: LenderOperations[C], command: C, loan_id: str) -> list[MandateColumns]:
    table = ops.tables.mandate
    return list(
        command.session.exec(select(table).where(table.loan_id == loan_id).order_by(col(table.created_at))).all()
    )
