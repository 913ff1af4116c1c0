"""A stored repayment read straight into its loan's columns is the parsed fact applied, for every lender."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from shared.contracts.loan_servicing import RepaymentRecordedWithMode
from shared.eventbus.registry import registered

from services.portfolio.domain.book import Book, Fact, add_repayment, apply
from services.portfolio.domain.loans import Instrument
from services.portfolio.service.facts import repayment_types

LOAN = "7c1e0d2a-0b8e-4f51-9c44-2d8a3e6f1b20"


def _payload(name: str, entry_id: int, on: date, amount: str) -> Any:
    model = registered()[name]
    values: dict[str, Any] = {
        "loan_id": LOAN,
        "entry_id": entry_id,
        "received_on": on,
        "amount": Decimal(amount),
        "late_interest": Decimal("1.10"),
        "collection_fees": Decimal("0.00"),
        "interest": Decimal("10.00"),
        "principal": Decimal(amount) - Decimal("11.10"),
        "prepayment": Decimal("0.00"),
        "excess": Decimal("0.00"),
        "outstanding_principal": Decimal("98765.43"),
        "status": "in_arrears",
    }
    if issubclass(model, RepaymentRecordedWithMode):
        values["surplus_mode"] = "reduce_term"
    for field, info in model.model_fields.items():
        if field not in values and info.is_required():
            values[field] = "0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b"
    return model(**values)


def test_every_lender_publishes_repayments_the_book_reads_as_columns() -> None:
    assert set(repayment_types().values()) == set(Instrument)


@pytest.mark.parametrize("name", sorted(repayment_types()))
def test_a_repayment_read_from_its_json_is_the_fact_applied(name: str) -> None:
    parsed, direct = Book(), Book()
    for entry_id, (on, amount) in enumerate(
        [(date(2026, 3, 1), "1250.00"), (date(2026, 4, 3), "99.99"), (date(2026, 4, 3), "1000000.01")], start=1
    ):
        payload = _payload(name, entry_id, on, amount)
        apply(parsed, Fact(name, f"event-{entry_id}", datetime(2026, 5, 1, tzinfo=UTC), payload))
        add_repayment(direct, repayment_types()[name], json.loads(payload.model_dump_json()))
    assert parsed.loans[LOAN].instrument is direct.loans[LOAN].instrument is repayment_types()[name]
    assert parsed.loans[LOAN].repayments == direct.loans[LOAN].repayments
    entries = direct.loans[LOAN].effective_entries(date(2026, 12, 31))
    assert [(entry.entry_id, entry.on, entry.amount) for entry in entries] == [
        (1, date(2026, 3, 1), Decimal("1250.00")),
        (2, date(2026, 4, 3), Decimal("99.99")),
        (3, date(2026, 4, 3), Decimal("1000000.01")),
    ]
    assert {entry.reported_outstanding for entry in entries} == {Decimal("98765.43")}
