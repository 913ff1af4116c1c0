"""Alembic environment of the state-aid database: its ``state_aid_`` tables plus the tables every service has."""

from sqlmodel import SQLModel

from shared.eventbus.tables import COMMON_TABLE_NAMES
from shared.platform.migrations import run_environment

from services.state_aid import models  # noqa: F401  (importing it puts its tables in SQLModel.metadata)

run_environment(SQLModel.metadata, "state_aid_", COMMON_TABLE_NAMES)
