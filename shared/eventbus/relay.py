"""The outbox relay: publishes committed outbox rows to Kafka and marks them sent.

Rows are claimed in `seq` order with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL), published with an
idempotent producer and ``acks=all``, and marked published in the same transaction that claimed
them. A crash between publishing and marking republishes the rows: consumers' inboxes make that
harmless. Broker outages are retried with back-off and never count against a row; a row the
broker rejects for its own sake (too large, invalid, a topic without metadata) is retried
`max_attempts` times, then *set aside*: kept with its error and `failed_at` set, logged as an
error and listed by ``python -m services.<name> outbox``. Published rows are pruned after the
retention period, and expired idempotency keys with them.

Per-key order: a stream (topic and key) never has a row published before an earlier row of
the same stream. A row that fails holds its stream's later rows back until it is published;
a row that is set aside holds them until a person retries it (after the fix) or discards it.
Other streams go on. One limit remains: a broker that accepts a send and then refuses the
record (a broker-side size limit lower than the producer's) is only known after later rows
of the batch were sent; consumers that order by the entry ids in the events are not affected.
The order holds with one relay per service database, which is how the services deploy it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from shared.eventbus.tables import OutboxMessage
from shared.platform.database import transaction
from shared.platform.idempotency import purge_expired

logger = logging.getLogger(__name__)

ProducerFactory = Callable[[], KafkaProducer]


class BrokerUnavailable(Exception):
    """Kafka did not accept the batch in time; nothing is lost, the relay backs off and retries."""


def kafka_producer_factory(bootstrap_servers: str, client_id: str, *, max_block_ms: int = 5_000) -> ProducerFactory:
    """Idempotent producers with acks=all; `max_block_ms` bounds a send waiting for a topic's metadata."""

    def make() -> KafkaProducer:
        return KafkaProducer(
            bootstrap_servers=bootstrap_servers,
            client_id=client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
            max_block_ms=max_block_ms,
            request_timeout_ms=10_000,
            delivery_timeout_ms=30_000,
            retry_backoff_ms=200,
        )

    return make


@dataclass
class RelayStats:
    published: int = 0
    poisoned: int = 0
    broker_outages: int = 0


class OutboxRelay:
    def __init__(
        self,
        engine: Engine,
        producer_factory: ProducerFactory,
        *,
        batch_size: int = 500,
        idle_seconds: float = 0.2,
        max_attempts: int = 10,
        retention: timedelta = timedelta(days=7),
        idempotency_retention: timedelta | None = None,
        flush_timeout: float = 20.0,
        max_backoff_seconds: float = 10.0,
    ) -> None:
        self.engine = engine
        self.producer_factory = producer_factory
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.max_attempts = max_attempts
        self.retention = retention
        self.idempotency_retention = idempotency_retention
        self.flush_timeout = flush_timeout
        self.max_backoff_seconds = max_backoff_seconds
        self.stats = RelayStats()
        self._producer: KafkaProducer | None = None

    @property
    def producer(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = self.producer_factory()
        return self._producer

    def _discard_producer(self) -> None:
        if self._producer is not None:
            try:
                self._producer.close(timeout=1)
            except Exception:
                logger.debug("closing a broken producer failed", exc_info=True)
            self._producer = None

    def _claim(self, session: Session) -> Sequence[OutboxMessage]:
        """The next pending rows in `seq` order, leaving out the streams held behind a set-aside row."""
        held = session.exec(
            select(OutboxMessage.topic, OutboxMessage.message_key)
            .where(col(OutboxMessage.published_at).is_(None), col(OutboxMessage.failed_at).is_not(None))
            .distinct()
        ).all()
        query = select(OutboxMessage).where(
            col(OutboxMessage.published_at).is_(None), col(OutboxMessage.failed_at).is_(None)
        )
        if held:
            query = query.where(
                sa.tuple_(col(OutboxMessage.topic), col(OutboxMessage.message_key)).not_in([tuple(row) for row in held])
            )
        return session.exec(
            query.order_by(col(OutboxMessage.seq)).limit(self.batch_size).with_for_update(skip_locked=True)
        ).all()

    def publish_batch(self) -> int:
        """Publish up to `batch_size` pending rows; return how many were marked published.

        A stream (topic and key) stops at its first row that is not published in this batch:
        the rows after it wait for the next batch, so a retried row is never overtaken by its
        successors. A row whose send times out while other rows of the batch are delivered is
        at fault itself (its topic has no metadata, say) and counts an attempt; when nothing is
        delivered the broker is taken to be away and no row is blamed.
        """
        with transaction(self.engine) as session:
            rows = self._claim(session)
            if not rows:
                return 0
            outage: Exception | None = None
            held: set[tuple[str, str]] = set()
            unreachable_topics: set[str] = set()
            timed_out: list[tuple[OutboxMessage, Exception]] = []
            sent = []
            producer = self.producer
            for row in rows:
                stream = (row.topic, row.message_key)
                if stream in held:
                    continue
                if row.topic in unreachable_topics:
                    held.add(stream)
                    continue
                try:
                    future = producer.send(
                        row.topic,
                        key=row.message_key.encode(),
                        value=row.envelope.encode(),
                        headers=[("ce_type", row.event_type.encode()), ("ce_id", row.event_id.encode())],
                    )
                except KafkaTimeoutError as exc:
                    unreachable_topics.add(row.topic)
                    timed_out.append((row, exc))
                    held.add(stream)
                    continue
                except KafkaError as exc:
                    self._record_failure(row, exc)
                    held.add(stream)
                    continue
                sent.append((row, future))
            try:
                producer.flush(timeout=self.flush_timeout)
            except KafkaTimeoutError as exc:
                outage = outage or exc
            now = datetime.now(UTC)
            published = 0
            for row, future in sent:
                if not future.is_done:
                    continue
                if future.succeeded():
                    row.published_at = now
                    published += 1
                elif isinstance(future.exception, KafkaError) and not future.exception.retriable:
                    self._record_failure(row, future.exception)
                else:
                    outage = outage or future.exception
            if timed_out and published:
                for row, error in timed_out:
                    self._record_failure(row, error)
            elif timed_out:
                outage = outage or timed_out[0][1]
            self.stats.published += published
        if outage is not None:
            raise BrokerUnavailable(str(outage)) from outage
        return published

    def _record_failure(self, row: OutboxMessage, exc: Exception) -> None:
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"
        if row.attempts >= self.max_attempts:
            row.failed_at = datetime.now(UTC)
            self.stats.poisoned += 1
            logger.error(
                "outbox row %s (%s, key %s) set aside after %s attempts: %s; later rows of its key wait until "
                "it is retried or discarded (python -m services.<name> outbox)",
                row.seq,
                row.event_type,
                row.message_key,
                row.attempts,
                exc,
            )
        else:
            logger.warning("outbox row %s (%s) rejected (attempt %s): %s", row.seq, row.event_type, row.attempts, exc)

    def prune(self) -> int:
        """Delete rows published longer ago than the retention period (and expired idempotency keys)."""
        if self.idempotency_retention is not None:
            purged = purge_expired(self.engine, self.idempotency_retention)
            if purged:
                logger.info("purged %s expired idempotency keys", purged)
        cutoff = datetime.now(UTC) - self.retention
        with transaction(self.engine) as session:
            result = session.exec(
                delete(OutboxMessage).where(
                    col(OutboxMessage.published_at).is_not(None), col(OutboxMessage.published_at) < cutoff
                )
            )
            return int(result.rowcount or 0)

    def run(self, stop: threading.Event, prune_every: timedelta = timedelta(minutes=10)) -> None:
        backoff = 0.5
        next_prune = datetime.now(UTC)
        logger.info("outbox relay started")
        while not stop.is_set():
            try:
                published = self.publish_batch()
                backoff = 0.5
            except BrokerUnavailable as exc:
                self.stats.broker_outages += 1
                logger.warning("Kafka unavailable (%s); retrying in %.1fs", exc, backoff)
                self._discard_producer()
                stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff_seconds)
                continue
            except Exception:
                logger.exception("outbox relay iteration failed; retrying in %.1fs", backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff_seconds)
                continue
            if datetime.now(UTC) >= next_prune:
                pruned = self.prune()
                if pruned:
                    logger.info("pruned %s published outbox rows", pruned)
                next_prune = datetime.now(UTC) + prune_every
            if published < self.batch_size:
                stop.wait(self.idle_seconds)
        self._discard_producer()
        logger.info("outbox relay stopped")
