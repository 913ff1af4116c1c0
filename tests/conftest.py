"""Fixtures for the real PostgreSQL and the real Kafka broker.

When ``DATABASE_URL`` (a PostgreSQL server URL) or ``KAFKA_BOOTSTRAP_SERVERS`` is set, the tests
use it; otherwise they start a throwaway cluster / broker from the installed binaries and jars
and stop it at the end. Each test gets its own databases and its own topic prefix, so tests never
see each other's rows or events. Unit tests request none of these fixtures and need no I/O.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from deploy.kafka.broker import KafkaBroker
from deploy.postgres.cluster import PostgresCluster


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    configured = os.environ.get("DATABASE_URL")
    if configured:
        yield configured
        return
    cluster = PostgresCluster(tmp_path_factory.mktemp("postgres") / "data")
    cluster.start()
    try:
        yield cluster.url()
    finally:
        cluster.stop()


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def make_database(postgres_server_url: str) -> Iterator[Callable[[str], str]]:
    """Create empty databases for one test; drop them afterwards."""
    created: list[str] = []

    def make(label: str) -> str:
        name = f"t_{label}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(_libpq(postgres_server_url), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return (
            make_url(postgres_server_url)
            .set(drivername="postgresql+psycopg", database=name)
            .render_as_string(hide_password=False)
        )

    yield make
    with psycopg.connect(_libpq(postgres_server_url), autocommit=True) as connection:
        for name in created:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    configured = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if configured:
        yield configured
        return
    broker = KafkaBroker(tmp_path_factory.mktemp("kafka"))
    broker.start()
    try:
        yield broker.bootstrap_servers
    finally:
        broker.stop()


@pytest.fixture
def topic_prefix() -> str:
    return f"t{uuid.uuid4().hex[:10]}."


@pytest.fixture
def repository_root() -> Path:
    return Path(__file__).resolve().parents[1]
