"""Prebuilt writes sent straight to psycopg behave as through SQLAlchemy: same transaction, same errors, same pool."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from shared.platform.database import make_engine, transaction
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


@pytest.fixture
def engine(make_database: Callable[[str], str]) -> Iterator[sa.Engine]:
    engine = make_engine(make_database("driver"), pool_size=1, max_overflow=0)
    METADATA.create_all(engine)
    yield engine
    engine.dispose()


def rows(engine: sa.Engine) -> list[tuple[str, Decimal]]:
    with engine.connect() as connection:
        return [(row.id, row.amount) for row in connection.execute(sa.select(WRITTEN).order_by(WRITTEN.c.id))]


def test_writes_go_with_the_session_transaction(engine: sa.Engine) -> None:
    now = datetime.now(UTC)
    with transaction(engine) as session:
        execute_write(session, INSERT, {"id": "a", "amount": Decimal("10.50"), "at": now})
        execute_write(session, INSERT, {"id": "b", "amount": Decimal("0.01"), "at": now})
        execute_write(session, RENAME, {"old": "b", "new": "c"})
    with Session(engine) as session:
        execute_write(session, INSERT, {"id": "d", "amount": Decimal("1.00"), "at": now})
        session.rollback()
    assert rows(engine) == [("a", Decimal("10.50")), ("c", Decimal("0.01"))]


def test_a_refused_write_raises_what_sqlalchemy_raises_and_leaves_nothing(engine: sa.Engine) -> None:
    now = datetime.now(UTC)
    with transaction(engine) as session:
        execute_write(session, INSERT, {"id": "a", "amount": Decimal("1.00"), "at": now})

    def insert_a_duplicate() -> None:
        with transaction(engine) as session:
            execute_write(session, INSERT, {"id": "b", "amount": Decimal("2.00"), "at": now})
            execute_write(session, INSERT, {"id": "a", "amount": Decimal("3.00"), "at": now})

    with pytest.raises(IntegrityError) as refused:
        insert_a_duplicate()
    assert lost_a_race(refused.value), "a duplicate key is a race the caller runs again"
    assert rows(engine) == [("a", Decimal("1.00"))]


def test_a_column_default_computed_in_python_is_left_to_sqlalchemy(engine: sa.Engine) -> None:
    with transaction(engine) as session:
        execute_write(session, sa.insert(DEFAULTED).inline(), {"id": "a"})
    with engine.connect() as connection:
        assert connection.execute(sa.select(DEFAULTED.c.count)).scalar_one() == 7


def test_a_connection_lost_mid_transaction_is_not_handed_out_again(engine: sa.Engine) -> None:
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def write_after_the_server_ended_the_connection() -> None:
        with transaction(engine) as session:
            backend = session.connection().execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
                deadline = time.monotonic() + 10
                while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (backend,)).fetchone():
                    assert time.monotonic() < deadline, "the backend did not end"
                    time.sleep(0.05)
            execute_write(session, INSERT, {"id": "a", "amount": Decimal("1.00"), "at": datetime.now(UTC)})

    with pytest.raises(OperationalError):
        write_after_the_server_ended_the_connection()
    with transaction(engine) as session:
        execute_write(session, INSERT, {"id": "b", "amount": Decimal("2.00"), "at": datetime.now(UTC)})
    assert rows(engine) == [("b", Decimal("2.00"))]
