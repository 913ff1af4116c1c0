"""The outbox relay: publishes committed outbox rows to Kafka and marks them sent.

Rows are claimed in `seq` order with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL), published with an
idempotent producer and ``acks=all``, and marked published in the same transaction that claimed
them. A crash between publishing and marking republishes the rows: consumers' inboxes make that
harmless. Broker outages are retried with back-off and never count against a row; a row the
broker rejects for its own sake (too large, invalid) is retried `max_attempts` times, then kept
with its error and `failed_at` set (a poison row) and skipped. Published rows are pruned after
the retention period.

Per-key order holds with one relay per service database, which is how the services deploy it;
a second relay would only take over rows the first one has not locked.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError
from sqlalchemy import Engine, delete
from sqlmodel import col, select

from shared.eventbus.tables import OutboxMessage
from shared.platform.database import transaction

logger = logging.getLogger(__name__)

ProducerFactory = Callable[[], KafkaProducer]


class BrokerUnavailable(Exception):
    """Kafka did not accept the batch in time; nothing is lost, the relay backs off and retries."""


def kafka_producer_factory(bootstrap_servers: str, client_id: str) -> ProducerFactory:
    def make() -> KafkaProducer:
        return KafkaProducer(
            bootstrap_servers=bootstrap_servers,
            client_id=client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
            max_block_ms=5_000,
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
        flush_timeout: float = 20.0,
        max_backoff_seconds: float = 10.0,
    ) -> None:
        self.engine = engine
        self.producer_factory = producer_factory
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.max_attempts = max_attempts
        self.retention = retention
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

    def publish_batch(self) -> int:
        """Publish up to `batch_size` pending rows; return how many were marked published."""
        with transaction(self.engine) as session:
            rows = session.exec(
                select(OutboxMessage)
                .where(col(OutboxMessage.published_at).is_(None), col(OutboxMessage.failed_at).is_(None))
                .order_by(col(OutboxMessage.seq))
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return 0
            outage: Exception | None = None
            sent = []
            producer = self.producer
            for row in rows:
                try:
                    future = producer.send(
                        row.topic,
                        key=row.message_key.encode(),
                        value=row.envelope.encode(),
                        headers=[("ce_type", row.event_type.encode()), ("ce_id", row.event_id.encode())],
                    )
                except KafkaTimeoutError as exc:
                    outage = exc
                    break
                except KafkaError as exc:
                    self._record_failure(row, exc)
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
                "outbox row %s (%s) kept as poison after %s attempts: %s", row.seq, row.event_type, row.attempts, exc
            )
        else:
            logger.warning("outbox row %s (%s) rejected (attempt %s): %s", row.seq, row.event_type, row.attempts, exc)

    def prune(self) -> int:
        """Delete rows published longer ago than the retention period."""
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
