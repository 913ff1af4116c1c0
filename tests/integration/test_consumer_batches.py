"""A poll's records are applied together in one transaction; a bad one among them is parked alone."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from kafka import KafkaProducer
from sqlmodel import Session, select

from shared.contracts.topics import SIFO_EVENTS
from shared.eventbus.tables import DeadLetter, InboxRecord
from shared.platform.audit import AuditEntry

from services.portfolio.models import PortfolioFinancier
from services.sifo import events
from services.sifo.models import SifoFinancier
from tests.integration.event_slice import Slice, run_consumer_until
from tests.support import count, enterprise_number

pytestmark = pytest.mark.integration


def recognised(n: int) -> bytes:
    financier = SifoFinancier(
        id=str(uuid.uuid4()),
        enterprise_number=enterprise_number(n),
        name=f"Financier {n}",
        iban="BE68539007547034",
        recognised_from=date(2026, 1, 1),
        created_at=datetime.now(UTC),
        created_by="alice@pmv.example",
    )
    return events.financier_recognised(financier).model_dump_json().encode()


def produce(slice_: Slice, values: list[bytes]) -> None:
    """All on one partition (one key), so one poll brings them together."""
    producer = KafkaProducer(bootstrap_servers=slice_.kafka)
    for value in values:
        producer.send(f"{slice_.prefix}{SIFO_EVENTS}", key=b"one-partition", value=value)
    producer.flush()
    producer.close()


def test_records_of_one_poll_are_applied_in_one_transaction(event_slice: Slice) -> None:
    produce(event_slice, [recognised(n) for n in range(20)])
    consumer = event_slice.consumer()
    run_consumer_until(consumer, lambda: count(event_slice.portfolio, PortfolioFinancier) >= 20, "20 financiers")
    assert consumer.applied == 20
    assert consumer.batches >= 1
    assert count(event_slice.portfolio, InboxRecord) == 20
    with Session(event_slice.portfolio) as session:
        financiers = session.exec(select(PortfolioFinancier)).all()
        entries = session.exec(select(AuditEntry).where(AuditEntry.object_type == "portfolio_financier")).all()
    actors = {entry.object_id: entry.actor for entry in entries}
    assert {actors[row.financier_id] for row in financiers} == {f"consumer:{consumer.group_id}"}, (
        "each event's rows are audited under the consumer that applied it, the last one too"
    )


def test_a_bad_record_among_them_is_parked_alone_and_the_others_are_applied_once(event_slice: Slice) -> None:
    good = [recognised(n) for n in range(6)]
    produce(event_slice, [*good[:3], b"{not an envelope", *good[3:]])
    consumer = event_slice.consumer()
    run_consumer_until(consumer, lambda: count(event_slice.portfolio, DeadLetter) >= 1, "the bad record parked")
    run_consumer_until(consumer, lambda: count(event_slice.portfolio, PortfolioFinancier) >= 6, "6 financiers")
    assert consumer.applied == 6
    assert count(event_slice.portfolio, InboxRecord) == 6
    with Session(event_slice.portfolio) as session:
        [parked] = session.exec(select(DeadLetter)).all()
    assert parked.error.startswith("unreadable envelope")
