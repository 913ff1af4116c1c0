"""Alembic environment of the SIFO database: its ``sifo_`` tables plus the tables every service has."""

from sqlmodel import SQLModel

from shared.eventbus.tables import COMMON_TABLE_NAMES
from shared.platform.migrations import run_environment

from services.sifo import models  # noqa: F401  (importing it puts its tables in SQLModel.metadata)

run_environment(SQLModel.metadata, "sifo_", COMMON_TABLE_NAMES)
