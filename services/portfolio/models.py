"""Portfolio tables (``portfolio_`` prefix): projections built from other services' events."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from shared.platform.columns import timestamp


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
