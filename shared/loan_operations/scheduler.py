"""The scheduler: starts each lender's daily jobs once a day in Brussels time and catches up missed days.

On start, and then every day at `scheduler_time` (Europe/Brussels), each job runs for every
business date from the day after the last one it completed up to today (up to yesterday before
the day's start time), oldest first, so a scheduler that was down for a week runs the week.
A job that never completed starts today. A failed run is retried at the next wake-up; one that
is already completed for a date is never run again (`job_runs`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from shared.loan_operations.job_runs import last_completed
from shared.loan_operations.jobs import OperationsWork, run_daily
from shared.loan_operations.lender import LenderOperations
from shared.platform.business_date import BUSINESS_TIME_ZONE

logger = logging.getLogger(__name__)

MAX_CATCH_UP_DAYS = 366
RETRY_SECONDS = 300.0


def due_dates(last: date | None, today: date, started: bool) -> list[date]:
    """The dates a job still has to run for: after `last`, up to today once the day's start time has passed."""
    until = today if started else today - timedelta(days=1)
    first = today if last is None else last + timedelta(days=1)
    first = max(first, until - timedelta(days=MAX_CATCH_UP_DAYS - 1))
    return [first + timedelta(days=offset) for offset in range((until - first).days + 1)]


def seconds_until(moment: datetime, start: time) -> float:
    """Seconds from `moment` to the next `start` o'clock in Brussels."""
    local = moment.astimezone(BUSINESS_TIME_ZONE)
    target = datetime.combine(local.date(), start, tzinfo=BUSINESS_TIME_ZONE)
    if target <= local:
        target = datetime.combine(local.date() + timedelta(days=1), start, tzinfo=BUSINESS_TIME_ZONE)
    return max(1.0, (target - local).total_seconds())


def catch_up(ops: LenderOperations[Any], engine: Engine, jobs: Mapping[str, OperationsWork], moment: datetime) -> bool:
    """Run every job for every date it is behind on; False when a run failed (retried later).

    A failed run stops only its own job's later dates: the other jobs still run.
    """
    local = moment.astimezone(BUSINESS_TIME_ZONE)
    started = local.time() >= ops.settings.scheduler_time
    succeeded = True
    for job, work in jobs.items():
        with Session(engine) as session:
            last = last_completed(session, ops.tables.job_run, job)
        for day in due_dates(last, local.date(), started):
            try:
                report = run_daily(ops, engine, job, day, work, show_progress=False)
            except Exception:
                logger.exception("%s for %s failed; retried at the next wake-up", job, day)
                succeeded = False
                break
            logger.info(report.outcome)
    return succeeded


def run_scheduler(
    ops: LenderOperations[Any],
    engine: Engine,
    jobs: Mapping[str, OperationsWork],
    stop: threading.Event,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    *,
    once: bool = False,
) -> bool:
    """Catch up and then wake daily until `stop`; with `once`, catch up a single time (a Kubernetes CronJob).

    Returns whether the last catch-up succeeded.
    """
    logger.info(
        "scheduler of %s: %s daily at %s Brussels time", ops.service, ", ".join(jobs), ops.settings.scheduler_time
    )
    succeeded = True
    while not stop.is_set():
        succeeded = catch_up(ops, engine, jobs, clock())
        if once:
            break
        wait = seconds_until(clock(), ops.settings.scheduler_time) if succeeded else RETRY_SECONDS
        stop.wait(wait)
    return succeeded
