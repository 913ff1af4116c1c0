"""``python -m services.portfolio export 2026Q3 --out DIR``: run a quarterly export by hand, with a progress bar.

The export is recorded and announced exactly as one requested over the API, and its files are
also written to DIR.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session
from tqdm import tqdm

from shared.contracts.topics import PORTFOLIO_EVENTS
from shared.eventbus.service_commands import ExtraCommand
from shared.platform.business_date import business_date
from shared.platform.database import make_engine, transaction
from shared.platform.settings import ServiceSettings

from services.portfolio.app import PortfolioSettings
from services.portfolio.service import exports


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("quarter", help="the quarter, e.g. 2026Q3; it must have ended")
    parser.add_argument("--out", type=Path, default=Path("var/exports"), help="directory for the files")
    parser.add_argument("--requested-by", default="cli", help="who asked for it, recorded with the export")


def run_export_command(settings: ServiceSettings, args: argparse.Namespace) -> int:
    assert isinstance(settings, PortfolioSettings)
    book_settings = settings.book
    engine = make_engine(settings.effective_database_url, pool_size=2, max_overflow=0)
    try:
        with transaction(engine) as session:
            now = datetime.now(UTC)
            export_id = exports.request_export(session, args.quarter, args.requested_by, business_date(now), now).id
        with tqdm(total=100, unit="%", desc=f"export {args.quarter}") as bar:

            def advance(percent: int) -> None:
                bar.update(percent - bar.n)

            exports.run_export(engine, export_id, book_settings, settings.topic(PORTFOLIO_EVENTS), advance)
        target = args.out / args.quarter
        target.mkdir(parents=True, exist_ok=True)
        with Session(engine) as session:
            for item in exports.files_of(session, export_id):
                (target / item.name).write_bytes(item.content)
        print(f"export {export_id}: files in {target}")
    finally:
        engine.dispose()
    return 0


EXPORT = ExtraCommand(
    help="run a quarterly export now and write its files", arguments=_arguments, run=run_export_command
)
