"""Every service database: upgrade on empty PostgreSQL equals the models; downgrade to base works."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

from shared.eventbus.tables import COMMON_TABLE_NAMES
from shared.platform import migrations
from shared.platform.database import make_engine
from shared.platform.text_compression import LONG_TEXTS

from services.energy.app import MIGRATIONS_DIR as ENERGY_MIGRATIONS
from services.portfolio.app import MIGRATIONS_DIR as PORTFOLIO_MIGRATIONS
from services.sifo.app import MIGRATIONS_DIR as SIFO_MIGRATIONS
from services.state_aid.app import MIGRATIONS_DIR as STATE_AID_MIGRATIONS
from services.trividend.app import MIGRATIONS_DIR as TRIVIDEND_MIGRATIONS
from tests.support import wait_for

SERVICES = [
    pytest.param(SIFO_MIGRATIONS, "sifo_", COMMON_TABLE_NAMES, id="sifo"),
    pytest.param(ENERGY_MIGRATIONS, "energy_", COMMON_TABLE_NAMES, id="energy"),
    pytest.param(PORTFOLIO_MIGRATIONS, "portfolio_", COMMON_TABLE_NAMES, id="portfolio"),
    pytest.param(STATE_AID_MIGRATIONS, "state_aid_", COMMON_TABLE_NAMES, id="state_aid"),
    pytest.param(TRIVIDEND_MIGRATIONS, "trividend_", COMMON_TABLE_NAMES, id="trividend"),
]


def compression_methods(engine: Engine) -> dict[tuple[str, str], str]:
    """How PostgreSQL compresses each long text column: 'l' lz4, 'p' pglz, '' the server's default."""
    with engine.connect() as connection:
        return {
            (table, column): connection.execute(
                text("SELECT attcompression FROM pg_attribute WHERE attrelid = CAST(:t AS regclass) AND attname = :c"),
                {"t": table, "c": column},
            ).scalar_one()
            for table, column in LONG_TEXTS
        }


@pytest.mark.parametrize(("migrations_dir", "prefix", "shared_tables"), SERVICES)
def test_upgrade_matches_models_and_downgrade_empties(
    make_database: Callable[[str], str], migrations_dir: Path, prefix: str, shared_tables: frozenset[str]
) -> None:
    url = make_database("migrations")
    migrations.upgrade(migrations_dir, url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"include_object": migrations.owned_by(prefix, shared_tables), "compare_type": True},
            )
            diff = compare_metadata(context, SQLModel.metadata)
        assert diff == []
        tables = set(inspect(engine).get_table_names())
        assert shared_tables <= tables
        assert any(name.startswith(prefix) for name in tables)
        assert compression_methods(engine) == dict.fromkeys(LONG_TEXTS, "l"), "the long texts are kept with lz4"
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO eventbus_outbox (event_id, topic, message_key, event_type, envelope, "
                    "created_at, attempts) VALUES ('e', 't', 'k', 'x', repeat('answer ', 5000), now(), 0)"
                )
            )
            stored = connection.execute(text("SELECT pg_column_compression(envelope) FROM eventbus_outbox"))
            assert stored.scalar_one() == "lz4"

        migrations.downgrade(migrations_dir, url, revision="-1")
        assert set(compression_methods(engine).values()) == {""}, "the server's default again"
        migrations.downgrade(migrations_dir, url)
        inspector = inspect(engine)
        assert set(inspector.get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


@pytest.mark.parametrize(("migrations_dir", "prefix", "shared_tables"), SERVICES)
def test_migrations_also_run_on_the_embedded_sqlite_default(
    tmp_path: Path, migrations_dir: Path, prefix: str, shared_tables: frozenset[str]
) -> None:
    """`make run-sqlite` migrates SQLite files: every revision must work there too, both ways."""
    url = f"sqlite:///{tmp_path / 'service.db'}"
    migrations.upgrade(migrations_dir, url)
    engine = make_engine(url)
    try:
        assert shared_tables <= set(inspect(engine).get_table_names())
        migrations.downgrade(migrations_dir, url)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_replicas_that_migrate_at_the_same_time_queue_and_all_succeed(make_database: Callable[[str], str]) -> None:
    """Every replica runs `migrate` before it starts; on PostgreSQL they queue on an advisory lock.

    The test holds the lock itself until all three runs wait for it, then lets them go at once.
    """
    url = make_database("concurrent_migrations")
    environment = {**os.environ, "SIFO_DATABASE_URL": url}
    engine = make_engine(url)
    try:
        with engine.connect() as holder:
            holder.exec_driver_sql(f"SELECT pg_advisory_lock({migrations.MIGRATION_LOCK_KEY})")
            holder.commit()
            runs = [
                subprocess.Popen(
                    [sys.executable, "-m", "services.sifo", "migrate"],
                    env=environment,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                )
                for _ in range(3)
            ]

            def waiting() -> int:
                with engine.connect() as probe:
                    return int(
                        probe.exec_driver_sql(
                            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                        ).scalar_one()
                    )

            wait_for(lambda: waiting() == 3, 120, "three migration runs waiting for the lock")
            holder.exec_driver_sql(f"SELECT pg_advisory_unlock({migrations.MIGRATION_LOCK_KEY})")
            holder.commit()
        outputs = [run.communicate(timeout=180)[0].decode(errors="replace") for run in runs]
        assert [run.returncode for run in runs] == [0, 0, 0], "\n".join(outputs)
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() is not None
            assert "sifo_loan" in inspect(connection).get_table_names()
    finally:
        engine.dispose()
