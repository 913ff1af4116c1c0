"""Alembic environment of the energy database: its ``energy_`` tables plus the tables every service has."""

from sqlmodel import SQLModel

from shared.eventbus.tables import COMMON_TABLE_NAMES
from shared.platform.migrations import run_environment

from services.energy import models  # noqa: F401  (importing it puts its tables in SQLModel.metadata)

run_environment(SQLModel.metadata, "energy_", COMMON_TABLE_NAMES)
