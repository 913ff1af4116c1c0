"""Scheduled register work, run as ``python -m services.state_aid job <name>``; idempotent."""

from __future__ import annotations

from datetime import date

from shared.contracts.topics import STATE_AID_EVENTS
from shared.platform.auth import Principal, Role
from shared.platform.database import make_engine, transaction
from shared.platform.settings import ServiceSettings

from services.state_aid.service import measures
from services.state_aid.service.context import Command

JOB_PRINCIPAL = Principal(subject="job:state_aid", roles=frozenset({Role.JOB}))


def expire_reservations(settings: ServiceSettings, on: date) -> str:
    """Mark reservations whose time has run out (they stopped counting already); `on` is only logged."""
    engine = make_engine(settings.effective_database_url, pool_size=1, max_overflow=0)
    try:
        with transaction(engine) as session:
            command = Command(session=session, principal=JOB_PRINCIPAL, topic=settings.topic(STATE_AID_EVENTS))
            expired = measures.expire_reservations(command)
        return f"expired {len(expired)} reservation(s) (run for {on.isoformat()})"
    finally:
        engine.dispose()


JOBS = {"expire-reservations": expire_reservations}
