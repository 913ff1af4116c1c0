"""Outbox -> relay -> real Kafka -> idempotent consumer -> projection, on real PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from kafka import KafkaConsumer
from sqlmodel import Session, select

from shared.contracts.topics import SIFO_EVENTS
from shared.eventbus.consumer import EventConsumer
from shared.eventbus.tables import InboxRecord
from shared.platform.database import transaction

from services.portfolio.models import PortfolioFinancier
from services.sifo.domain.financiers import FinancierRegistration, RecognitionPeriod
from services.sifo.service.financiers import register_financier
from tests.integration.event_slice import Slice, fund_manager_command, register, run_consumer_until, topic_messages
from tests.support import count, enterprise_number, wait_for

pytestmark = pytest.mark.integration


def test_committed_events_arrive_once_and_rolled_back_ones_never(event_slice: Slice) -> None:
    committed = [register(event_slice.sifo, n, event_slice.prefix) for n in range(3)]

    rolled_back_number = enterprise_number(99)
    with pytest.raises(RuntimeError, match="abandon"):
        _register_then_abandon(event_slice, rolled_back_number)

    event_slice.drain_outbox()
    consumer = event_slice.consumer()
    run_consumer_until(
        consumer, lambda: count(event_slice.portfolio, PortfolioFinancier) >= 3, "3 projected financiers"
    )

    with Session(event_slice.portfolio) as session:
        projected = session.exec(select(PortfolioFinancier)).all()
    assert sorted(row.financier_id for row in projected) == sorted(committed)
    assert rolled_back_number not in {row.enterprise_number for row in projected}
    assert len(topic_messages(event_slice.kafka, f"{event_slice.prefix}{SIFO_EVENTS}", 3)) == 3

    replay = event_slice.consumer(group="portfolio")
    replay.make_kafka_consumer = _from_the_beginning(replay)  # type: ignore[method-assign]
    run_consumer_until(replay, lambda: replay.duplicates >= 3, "the replayed events to be recognised as duplicates")
    assert replay.applied == 0
    assert count(event_slice.portfolio, PortfolioFinancier) == 3
    assert count(event_slice.portfolio, InboxRecord) == 3


def _register_then_abandon(event_slice: Slice, number: str) -> None:
    with transaction(event_slice.sifo) as session:
        registration = FinancierRegistration(number, "Never", "BE68539007547034", RecognitionPeriod(date(2026, 1, 1)))
        register_financier(fund_manager_command(session, event_slice.prefix), registration)
        raise RuntimeError("abandon the transaction")


def _from_the_beginning(consumer: EventConsumer) -> Callable[[], KafkaConsumer]:
    """A consumer in the same group that rewinds to offset 0: every event is delivered again."""
    original = EventConsumer.make_kafka_consumer

    def make() -> KafkaConsumer:
        kafka_consumer = original(consumer)
        wait_for(
            lambda: kafka_consumer.poll(timeout_ms=200) == {} and bool(kafka_consumer.assignment()),
            30,
            "partition assignment",
        )
        kafka_consumer.seek_to_beginning()
        return kafka_consumer

    return make


def test_relay_restart_republishes_nothing_already_marked(event_slice: Slice) -> None:
    ids = [register(event_slice.sifo, n, event_slice.prefix) for n in range(5)]
    event_slice.drain_outbox()
    event_slice.relay._discard_producer()
    assert event_slice.relay.publish_batch() == 0
    messages = topic_messages(event_slice.kafka, f"{event_slice.prefix}{SIFO_EVENTS}", 5)
    assert len(messages) == len(ids) == 5
