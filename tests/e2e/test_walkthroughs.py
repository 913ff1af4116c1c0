"""Every walk-through of docs/walkthroughs.md, step by step, with the installed `sefund` command against the
processes `make run` starts: each service's API, relay, scheduler or consumer, on PostgreSQL and Kafka.

Dates are relative to today's business date, as a person trying the walk-through today would write them.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from shared.platform.business_date import business_today

from tests.bank_statements import BankLine, camt053
from tests.e2e.running_stack import CommandLine, RunningStack, running_stack
from tests.integration.energy.conftest import application_body
from tests.support import VALID_FINANCIER, enterprise_number

pytestmark = pytest.mark.integration

TODAY = business_today()
START = TODAY.replace(day=1) + relativedelta(months=1)


@pytest.fixture(scope="module")
def stack(postgres_server_url: str, kafka_bootstrap: str) -> Iterator[RunningStack]:
    with (
        tempfile.TemporaryDirectory(prefix="sef-stack-") as var,
        running_stack(postgres_server_url, kafka_bootstrap, Path(var)) as running,
    ):
        yield running


@pytest.fixture
def sefund(stack: RunningStack, tmp_path: Path) -> CommandLine:
    return CommandLine(stack, tmp_path)


def financier_body(enterprise_number: str, name: str, iban: str) -> dict[str, str]:
    return {
        **VALID_FINANCIER,
        "enterprise_number": enterprise_number,
        "name": name,
        "iban": iban,
        "recognised_from": f"{TODAY.year - 1}-01-01",
        "recognised_until": f"{TODAY.year + 4}-12-31",
    }


def loan_body(financier_id: str | None, enterprise_number: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "borrower": {"enterprise_number": enterprise_number, "name": "Kringwinkel vzw", "target_group_vte": "12.50"},
        "loan_type": "investment",
        "total_credit": "300000.00",
        "sifo_share": "200000.00",
        "terms": {"start_date": START.isoformat(), "periods": 84},
        "rating": "satisfactory",
        "collateral": "normal",
    }
    return body if financier_id is None else {"financier_id": financier_id, **body}


def allocate(sefund: CommandLine, token: str, financier_id: str) -> dict[str, Any]:
    right: dict[str, Any] = sefund.json(
        token,
        "drawing-rights",
        "allocate",
        financier_id,
        str(TODAY.year),
        "1000000.00",
        f"{TODAY.year}-01-01",
        f"{TODAY.year + 1}-12-31",
    )
    return right


def test_a_sifo_loan_goes_from_registration_to_payout_and_the_auditor_follows_it(sefund: CommandLine) -> None:
    manager = sefund.token("alice@pmv.example", "fund_manager")
    approver = sefund.token("bob@pmv.example", "approver")
    backoffice = sefund.token("chris@pmv.example", "backoffice")
    auditor = sefund.token("guy@audit.example", "auditor")

    hefboom = sefund.file("hefboom.json", financier_body("0403.170.701", "Hefboom cvba", "BE68 5390 0754 7034"))
    financier = sefund.json(manager, "financiers", "register", hefboom, "--key", "crm-financier-17")
    again = sefund.json(manager, "financiers", "register", hefboom, "--key", "crm-financier-17")
    assert again == financier, "the same key answers the first answer again"
    assert financier["id"] in [row["id"] for row in sefund.json(manager, "financiers", "list")]
    right = allocate(sefund, manager, financier["id"])
    assert (right["fund_year"], right["allocated"]) == (TODAY.year, "1000000.00")

    loan = sefund.json(manager, "loans", "submit", sefund.file("loan.json", loan_body(financier["id"], "0200.065.765")))
    assert loan["status"] == "submitted"
    approved = sefund.json(approver, "loans", "approve", loan["id"], "--drawing-right-id", right["id"])
    assert approved["status"] == "approved"

    decision = sefund.json(backoffice, "loans", "disburse", loan["id"], "--on", START.isoformat())
    assert decision["id"] in [row["id"] for row in sefund.json(approver, "decisions", "inbox")]
    assert decision["id"] not in [row["id"] for row in sefund.json(backoffice, "decisions", "inbox")], (
        "the preparer may not decide it"
    )
    assert sefund.json(approver, "decisions", "approve", decision["id"])["status"] == "approved"

    assert loan["id"] in [row["id"] for row in sefund.json(auditor, "loans", "list", "--status", "disbursed")]
    table = sefund.ok(manager, "loans", "show", loan["id"], "--as-of", (START + timedelta(days=29)).isoformat())
    assert "Schedule" in table
    assert "84 shown" in table
    [created] = sefund.json(auditor, "audit", "trail", "sifo_financier", "--object-id", financier["id"])
    assert (created["action"], created["actor"]) == ("insert", "alice@pmv.example")
    changes = sefund.json(auditor, "audit", "trail", "sifo_loan")
    assert {entry["object_id"] for entry in changes} >= {loan["id"]}
    refused = sefund.run(backoffice, "audit", "trail", "sifo_financier")
    assert refused.returncode == 1
    assert "403" in refused.stdout + refused.stderr


def test_a_financier_submits_and_sees_only_its_own_loans(sefund: CommandLine) -> None:
    manager = sefund.token("alice@pmv.example", "fund_manager")
    own = sefund.json(
        manager,
        "financiers",
        "register",
        sefund.file("own.json", financier_body(enterprise_number(301), "Eigen financier", "BE71 0961 2345 6769")),
    )
    other = sefund.json(
        manager,
        "financiers",
        "register",
        sefund.file("other.json", financier_body(enterprise_number(302), "Andere financier", "BE62 5100 0754 7061")),
    )
    for financier in (own, other):
        allocate(sefund, manager, financier["id"])
    bank = sefund.token("kredietdesk@eigen.example", "financier", "--financier-id", own["id"])

    mine = sefund.json(bank, "loans", "submit", sefund.file("mine.json", loan_body(None, enterprise_number(303))))
    assert mine["financier_id"] == own["id"], "no financier_id needed: the token's"
    theirs_file = sefund.file("theirs.json", loan_body(other["id"], enterprise_number(304)))
    theirs = sefund.json(manager, "loans", "submit", theirs_file)
    assert [row["id"] for row in sefund.json(bank, "loans", "list")] == [mine["id"]]
    assert {mine["id"], theirs["id"]} <= {row["id"] for row in sefund.json(manager, "loans", "list")}
    assert [row["id"] for row in sefund.json(bank, "financiers", "list")] == [own["id"]]


def test_the_back_office_imports_a_statement_works_its_review_queue_and_reads_the_runs(sefund: CommandLine) -> None:
    backoffice = sefund.token("chris@pmv.example", "backoffice")
    yesterday = TODAY - timedelta(days=1)
    unknown_payer = BankLine(yesterday, Decimal("1250.00"), counterparty_iban="BE71096123456769")
    statement = sefund.workdir / "camt053.xml"
    statement.write_bytes(camt053("BE68539007547034", "walk-062", yesterday, [unknown_payer]))

    report = sefund.json(backoffice, "statements", "import", str(statement), "--key", "statement-walk-062")
    assert report["lines"] == {"review": 1}
    again = sefund.json(backoffice, "statements", "import", str(statement), "--key", "statement-walk-062")
    assert again == report, "a rerun changes nothing"
    [line] = [row for row in sefund.json(backoffice, "statements", "lines") if row["amount"] == "1250.00"]
    assert line["status"] == "review"
    deadline = time.monotonic() + 60
    while not (runs := sefund.json(backoffice, "runs", "list", "--job", "due-run")):
        assert time.monotonic() < deadline, "the scheduler has not run the due run within a minute"
        time.sleep(1)
    assert {run["job"] for run in runs} == {"due-run"}


def test_a_refused_request_is_a_readable_problem_and_a_broken_file_a_usage_error(sefund: CommandLine) -> None:
    manager = sefund.token("alice@pmv.example", "fund_manager")
    bad_iban = sefund.file("bad.json", {**financier_body(enterprise_number(305), "Fout", "BE00 0000 0000 0000")})
    refused = sefund.run(manager, "financiers", "register", bad_iban)
    assert refused.returncode == 1
    assert "422 The request is not valid" in refused.stdout + refused.stderr
    assert "iban" in refused.stdout + refused.stderr
    assert "request id" in refused.stdout + refused.stderr
    broken = sefund.workdir / "broken.json"
    broken.write_text("{not json")
    usage = sefund.run(manager, "loans", "submit", str(broken))
    assert usage.returncode == 2
    assert "not JSON" in usage.stdout + usage.stderr


def test_the_energy_programme_opens_a_year_and_a_call_and_an_application_is_approved(sefund: CommandLine) -> None:
    manager = sefund.token("an@wse.example", "fund_manager")
    approver = sefund.token("bert@pfv.example", "approver")
    year = sefund.json(manager, "energy", "open-year", str(TODAY.year), "--key", f"year-{TODAY.year}")
    assert (year["year"], year["envelope"]) == (TODAY.year, "5000000.00")
    call = sefund.json(
        manager,
        "energy",
        "open-call",
        str(TODAY.year),
        sefund.file(
            "call.json",
            {"title": "Oproep", "opens_on": TODAY.isoformat(), "closes_on": (TODAY + timedelta(days=90)).isoformat()},
        ),
    )
    applicant = sefund.json(
        manager,
        "energy",
        "register-applicant",
        sefund.file(
            "applicant.json",
            {
                "enterprise_number": "0200.065.765",
                "name": "Maatwerkbedrijf Oost vzw",
                "workshop_type": "sheltered",
                "recognition_number": "BW-123",
                "sites": [{"name": "Gent", "address": "Dok Noord 1, 9000 Gent", "yearly_energy_need_kwh": "250000"}],
            },
        ),
    )
    application_file = sefund.file("application.json", application_body(call, applicant))
    application = sefund.json(manager, "applications", "submit", application_file, "--key", "app-1")
    assert application["status"] == "submitted"
    approved = sefund.json(approver, "applications", "approve", application["id"])
    assert (approved["status"], approved["committed_amount"]) == ("approved", "100000.00")
    [listed] = sefund.json(manager, "applications", "list", "--enterprise-number", "0200.065.765")
    assert listed["id"] == application["id"]
    assert sefund.json(manager, "applications", "list", "--status", "submitted") == []
    headroom = sefund.json(manager, "aid", "headroom", "0200.065.765")
    assert Decimal(headroom["used"]) + Decimal(headroom["available"]) == Decimal(headroom["ceiling"])


def test_trividend_registers_an_investee_and_the_committee_approves_a_participation(sefund: CommandLine) -> None:
    manager = sefund.token("dirk@trividend.example", "fund_manager")
    committee = sefund.token("els@trividend.example", "approver")
    investee = sefund.json(
        manager,
        "investees",
        "register",
        sefund.file(
            "investee.json",
            {
                "enterprise_number": "0403.170.701",
                "name": "De Ateliers cv",
                "legal_form": "cooperative",
                "sector": "circular economy",
            },
        ),
        "--key",
        "inv-1",
    )
    proposal = sefund.json(
        manager,
        "participations",
        "propose",
        sefund.file(
            "proposal.json",
            {"investee_id": investee["id"], "instrument": "equity", "amount": "150000.00", "rationale": "growth"},
        ),
    )
    assert proposal["status"] == "proposed"
    assert sefund.run(manager, "participations", "approve", proposal["id"]).returncode == 1, "not the committee"
    approved = sefund.json(committee, "participations", "approve", proposal["id"], "--reason", "committee")
    assert approved["status"] == "approved"
    [listed] = sefund.json(manager, "participations", "proposals", "--status", "approved")
    assert listed["id"] == proposal["id"]
    participation = sefund.json(manager, "participations", "show", proposal["id"])
    assert (participation["committed"], participation["status"]) == ("150000.00", "open")


def test_the_back_office_requests_and_downloads_a_quarterly_export(sefund: CommandLine) -> None:
    backoffice = sefund.token("chris@pmv.example", "backoffice")
    last_quarter = date(TODAY.year, 3 * ((TODAY.month - 1) // 3) + 1, 1) - timedelta(days=1)
    quarter = f"{last_quarter.year}Q{(last_quarter.month - 1) // 3 + 1}"
    export = sefund.json(backoffice, "exports", "request", quarter, "--key", f"export-{quarter}")
    assert (export["quarter"], export["status"]) == (quarter, "done")
    target = sefund.workdir / "export"
    written = sefund.json(backoffice, "exports", "download", export["id"], "--directory", str(target))
    assert {item["name"] for item in written} == {item["name"] for item in export["files"]}
    assert all((target / item["name"]).stat().st_size == item["bytes"] > 0 for item in written)
