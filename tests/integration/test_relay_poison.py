"""Relay housekeeping on the real broker: poison rows are kept with their error, published rows pruned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from shared.contracts.topics import SIFO_EVENTS
from shared.eventbus import outbox
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.relay import OutboxRelay, kafka_producer_factory
from shared.eventbus.tables import OutboxMessage
from shared.platform.database import transaction

from tests.integration.event_slice import Slice, register
from tests.support import wait_for

pytestmark = pytest.mark.integration


def test_a_message_the_broker_refuses_becomes_a_poison_row_and_does_not_block_the_rest(event_slice: Slice) -> None:
    with transaction(event_slice.sifo) as session:
        oversized = EventEnvelope(
            source="/tests", subject="too-big", type="sifo.test.oversized.v1", data={"blob": "x" * 2_000_000}
        )
        outbox.append(session, f"{event_slice.prefix}{SIFO_EVENTS}", oversized)
    healthy = register(event_slice.sifo, 5, event_slice.prefix)
    relay = OutboxRelay(
        event_slice.sifo, kafka_producer_factory(event_slice.kafka, "poison-test"), max_attempts=3, idle_seconds=0.01
    )

    def settled() -> bool:
        relay.publish_batch()
        with Session(event_slice.sifo) as session:
            poison = session.exec(select(OutboxMessage).where(OutboxMessage.event_id == oversized.id)).one()
            return poison.failed_at is not None

    wait_for(settled, 60, "the oversized row to be marked as poison")
    with Session(event_slice.sifo) as session:
        rows = {row.message_key: row for row in session.exec(select(OutboxMessage)).all()}
    poison = rows["too-big"]
    assert poison.attempts == 3
    assert poison.published_at is None
    assert poison.last_error is not None
    assert "MessageSizeTooLarge" in poison.last_error
    assert rows[healthy].published_at is not None
    relay._discard_producer()


def test_published_rows_are_pruned_after_the_retention_period(event_slice: Slice) -> None:
    old, recent = register(event_slice.sifo, 1, event_slice.prefix), register(event_slice.sifo, 2, event_slice.prefix)
    event_slice.drain_outbox()
    with transaction(event_slice.sifo) as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.message_key == old)).one()
        row.published_at = datetime.now(UTC) - timedelta(days=8)
    relay = OutboxRelay(event_slice.sifo, kafka_producer_factory(event_slice.kafka, "prune-test"))
    assert relay.prune() == 1
    with Session(event_slice.sifo) as session:
        keys = session.exec(select(OutboxMessage.message_key).order_by(col(OutboxMessage.seq))).all()
    assert keys == [recent]
