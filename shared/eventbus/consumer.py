"""The idempotent consumer: effect + inbox row in one transaction, offsets committed after.

For each record the runner skips the event if its id is already in the inbox for this consumer
group, applies the handler and adds the inbox row, in the same transaction. The records one poll
brought from one partition are applied together in one transaction (one commit, one disk flush
for the lot); when any of them fails, that transaction is rolled back and the records are applied
again one by one, each in its own transaction, so a bad record is parked alone. Kafka offsets are
committed only after the database, so a crash between the two redelivers events whose inbox rows
make them no-ops. A record that cannot be read or applied goes to the dead-letter table
with its error (nothing is dropped silently); a database outage is retried without moving on.

An event type the consumer neither handles nor knowingly ignores (a new version from an upgraded
producer, say) is *parked* in the dead-letter table, not marked processed: once a handler exists
it is replayed from there (`dead_letters.replay_parked`) through this same path.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.tables import DeadLetter, InboxRecord
from shared.platform.audit import acting_as
from shared.platform.database import transaction
from shared.platform.request_context import TraceContext, current_event_id, current_trace

logger = logging.getLogger(__name__)

Handler = Callable[[Session, EventEnvelope], None]


@dataclass(frozen=True)
class Delivery:
    """Where the event being applied was read: its topic, partition and offset."""

    topic: str
    partition: int
    offset: int


_DELIVERY: ContextVar[Delivery | None] = ContextVar("delivery", default=None)


def current_delivery() -> Delivery:
    """Where the event a handler is applying was read (a handler that keeps positions asks for it)."""
    delivery = _DELIVERY.get()
    if delivery is None:
        raise RuntimeError("no event is being applied")
    return delivery


class NoHandler(Exception):
    """The consumer has no handler for this event type and does not ignore it: the event is parked."""

    def __init__(self, event_type: str, group_id: str) -> None:
        super().__init__(
            f"no handler for event type {event_type} in consumer group {group_id}; parked until one exists"
        )


def apply_envelope(
    session: Session,
    *,
    group_id: str,
    handlers: Mapping[str, Handler],
    ignored: frozenset[str],
    envelope: EventEnvelope,
    topic: str,
    partition: int,
    offset: int,
    inbox: InboxCheck | None = None,
) -> bool:
    """Apply one event and add its inbox row in `session`; False when the inbox already holds it.

    Raises NoHandler (nothing written) for a type that is neither handled nor ignored. `inbox`
    answers whether the event was applied before from ids read once for a whole batch; without
    it the inbox row is looked up.
    """
    if inbox is not None:
        if not inbox.first_time(envelope.id):
            return False
    elif session.get(InboxRecord, (group_id, envelope.id)) is not None:
        return False
    handler = handlers.get(envelope.type)
    if handler is not None:
        token = _DELIVERY.set(Delivery(topic, partition, offset))
        try:
            handler(session, envelope)
        finally:
            _DELIVERY.reset(token)
    elif envelope.type not in ignored:
        raise NoHandler(envelope.type, group_id)
    session.add(
        InboxRecord(
            consumer_group=group_id,
            event_id=envelope.id,
            event_type=envelope.type,
            topic=topic,
            partition=partition,
            offset=offset,
            processed_at=datetime.now(UTC),
        )
    )
    if inbox is None:
        session.flush()
    return True


class InboxCheck:
    """Which events of a batch the inbox already holds, read in one query; repeats within the batch count too."""

    def __init__(self, session: Session, group_id: str, event_ids: Sequence[str]) -> None:
        self.seen: set[str] = set(
            session.exec(
                select(InboxRecord.event_id).where(
                    InboxRecord.consumer_group == group_id, col(InboxRecord.event_id).in_(list(event_ids))
                )
            ).all()
        )

    def first_time(self, event_id: str) -> bool:
        if event_id in self.seen:
            return False
        self.seen.add(event_id)
        return True


MAX_BACKOFF_SECONDS = 5.0
RECREATE_AFTER_FAILURES = 5


class EventConsumer:
    def __init__(
        self,
        *,
        engine: Engine,
        bootstrap_servers: str,
        group_id: str,
        topics: Sequence[str],
        handlers: Mapping[str, Handler],
        ignored: frozenset[str] = frozenset(),
        client_id: str | None = None,
        max_poll_records: int = 200,
        poll_timeout_ms: int = 500,
        instance_id: str | None = None,
        session_timeout_ms: int = 10_000,
    ) -> None:
        self.engine = engine
        self.bootstrap_servers = bootstrap_servers
        self.group_id = group_id
        self.topics = list(topics)
        self.handlers = dict(handlers)
        self.ignored = ignored
        self.client_id = client_id or group_id
        self.max_poll_records = max_poll_records
        self.poll_timeout_ms = poll_timeout_ms
        self.instance_id = instance_id
        self.session_timeout_ms = session_timeout_ms
        self.applied = 0
        self.duplicates = 0
        self.batches = 0
        """Polls of a partition applied together in one transaction."""

    def make_kafka_consumer(self) -> KafkaConsumer:
        """A group member that is replaced quickly when it dies.

        With an `instance_id` (static membership) a restarted process takes its partitions back
        at once, without a rebalance; without one, the broker gives a silent member's partitions
        away after `session_timeout_ms`. Heartbeats go every third of that.
        """
        return KafkaConsumer(
            *self.topics,
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.group_id,
            client_id=self.client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.max_poll_records,
            group_instance_id=self.instance_id,
            session_timeout_ms=self.session_timeout_ms,
            heartbeat_interval_ms=max(self.session_timeout_ms // 3, 1_000),
        )

    def commit_offsets(self, consumer: KafkaConsumer, offsets: dict[TopicPartition, OffsetAndMetadata]) -> None:
        """Commit after the database; a failure here only means a harmless redelivery."""
        try:
            consumer.commit(offsets=offsets)
        except Exception as exc:  # noqa: BLE001 - the inbox covers whatever gets redelivered
            logger.warning("offset commit failed, events will be redelivered and skipped: %s", exc)

    def run(self, stop: threading.Event) -> None:
        consumer = self.make_kafka_consumer()
        logger.info("consumer %s started on %s", self.group_id, ", ".join(self.topics))
        failures = 0
        try:
            while not stop.is_set():
                try:
                    batches = consumer.poll(timeout_ms=self.poll_timeout_ms)
                except KafkaError as exc:
                    failures += 1
                    logger.warning("broker unavailable (poll %d failed): %s", failures, exc)
                    stop.wait(min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** min(failures, 4)))
                    if failures % RECREATE_AFTER_FAILURES == 0:
                        consumer = self._recreate(consumer)
                    continue
                failures = 0
                self._process_batches(consumer, batches, stop)
        finally:
            consumer.close(autocommit=False)
            logger.info("consumer %s stopped", self.group_id)

    def _recreate(self, consumer: KafkaConsumer) -> KafkaConsumer:
        try:
            consumer.close(autocommit=False)
        except Exception as exc:  # noqa: BLE001 - the old client is discarded whatever state it is in
            logger.warning("closing the broken consumer failed: %s", exc)
        return self.make_kafka_consumer()

    def _process_batches(
        self, consumer: KafkaConsumer, batches: Mapping[TopicPartition, list[ConsumerRecord]], stop: threading.Event
    ) -> None:
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        for partition, records in batches.items():
            if self.process_together(records):
                offsets[partition] = OffsetAndMetadata(records[-1].offset + 1, "", -1)
                continue
            for record in records:
                if not self.process(record):
                    consumer.seek(partition, record.offset)
                    stop.wait(1.0)
                    break
                offsets[partition] = OffsetAndMetadata(record.offset + 1, "", -1)
        if offsets:
            self.commit_offsets(consumer, offsets)

    def process_together(self, records: Sequence[ConsumerRecord]) -> bool:
        """Apply `records` in one transaction; False (nothing applied) when any of them fails."""
        if len(records) < 2:
            return False
        applied = duplicates = 0
        try:
            with transaction(self.engine) as session:
                envelopes = [EventEnvelope.from_bytes(record.value) for record in records]
                inbox = InboxCheck(session, self.group_id, [envelope.id for envelope in envelopes])
                for record, envelope in zip(records, envelopes, strict=True):
                    with self._applying(envelope):
                        if self._apply_in(session, envelope, record, inbox):
                            applied += 1
                        else:
                            duplicates += 1
                        # Flushed while this event's actor, trace and request id are current:
                        # the audit entries of its rows take them from there.
                        session.flush()
        except Exception as exc:  # noqa: BLE001 - every record is applied again alone, where errors are handled
            logger.info("a batch of %d records failed (%s); applying them one by one", len(records), exc)
            return False
        self.applied += applied
        self.duplicates += duplicates
        self.batches += 1
        return True

    @contextmanager
    def _applying(self, envelope: EventEnvelope) -> Iterator[None]:
        """The event id, the trace and the actor that logs and audit entries name while `envelope` is applied."""
        event_token = current_event_id.set(envelope.id)
        trace_token = current_trace.set(TraceContext.continuing(envelope.traceparent))
        try:
            with acting_as(f"consumer:{self.group_id}"):
                yield
        finally:
            current_trace.reset(trace_token)
            current_event_id.reset(event_token)

    def process(self, record: ConsumerRecord) -> bool:
        """Apply one record; False means 'retry it later' (the database is unreachable)."""
        try:
            envelope = EventEnvelope.from_bytes(record.value)
        except (ValidationError, ValueError) as exc:
            return self._dead_letter(record, f"unreadable envelope: {exc}")
        with self._applying(envelope):
            return self._process(envelope, record)

    def _process(self, envelope: EventEnvelope, record: ConsumerRecord) -> bool:
        try:
            applied = self._apply(envelope, record)
        except NoHandler as exc:
            return self._dead_letter(record, str(exc), envelope)
        except OperationalError as exc:
            logger.warning("database unavailable while applying %s: %s", envelope.id, exc)
            return False
        except IntegrityError:
            if self._already_processed(envelope.id):
                self.duplicates += 1
                return True
            logger.exception("event %s (%s) conflicts with stored data", envelope.id, envelope.type)
            return self._dead_letter(record, "integrity error while applying; see the consumer log", envelope)
        except (ValidationError, ValueError) as exc:
            return self._dead_letter(record, f"payload does not match {envelope.type}: {exc}", envelope)
        except Exception as exc:
            logger.exception("handler for %s failed on event %s", envelope.type, envelope.id)
            return self._dead_letter(record, f"handler failed: {type(exc).__name__}: {exc}", envelope)
        if applied:
            self.applied += 1
        else:
            self.duplicates += 1
        return True

    def _apply(self, envelope: EventEnvelope, record: ConsumerRecord) -> bool:
        with transaction(self.engine) as session:
            return self._apply_in(session, envelope, record)

    def _apply_in(
        self, session: Session, envelope: EventEnvelope, record: ConsumerRecord, inbox: InboxCheck | None = None
    ) -> bool:
        return apply_envelope(
            session,
            group_id=self.group_id,
            handlers=self.handlers,
            ignored=self.ignored,
            envelope=envelope,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            inbox=inbox,
        )

    def _already_processed(self, event_id: str) -> bool:
        with Session(self.engine) as session:
            return session.get(InboxRecord, (self.group_id, event_id)) is not None

    def _dead_letter(self, record: ConsumerRecord, error: str, envelope: EventEnvelope | None = None) -> bool:
        """Keep the record with its reason; a redelivery of an event already parked only refreshes the reason."""
        raw: Any = record.value
        text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw)
        try:
            with transaction(self.engine) as session:
                parked = None
                if envelope is not None:
                    parked = session.exec(
                        select(DeadLetter).where(
                            DeadLetter.consumer_group == self.group_id,
                            DeadLetter.event_id == envelope.id,
                            col(DeadLetter.replayed_at).is_(None),
                        )
                    ).first()
                if parked is not None:
                    parked.error = error
                    session.add(parked)
                else:
                    session.add(
                        DeadLetter(
                            consumer_group=self.group_id,
                            topic=record.topic,
                            partition=record.partition,
                            offset=record.offset,
                            event_id=envelope.id if envelope is not None else None,
                            event_type=envelope.type if envelope is not None else None,
                            raw_value=text,
                            error=error,
                            received_at=datetime.now(UTC),
                        )
                    )
        except OperationalError as exc:
            logger.warning("database unavailable while dead-lettering: %s", exc)
            return False
        logger.error("dead-lettered %s[%s]@%s: %s", record.topic, record.partition, record.offset, error)
        return True
