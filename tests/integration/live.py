"""Helpers for tests that need a real HTTP server or what a service really put on the broker."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from kafka import KafkaConsumer
from sqlalchemy import Engine

from deploy.in_process import ThreadedServer
from shared.eventbus.envelope import EventEnvelope

from tests.support import drain_outbox


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
    drain_outbox(engine, bootstrap_servers)
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
