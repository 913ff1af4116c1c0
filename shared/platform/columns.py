"""Column types every table uses, so money, rates and times are stored the same way everywhere.

Money is NUMERIC(18,2), rates NUMERIC(9,6), quantities (kWh, kWp, m2) NUMERIC(14,2), times
timezone-aware. Each call returns a new column: SQLModel needs one per field.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def money(nullable: bool = False) -> Any:
    return sa.Column(sa.Numeric(18, 2), nullable=nullable)


def rate(nullable: bool = False) -> Any:
    return sa.Column(sa.Numeric(9, 6), nullable=nullable)


def quantity(nullable: bool = False) -> Any:
    return sa.Column(sa.Numeric(14, 2), nullable=nullable)


def timestamp(nullable: bool = False) -> Any:
    return sa.Column(sa.DateTime(timezone=True), nullable=nullable)


def text(nullable: bool = False) -> Any:
    return sa.Column(sa.Text, nullable=nullable)


def big_id() -> Any:
    """An auto-incrementing BIGINT key (INTEGER on SQLite, which only auto-increments that)."""
    return sa.Column(BIG_ID, primary_key=True, autoincrement=True)
