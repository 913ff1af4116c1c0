"""Tables the event bus keeps in every service database: outbox, inbox and dead letters.

The outbox row is written in the caller's transaction with the domain change; the inbox row in
the consumer's transaction with the effect (the tracking-row idea of the eventsourcing library).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.platform.audit import AuditEntry
from shared.platform.columns import big_id, text, timestamp
from shared.platform.idempotency import IdempotencyRecord


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "eventbus_outbox"
    __table_args__ = (sa.Index("ix_eventbus_outbox_pending", "published_at", "failed_at", "seq"),)

    seq: int | None = Field(default=None, sa_column=big_id())
    event_id: str = Field(max_length=36, unique=True)
    topic: str = Field(max_length=249)
    message_key: str = Field(max_length=200)
    event_type: str = Field(max_length=200)
    envelope: str = Field(sa_column=text())
    created_at: datetime = Field(sa_column=timestamp())
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, sa_column=text(nullable=True))
    published_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    failed_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


class InboxRecord(SQLModel, table=True):
    __tablename__ = "eventbus_inbox"

    consumer_group: str = Field(primary_key=True, max_length=200)
    event_id: str = Field(primary_key=True, max_length=36)
    event_type: str = Field(max_length=200)
    topic: str = Field(max_length=249)
    partition: int
    offset: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    processed_at: datetime = Field(sa_column=timestamp())


class DeadLetter(SQLModel, table=True):
    """A message a consumer could not read or apply; kept whole, with the reason, for a person to look at.

    A message is *parked* while `replayed_at` is empty. After an upgrade (a handler for a new event
    type, a fixed bug) it can be replayed through the same path as a fresh delivery; it then
    keeps its row, with `replayed_at` set, as the record of what happened.
    """

    __tablename__ = "eventbus_dead_letter"
    __table_args__ = (sa.Index("ix_eventbus_dead_letter_parked", "consumer_group", "replayed_at", "id"),)

    id: int | None = Field(default=None, sa_column=big_id())
    consumer_group: str = Field(max_length=200)
    topic: str = Field(max_length=249)
    partition: int
    offset: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    event_id: str | None = Field(default=None, max_length=36)
    event_type: str | None = Field(default=None, max_length=200)
    raw_value: str = Field(sa_column=text())
    error: str = Field(sa_column=text())
    received_at: datetime = Field(sa_column=timestamp())
    replayed_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


COMMON_TABLE_NAMES = frozenset(
    model.__tablename__ for model in (OutboxMessage, InboxRecord, DeadLetter, IdempotencyRecord, AuditEntry)
)
"""Tables every service database holds besides its own: the bus's, the idempotency keys and the audit trail."""
