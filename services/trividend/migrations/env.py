"""Alembic environment of the Trividend database: its ``trividend_`` tables plus the tables every service has."""

from sqlmodel import SQLModel

from shared.eventbus.tables import COMMON_TABLE_NAMES
from shared.platform.migrations import run_environment

from services.trividend import models  # noqa: F401  (importing it puts its tables in SQLModel.metadata)

run_environment(SQLModel.metadata, "trividend_", COMMON_TABLE_NAMES)
