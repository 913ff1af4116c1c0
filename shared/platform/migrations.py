"""Alembic, one migration history per service database.

Each service keeps date-prefixed revisions in ``services/<name>/migrations/versions``; its
``env.py`` calls `run_environment` with the tables it owns. Migrations are an explicit step
(``python -m services.<name> migrate``) run before the service starts, never at import time; on
PostgreSQL concurrent runs queue on an advisory lock, so every replica may run the step.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any, Literal

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import make_url
from sqlmodel.sql.sqltypes import AutoString

from shared.platform.database import make_engine

FILE_TEMPLATE = "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s"
MIGRATION_LOCK_KEY = 0x5EF0_0001
"""PostgreSQL advisory lock taken while a database is migrated (advisory locks are per database)."""


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("file_template", FILE_TEMPLATE)
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(migrations_dir: Path, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(migrations_dir, database_url), revision)


def downgrade(migrations_dir: Path, database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(migrations_dir, database_url), revision)


def owned_by(table_prefix: str, shared_tables: Collection[str]) -> Any:
    """An `include_object` hook limiting autogenerate to this service's tables."""

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        table_name = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        if table_name is None:
            return True
        return table_name.startswith(table_prefix) or table_name in shared_tables

    return include_object


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Render SQLModel's AutoString as a plain ``sa.String`` so revisions need no sqlmodel import."""
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def run_environment(metadata: MetaData, table_prefix: str, shared_tables: Collection[str]) -> None:
    """The body of every service's ``env.py``; online mode only (services always have a database)."""
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("sqlalchemy.url: not set; run migrations through python -m services.<name> migrate")
    engine = make_engine(url, pool_size=1, max_overflow=0)
    is_sqlite = make_url(url).get_backend_name() == "sqlite"
    try:
        with engine.connect() as connection:
            if is_sqlite:
                # Batch migrations rebuild SQLite tables; rows referencing them must not block the copy.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            else:
                # Several replicas may start at once, each migrating first: one migrates, the others
                # wait here and then find the schema at head. The lock goes with the connection.
                connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")
                connection.commit()
            context.configure(
                connection=connection,
                target_metadata=metadata,
                include_object=owned_by(table_prefix, shared_tables),
                compare_type=True,
                render_as_batch=is_sqlite,
                render_item=render_item,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()
