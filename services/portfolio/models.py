"""Portfolio tables (``portfolio_`` prefix): the events it has heard and the exports it made.

The book itself is not stored: it is folded from `portfolio_event` whenever it is asked for, so a
new rule or a fixed bug applies to the whole history at once, and a replay rebuilds it exactly.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.platform.columns import text, timestamp


class PortfolioFinancier(SQLModel, table=True):
    """One row per recognised financier, as last described by a SIFO event."""

    __tablename__ = "portfolio_financier"

    financier_id: str = Field(primary_key=True, max_length=36)
    enterprise_number: str = Field(max_length=10, index=True)
    name: str = Field(max_length=200)
    recognised_from: date
    recognised_until: date | None = None
    source_event_id: str = Field(max_length=36, unique=True)
    source_event_time: datetime = Field(sa_column=timestamp())


class PortfolioEvent(SQLModel, table=True):
    """An event the book is folded from: its payload as published, when it was published and where it was read."""

    __tablename__ = "portfolio_event"
    __table_args__ = (sa.Index("ix_portfolio_event_known", "known_at", "event_id"),)

    event_id: str = Field(primary_key=True, max_length=36)
    event_type: str = Field(max_length=200, index=True)
    subject: str = Field(max_length=200, index=True)
    known_at: datetime = Field(sa_column=timestamp())
    topic: str = Field(max_length=249)
    partition: int
    offset: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    data: str = Field(sa_column=text())


class PortfolioRepayment(SQLModel, table=True):
    """A repayment fact's figures as columns, written with its `portfolio_event` row and never changed.

    Repayments are most of a book's facts; reading them as columns spares parsing millions of
    payloads whenever the book is folded. The fact itself stays the record (and is audited); this
    row is derived from it, so it is written with Core and left out of the audit trail.
    """

    __tablename__ = "portfolio_repayment"
    __table_args__ = (sa.Index("ix_portfolio_repayment_loan", "loan_id", "known_at", "event_id"),)

    event_id: str = Field(primary_key=True, max_length=36)
    event_type: str = Field(max_length=200)
    loan_id: str = Field(max_length=200)
    entry_id: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    received_on: date
    cents: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    surplus_mode: int = Field(sa_column=sa.Column(sa.SmallInteger, nullable=False))
    """An index into `repayment_log.MODES`."""
    reported_cents: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    """The outstanding principal the lender reported after the repayment."""
    known_at: datetime = Field(sa_column=timestamp())
    topic: str = Field(max_length=249)
    partition: int
    offset: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))


class PortfolioQuarterCutoff(SQLModel, table=True):
    """The knowledge cut-off of a quarter: its exports count the events read before `positions`.

    `positions` maps ``topic:partition`` to the first offset not included (JSON). Offsets are the
    same whenever the topics are read, so the cut-off means the same after a replay. It is fixed by
    the first export of the quarter and carried by its `export.ready` event.
    """

    __tablename__ = "portfolio_quarter_cutoff"

    quarter: str = Field(primary_key=True, max_length=6)
    fixed_at: datetime = Field(sa_column=timestamp())
    positions: str = Field(sa_column=text())


class PortfolioExport(SQLModel, table=True):
    __tablename__ = "portfolio_export"

    id: str = Field(primary_key=True, max_length=36)
    quarter: str = Field(max_length=6, index=True)
    status: str = Field(max_length=12)
    progress: int = 0
    requested_by: str = Field(max_length=200)
    requested_at: datetime = Field(sa_column=timestamp())
    updated_at: datetime = Field(sa_column=timestamp())
    finished_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    error: str | None = Field(default=None, sa_column=text(nullable=True))


class PortfolioExportFile(SQLModel, table=True):
    __tablename__ = "portfolio_export_file"

    export_id: str = Field(primary_key=True, max_length=36, foreign_key="portfolio_export.id")
    name: str = Field(primary_key=True, max_length=100)
    media_type: str = Field(max_length=100)
    sha256: str = Field(max_length=64)
    rows: int | None = None
    size: int
    content: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
