"""Every service database: upgrade on empty PostgreSQL equals the models; downgrade to base works."""

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from shared.eventbus.tables import COMMON_TABLE_NAMES
from shared.platform import migrations
from shared.platform.database import make_engine

from services.energy.app import MIGRATIONS_DIR as ENERGY_MIGRATIONS
from services.portfolio.app import MIGRATIONS_DIR as PORTFOLIO_MIGRATIONS
from services.sifo.app import MIGRATIONS_DIR as SIFO_MIGRATIONS
from services.state_aid.app import MIGRATIONS_DIR as STATE_AID_MIGRATIONS
from services.trividend.app import MIGRATIONS_DIR as TRIVIDEND_MIGRATIONS

SERVICES = [
    pytest.param(SIFO_MIGRATIONS, "sifo_", COMMON_TABLE_NAMES, id="sifo"),
    pytest.param(ENERGY_MIGRATIONS, "energy_", COMMON_TABLE_NAMES, id="energy"),
    pytest.param(PORTFOLIO_MIGRATIONS, "portfolio_", COMMON_TABLE_NAMES, id="portfolio"),
    pytest.param(STATE_AID_MIGRATIONS, "state_aid_", COMMON_TABLE_NAMES, id="state_aid"),
    pytest.param(TRIVIDEND_MIGRATIONS, "trividend_", COMMON_TABLE_NAMES, id="trividend"),
]


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
