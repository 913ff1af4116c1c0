"""Repayments kept by the consumer, or stored before their columns existed, read back as the facts say."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from shared.contracts.loan_servicing import RepaymentRecordedWithMode
from shared.eventbus.consumer import apply_envelope
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.registry import registered
from shared.platform import migrations
from shared.platform.database import make_engine

from services.portfolio.app import MIGRATIONS_DIR
from services.portfolio.domain.book import Fact, fold
from services.portfolio.domain.loans import Instrument
from services.portfolio.service.facts import handlers, load_book, repayment_types

pytestmark = pytest.mark.integration
LOAN = "7c1e0d2a-0b8e-4f51-9c44-2d8a3e6f1b20"
PUBLISHED = datetime(2026, 5, 1, 8, tzinfo=UTC)
REPAYMENTS = [(date(2026, 3, 1), "1250.00"), (date(2026, 4, 3), "99.99"), (date(2026, 4, 3), "1000000.01")]


def _payload(name: str, loan: str, entry_id: int, on: date, amount: str) -> Any:
    model = registered()[name]
    values: dict[str, Any] = {
        "loan_id": loan,
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


def _facts() -> list[tuple[EventEnvelope, int]]:
    """Three repayments of one loan per lender and event version, each with its offset on one partition."""
    facts: list[tuple[EventEnvelope, int]] = []
    for number, name in enumerate(sorted(repayment_types())):
        loan = f"{LOAN[:-2]}{number:02d}"
        for entry_id, (on, amount) in enumerate(REPAYMENTS, start=1):
            payload = _payload(name, loan, entry_id, on, amount)
            envelope = EventEnvelope.wrap(source="test", subject=loan, payload=payload, event_type=name)
            envelope = envelope.model_copy(update={"time": PUBLISHED + timedelta(minutes=len(facts))})
            facts.append((envelope, len(facts)))
    return facts


def _parsed_book(facts: list[tuple[EventEnvelope, int]], below: int) -> Any:
    return fold(
        Fact(envelope.type, envelope.id, envelope.time, registered()[envelope.type].model_validate(envelope.data))
        for envelope, offset in facts
        if offset < below
    )


def _keep(session: Session, facts: list[tuple[EventEnvelope, int]]) -> None:
    """The facts kept by the consumer's handlers, as delivered on one partition."""
    for envelope, offset in facts:
        apply_envelope(
            session,
            group_id="portfolio-test",
            handlers=handlers(),
            ignored=frozenset(),
            envelope=envelope,
            topic="book",
            partition=0,
            offset=offset,
        )


def _assert_same_repayments(url: str, facts: list[tuple[EventEnvelope, int]]) -> None:
    engine = make_engine(url)
    try:
        for below, alongside in ((len(facts), False), (len(facts), True), (7, False), (7, True)):
            with Session(engine) as session:
                book = load_book(session, {"book:0": below}, fetch_alongside=alongside)
            expected = _parsed_book(facts, below)
            assert book.loans.keys() == expected.loans.keys()
            for loan_id, file in expected.loans.items():
                assert book.loans[loan_id].instrument is file.instrument
                assert book.loans[loan_id].repayments == file.repayments
                entries = book.loans[loan_id].effective_entries(date(2026, 12, 31))
                assert [entry.amount for entry in entries] == [Decimal(amount) for _, amount in REPAYMENTS][
                    : len(entries)
                ]
    finally:
        engine.dispose()


@pytest.mark.parametrize("database", ["postgresql", "sqlite"])
def test_every_lender_s_repayments_kept_by_the_consumer_read_back_as_columns(
    database: str, migrated_database: Callable[[str], str], tmp_path: Path
) -> None:
    assert set(repayment_types().values()) == set(Instrument)
    if database == "sqlite":
        url = f"sqlite:///{tmp_path / 'portfolio.db'}"
        migrations.upgrade(MIGRATIONS_DIR, url, "head")
    else:
        url = migrated_database("portfolio")
    facts = _facts()
    engine = make_engine(url)
    with Session(engine) as session:
        _keep(session, facts)
        session.commit()
    engine.dispose()
    _assert_same_repayments(url, facts)


def test_repayments_stored_before_the_columns_existed_are_carried_over(
    make_database: Callable[[str], str],
) -> None:
    url = make_database("carry_portfolio_repayments")
    migrations.upgrade(MIGRATIONS_DIR, url, "0003")
    facts = _facts()
    engine = make_engine(url)
    with engine.begin() as connection:
        for envelope, offset in facts:
            connection.execute(
                sa.text(
                    "INSERT INTO portfolio_event (event_id, event_type, subject, known_at, topic, partition, "
                    '"offset", data) VALUES (:id, :type, :subject, :time, :topic, 0, :offset, :data)'
                ),
                {
                    "id": envelope.id,
                    "type": envelope.type,
                    "subject": envelope.subject,
                    "time": envelope.time,
                    "topic": "book",
                    "offset": offset,
                    "data": json.dumps(envelope.data, sort_keys=True),
                },
            )
    engine.dispose()
    migrations.upgrade(MIGRATIONS_DIR, url, "head")
    _assert_same_repayments(url, facts)


def test_a_session_reads_the_repayments_it_has_written_and_not_yet_committed(
    migrated_database: Callable[[str], str],
) -> None:
    """Other connections do not see them, so the repayments are then read on the session's own connection."""
    facts = _facts()
    engine = make_engine(migrated_database("portfolio"))
    try:
        with Session(engine) as session:
            _keep(session, facts)
            session.flush()
            book = load_book(session, {"book:0": len(facts)}, fetch_alongside=True)
            expected = _parsed_book(facts, len(facts))
            assert {loan_id: file.repayments for loan_id, file in book.loans.items()} == {
                loan_id: file.repayments for loan_id, file in expected.loans.items()
            }
            session.rollback()
    finally:
        engine.dispose()
