"""A portfolio API on its own PostgreSQL database, reading the test's topics, on the test's business clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from deploy.in_process import BusinessClock
from shared.contracts.topics import ALL_TOPICS
from shared.eventbus.topics import TopicSpec, ensure_topics

from tests.integration.energy.conftest import energy
from tests.integration.sifo.conftest import sifo
from tests.integration.trividend.conftest import trividend
from tests.portfolio_book import Portfolio, start_portfolio
from tests.support import portfolio_settings

__all__ = ["energy", "portfolio", "sifo", "trividend"]


@pytest.fixture
def portfolio(
    migrated_database: Callable[[str], str], kafka_bootstrap: str, topic_prefix: str, business_clock: BusinessClock
) -> Iterator[Portfolio]:
    ensure_topics(kafka_bootstrap, [TopicSpec(f"{topic_prefix}{name}") for name in ALL_TOPICS])
    book, client = start_portfolio(
        portfolio_settings(migrated_database("portfolio"), kafka_bootstrap, topic_prefix, migrate=False), business_clock
    )
    try:
        yield book
    finally:
        client.__exit__(None, None, None)
        book.engine.dispose()
