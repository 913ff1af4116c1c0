"""Append events to the outbox inside the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.tables import OutboxMessage


def append(session: Session, topic: str, envelope: EventEnvelope) -> OutboxMessage:
    """Stage `envelope` for publication on `topic`, keyed by its subject.

    Nothing is sent here: the relay publishes the row after this transaction commits, and a
    rollback removes it with the domain change it describes.
    """
    message = OutboxMessage(
        event_id=envelope.id,
        topic=topic,
        message_key=envelope.subject,
        event_type=envelope.type,
        envelope=envelope.model_dump_json(),
        created_at=datetime.now(UTC),
    )
    session.add(message)
    return message
