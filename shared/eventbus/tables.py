"""Tables the event bus keeps in every service database: outbox, inbox and dead letters.

The outbox row is written in the caller's transaction with the domain change; the inbox row in
the consumer's transaction with the effect (the tracking-row idea of the eventsourcing library).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

BigIntId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "eventbus_outbox"
    __table_args__ = (sa.Index("ix_eventbus_outbox_pending", "published_at", "failed_at", "seq"),)

    seq: int | None = Field(default=None, sa_column=sa.Column(BigIntId, primary_key=True, autoincrement=True))
    event_id: str = Field(max_length=36, unique=True)
    topic: str = Field(max_length=249)
    message_key: str = Field(max_length=200)
    event_type: str = Field(max_length=200)
    envelope: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    published_at: datetime | None = Field(default=None, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=True))
    failed_at: datetime | None = Field(default=None, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=True))


class InboxRecord(SQLModel, table=True):
    __tablename__ = "eventbus_inbox"

    consumer_group: str = Field(primary_key=True, max_length=200)
    event_id: str = Field(primary_key=True, max_length=36)
    event_type: str = Field(max_length=200)
    topic: str = Field(max_length=249)
    partition: int
    offset: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    processed_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))


class DeadLetter(SQLModel, table=True):
    """A message a consumer could not read or apply; kept whole, with the reason, for a person to look at."""

    __tablename__ = "eventbus_dead_letter"

    id: int | None = Field(default=None, sa_column=sa.Column(BigIntId, primary_key=True, autoincrement=True))
    consumer_group: str = Field(max_length=200)
    topic: str = Field(max_length=249)
    partition: int
    offset: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    raw_value: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    error: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    received_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))


SHARED_TABLE_NAMES = frozenset({"eventbus_outbox", "eventbus_inbox", "eventbus_dead_letter"})
