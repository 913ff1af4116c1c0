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

from deploy.in_process import BusinessClock
from deploy.kafka.broker import KafkaBroker
from deploy.postgres.cluster import throwaway_cluster
from shared.platform import migrations

from services.energy.app import MIGRATIONS_DIR as ENERGY_MIGRATIONS
from services.portfolio.app import MIGRATIONS_DIR as PORTFOLIO_MIGRATIONS
from services.sifo.app import MIGRATIONS_DIR as SIFO_MIGRATIONS
from services.state_aid.app import MIGRATIONS_DIR as STATE_AID_MIGRATIONS
from services.trividend.app import MIGRATIONS_DIR as TRIVIDEND_MIGRATIONS
from tests.state_aid_register import StateAid, start_register, stop_register
from tests.support import state_aid_settings

SERVICE_MIGRATIONS = {
    "sifo": SIFO_MIGRATIONS,
    "energy": ENERGY_MIGRATIONS,
    "portfolio": PORTFOLIO_MIGRATIONS,
    "state_aid": STATE_AID_MIGRATIONS,
    "trividend": TRIVIDEND_MIGRATIONS,
}


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    configured = os.environ.get("DATABASE_URL")
    if configured:
        yield configured
        return
    with throwaway_cluster("sef-postgres-") as cluster:
        yield cluster.url()


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _database_url(server_url: str, name: str) -> str:
    return (
        make_url(server_url).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    )


def _create_database(server_url: str, name: str, template: str | None = None) -> None:
    clause = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(_libpq(server_url), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"{clause}')


def _drop_databases(server_url: str, names: list[str]) -> None:
    with psycopg.connect(_libpq(server_url), autocommit=True) as connection:
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def make_database(postgres_server_url: str) -> Iterator[Callable[[str], str]]:
    """Create empty databases for one test; drop them afterwards."""
    created: list[str] = []

    def make(label: str) -> str:
        name = f"t_{label}_{uuid.uuid4().hex[:10]}"
        _create_database(postgres_server_url, name)
        created.append(name)
        return _database_url(postgres_server_url, name)

    yield make
    _drop_databases(postgres_server_url, created)


@pytest.fixture(scope="session")
def database_templates(postgres_server_url: str) -> Iterator[Callable[[str], str]]:
    """One database per service migrated to head once per run, used as the template of every test database."""
    made: dict[str, str] = {}

    def template(service: str) -> str:
        if service not in made:
            name = f"tpl_{service}_{uuid.uuid4().hex[:10]}"
            _create_database(postgres_server_url, name)
            migrations.upgrade(SERVICE_MIGRATIONS[service], _database_url(postgres_server_url, name))
            made[service] = name
        return made[service]

    yield template
    _drop_databases(postgres_server_url, list(made.values()))


@pytest.fixture
def migrated_database(
    postgres_server_url: str, database_templates: Callable[[str], str]
) -> Iterator[Callable[[str], str]]:
    """A fresh database of a service (sifo, energy, portfolio) at head, copied from its migrated template."""
    created: list[str] = []

    def make(service: str) -> str:
        name = f"t_{service}_{uuid.uuid4().hex[:10]}"
        _create_database(postgres_server_url, name, template=database_templates(service))
        created.append(name)
        return _database_url(postgres_server_url, name)

    yield make
    _drop_databases(postgres_server_url, created)


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


@pytest.fixture
def business_clock() -> BusinessClock:
    """One clock for the register and the lenders of a test (real time until the test sets a day)."""
    return BusinessClock()


@pytest.fixture
def state_aid(
    migrated_database: Callable[[str], str], business_clock: BusinessClock, kafka_bootstrap: str, topic_prefix: str
) -> Iterator[StateAid]:
    """The state-aid register on its own PostgreSQL database, served over HTTP for the lenders.

    Its outbox names the test's own topics; what it publishes reaches the broker only when a test relays it.
    """
    settings = state_aid_settings(migrated_database("state_aid"), kafka_bootstrap, topic_prefix, migrate=False)
    register = start_register(settings, business_clock)
    try:
        yield register
    finally:
        stop_register(register)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The size and duration of the API fuzzing run, when it ran."""
    from tests.integration.api_fuzz import REPORTS

    if REPORTS:
        terminalreporter.section("API fuzzing (schemathesis)")
        for report in REPORTS:
            terminalreporter.write_line(report.summary())
