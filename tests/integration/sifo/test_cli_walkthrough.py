"""The SIFO walk-throughs of docs/walkthroughs.md, run through the `sefund` command line against SIFO on PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sefund.cli import app as cli
from shared.platform.auth import Role

from tests.bank_statements import BankLine, camt053
from tests.command_line import command_line, run, token_of
from tests.integration.sifo.conftest import Sifo as SifoService
from tests.integration.sifo.conftest import loan_body
from tests.support import TEST_SECRET, VALID_FINANCIER, bearer

pytestmark = pytest.mark.integration


@pytest.fixture
def sefund(sifo: SifoService, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The command line, its SIFO calls answered by the service under test."""
    return command_line(monkeypatch, {"sifo": sifo.client})


def test_fund_manager_approver_and_back_office_take_a_loan_to_payout_through_the_cli(
    sifo: SifoService, sefund: CliRunner, tmp_path: Path
) -> None:
    financier_file = tmp_path / "financier.json"
    financier_file.write_text(json.dumps(VALID_FINANCIER))
    financier = run(sefund, sifo.manager, "financiers", "register", str(financier_file), "--key", "walk-1")
    assert run(sefund, sifo.manager, "financiers", "register", str(financier_file), "--key", "walk-1") == financier
    assert [row["id"] for row in run(sefund, sifo.manager, "financiers", "list")] == [financier["id"]]

    right = run(
        sefund,
        sifo.manager,
        "drawing-rights",
        "allocate",
        financier["id"],
        "2026",
        "1000000.00",
        "2026-01-01",
        "2026-12-31",
    )
    sifo.on("2026-03-02")
    loan_file = tmp_path / "loan.json"
    loan_file.write_text(json.dumps(loan_body(financier["id"])))
    loan = run(sefund, sifo.manager, "loans", "submit", str(loan_file))
    assert loan["status"] == "submitted"

    sifo.on("2026-03-10")
    approved = run(sefund, sifo.approver, "loans", "approve", loan["id"], "--drawing-right-id", right["id"])
    assert approved["status"] == "approved"
    decision = run(sefund, sifo.backoffice, "loans", "disburse", loan["id"], "--on", "2026-04-01")
    assert [row["id"] for row in run(sefund, sifo.approver, "decisions", "inbox")] == [decision["id"]]
    assert run(sefund, sifo.backoffice, "decisions", "inbox") == [], "the preparer may not decide it"
    assert run(sefund, sifo.approver, "decisions", "approve", decision["id"])["status"] == "approved"
    auditor = bearer(sifo.settings, "guy@audit.example", Role.AUDITOR)
    assert [row["id"] for row in run(sefund, auditor, "loans", "list", "--status", "disbursed")] == [loan["id"]]
    table = sefund.invoke(
        cli.app, ["--token", token_of(sifo.manager), "loans", "show", loan["id"], "--as-of", "2026-04-30"]
    )
    assert table.exit_code == 0, table.output
    assert "Schedule" in table.output
    assert "84 shown" in table.output


def test_a_refused_request_is_shown_as_a_readable_problem(sifo: SifoService, sefund: CliRunner, tmp_path: Path) -> None:
    financier_file = tmp_path / "financier.json"
    financier_file.write_text(json.dumps({**VALID_FINANCIER, "iban": "BE00 0000 0000 0000"}))
    result = sefund.invoke(cli.app, ["--token", token_of(sifo.manager), "financiers", "register", str(financier_file)])
    assert result.exit_code == 1
    assert "422 The request is not valid" in result.output
    assert "iban" in result.output
    assert "request id" in result.output


def test_a_financier_submits_and_sees_only_its_own_loans_through_the_cli(
    sifo: SifoService, sefund: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JWT_SECRET", TEST_SECRET)
    own = sifo.financier()
    other = sifo.financier(enterprise_number="0200.065.765", name="Andere financier")
    for financier in (own, other):
        sifo.drawing_right(financier["id"])
    minted = sefund.invoke(
        cli.app,
        ["token", "--subject", "kredietdesk@hefboom.example", "--role", "financier", "--financier-id", own["id"]],
    )
    assert minted.exit_code == 0, minted.output
    bank = {"Authorization": f"Bearer {minted.output.strip()}"}

    sifo.on("2026-03-02")
    loan_file = tmp_path / "loan.json"
    loan_file.write_text(
        json.dumps({key: value for key, value in loan_body(own["id"]).items() if key != "financier_id"})
    )
    mine = run(sefund, bank, "loans", "submit", str(loan_file))
    sifo.ok("POST", "/loans", sifo.manager, loan_body(other["id"]), 201)
    assert [row["id"] for row in run(sefund, bank, "loans", "list")] == [mine["id"]]
    assert len(run(sefund, sifo.manager, "loans", "list")) == 2
    assert [row["id"] for row in run(sefund, bank, "financiers", "list")] == [own["id"]]


def test_the_back_office_imports_a_statement_and_works_its_review_queue_and_the_auditor_reads_the_trail(
    sifo: SifoService, sefund: CliRunner, tmp_path: Path
) -> None:
    financier = sifo.financier()
    sifo.on("2026-03-03")
    unknown_payer = BankLine(date(2026, 3, 2), Decimal("1250.00"), counterparty_iban="BE71096123456769")
    statement = tmp_path / "camt053.xml"
    statement.write_bytes(camt053("BE68539007547034", "2026-062", date(2026, 3, 2), [unknown_payer]))

    report = run(sefund, sifo.backoffice, "statements", "import", str(statement), "--key", "statement-2026-062")
    assert report["lines"] == {"review": 1}
    again = run(sefund, sifo.backoffice, "statements", "import", str(statement), "--key", "statement-2026-062")
    assert again == report, "the same key answers the same report"
    [line] = run(sefund, sifo.backoffice, "statements", "lines")
    assert (line["amount"], line["status"]) == ("1250.00", "review")

    auditor = bearer(sifo.settings, "guy@audit.example", Role.AUDITOR)
    [entry] = run(sefund, auditor, "audit", "trail", "sifo_financier", "--object-id", financier["id"])
    assert (entry["action"], entry["actor"]) == ("insert", "alice@pmv.example")
    refused = sefund.invoke(cli.app, ["--token", token_of(sifo.backoffice), "audit", "trail", "sifo_financier"])
    assert refused.exit_code == 1
    assert "403" in refused.output


def test_a_file_that_is_not_a_json_object_is_a_usage_error(
    sifo: SifoService, sefund: CliRunner, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = sefund.invoke(cli.app, ["--token", token_of(sifo.manager), "loans", "submit", str(broken)])
    assert result.exit_code == 2
    assert "not JSON" in result.output
