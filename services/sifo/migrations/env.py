"""Alembic environment of the SIFO database: its ``sifo_`` tables plus the shared bus tables."""

from sqlmodel import SQLModel

from shared.platform.migrations import run_environment

from services.sifo.models import SHARED_TABLES

run_environment(SQLModel.metadata, "sifo_", SHARED_TABLES)
