"""Scheduled register work, run as ``python -m services.state_aid job <name>``; idempotent."""

from __future__ import annotations

from datetime import date

from shared.contracts.topics import STATE_AID_EVENTS
from shared.platform.auth import Principal, Role
from shared.platform.database import in_one_transaction
from shared.platform.settings import ServiceSettings

from services.state_aid.service import measures
from services.state_aid.service.context import Command

JOB_PRINCIPAL = Principal(subject="job:state_aid", roles=frozenset({Role.JOB}))


def expire_reservations(settings: ServiceSettings, on: date) -> str:
    """Mark reservations whose time has run out (they stopped counting already); `on` is only logged."""
    expired = in_one_transaction(
        settings.effective_database_url,
        lambda session: measures.expire_reservations(
            Command(session=session, principal=JOB_PRINCIPAL, topic=settings.topic(STATE_AID_EVENTS))
        ),
    )
    return f"expired {len(expired)} reservation(s) (run for {on.isoformat()})"


JOBS = {"expire-reservations": expire_reservations}
