"""Scheduled and one-off energy work, run as ``python -m services.energy job <name> [--date D]``; idempotent.

The daily repayment operations (payouts, due and overdue runs) are recorded job runs, also started
by ``scheduler``; carrying the aid of the former register is a one-off.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from shared.loan_operations.jobs import DAILY, operations_jobs
from shared.platform.database import in_one_transaction

from services.energy.app import EnergySettings, operations
from services.energy.service import aid


def carry_aid_to_register(settings: EnergySettings, on: date) -> str:
    """Carry the aid the programme recorded in its own register before the state-aid register existed (once)."""
    ops = operations(settings)
    carried = in_one_transaction(
        settings.effective_database_url,
        lambda session: aid.carry_former_register(ops.command(session, ops.job_principal)),
    )
    return f"carried {carried} aid measure(s) to the state-aid register (run on {on.isoformat()})"


WORKS = DAILY
JOBS: dict[str, Callable[[EnergySettings, date], str]] = {
    **operations_jobs(operations, WORKS),
    "carry-aid-to-register": carry_aid_to_register,
}
