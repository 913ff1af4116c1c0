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

from services.sifo.service import drawing_rights
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


JOBS = {"expire-drawing-rights": expire_drawing_rights}
