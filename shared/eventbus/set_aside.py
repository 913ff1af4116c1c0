"""Outbox rows the relay set aside after `max_attempts`: list them, and retry one after the fix.

A set-aside row holds back the later rows of its stream (topic and key), so retrying it is what
lets that aggregate's events flow again, in their order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from shared.eventbus.tables import OutboxMessage
from shared.platform.database import get_for_update, transaction
from shared.platform.rules import Conflict


@dataclass(frozen=True)
class SetAsideRow:
    seq: int
    topic: str
    message_key: str
    event_type: str
    attempts: int
    last_error: str
    failed_at: datetime
    held_back: int
    """How many later rows of the same stream wait behind it."""


def set_aside_rows(engine: Engine) -> list[SetAsideRow]:
    """The set-aside rows in `seq` order, each with the count of its stream's rows waiting behind it (one query)."""
    behind = aliased(OutboxMessage)
    waiting = (
        select(func.count())
        .select_from(behind)
        .where(
            col(behind.published_at).is_(None),
            col(behind.topic) == col(OutboxMessage.topic),
            col(behind.message_key) == col(OutboxMessage.message_key),
            col(behind.seq) > col(OutboxMessage.seq),
        )
        .scalar_subquery()
    )
    with Session(engine) as session:
        rows = session.exec(
            select(OutboxMessage, waiting)
            .where(col(OutboxMessage.published_at).is_(None), col(OutboxMessage.failed_at).is_not(None))
            .order_by(col(OutboxMessage.seq))
        ).all()
    found = []
    for row, held_back in rows:
        assert row.seq is not None
        assert row.failed_at is not None
        found.append(
            SetAsideRow(
                seq=row.seq,
                topic=row.topic,
                message_key=row.message_key,
                event_type=row.event_type,
                attempts=row.attempts,
                last_error=row.last_error or "",
                failed_at=row.failed_at,
                held_back=int(held_back),
            )
        )
    return found


def retry(engine: Engine, seq: int) -> None:
    """Put a set-aside row back in line with a fresh count of attempts."""
    with transaction(engine) as session:
        row = get_for_update(session, OutboxMessage, seq, "outbox row")
        if row.failed_at is None:
            raise Conflict(f"outbox row {seq} is not set aside")
        row.failed_at = None
        row.attempts = 0
        session.add(row)
