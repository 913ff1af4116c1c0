"""The `sefund` command: financiers, drawing rights, loans, applications, participations, aid headroom,
decisions, job runs, exports and statements, for people at a terminal and for scripts (`--json`).

Service addresses default to `make run`'s and are read from `SEFUND_<SERVICE>_URL`; the token
from `SEFUND_TOKEN` or `--token`. Every command that writes sends an Idempotency-Key, the same on
the client's retries; `--key` makes a rerun of the same command safe as well.
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import typer
from rich.console import Console
from rich.progress import Progress

from sefund.cli.output import problem, show
from sefund.client import EXPORT_IN_PROGRESS, LOCAL_URLS, ApiError, Platform, connect


@dataclass
class Session:
    platform: Platform
    as_json: bool
    console: Console


def default_platform(token: str) -> Platform:
    urls = {name: os.environ.get(f"SEFUND_{name.upper()}_URL", url) for name, url in LOCAL_URLS.items()}
    return connect(token, urls)


Command = TypeVar("Command", bound=Callable[..., Any])

# Tests point this at in-process services; everyone else gets the addresses above.
platform_for: Callable[[str], Platform] = default_platform

app = typer.Typer(help=__doc__, no_args_is_help=True, pretty_exceptions_enable=False)
financiers = typer.Typer(help="SIFO's recognised financiers", no_args_is_help=True)
rights = typer.Typer(help="SIFO drawing rights", no_args_is_help=True)
loans = typer.Typer(help="SIFO loans", no_args_is_help=True)
decisions = typer.Typer(help="four-eyes decisions waiting for someone", no_args_is_help=True)
applications = typer.Typer(help="energy applications", no_args_is_help=True)
programme = typer.Typer(help="the energy programme: budget years, calls, applicants", no_args_is_help=True)
participations = typer.Typer(help="Trividend participations and proposals", no_args_is_help=True)
investees = typer.Typer(help="Trividend investees", no_args_is_help=True)
aid = typer.Typer(help="the de minimis register", no_args_is_help=True)
runs = typer.Typer(help="scheduled job runs", no_args_is_help=True)
exports = typer.Typer(help="quarterly portfolio exports", no_args_is_help=True)
statements = typer.Typer(help="bank statements (camt.053)", no_args_is_help=True)
audit = typer.Typer(help="the append-only audit trail (auditors)", no_args_is_help=True)
for group, name in [
    (financiers, "financiers"),
    (rights, "drawing-rights"),
    (loans, "loans"),
    (decisions, "decisions"),
    (applications, "applications"),
    (participations, "participations"),
    (programme, "energy"),
    (investees, "investees"),
    (aid, "aid"),
    (runs, "runs"),
    (exports, "exports"),
    (statements, "statements"),
    (audit, "audit"),
]:
    app.add_typer(group, name=name)

Key = Annotated[str | None, typer.Option("--key", help="Idempotency-Key: the same key never applies twice")]
Lender = Annotated[str, typer.Option(help="sifo, energy or trividend")]


@app.callback()
def main_options(
    context: typer.Context,
    token: Annotated[str, typer.Option(envvar="SEFUND_TOKEN", help="bearer token (see `sefund token`)")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="print the JSON the API answered")] = False,
) -> None:
    context.obj = Session(platform_for(token), as_json, Console(soft_wrap=True))


def handled(function: Command) -> Command:
    """A problem the API answered is printed as a person reads it, and the command exits 1."""

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except ApiError as error:
            problem(Console(stderr=True), error)
            raise typer.Exit(1) from None

    return cast(Command, run)


def _session(context: typer.Context) -> Session:
    session: Session = context.obj
    return session


def _body(path: Path) -> dict[str, Any]:
    """A request body from a JSON file; a file that is not one is a usage error, not a traceback."""
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise typer.BadParameter(f"{path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise typer.BadParameter(f"{path}: not JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(loaded, dict):
        raise typer.BadParameter(f"{path}: a JSON object is expected")
    return loaded


@app.command()
@handled
def token(
    subject: Annotated[str, typer.Option(help="who the token speaks for")],
    role: Annotated[list[str], typer.Option(help="fund_manager, approver, backoffice, auditor, financier, ...")],
    financier_id: Annotated[str | None, typer.Option(help="with --role financier")] = None,
    hours: Annotated[float, typer.Option(help="lifetime; at most 12")] = 8.0,
) -> None:
    """A development token for every service, signed with JWT_SECRET or the development secret."""
    from sefund.cli.dev_tokens import development_token

    typer.echo(development_token(subject, role, financier_id, hours))


@financiers.command("register")
@handled
def register_financier(context: typer.Context, file: Path, key: Key = None) -> None:
    """Register a financier from a JSON file (enterprise_number, name, iban, recognised_from)."""
    session = _session(context)
    created = session.platform.sifo.register_financier(_body(file), idempotency_key=key)
    show(session.console, session.as_json, created, ["id", "enterprise_number", "name", "status"])


@financiers.command("list")
@handled
def list_financiers(context: typer.Context) -> None:
    session = _session(context)
    rows = list(session.platform.sifo.list_financiers())
    show(session.console, session.as_json, rows, ["id", "enterprise_number", "name", "status"], "Financiers")


@rights.command("allocate")
@handled
def allocate(
    context: typer.Context,
    financier_id: str,
    fund_year: int,
    amount: Annotated[str, typer.Argument(help="EUR, e.g. 1000000.00")],
    valid_from: str,
    valid_until: str,
    key: Key = None,
) -> None:
    """Allocate a yearly drawing right."""
    session = _session(context)
    body = {"fund_year": fund_year, "amount": amount, "valid_from": valid_from, "valid_until": valid_until}
    right = session.platform.sifo.allocate_drawing_right(financier_id, body, idempotency_key=key)
    show(session.console, session.as_json, right, ["id", "fund_year", "allocated", "available"])


@rights.command("list")
@handled
def list_rights(context: typer.Context, financier_id: Annotated[str | None, typer.Option()] = None) -> None:
    session = _session(context)
    rows = list(session.platform.sifo.list_drawing_rights(financier_id=financier_id))
    columns = ["id", "financier_id", "fund_year", "allocated", "reserved", "drawn", "available"]
    show(session.console, session.as_json, rows, columns, "Drawing rights")


@loans.command("submit")
@handled
def submit_loan(context: typer.Context, file: Path, key: Key = None) -> None:
    """Submit a loan from a JSON file (the body of POST /loans)."""
    session = _session(context)
    loan = session.platform.sifo.submit_loan(_body(file), idempotency_key=key)
    show(
        session.console, session.as_json, loan, ["id", "status", "borrower_name", "sifo_share", "pricing.applied_rate"]
    )


@loans.command("list")
@handled
def list_loans(
    context: typer.Context,
    status: Annotated[str | None, typer.Option()] = None,
    financier_id: Annotated[str | None, typer.Option()] = None,
    enterprise_number: Annotated[str | None, typer.Option(help="the borrower's")] = None,
    updated_since: Annotated[str | None, typer.Option(help="ISO time with a zone, e.g. 2026-11-30T08:00:00Z")] = None,
    sort: Annotated[str | None, typer.Option(help="created, -created, updated or -updated")] = None,
) -> None:
    """SIFO loans; `--updated-since ... --sort updated` lists what changed, for a back-office copy."""
    session = _session(context)
    rows = list(
        session.platform.sifo.list_loans(
            status=status,
            financier_id=financier_id,
            enterprise_number=enterprise_number,
            updated_since=updated_since,
            sort=sort,
        )
    )
    columns = [
        "id",
        "status",
        "borrower_enterprise_number",
        "borrower_name",
        "sifo_share",
        "terms.start_date",
        "updated_at",
    ]
    show(session.console, session.as_json, rows, columns, "Loans")


@loans.command("show")
@handled
def show_loan(context: typer.Context, loan_id: str, as_of: Annotated[str | None, typer.Option()] = None) -> None:
    """A loan, where it stands on a day, and its repayment schedule as a table."""
    session = _session(context)
    view = session.platform.sifo.get_loan_position(loan_id, as_of=as_of)
    if session.as_json:
        show(session.console, True, view, [])
        return
    show(session.console, False, view["loan"], ["id", "status", "borrower_name", "sifo_share", "terms.annual_rate"])
    columns = ["number", "due_date", "payment", "interest", "principal", "closing_balance"]
    show(session.console, False, view["schedule"], columns, "Schedule")


@loans.command("approve")
@handled
def approve_loan(
    context: typer.Context,
    loan_id: str,
    drawing_right_id: Annotated[str | None, typer.Option()] = None,
    key: Key = None,
) -> None:
    session = _session(context)
    loan = session.platform.sifo.approve_loan(loan_id, drawing_right_id=drawing_right_id, idempotency_key=key)
    show(session.console, session.as_json, loan, ["id", "status", "approved_on", "approved_by", "drawing_right_id"])


@loans.command("disburse")
@handled
def disburse(
    context: typer.Context,
    loan_id: str,
    on: Annotated[str, typer.Option(help="the payout day")],
    iban: Annotated[str | None, typer.Option(help="when not the borrower's account on file")] = None,
    key: Key = None,
) -> None:
    """Prepare the payout; another person approves it from their inbox."""
    session = _session(context)
    body: dict[str, Any] = {"disbursed_on": on} if iban is None else {"disbursed_on": on, "iban": iban}
    decision = session.platform.sifo.prepare_disbursement(loan_id, body, idempotency_key=key)
    show(session.console, session.as_json, decision, ["id", "loan_id", "kind", "status", "prepared_by"])


@decisions.command("inbox")
@handled
def inbox(context: typer.Context, lender: Lender = "sifo", mine_too: bool = False) -> None:
    """Prepared decisions you may decide (four eyes: not those you prepared), oldest first."""
    session = _session(context)
    client = getattr(session.platform, lender)
    rows = list(client.decision_inbox(awaiting_me=not mine_too))
    show(session.console, session.as_json, rows, ["id", "loan_id", "kind", "prepared_by", "prepared_at"], "Inbox")


@decisions.command("approve")
@handled
def approve_decision(context: typer.Context, decision_id: str, lender: Lender = "sifo", key: Key = None) -> None:
    session = _session(context)
    decision = getattr(session.platform, lender).approve_decision(decision_id, idempotency_key=key)
    show(session.console, session.as_json, decision, ["id", "kind", "status", "decided_by", "decided_at"])


@applications.command("list")
@handled
def list_applications(
    context: typer.Context,
    status: Annotated[str | None, typer.Option()] = None,
    enterprise_number: Annotated[str | None, typer.Option()] = None,
) -> None:
    session = _session(context)
    rows = list(session.platform.energy.list_applications(status=status, enterprise_number=enterprise_number))
    columns = ["id", "status", "applicant_id", "requested_amount", "committed_amount"]
    show(session.console, session.as_json, rows, columns, "Applications")


@participations.command("show")
@handled
def show_participation(context: typer.Context, participation_id: str) -> None:
    session = _session(context)
    participation = session.platform.trividend.get_participation(participation_id)
    show(session.console, session.as_json, participation, ["id", "investee_id", "status", "committed", "as_of"])


@participations.command("proposals")
@handled
def list_proposals(context: typer.Context, status: Annotated[str | None, typer.Option()] = None) -> None:
    session = _session(context)
    rows = list(session.platform.trividend.list_proposals(status=status))
    show(session.console, session.as_json, rows, ["id", "investee_id", "instrument", "amount", "status"], "Proposals")


@aid.command("headroom")
@handled
def headroom(context: typer.Context, enterprise_number: str, on: Annotated[str | None, typer.Option()] = None) -> None:
    """What a new grant to the enterprise's single undertaking may still carry."""
    session = _session(context)
    found = session.platform.state_aid.get_headroom(enterprise_number, on=on)
    show(session.console, session.as_json, found, ["enterprise_number", "on", "ceiling", "used", "available"])


@runs.command("list")
@handled
def list_runs(
    context: typer.Context, lender: Lender = "sifo", job: Annotated[str | None, typer.Option()] = None
) -> None:
    session = _session(context)
    rows = list(getattr(session.platform, lender).list_runs(job=job))
    show(session.console, session.as_json, rows, ["job", "business_date", "status", "outcome"], "Job runs")


@exports.command("request")
@handled
def request_export(context: typer.Context, quarter: str, key: Key = None) -> None:
    """Ask for a quarter's export and wait for it, with a progress bar."""
    session = _session(context)
    export = session.platform.portfolio.request_export(quarter, idempotency_key=key)
    with Progress(console=session.console, transient=True) as progress:
        waiting = progress.add_task(f"export {quarter}", total=None)
        while export.get("status") in EXPORT_IN_PROGRESS:
            time.sleep(0.5)
            export = session.platform.portfolio.get_export(export["id"])
        progress.update(waiting, completed=1, total=1)
    show(session.console, session.as_json, export, ["id", "quarter", "status"])


@exports.command("download")
@handled
def download(context: typer.Context, export_id: str, directory: Path = Path(".")) -> None:
    """Write every file of an export into `directory`."""
    session = _session(context)
    export = session.platform.portfolio.get_export(export_id)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for item in export.get("files", []):
        target = directory / item["name"]
        target.write_bytes(session.platform.portfolio.download_export_file(export_id, item["name"]))
        written.append({"name": item["name"], "bytes": target.stat().st_size, "path": str(target)})
    show(session.console, session.as_json, written, ["name", "bytes", "path"], f"Export {export_id}")


@statements.command("import")
@handled
def import_statement(context: typer.Context, file: Path, lender: Lender = "sifo", key: Key = None) -> None:
    """Import a camt.053 file: match, book, return, or queue lines for review."""
    session = _session(context)
    client = getattr(session.platform, lender)
    report = client.import_statement(file.read_bytes(), idempotency_key=key)
    show(session.console, session.as_json, report, ["lines"])


@statements.command("lines")
@handled
def statement_lines(
    context: typer.Context, lender: Lender = "sifo", status: Annotated[str | None, typer.Option()] = "review"
) -> None:
    """Statement lines by outcome; `review` (the default) is the queue a person works."""
    session = _session(context)
    rows = list(getattr(session.platform, lender).list_lines(status=status))
    columns = ["id", "statement_id", "booking_date", "amount", "status", "reason"]
    show(session.console, session.as_json, rows, columns, "Statement lines")


@audit.command("trail")
@handled
def audit_trail(
    context: typer.Context, object_type: str, object_id: Annotated[str | None, typer.Option()] = None
) -> None:
    """Who changed what and when, before and after, for a kind of record (e.g. sifo_loan)."""
    session = _session(context)
    rows = list(session.platform.sifo.audit_trail(object_type, object_id=object_id))
    show(session.console, session.as_json, rows, ["id", "occurred_at", "actor", "action", "object_id"], "Audit trail")


@programme.command("open-year")
@handled
def open_budget_year(
    context: typer.Context,
    year: int,
    envelope: Annotated[str | None, typer.Option(help="EUR; the programme's yearly budget when left out")] = None,
    key: Key = None,
) -> None:
    """Open an energy budget year."""
    session = _session(context)
    body: dict[str, Any] = {"year": year} if envelope is None else {"year": year, "envelope": envelope}
    opened = session.platform.energy.open_budget_year(body, idempotency_key=key)
    show(session.console, session.as_json, opened, ["year", "envelope", "committed", "available"])


@programme.command("open-call")
@handled
def open_call(context: typer.Context, year: int, file: Path, key: Key = None) -> None:
    """Open a call of a budget year from a JSON file (title, opens_on, closes_on, ...)."""
    session = _session(context)
    call = session.platform.energy.open_call(year, _body(file), idempotency_key=key)
    show(session.console, session.as_json, call, ["id", "title", "opens_on", "closes_on"])


@programme.command("register-applicant")
@handled
def register_applicant(context: typer.Context, file: Path, key: Key = None) -> None:
    """Register a sheltered or social workshop and its sites from a JSON file."""
    session = _session(context)
    applicant = session.platform.energy.register_applicant(_body(file), idempotency_key=key)
    show(session.console, session.as_json, applicant, ["id", "enterprise_number", "name", "workshop_type"])


@applications.command("submit")
@handled
def submit_application(context: typer.Context, file: Path, key: Key = None) -> None:
    """Submit an application from a JSON file; plausibility warnings come back with it."""
    session = _session(context)
    application = session.platform.energy.submit_application(_body(file), idempotency_key=key)
    show(session.console, session.as_json, application, ["id", "status", "requested_amount", "gge"])


@applications.command("approve")
@handled
def approve_application(context: typer.Context, application_id: str, key: Key = None) -> None:
    """Approve (four eyes): the budget is committed, or the application waits in line."""
    session = _session(context)
    application = session.platform.energy.approve_application(application_id, idempotency_key=key)
    show(session.console, session.as_json, application, ["id", "status", "committed_amount", "decided_by"])


@investees.command("register")
@handled
def register_investee(context: typer.Context, file: Path, key: Key = None) -> None:
    """Register an investee from a JSON file (enterprise_number, name, legal_form, sector)."""
    session = _session(context)
    investee = session.platform.trividend.register_investee(_body(file), idempotency_key=key)
    show(session.console, session.as_json, investee, ["id", "enterprise_number", "name", "legal_form"])


@participations.command("propose")
@handled
def propose(context: typer.Context, file: Path, key: Key = None) -> None:
    """Propose an investment to the committee from a JSON file."""
    session = _session(context)
    proposal = session.platform.trividend.propose_investment(_body(file), idempotency_key=key)
    show(session.console, session.as_json, proposal, ["id", "investee_id", "instrument", "amount", "status"])


@participations.command("approve")
@handled
def approve_proposal(
    context: typer.Context,
    proposal_id: str,
    reason: Annotated[str | None, typer.Option(help="e.g. the committee's date")] = None,
    key: Key = None,
) -> None:
    """The investment committee approves a proposal (not its proposer); the amount is committed."""
    session = _session(context)
    proposal = session.platform.trividend.approve_proposal(proposal_id, reason=reason, idempotency_key=key)
    show(session.console, session.as_json, proposal, ["id", "status", "amount", "decided_by"])


def main() -> None:
    app()
