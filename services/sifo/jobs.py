"""Scheduled SIFO work, run as ``python -m services.sifo job <name> [--date D]`` and by ``scheduler``.

Every job is idempotent per (job, date): running it twice, or again after a crash, changes
nothing the first run did not. Besides the repayment operations every lender runs (payouts, due
and overdue runs), SIFO releases what is left of expired drawing rights daily; carrying the aid
of the former register is a one-off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from sqlalchemy import Engine

from shared.loan_operations.job_runs import Counts, Progress
from shared.loan_operations.jobs import DAILY, OperationsWork, operations_jobs
from shared.loan_operations.lender import LenderOperations
from shared.platform.database import in_one_transaction, transaction

from services.sifo.app import SifoSettings, operations
from services.sifo.service import aid, drawing_rights
from services.sifo.service.context import Command

EXPIRE_DRAWING_RIGHTS = "expire-drawing-rights"


def expire_drawing_rights(ops: LenderOperations[Command], engine: Engine, on: date, progress: Progress) -> Counts:
    """Release what is left of drawing rights whose validity ended before `on`."""
    with transaction(engine) as session:
        expired = drawing_rights.expire_rights(ops.command(session, ops.job_principal), on)
    progress.advance(len(expired))
    return {"drawing_rights_expired": len(expired)}


def carry_aid_to_register(settings: SifoSettings, on: date) -> str:
    """Carry the aid SIFO recorded in its own register before the state-aid register existed (once)."""
    ops = operations(settings)
    carried = in_one_transaction(
        settings.effective_database_url,
        lambda session: aid.carry_former_register(ops.command(session, ops.job_principal)),
    )
    return f"carried {carried} aid measure(s) to the state-aid register (run on {on.isoformat()})"


WORKS: Mapping[str, OperationsWork] = {EXPIRE_DRAWING_RIGHTS: expire_drawing_rights, **DAILY}
JOBS: dict[str, Callable[[SifoSettings, date], str]] = {
    **operations_jobs(operations, WORKS),
    "carry-aid-to-register": carry_aid_to_register,
}
