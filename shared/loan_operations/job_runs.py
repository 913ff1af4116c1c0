"""Job runs: each scheduled job runs once per business date, resumes after a crash, and says when it is a no-op.

A run is recorded before its work starts (status ``running``) and closed with its counts
(``completed``) or its error (``failed``). The work itself commits in small chunks, each of
which is idempotent (the schema's unique keys make a second attempt skip what the first did), so
a run killed mid-way is simply run again: it resumes where the work stands. A run for a date that
already completed changes nothing and says so. Only one run of a job is active at a time: on
PostgreSQL a session advisory lock, held on a connection of its own, is released by the server
if the process dies.
"""

from __future__ import annotations

import enum
import json
import logging
import uuid
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select
from tqdm import tqdm

from shared.loan_operations.tables import JobRunColumns
from shared.platform.database import transaction
from shared.platform.rules import Conflict

logger = logging.getLogger(__name__)

T = TypeVar("T")
Counts = dict[str, int]
Work = Callable[["Progress"], Counts]


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class Progress:
    """What a job reports while it works: a progress bar on a terminal, nothing otherwise."""

    def __init__(self, description: str, show: bool | None = None) -> None:
        self.bar = tqdm(desc=description, unit="loan", disable=None if show is None else not show, leave=False)

    def total(self, count: int) -> None:
        self.bar.reset(total=count)

    def advance(self, count: int) -> None:
        self.bar.update(count)

    def close(self) -> None:
        self.bar.close()


@dataclass(frozen=True)
class RunReport:
    job: str
    business_date: date
    status: RunStatus
    counts: Counts = field(default_factory=dict)
    outcome: str = ""
    already_completed: bool = False
    attempts: int = 1


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """`items` in slices of `size`: a run's units of work, one transaction each."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _summary(counts: Counts) -> str:
    return ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in sorted(counts.items())) or "nothing to do"


@contextmanager
def exclusive(engine: Engine, key: str) -> Iterator[None]:
    """Hold the advisory lock `key` for the block; Conflict when another process holds it."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        lock_id = zlib.crc32(key.encode())
        acquired = connection.execute(text("SELECT pg_try_advisory_lock(:id)"), {"id": lock_id}).scalar_one()
        connection.commit()
        if not acquired:
            raise Conflict(f"another run of {key} is in progress")
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
            connection.commit()


def run_job(
    engine: Engine,
    table: type[JobRunColumns],
    job: str,
    day: date,
    actor: str,
    work: Work,
    *,
    show_progress: bool | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> RunReport:
    """Run `work` for (`job`, `day`) unless that run already completed; record how it went."""
    with exclusive(engine, f"{table.__tablename__}:{job}"):
        with transaction(engine) as session:
            row = session.exec(
                select(table).where(table.job == job, table.business_date == day).with_for_update()
            ).first()
            if row is not None and row.status == RunStatus.COMPLETED:
                counts = json.loads(row.counts)
                return RunReport(
                    job,
                    day,
                    RunStatus.COMPLETED,
                    counts,
                    f"{job} for {day.isoformat()} already completed at {row.finished_at}: {_summary(counts)}; "
                    "nothing done",
                    already_completed=True,
                    attempts=row.attempts,
                )
            if row is None:
                row = table(
                    id=str(uuid.uuid4()),
                    job=job,
                    business_date=day,
                    status=RunStatus.RUNNING.value,
                    attempts=1,
                    started_at=clock(),
                    started_by=actor,
                )
            else:
                logger.warning("resuming %s for %s (attempt %d, was %s)", job, day, row.attempts + 1, row.status)
                row.attempts += 1
                row.status = RunStatus.RUNNING.value
                row.started_at = clock()
                row.started_by = actor
            session.add(row)
            run_id, attempts = row.id, row.attempts
        progress = Progress(f"{job} {day.isoformat()}", show_progress)
        try:
            counts = work(progress)
        except BaseException as exc:
            _close(engine, table, run_id, RunStatus.FAILED, {}, f"{type(exc).__name__}: {exc}", clock)
            raise
        finally:
            progress.close()
        outcome = f"{job} for {day.isoformat()}: {_summary(counts)}"
        _close(engine, table, run_id, RunStatus.COMPLETED, counts, outcome, clock)
        return RunReport(job, day, RunStatus.COMPLETED, counts, outcome, attempts=attempts)


def _close(
    engine: Engine,
    table: type[JobRunColumns],
    run_id: str,
    status: RunStatus,
    counts: Counts,
    outcome: str,
    clock: Callable[[], datetime],
) -> None:
    with transaction(engine) as session:
        row = session.get(table, run_id)
        assert row is not None
        row.status = status.value
        row.counts = json.dumps(counts, sort_keys=True)
        row.outcome = outcome
        row.finished_at = clock()
        session.add(row)


def last_completed(session: Session, table: type[JobRunColumns], job: str) -> date | None:
    """The latest business date `job` completed for (the scheduler catches up from the day after)."""
    latest: date | None = session.exec(
        select(sa.func.max(col(table.business_date))).where(table.job == job, table.status == RunStatus.COMPLETED.value)
    ).one()
    return latest
