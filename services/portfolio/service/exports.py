"""Quarterly exports: requested, run with progress, stored with their files, announced by `export.ready`.

An export shows the book on the quarter's last day as known at the quarter's cut-off: the first
export of a quarter fixes the cut-off at the moment it is requested, every later one reuses it.
Events published after the cut-off (a repayment booked late, a correction) therefore never change
a quarter already reported; they appear in the next quarter, and the API's positions show them at
once. The files are stored with the export; the cut-off also travels in `export.ready`, so a
replay of the topics into an empty database gives the same files again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, update
from sqlmodel import Session, col, select

from shared.contracts.portfolio import PORTFOLIO_SOURCE, ExportedFileV1, ExportReadyV1
from shared.eventbus.outbox import append
from shared.eventbus.registry import envelope_for
from shared.platform.business_date import as_utc
from shared.platform.database import transaction
from shared.platform.quarters import Quarter
from shared.platform.rules import Conflict, NotFound, RuleViolation

from services.portfolio.domain.statement import arrears_of_lines, arrears_on, statement
from services.portfolio.exports.charts import export_charts
from services.portfolio.exports.files import ExportFile, Heading, export_files
from services.portfolio.exports.tables import export_tables
from services.portfolio.models import PortfolioExport, PortfolioExportFile, PortfolioQuarterCutoff
from services.portfolio.service.book import BookSettings, financier_names
from services.portfolio.service.cutoffs import keep_cutoff, positions_of, read_so_far
from services.portfolio.service.facts import load_book

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
HISTORY_QUARTERS = 8
STALE_AFTER = timedelta(minutes=15)

ProgressBar = Callable[[int], None]


def request_export(
    session: Session, quarter_text: str, requested_by: str, today: date, now: datetime
) -> PortfolioExport:
    """A new export of a quarter that ended before `today` (Brussels), at the quarter's cut-off.

    The first export of a quarter fixes the cut-off at what the book has read by `now`.
    """
    quarter = Quarter.parse(quarter_text)
    if quarter.last_day >= today:
        raise Conflict(
            f"quarter {quarter} ends on {quarter.last_day.isoformat()}; it can be exported from the day after, "
            f"and today is {today.isoformat()}",
            quarter=str(quarter),
            last_day=quarter.last_day.isoformat(),
        )
    keep_cutoff(session, str(quarter), now, read_so_far(session))
    export = PortfolioExport(
        id=str(uuid.uuid4()),
        quarter=str(quarter),
        status=QUEUED,
        requested_by=requested_by,
        requested_at=now,
        updated_at=now,
    )
    session.add(export)
    session.flush()
    return export


@dataclass(frozen=True)
class ExportContent:
    heading: Heading
    files: list[ExportFile]


def build_export(session: Session, quarter: Quarter, settings: BookSettings, progress: ProgressBar) -> ExportContent:
    """The files of a quarter's export at its cut-off; `progress` hears percentages 0..99."""
    cutoff = cutoff_of(session, str(quarter))
    positions = positions_of(cutoff)
    book = load_book(session, positions, fetch_alongside=True)
    quarters = quarter.last(HISTORY_QUARTERS)
    history: list[tuple[Quarter, Mapping[str, Decimal]]] = []
    for index, past in enumerate(quarters[:-1]):
        history.append((past, arrears_on(book, past.last_day, settings.policies)))
        progress(int(95 * (index + 1) / len(quarters)))
    reported = -1

    def tick(done: int, total: int) -> None:
        nonlocal reported
        percent = int(95 * (len(quarters) - 1 + done / max(total, 1)) / len(quarters))
        if percent != reported:
            reported = percent
            progress(percent)

    current = statement(book, quarter.last_day, settings.policies, settings.rules, tick)
    history.append((quarter, arrears_of_lines(current.loans)))
    tables = export_tables(current, history, financier_names(book))
    charts = export_charts({table.name: table for table in tables})
    heading = Heading(str(quarter), quarter.last_day.isoformat(), as_utc(cutoff.fixed_at), positions)
    progress(99)
    return ExportContent(heading, export_files(heading, tables, charts))


def cutoff_of(session: Session, quarter: str) -> PortfolioQuarterCutoff:
    cutoff = session.get(PortfolioQuarterCutoff, quarter)
    if cutoff is None:
        raise NotFound("cut-off of quarter", quarter)
    return cutoff


def run_export(
    engine: Engine, export_id: str, settings: BookSettings, topic: str, progress: ProgressBar | None = None
) -> None:
    """Run a queued export to the end: files stored, status done and `export.ready` published, in one transaction.

    Only the caller that moves it from queued to running runs it; any other call returns at once. A
    failure leaves the export failed with its reason.
    """
    with transaction(engine) as session:
        claimed = session.execute(
            update(PortfolioExport)
            .where(col(PortfolioExport.id) == export_id, col(PortfolioExport.status) == QUEUED)
            .values(status=RUNNING, updated_at=datetime.now(UTC))
        )
        export = session.get(PortfolioExport, export_id)
        if export is None:
            raise NotFound("export", export_id)
        if cast(CursorResult[Any], claimed).rowcount != 1:
            return
        quarter = Quarter.parse(export.quarter)

    def report(percent: int) -> None:
        with transaction(engine) as session:
            row = session.get(PortfolioExport, export_id)
            assert row is not None
            row.progress = percent
            row.updated_at = datetime.now(UTC)
            session.add(row)
        if progress is not None:
            progress(percent)

    try:
        with Session(engine) as session:
            content = build_export(session, quarter, settings, report)
        _finish(engine, export_id, quarter, content, topic)
    except Exception as exc:
        with transaction(engine) as session:
            row = session.get(PortfolioExport, export_id)
            assert row is not None
            row.status = FAILED
            row.error = exc.detail if isinstance(exc, RuleViolation) else f"{type(exc).__name__}: {exc}"
            row.updated_at = row.finished_at = datetime.now(UTC)
            session.add(row)
        if not isinstance(exc, RuleViolation):
            raise
        return
    if progress is not None:
        progress(100)


def _finish(engine: Engine, export_id: str, quarter: Quarter, content: ExportContent, topic: str) -> None:
    with transaction(engine) as session:
        row = session.get(PortfolioExport, export_id)
        assert row is not None
        for item in content.files:
            session.add(
                PortfolioExportFile(
                    export_id=export_id,
                    name=item.name,
                    media_type=item.media_type,
                    sha256=item.sha256,
                    rows=item.rows,
                    size=len(item.content),
                    content=item.content,
                )
            )
        row.status = DONE
        row.progress = 100
        row.updated_at = row.finished_at = datetime.now(UTC)
        session.add(row)
        ready = ExportReadyV1(
            export_id=export_id,
            quarter=row.quarter,
            as_of=quarter.last_day,
            cut_off=dict(content.heading.cut_off),
            cut_off_fixed_at=content.heading.fixed_at,
            requested_by=row.requested_by,
            files=[
                ExportedFileV1(
                    name=item.name,
                    media_type=item.media_type,
                    sha256=item.sha256,
                    rows=item.rows,
                    bytes=len(item.content),
                )
                for item in content.files
            ],
        )
        append(session, topic, envelope_for(ready, source=PORTFOLIO_SOURCE, subject=row.quarter))


def status_of(export: PortfolioExport, now: datetime) -> str:
    """The export's status; one queued or running without progress for a while was interrupted (request it again)."""
    if export.status in (QUEUED, RUNNING) and now - as_utc(export.updated_at) > STALE_AFTER:
        return "interrupted"
    return export.status


def get_export(session: Session, export_id: str) -> PortfolioExport:
    export = session.get(PortfolioExport, export_id)
    if export is None:
        raise NotFound("export", export_id)
    return export


def list_exports(session: Session, quarter: str | None, limit: int, offset: int) -> list[PortfolioExport]:
    query = select(PortfolioExport)
    if quarter is not None:
        query = query.where(PortfolioExport.quarter == str(Quarter.parse(quarter)))
    query = query.order_by(col(PortfolioExport.requested_at).desc(), col(PortfolioExport.id))
    return list(session.exec(query.offset(offset).limit(limit)).all())


def files_of(session: Session, export_id: str) -> list[PortfolioExportFile]:
    query = select(PortfolioExportFile).where(PortfolioExportFile.export_id == export_id)
    return list(session.exec(query.order_by(col(PortfolioExportFile.name))).all())


def file_of(session: Session, export_id: str, name: str) -> PortfolioExportFile:
    item = session.get(PortfolioExportFile, (export_id, name))
    if item is None:
        raise NotFound(f"file of export {export_id}", name)
    return item
