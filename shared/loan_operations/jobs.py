"""The scheduled jobs of a lender, as ``python -m services.<name> job <job> --date D`` runs them.

Each is recorded as a job run (`job_runs`): done once per business date, resumed after a crash,
a no-op that says so when repeated. The daily order is payouts, then due, then overdue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Engine

from shared.loan_operations import due_run, overdue_run, payouts
from shared.loan_operations.job_runs import Counts, Progress, RunReport, run_job
from shared.loan_operations.lender import LenderOperations
from shared.platform.audit import acting_as
from shared.platform.database import make_engine
from shared.platform.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)
OperationsWork = Callable[[LenderOperations[Any], Engine, date, Progress], Counts]
Job = Callable[[S, date], str]

DAILY: Mapping[str, OperationsWork] = {
    payouts.PAYOUT_RUN: payouts.run,
    due_run.DUE_RUN: due_run.run,
    overdue_run.OVERDUE_RUN: overdue_run.run,
}


def run_recorded(
    ops: LenderOperations[Any],
    engine: Engine,
    job: str,
    day: date,
    work: Callable[[Progress], Counts],
    *,
    show_progress: bool | None = None,
) -> RunReport:
    actor = ops.job_principal.subject
    with acting_as(actor):
        return run_job(engine, ops.tables.job_run, job, day, actor, work, show_progress=show_progress)


def run_daily(
    ops: LenderOperations[Any],
    engine: Engine,
    job: str,
    day: date,
    work: OperationsWork,
    *,
    show_progress: bool | None = None,
) -> RunReport:
    """Run `work` for `day` as the recorded run of `job`."""
    return run_recorded(
        ops, engine, job, day, lambda progress: work(ops, engine, day, progress), show_progress=show_progress
    )


def operations_jobs(
    build: Callable[[S], LenderOperations[Any]], works: Mapping[str, OperationsWork] = DAILY
) -> dict[str, Job[S]]:
    """The recorded jobs of a lender for its command line, each on an engine of its own."""

    def job(name: str, work: OperationsWork) -> Job[S]:
        def run(settings: S, day: date) -> str:
            engine = make_engine(settings.effective_database_url, pool_size=2, max_overflow=0)
            try:
                return run_daily(build(settings), engine, name, day, work).outcome
            finally:
                engine.dispose()

        return run

    return {name: job(name, work) for name, work in works.items()}
