"""Prebuilt writes sent straight to psycopg behave as through SQLAlchemy: same transaction, same errors, same pool.

Each test runs twice: with the engine of worker threads (psycopg's connection) and with the
engine of the event loop (psycopg's asynchronous connection, reached through SQLAlchemy's
greenlet bridge, as an endpoint served on the loop reaches it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.util import greenlet_spawn
from sqlmodel import Session

from shared.platform.database import make_engine, make_loop_engine, transaction
from shared.platform.driver_statements import execute_write
from shared.platform.idempotency import lost_a_race

pytestmark = pytest.mark.integration

METADATA = sa.MetaData()
WRITTEN = sa.Table(
    "driver_written",
    METADATA,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("amount", sa.Numeric(14, 2), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)
DEFAULTED = sa.Table(
    "driver_defaulted",
    METADATA,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False, default=7),
)
INSERT = sa.insert(WRITTEN).inline()
RENAME = sa.update(WRITTEN).where(WRITTEN.c.id == sa.bindparam("old")).values(id=sa.bindparam("new"))


@dataclass(frozen=True)
class Database:
    """An engine and how to run synchronous work with it: directly, or on an event loop through the greenlet bridge."""

    engine: sa.Engine
    run: Callable[[Callable[[], object]], object]


@pytest.fixture(params=["worker thread", "event loop"])
def database(request: pytest.FixtureRequest, make_database: Callable[[str], str]) -> Iterator[Database]:
    url = make_database("driver")
    if request.param == "worker thread":
        engine = make_engine(url, pool_size=1, max_overflow=0)
        METADATA.create_all(engine)
        yield Database(engine, lambda work: work())
        engine.dispose()
        return
    loop_engine = make_loop_engine(url, pool_size=1, max_overflow=0)
    assert loop_engine is not None
    with asyncio.Runner() as runner:

        def run(work: Callable[[], object]) -> object:
            return runner.run(greenlet_spawn(work))

        run(lambda: METADATA.create_all(loop_engine.sync_engine))
        yield Database(loop_engine.sync_engine, run)
        runner.run(loop_engine.dispose())


def rows(database: Database) -> list[tuple[str, Decimal]]:
    def read() -> list[tuple[str, Decimal]]:
        with database.engine.connect() as connection:
            return [(row.id, row.amount) for row in connection.execute(sa.select(WRITTEN).order_by(WRITTEN.c.id))]

    return database.run(read)  # type: ignore[return-value]


def test_writes_go_with_the_session_transaction(database: Database) -> None:
    now = datetime.now(UTC)

    def write() -> None:
        with transaction(database.engine) as session:
            execute_write(session, INSERT, {"id": "a", "amount": Decimal("10.50"), "at": now})
            execute_write(session, INSERT, {"id": "b", "amount": Decimal("0.01"), "at": now})
            execute_write(session, RENAME, {"old": "b", "new": "c"})
        with Session(database.engine) as session:
            execute_write(session, INSERT, {"id": "d", "amount": Decimal("1.00"), "at": now})
            session.rollback()

    database.run(write)
    assert rows(database) == [("a", Decimal("10.50")), ("c", Decimal("0.01"))]


def test_a_refused_write_raises_what_sqlalchemy_raises_and_leaves_nothing(database: Database) -> None:
    now = datetime.now(UTC)

    def write_a() -> None:
        with transaction(database.engine) as session:
            execute_write(session, INSERT, {"id": "a", "amount": Decimal("1.00"), "at": now})

    def insert_a_duplicate() -> None:
        with transaction(database.engine) as session:
            execute_write(session, INSERT, {"id": "b", "amount": Decimal("2.00"), "at": now})
            execute_write(session, INSERT, {"id": "a", "amount": Decimal("3.00"), "at": now})

    database.run(write_a)
    with pytest.raises(IntegrityError) as refused:
        database.run(insert_a_duplicate)
    assert lost_a_race(refused.value), "a duplicate key is a race the caller runs again"
    assert rows(database) == [("a", Decimal("1.00"))]


def test_a_column_default_computed_in_python_is_left_to_sqlalchemy(database: Database) -> None:
    def write_and_read() -> int:
        with transaction(database.engine) as session:
            execute_write(session, sa.insert(DEFAULTED).inline(), {"id": "a"})
        with database.engine.connect() as connection:
            return int(connection.execute(sa.select(DEFAULTED.c.count)).scalar_one())

    assert database.run(write_and_read) == 7


def test_a_connection_lost_mid_transaction_is_not_handed_out_again(database: Database) -> None:
    url = database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def write_after_the_server_ended_the_connection() -> None:
        with transaction(database.engine) as session:
            backend = session.connection().execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
                deadline = time.monotonic() + 10
                while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (backend,)).fetchone():
                    assert time.monotonic() < deadline, "the backend did not end"
                    time.sleep(0.05)
            execute_write(session, INSERT, {"id": "a", "amount": Decimal("1.00"), "at": datetime.now(UTC)})

    def write_b() -> None:
        with transaction(database.engine) as session:
            execute_write(session, INSERT, {"id": "b", "amount": Decimal("2.00"), "at": datetime.now(UTC)})

    with pytest.raises(OperationalError):
        database.run(write_after_the_server_ended_the_connection)
    database.run(write_b)
    assert rows(database) == [("b", Decimal("2.00"))]
