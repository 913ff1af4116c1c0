"""The energy programme's side of repayment operations: its tables, its loans' payers and its events.

An energy loan is repaid by the workshop that applied for it, from the account the loan was paid
out to (or the account of the mandate it signed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from sqlmodel import Session, col, select

from shared.contracts import energy as contract
from shared.loan_operations.lender import LenderOperations, OperationsEvents, OperationsTables, Payer
from shared.loan_operations.policy import OperationsSettings
from shared.platform.auth import Principal

from services.energy.models import (
    EnergyApplicant,
    EnergyBankFile,
    EnergyCollectionCursor,
    EnergyJobRun,
    EnergyLoan,
    EnergyMandate,
    EnergyOverdue,
    EnergyPaymentRequest,
    EnergyPayout,
    EnergyStatement,
    EnergyStatementLine,
)
from services.energy.service.context import Command
from services.energy.service.servicing import LENDER

SERVICE_DIGIT = 2
TABLES = OperationsTables(
    mandate=EnergyMandate,
    payment_request=EnergyPaymentRequest,
    bank_file=EnergyBankFile,
    payout=EnergyPayout,
    statement=EnergyStatement,
    statement_line=EnergyStatementLine,
    overdue=EnergyOverdue,
    job_run=EnergyJobRun,
    cursor=EnergyCollectionCursor,
)


def payers(session: Session, loan_ids: Sequence[str]) -> Mapping[str, Payer]:
    rows = session.exec(
        select(EnergyLoan.id, EnergyApplicant.name, EnergyLoan.iban)
        .join(EnergyApplicant, col(EnergyApplicant.id) == col(EnergyLoan.applicant_id))
        .where(col(EnergyLoan.id).in_(list(loan_ids)))
    ).all()
    return {loan_id: Payer(name, iban) for loan_id, name, iban in rows}


def energy_operations(
    settings: OperationsSettings, command: Callable[[Session, Principal], Command]
) -> LenderOperations[Command]:
    return LenderOperations(
        service="energy",
        service_digit=SERVICE_DIGIT,
        lender=LENDER,
        tables=TABLES,
        loans=EnergyLoan,
        events=OperationsEvents.of_module(contract, contract.ENERGY_SOURCE),
        payers=payers,
        settings=settings,
        debtor=settings.debtor,
        command=command,
    )
