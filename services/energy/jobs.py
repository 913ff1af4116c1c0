"""Scheduled and one-off energy work, run as ``python -m services.energy job <name> [--date D]``; idempotent."""

from __future__ import annotations

from datetime import date

from shared.contracts.topics import ENERGY_EVENTS
from shared.platform.auth import Principal, Role
from shared.platform.database import make_engine, transaction
from shared.platform.settings import ServiceSettings

from services.energy.service import aid
from services.energy.service.context import Command

JOB_PRINCIPAL = Principal(subject="job:energy", roles=frozenset({Role.JOB}))


def carry_aid_to_register(settings: ServiceSettings, on: date) -> str:
    """Carry the aid the programme recorded in its own register before the state-aid register existed (once)."""
    engine = make_engine(settings.effective_database_url, pool_size=1, max_overflow=0)
    try:
        with transaction(engine) as session:
            command = Command(session=session, principal=JOB_PRINCIPAL, topic=settings.topic(ENERGY_EVENTS))
            carried = aid.carry_former_register(command)
        return f"carried {carried} aid measure(s) to the state-aid register (run on {on.isoformat()})"
    finally:
        engine.dispose()


JOBS = {"carry-aid-to-register": carry_aid_to_register}
