"""Helpers for tests that need a real HTTP server or what a service really put on the broker."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from kafka import KafkaConsumer
from sqlalchemy import Engine

from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.relay import OutboxRelay, kafka_producer_factory

from tests.state_aid_register import ThreadedServer
from tests.support import wait_for


@contextmanager
def http_server(app: FastAPI) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port in a thread; yields the base URL."""
    server = ThreadedServer(app)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def published(engine: Engine, bootstrap_servers: str, topic: str) -> list[EventEnvelope]:
    """Relay everything in the service's outbox, then read the whole topic back from the broker."""
    relay = OutboxRelay(engine, kafka_producer_factory(bootstrap_servers, "test-reader"))
    wait_for(lambda: relay.publish_batch() == 0, 60, "the outbox to drain")
    relay._discard_producer()
    reader = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        group_id=f"reader-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=3000,
    )
    try:
        return [EventEnvelope.from_bytes(record.value) for record in reader]
    finally:
        reader.close()
