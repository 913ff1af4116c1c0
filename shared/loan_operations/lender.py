"""A lending service plugged into repayment operations: its tables, loans, payers, events and settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from types import ModuleType
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlmodel import Session, SQLModel

from shared.banking.credit_transfers import Debtor
from shared.contracts import loan_operations as contract
from shared.contracts.loan_servicing import ServicingEvent
from shared.contracts.own_versions import one_subclass_in
from shared.eventbus.command import CommandContext
from shared.eventbus.registry import envelope_for
from shared.loan_operations.policy import OperationsPolicy, OperationsSettings
from shared.loan_operations.tables import (
    BankFileColumns,
    CollectionCursorColumns,
    JobRunColumns,
    MandateColumns,
    OverdueColumns,
    PaymentRequestColumns,
    PayoutColumns,
    StatementColumns,
    StatementLineColumns,
)
from shared.platform.auth import Principal, Role
from shared.servicing.accounts import LoanAccount
from shared.servicing.sql import Lender

C = TypeVar("C", bound=CommandContext)


@dataclass(frozen=True)
class OperationsTables:
    mandate: type[MandateColumns]
    payment_request: type[PaymentRequestColumns]
    bank_file: type[BankFileColumns]
    payout: type[PayoutColumns]
    statement: type[StatementColumns]
    statement_line: type[StatementLineColumns]
    overdue: type[OverdueColumns]
    job_run: type[JobRunColumns]
    cursor: type[CollectionCursorColumns]


@dataclass(frozen=True)
class Payer:
    """Who pays a loan's instalments (the borrower, or for SIFO the financier) and from which account."""

    name: str
    iban: str | None


_BASES: dict[str, type[ServicingEvent]] = {
    "payment_requested": contract.PaymentRequested,
    "installment_overdue": contract.InstallmentOverdue,
    "reminder_due": contract.PaymentReminderDue,
    "default_proposed": contract.DefaultProposed,
}


@dataclass(frozen=True)
class OperationsEvents:
    source: str
    payment_requested: type[contract.PaymentRequested]
    installment_overdue: type[contract.InstallmentOverdue]
    reminder_due: type[contract.PaymentReminderDue]
    default_proposed: type[contract.DefaultProposed]

    @classmethod
    def of_module(cls, module: ModuleType, source: str) -> OperationsEvents:
        """The producer's registered subclass of each shared payload (exactly one each)."""
        chosen = {
            field.name: one_subclass_in(module, _BASES[field.name]) for field in fields(cls) if field.name != "source"
        }
        return cls(source=source, **chosen)  # type: ignore[arg-type]


@dataclass(frozen=True)
class LenderOperations(Generic[C]):
    """Everything the runs need from one lending service; built by the service from its settings."""

    service: str
    service_digit: int  # first digit of its structured references, unique per lender
    lender: Lender[C]
    tables: OperationsTables
    loans: type[SQLModel]
    events: OperationsEvents
    payers: Callable[[Session, Sequence[str]], Mapping[str, Payer]]
    settings: OperationsSettings
    debtor: Debtor
    command: Callable[[Session, Principal], C]

    @property
    def policy(self) -> OperationsPolicy:
        return self.settings.operations_policy

    @property
    def job_principal(self) -> Principal:
        return Principal(subject=f"job:{self.service}", roles=frozenset({Role.JOB}))

    def publish(self, command: C, account: LoanAccount, payload: BaseModel) -> None:
        command.publish(envelope_for(payload, source=self.events.source, subject=account.id))

    def message_id(self, code: str, day: date, file_id: str) -> str:
        """A bank file's message id: the lender, the kind (DD collections, CT transfers), the day, the file."""
        return f"{self.service.upper()}-{code}-{day:%Y%m%d}-{file_id[:8]}"

    def add_bank_file(
        self,
        session: Session,
        *,
        file_id: str,
        kind: str,
        day: date,
        account_iban: str,
        message_id: str,
        amounts: Sequence[Decimal],
        document: bytes,
        now: datetime,
    ) -> None:
        """Keep a file made for the bank as it was sent, with its count and total."""
        session.add(
            self.tables.bank_file(
                id=file_id,
                kind=kind,
                business_date=day,
                account_iban=account_iban,
                message_id=message_id,
                transactions=len(amounts),
                total=sum(amounts, start=Decimal("0.00")),
                document=document.decode(),
                created_at=now,
            )
        )

    @staticmethod
    def keys(account: LoanAccount) -> dict[str, Any]:
        """The fields that identify the loan in the service's events (SIFO adds the financier)."""
        return {"loan_id": account.id, **account.parties}
