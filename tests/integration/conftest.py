"""Fixtures of the integration tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from shared.contracts.topics import ALL_TOPICS
from shared.eventbus.relay import OutboxRelay, kafka_producer_factory
from shared.eventbus.topics import TopicSpec, ensure_topics
from shared.platform.database import make_engine

from tests.integration.event_slice import Slice


@pytest.fixture
def event_slice(migrated_database: Callable[[str], str], kafka_bootstrap: str, topic_prefix: str) -> Iterator[Slice]:
    sifo = make_engine(migrated_database("sifo"))
    portfolio = make_engine(migrated_database("portfolio"))
    ensure_topics(kafka_bootstrap, [TopicSpec(f"{topic_prefix}{name}") for name in ALL_TOPICS])
    relay = OutboxRelay(sifo, kafka_producer_factory(kafka_bootstrap, "test-relay"))
    yield Slice(sifo, portfolio, relay, kafka_bootstrap, topic_prefix)
    relay._discard_producer()
    sifo.dispose()
    portfolio.dispose()
