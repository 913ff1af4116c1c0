"""HTTP bodies of repayment operations, the same in every lending service. Money is a decimal string."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.banking import structured_reference
from shared.loan_operations.tables import (
    BankFileColumns,
    JobRunColumns,
    MandateColumns,
    OverdueColumns,
    PaymentRequestColumns,
    StatementColumns,
    StatementLineColumns,
)
from shared.platform.days import Day
from shared.servicing.schemas import example

Text200 = Annotated[str, Field(min_length=1, max_length=200)]


class MandateIn(BaseModel):
    model_config = example(
        {
            "reference": "SIFO-2026-00042",
            "signed_on": "2026-11-02",
            "debtor_name": "De Vlaspit cv",
            "debtor_iban": "BE71096123456769",
        }
    )

    reference: Annotated[str, Field(min_length=1, max_length=35, description="the mandate id (UMR)")]
    signed_on: Day
    debtor_name: Text200
    debtor_iban: Annotated[str, Field(min_length=15, max_length=42)]
    debtor_bic: Annotated[str | None, Field(default=None, min_length=8, max_length=11)] = None


class MandateOut(BaseModel):
    id: str
    loan_id: str
    reference: str
    signed_on: date
    debtor_name: str
    debtor_iban: str
    debtor_bic: str | None
    revoked_on: date | None
    created_by: str
    revoked_by: str | None

    @classmethod
    def of(cls, row: MandateColumns) -> MandateOut:
        return cls.model_validate(row, from_attributes=True)


class PaymentRequestOut(BaseModel):
    id: int
    loan_id: str
    due_on: date
    installment_number: int
    amount: Decimal
    structured_reference: str | None
    printed_reference: str | None = Field(description="as printed on an invitation: +++123/4567/89012+++")
    channel: str
    sequence_type: str | None
    collection_on: date | None
    file_id: str | None
    status: str
    business_date: date

    @classmethod
    def of(cls, row: PaymentRequestColumns) -> PaymentRequestOut:
        assert row.id is not None
        reference = row.structured_reference
        return cls(
            id=row.id,
            loan_id=row.loan_id,
            due_on=row.due_on,
            installment_number=row.installment_number,
            amount=row.amount,
            structured_reference=reference,
            printed_reference=None if reference is None else structured_reference.formatted(reference),
            channel=row.channel,
            sequence_type=row.sequence_type,
            collection_on=row.collection_on,
            file_id=row.file_id,
            status=row.status,
            business_date=row.business_date,
        )


class OverdueOut(BaseModel):
    payment_request_id: int
    loan_id: str
    due_on: date
    overdue_on: date
    days_past_due: int
    bucket: str
    unpaid: Decimal
    late_interest: Decimal
    reminders_sent: int
    last_reminder_on: date | None
    default_decision_id: str | None
    paid_on: date | None
    updated_on: date

    @classmethod
    def of(cls, row: OverdueColumns) -> OverdueOut:
        return cls.model_validate(row, from_attributes=True)


class BankFileOut(BaseModel):
    id: str
    kind: str
    business_date: date
    account_iban: str
    message_id: str
    transactions: int
    total: Decimal
    created_at: datetime

    @classmethod
    def of(cls, row: BankFileColumns) -> BankFileOut:
        return cls.model_validate(row, from_attributes=True)


class StatementOut(BaseModel):
    id: str
    account_iban: str
    statement_id: str
    message_id: str
    version: str
    lines: int
    booked: int
    returned: int
    in_review: int
    imported_at: datetime
    imported_by: str

    @classmethod
    def of(cls, row: StatementColumns) -> StatementOut:
        return cls.model_validate(row, from_attributes=True)


class StatementImportOut(BaseModel):
    imported: list[StatementOut]
    already_imported: list[StatementOut] = Field(description="statements imported before: nothing changed for them")
    lines: dict[str, int] = Field(description="lines of the imported statements per outcome")


class StatementLineOut(BaseModel):
    id: int
    statement_id: str
    number: int
    entry_reference: str
    booking_date: date
    value_date: date | None
    amount: Decimal
    currency: str
    direction: str
    end_to_end_id: str | None
    structured_reference: str | None
    remittance: str | None
    counterparty_name: str | None
    counterparty_iban: str | None
    return_reason: str | None
    status: str
    reason: str | None
    loan_id: str | None
    payment_request_id: int | None
    entry_id: int | None
    reverses_line_id: int | None
    resolved_by: str | None
    resolved_at: datetime | None

    @classmethod
    def of(cls, row: StatementLineColumns) -> StatementLineOut:
        return cls.model_validate(row, from_attributes=True)


class ResolutionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"loan_id": "0b6c1f0e-7d7e-4c1a-9a53-2f1f0b2f8c11"},
                {"dismiss_reason": "refunded to the sender on 2026-12-02"},
            ]
        },
    )

    loan_id: Annotated[str | None, Field(default=None, min_length=1, max_length=36)] = None
    dismiss_reason: Annotated[str | None, Field(default=None, min_length=1, max_length=2000)] = None


class JobRunOut(BaseModel):
    id: str
    job: str
    business_date: date
    status: str
    attempts: int
    started_at: datetime
    finished_at: datetime | None
    counts: str
    outcome: str | None
    started_by: str

    @classmethod
    def of(cls, row: JobRunColumns) -> JobRunOut:
        return cls.model_validate(row, from_attributes=True)
