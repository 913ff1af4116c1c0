"""Scheduled SIFO work, run as ``python -m services.sifo job <name> [--date D]``.

Each job is one transaction and idempotent per (job, date): running it twice, or again after a
crash, changes nothing the first run did not.
"""

from __future__ import annotations

from datetime import date

from shared.contracts.topics import SIFO_EVENTS
from shared.platform.auth import Principal, Role
from shared.platform.database import make_engine, transaction
from shared.platform.settings import ServiceSettings

from services.sifo.service import aid, drawing_rights
from services.sifo.service.context import Command

JOB_PRINCIPAL = Principal(subject="job:sifo", roles=frozenset({Role.JOB}))


def expire_drawing_rights(settings: ServiceSettings, on: date) -> str:
    """Release what is left of drawing rights whose validity ended before `on`."""
    engine = make_engine(settings.effective_database_url, pool_size=1, max_overflow=0)
    try:
        with transaction(engine) as session:
            command = Command(session=session, principal=JOB_PRINCIPAL, topic=settings.topic(SIFO_EVENTS))
            expired = drawing_rights.expire_rights(command, on)
        released = sum((right.released for right in expired), start=0)
        return f"expired {len(expired)} drawing right(s) on {on.isoformat()}; released total now {released}"
    finally:
        engine.dispose()


def carry_aid_to_register(settings: ServiceSettings, on: date) -> str:
    """Carry the aid SIFO recorded in its own register before the state-aid register existed (once)."""
    engine = make_engine(settings.effective_database_url, pool_size=1, max_overflow=0)
    try:
        with transaction(engine) as session:
            command = Command(session=session, principal=JOB_PRINCIPAL, topic=settings.topic(SIFO_EVENTS))
            carried = aid.carry_former_register(command)
        return f"carried {carried} aid measure(s) to the state-aid register (run on {on.isoformat()})"
    finally:
        engine.dispose()


JOBS = {"expire-drawing-rights": expire_drawing_rights, "carry-aid-to-register": carry_aid_to_register}
