"""Trividend's side of repayment operations: its tables, its loans' payers and its events.

A Trividend loan is repaid by the investee, from the account the loan was paid out to (or the
account of the mandate it signed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from sqlmodel import Session, col, select

from shared.contracts import trividend as contract
from shared.loan_operations.lender import LenderOperations, OperationsEvents, OperationsTables, Payer
from shared.loan_operations.policy import OperationsSettings
from shared.platform.auth import Principal

from services.trividend.models import (
    TrividendBankFile,
    TrividendCollectionCursor,
    TrividendInvestee,
    TrividendJobRun,
    TrividendLoan,
    TrividendMandate,
    TrividendOverdue,
    TrividendPaymentRequest,
    TrividendPayout,
    TrividendStatement,
    TrividendStatementLine,
)
from services.trividend.service.context import Command
from services.trividend.service.loans import LENDER

SERVICE_DIGIT = 3
TABLES = OperationsTables(
    mandate=TrividendMandate,
    payment_request=TrividendPaymentRequest,
    bank_file=TrividendBankFile,
    payout=TrividendPayout,
    statement=TrividendStatement,
    statement_line=TrividendStatementLine,
    overdue=TrividendOverdue,
    job_run=TrividendJobRun,
    cursor=TrividendCollectionCursor,
)


def payers(session: Session, loan_ids: Sequence[str]) -> Mapping[str, Payer]:
    rows = session.exec(
        select(TrividendLoan.id, TrividendInvestee.name, TrividendLoan.iban)
        .join(TrividendInvestee, col(TrividendInvestee.id) == col(TrividendLoan.investee_id))
        .where(col(TrividendLoan.id).in_(list(loan_ids)))
    ).all()
    return {loan_id: Payer(name, iban) for loan_id, name, iban in rows}


def trividend_operations(
    settings: OperationsSettings, command: Callable[[Session, Principal], Command]
) -> LenderOperations[Command]:
    return LenderOperations(
        service="trividend",
        service_digit=SERVICE_DIGIT,
        lender=LENDER,
        tables=TABLES,
        loans=TrividendLoan,
        events=OperationsEvents.of_module(contract, contract.TRIVIDEND_SOURCE),
        payers=payers,
        settings=settings,
        debtor=settings.debtor,
        command=command,
    )
