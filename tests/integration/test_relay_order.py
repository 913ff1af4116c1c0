"""On the real broker: a failing outbox row holds back its own stream only, and is set aside after N attempts."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from shared.contracts.topics import SIFO_EVENTS
from shared.eventbus import outbox, set_aside
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.relay import OutboxRelay, kafka_producer_factory
from shared.eventbus.tables import OutboxMessage
from shared.platform.database import transaction

from tests.integration.event_slice import Slice, register
from tests.integration.live import published

pytestmark = pytest.mark.integration


def stage(slice_: Slice, topic: str, subject: str, blob: str) -> str:
    envelope = EventEnvelope(source="/tests", subject=subject, type="sifo.test.ordered.v1", data={"blob": blob})
    with transaction(slice_.sifo) as session:
        outbox.append(session, topic, envelope)
    return envelope.id


def rows(slice_: Slice) -> dict[str, OutboxMessage]:
    with Session(slice_.sifo) as session:
        return {row.event_id: row for row in session.exec(select(OutboxMessage)).all()}


def test_a_failing_row_keeps_its_successors_behind_it_and_is_set_aside_without_blocking_others(
    event_slice: Slice,
) -> None:
    topic = f"{event_slice.prefix}{SIFO_EVENTS}"
    first = stage(event_slice, topic, "loan-k", "x" * 2_000_000)
    second = stage(event_slice, topic, "loan-k", "small")
    other = register(event_slice.sifo, 7, event_slice.prefix)
    relay = OutboxRelay(
        event_slice.sifo, kafka_producer_factory(event_slice.kafka, "order-test"), max_attempts=3, idle_seconds=0.01
    )
    try:
        relay.publish_batch()
        after_one = rows(event_slice)
        assert after_one[first].attempts == 1
        assert after_one[second].published_at is None
        assert after_one[second].attempts == 0, "a row behind a failed one is not tried"
        assert all(row.published_at is not None for row in after_one.values() if row.message_key == other)

        relay.publish_batch()
        relay.publish_batch()
        relay.publish_batch()
        settled = rows(event_slice)
        assert settled[first].failed_at is not None
        assert settled[first].attempts == 3
        assert settled[second].published_at is None
        [reported] = set_aside.set_aside_rows(event_slice.sifo)
        assert (reported.message_key, reported.held_back) == ("loan-k", 1)
        assert "MessageSizeTooLarge" in reported.last_error

        later = register(event_slice.sifo, 8, event_slice.prefix)
        relay.publish_batch()
        assert all(row.published_at is not None for row in rows(event_slice).values() if row.message_key == later)

        with transaction(event_slice.sifo) as session:
            fixed = session.exec(select(OutboxMessage).where(OutboxMessage.event_id == first)).one()
            fixed.envelope = fixed.envelope.replace("x" * 2_000_000, "fixed")
        set_aside.retry(event_slice.sifo, reported.seq)
    finally:
        relay._discard_producer()
    order = [
        envelope.id
        for envelope in published(event_slice.sifo, event_slice.kafka, topic)
        if envelope.subject == "loan-k"
    ]
    assert order == [first, second]
    assert set_aside.set_aside_rows(event_slice.sifo) == []


def test_a_row_whose_topic_never_answers_is_set_aside_while_other_topics_flow(event_slice: Slice) -> None:
    missing_topic = f"{event_slice.prefix}no.such.topic"
    stuck = stage(event_slice, missing_topic, "loan-z", "small")
    relay = OutboxRelay(
        event_slice.sifo,
        kafka_producer_factory(event_slice.kafka, "timeout-test", max_block_ms=1_000),
        max_attempts=2,
        idle_seconds=0.01,
    )
    try:
        healthy = [register(event_slice.sifo, n, event_slice.prefix) for n in (11, 12)]
        relay.publish_batch()
        register(event_slice.sifo, 13, event_slice.prefix)
        relay.publish_batch()
    finally:
        relay._discard_producer()
    after = rows(event_slice)
    assert after[stuck].failed_at is not None
    assert "KafkaTimeoutError" in (after[stuck].last_error or "")
    assert all(row.published_at is not None for row in after.values() if row.message_key in healthy)
