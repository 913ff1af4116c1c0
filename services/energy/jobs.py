"""Scheduled and one-off energy work, run as ``python -m services.energy job <name> [--date D]``; idempotent."""

from __future__ import annotations

from datetime import date

from shared.contracts.topics import ENERGY_EVENTS
from shared.platform.auth import Principal, Role
from shared.platform.database import in_one_transaction
from shared.platform.settings import ServiceSettings

from services.energy.service import aid
from services.energy.service.context import Command

JOB_PRINCIPAL = Principal(subject="job:energy", roles=frozenset({Role.JOB}))


def carry_aid_to_register(settings: ServiceSettings, on: date) -> str:
    """Carry the aid the programme recorded in its own register before the state-aid register existed (once)."""
    carried = in_one_transaction(
        settings.effective_database_url,
        lambda session: aid.carry_former_register(
            Command(session=session, principal=JOB_PRINCIPAL, topic=settings.topic(ENERGY_EVENTS))
        ),
    )
    return f"carried {carried} aid measure(s) to the state-aid register (run on {on.isoformat()})"


JOBS = {"carry-aid-to-register": carry_aid_to_register}
