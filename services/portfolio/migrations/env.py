"""Alembic environment of the portfolio database: its ``portfolio_`` tables plus the shared bus tables."""

from sqlmodel import SQLModel

from shared.platform.migrations import run_environment

from services.portfolio.models import SHARED_TABLES

run_environment(SQLModel.metadata, "portfolio_", SHARED_TABLES)
