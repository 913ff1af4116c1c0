"""Alembic environment of the energy database: its ``energy_`` tables plus the shared bus tables."""

from sqlmodel import SQLModel

from shared.platform.migrations import run_environment

from services.energy.models import SHARED_TABLES

run_environment(SQLModel.metadata, "energy_", SHARED_TABLES)
