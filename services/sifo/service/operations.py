"""SIFO's side of repayment operations: its tables, its loans' payers (the financiers) and its events.

A SIFO loan is repaid by the recognised financier that granted it, from the financier's
registered account (or the account of the mandate the financier signed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from sqlmodel import Session, col, select

from shared.banking.credit_transfers import Debtor
from shared.contracts import sifo as contract
from shared.loan_operations.lender import LenderOperations, OperationsEvents, OperationsTables, Payer
from shared.loan_operations.policy import OperationsSettings
from shared.platform.auth import Principal

from services.sifo.models import (
    SifoBankFile,
    SifoCollectionCursor,
    SifoFinancier,
    SifoJobRun,
    SifoLoan,
    SifoMandate,
    SifoOverdue,
    SifoPaymentRequest,
    SifoPayout,
    SifoStatement,
    SifoStatementLine,
)
from services.sifo.service.context import Command
from services.sifo.service.servicing import LENDER

SERVICE_DIGIT = 1
TABLES = OperationsTables(
    mandate=SifoMandate,
    payment_request=SifoPaymentRequest,
    bank_file=SifoBankFile,
    payout=SifoPayout,
    statement=SifoStatement,
    statement_line=SifoStatementLine,
    overdue=SifoOverdue,
    job_run=SifoJobRun,
    cursor=SifoCollectionCursor,
)


def payers(session: Session, loan_ids: Sequence[str]) -> Mapping[str, Payer]:
    rows = session.exec(
        select(SifoLoan.id, SifoFinancier.name, SifoFinancier.iban)
        .join(SifoFinancier, col(SifoFinancier.id) == col(SifoLoan.financier_id))
        .where(col(SifoLoan.id).in_(list(loan_ids)))
    ).all()
    return {loan_id: Payer(name, iban) for loan_id, name, iban in rows}


def sifo_operations(
    settings: OperationsSettings, debtor: Debtor, command: Callable[[Session, Principal], Command]
) -> LenderOperations[Command]:
    return LenderOperations(
        service="sifo",
        service_digit=SERVICE_DIGIT,
        lender=LENDER,
        tables=TABLES,
        loans=SifoLoan,
        events=OperationsEvents.of_module(contract, contract.SIFO_SOURCE),
        payers=payers,
        settings=settings,
        debtor=debtor,
        command=command,
    )
