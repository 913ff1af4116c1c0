"""Helpers for tests that need a real HTTP server or what a service really put on the broker."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI
from kafka import KafkaConsumer
from sqlalchemy import Engine

from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.relay import OutboxRelay, kafka_producer_factory

from tests.support import wait_for


@contextmanager
def http_server(app: FastAPI) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port in a thread; yields the base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(timeout=30)


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
