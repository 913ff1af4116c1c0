"""Scheduled SIFO work, run as ``python -m services.sifo job <name> [--date D]``.

Each job is one transaction and idempotent per (job, date): running it twice, or again after a
crash, changes nothing the first run did not.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from shared.contracts.topics import SIFO_EVENTS
from shared.platform.auth import Principal, Role
from shared.platform.database import in_one_transaction
from shared.platform.settings import ServiceSettings

from services.sifo.service import aid, drawing_rights
from services.sifo.service.context import Command

JOB_PRINCIPAL = Principal(subject="job:sifo", roles=frozenset({Role.JOB}))


def _command(session: Session, settings: ServiceSettings) -> Command:
    return Command(session=session, principal=JOB_PRINCIPAL, topic=settings.topic(SIFO_EVENTS))


def expire_drawing_rights(settings: ServiceSettings, on: date) -> str:
    """Release what is left of drawing rights whose validity ended before `on`."""
    expired = in_one_transaction(
        settings.effective_database_url,
        lambda session: drawing_rights.expire_rights(_command(session, settings), on),
    )
    released = sum((right.released for right in expired), start=0)
    return f"expired {len(expired)} drawing right(s) on {on.isoformat()}; released total now {released}"


def carry_aid_to_register(settings: ServiceSettings, on: date) -> str:
    """Carry the aid SIFO recorded in its own register before the state-aid register existed (once)."""
    carried = in_one_transaction(
        settings.effective_database_url, lambda session: aid.carry_former_register(_command(session, settings))
    )
    return f"carried {carried} aid measure(s) to the state-aid register (run on {on.isoformat()})"


JOBS = {"expire-drawing-rights": expire_drawing_rights, "carry-aid-to-register": carry_aid_to_register}
