"""Parked events: list them, and replay them through the consumer's own path after an upgrade.

Replaying applies a parked event exactly as a fresh delivery would (`apply_envelope`: handler and
inbox row in one transaction), so an event that was meanwhile applied from another delivery is a
no-op, and one that still has no handler stays parked with its reason refreshed. Parked events are
replayed in the order they were read from each partition.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from shared.eventbus.consumer import Handler, NoHandler, apply_envelope
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.tables import DeadLetter
from shared.platform.database import transaction

logger = logging.getLogger(__name__)


def parked(session: Session, group_id: str, limit: int, offset: int) -> list[DeadLetter]:
    query = (
        select(DeadLetter)
        .where(DeadLetter.consumer_group == group_id, col(DeadLetter.replayed_at).is_(None))
        .order_by(col(DeadLetter.id))
    )
    return list(session.exec(query.offset(offset).limit(limit)).all())


@dataclass
class ReplayReport:
    """What a replay did: ids applied now, ids that were already applied, ids still parked with why."""

    applied: list[int] = field(default_factory=list)
    already_applied: list[int] = field(default_factory=list)
    still_parked: dict[int, str] = field(default_factory=dict)


def replay_parked(
    engine: Engine,
    *,
    group_id: str,
    handlers: Mapping[str, Handler],
    ignored: frozenset[str],
    ids: Sequence[int] | None = None,
) -> ReplayReport:
    """Replay the parked events of `group_id` (all, or only `ids`), oldest read first."""
    with Session(engine) as session:
        query = select(DeadLetter).where(DeadLetter.consumer_group == group_id, col(DeadLetter.replayed_at).is_(None))
        if ids is not None:
            query = query.where(col(DeadLetter.id).in_(list(ids)))
        rows = session.exec(
            query.order_by(col(DeadLetter.topic), col(DeadLetter.partition), col(DeadLetter.offset), col(DeadLetter.id))
        ).all()
        letters = [(row.id, row.raw_value, row.topic, row.partition, row.offset) for row in rows]
    report = ReplayReport()
    for letter_id, raw, topic, partition, offset in letters:
        assert letter_id is not None
        try:
            envelope = EventEnvelope.from_bytes(raw.encode())
        except (ValidationError, ValueError) as exc:
            report.still_parked[letter_id] = _keep(engine, letter_id, f"unreadable envelope: {exc}")
            continue
        try:
            with transaction(engine) as session:
                applied = apply_envelope(
                    session,
                    group_id=group_id,
                    handlers=handlers,
                    ignored=ignored,
                    envelope=envelope,
                    topic=topic,
                    partition=partition,
                    offset=offset,
                )
                row = session.get(DeadLetter, letter_id)
                assert row is not None
                row.replayed_at = datetime.now(UTC)
                session.add(row)
        except NoHandler as exc:
            report.still_parked[letter_id] = _keep(engine, letter_id, str(exc))
            continue
        except (ValidationError, ValueError) as exc:
            report.still_parked[letter_id] = _keep(engine, letter_id, f"payload does not match {envelope.type}: {exc}")
            continue
        except Exception as exc:
            logger.exception("replaying parked event %s (%s) failed", envelope.id, envelope.type)
            report.still_parked[letter_id] = _keep(engine, letter_id, f"handler failed: {type(exc).__name__}: {exc}")
            continue
        (report.applied if applied else report.already_applied).append(letter_id)
    return report


def _keep(engine: Engine, letter_id: int, error: str) -> str:
    with transaction(engine) as session:
        row = session.get(DeadLetter, letter_id)
        assert row is not None
        row.error = error
        session.add(row)
    return error
