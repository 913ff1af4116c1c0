"""SIFO tables. Names carry the ``sifo_`` prefix because SQLModel's metadata is global."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.eventbus.tables import DeadLetter, InboxRecord, OutboxMessage
from shared.platform.idempotency import IdempotencyRecord

SHARED_TABLES = frozenset(model.__tablename__ for model in (OutboxMessage, InboxRecord, DeadLetter, IdempotencyRecord))


class SifoFinancier(SQLModel, table=True):
    __tablename__ = "sifo_financier"

    id: str = Field(primary_key=True, max_length=36)
    enterprise_number: str = Field(max_length=10, unique=True)
    name: str = Field(max_length=200)
    iban: str = Field(max_length=34)
    recognised_from: date
    recognised_until: date | None = None
    created_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    created_by: str = Field(max_length=200)
