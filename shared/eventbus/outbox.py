"""Append events to the outbox inside the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session

from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.tables import OutboxMessage

_OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]


def append(session: Session, topic: str, envelope: EventEnvelope) -> None:
    """Stage `envelope` for publication on `topic`, keyed by its subject.

    Nothing is sent here: the relay publishes the row after this transaction commits, and a
    rollback removes it with the domain change it describes. The row is written at once, with a
    plain INSERT on the session's connection: it is the bus's bookkeeping, which no one changes in
    the same transaction, so it needs no object in the unit of work.
    """
    session.execute(
        sa.insert(_OUTBOX).values(
            event_id=envelope.id,
            topic=topic,
            message_key=envelope.subject,
            event_type=envelope.type,
            envelope=envelope.model_dump_json(),
            created_at=datetime.now(UTC),
            attempts=0,
        )
    )
