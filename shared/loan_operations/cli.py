"""Command-line entries of repayment operations: import a statement file, run the scheduler."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from shared.eventbus.service_commands import ExtraCommand
from shared.loan_operations import statements
from shared.loan_operations.jobs import OperationsWork
from shared.loan_operations.lender import LenderOperations
from shared.loan_operations.scheduler import run_scheduler
from shared.platform.audit import acting_as
from shared.platform.auth import Principal, Role
from shared.platform.database import make_engine, transaction
from shared.platform.rules import RuleViolation
from shared.platform.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)
logger = logging.getLogger(__name__)


def statement_import(build: Callable[[Any], LenderOperations[Any]]) -> ExtraCommand:
    """``import-statement FILE``: book a camt.053 file as the back office would through the API."""

    def arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="a camt.053 statement (XML)")

    def run(settings: ServiceSettings, args: argparse.Namespace) -> int:
        ops = build(settings)
        principal = Principal(subject=f"cli:{getpass.getuser()}", roles=frozenset({Role.BACKOFFICE}))
        engine = make_engine(settings.effective_database_url, pool_size=1, max_overflow=0)
        try:
            with acting_as(principal.subject), transaction(engine) as session:
                report = statements.import_statements(ops, ops.command(session, principal), args.file.read_bytes())
                summary = {
                    "imported": [row.statement_id for row in report.statements],
                    "already_imported": [row.statement_id for row in report.already_imported],
                    "lines": dict(report.counts),
                }
        except RuleViolation as exc:
            logger.error("refused: %s", exc)
            return 2
        finally:
            engine.dispose()
        print(json.dumps(summary, indent=2))
        return 0

    return ExtraCommand("import a camt.053 bank statement file", arguments, run)


def scheduler(
    build: Callable[[Any], LenderOperations[Any]], works: Mapping[str, OperationsWork]
) -> Callable[[ServiceSettings, threading.Event, bool], bool]:
    def run(settings: ServiceSettings, stop: threading.Event, once: bool) -> bool:
        engine = make_engine(settings.effective_database_url, pool_size=2, max_overflow=0)
        try:
            return run_scheduler(build(settings), engine, works, stop, once=once)
        finally:
            engine.dispose()

    return run
