"""The portfolio's API at its edges: bad input, roles, an unfinished quarter, progress, and the export CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from shared.contracts.topics import PORTFOLIO_EVENTS
from shared.platform.database import transaction

from services.portfolio.models import PortfolioExport
from services.portfolio.service import exports
from tests.integration.sifo.conftest import Sifo, loan_body
from tests.portfolio_book import Portfolio
from tests.support import TEST_SECRET, count, enterprise_number

pytestmark = pytest.mark.integration


def problem(
    portfolio: Portfolio, method: str, url: str, headers: dict[str, str], status: int, json: object = None
) -> dict[str, str]:
    response = portfolio.client.request(method, url, headers=headers, json=json)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, str] = response.json()
    return body


def test_bad_questions_are_refused_with_a_problem_naming_the_field(portfolio: Portfolio) -> None:
    assert "on" in problem(portfolio, "GET", "/positions?on=1999-12-31", portfolio.manager, 422)["detail"]
    assert "on" in problem(portfolio, "GET", "/positions?on=2026-02-30", portfolio.manager, 422)["detail"]
    detail = problem(portfolio, "GET", "/positions?on=2026-01-01&enterprise_number=0200065766", portfolio.manager, 422)
    assert "enterprise_number" in detail["detail"]
    problem(portfolio, "GET", "/positions?on=2026-01-01&limit=501", portfolio.manager, 422)
    forged = problem(
        portfolio, "GET", "/positions?on=2026-01-01&cursor=cDo5MjIzMzcyMDM2ODU0Nzc1ODA4", portfolio.manager, 422
    )
    assert forged["detail"].startswith("cursor: ")
    missing = problem(
        portfolio, "GET", f"/enterprises/{enterprise_number(7)}/exposure?on=2026-06-30", portfolio.manager, 404
    )
    assert enterprise_number(7) in missing["detail"]
    assert (
        "quarter" in problem(portfolio, "POST", "/exports", portfolio.backoffice, 422, {"quarter": "2026Q5"})["detail"]
    )
    problem(portfolio, "POST", "/exports", portfolio.backoffice, 422, {"quarter": "2026Q1", "format": "pdf"})
    assert (
        "9999Q4" in problem(portfolio, "POST", "/exports", portfolio.backoffice, 422, {"quarter": "9999Q4"})["detail"]
    )
    replay = "/admin/parked-events/replay"
    problem(portfolio, "POST", replay, portfolio.backoffice, 422, {"ids": [9223372036854775808]})
    problem(portfolio, "POST", replay, portfolio.backoffice, 422, {"ids": [0]})
    problem(portfolio, "GET", "/exports/does-not-exist", portfolio.auditor, 404)
    problem(portfolio, "GET", "/exports/does-not-exist/files/loans.csv", portfolio.auditor, 404)
    problem(portfolio, "GET", "/exports/x/files/..%2Fsecrets", portfolio.auditor, 404)
    assert count(portfolio.engine, PortfolioExport) == 0


def test_a_quarter_is_exported_only_once_it_has_ended_and_only_by_back_office_or_auditors(portfolio: Portfolio) -> None:
    portfolio.app.state.clock.set_day("2026-09-30")
    early = problem(portfolio, "POST", "/exports", portfolio.backoffice, 409, {"quarter": "2026Q3"})
    assert early["detail"].startswith("quarter 2026Q3 ends on 2026-09-30")
    problem(portfolio, "POST", "/exports", portfolio.manager, 403, {"quarter": "2026Q2"})
    problem(portfolio, "GET", "/exports", portfolio.manager, 403)
    assert count(portfolio.engine, PortfolioExport) == 0

    portfolio.app.state.clock.set_day("2026-10-01")
    done = portfolio.ok("POST", "/exports", portfolio.auditor, {"quarter": "2026Q3"}, 202)
    listed = portfolio.items("/exports?quarter=2026Q3", portfolio.backoffice)
    assert [item["id"] for item in listed] == [done["id"]]
    [status] = listed
    assert (status["status"], status["progress"], status["requested_by"]) == ("done", 100, "guy@audit.example")
    names = {item["name"] for item in status["files"]}
    assert {"loans.csv", "portfolio.json", "portfolio-2026Q3.xlsx", "manifest.json", "composition.png"} <= names


def test_progress_is_reported_as_the_export_runs(sifo: Sifo, portfolio: Portfolio) -> None:
    sifo.on("2026-02-02")
    financier = sifo.financier(recognised_from="2025-01-01")
    sifo.drawing_right(financier["id"])
    for n in range(3):
        body = loan_body(
            financier["id"],
            borrower={
                "enterprise_number": enterprise_number(60 + n),
                "name": f"Werkplaats {n}",
                "target_group_vte": "2",
            },
            submitted_on="2026-02-02",
        )
        loan = sifo.ok("POST", "/loans", sifo.manager, body, 201)
        sifo.ok("POST", f"/loans/{loan['id']}/approval", sifo.approver, {})
    portfolio.catch_up([sifo.engine])
    with transaction(portfolio.engine) as session:
        export = exports.request_export(session, "2026Q1", "test", date(2026, 4, 1), datetime.now(UTC))
    seen: list[int] = []
    exports.run_export(
        portfolio.engine, export.id, portfolio.settings.book, portfolio.settings.topic(PORTFOLIO_EVENTS), seen.append
    )
    assert seen == sorted(seen)
    assert seen[-1] == 100
    assert len(seen) > 8
    with Session(portfolio.engine) as session:
        stored = exports.get_export(session, export.id)
        assert (stored.status, stored.progress) == ("done", 100)
    # Running it again is a no-op: only the caller that claimed the queued export runs it.
    exports.run_export(portfolio.engine, export.id, portfolio.settings.book, "unused", seen.append)
    assert seen[-1] == 100


def test_the_cli_exports_a_quarter_with_a_progress_bar_and_writes_its_files(
    portfolio: Portfolio, tmp_path: Path
) -> None:
    environment = {
        **os.environ,
        "PORTFOLIO_DATABASE_URL": portfolio.settings.effective_database_url,
        "PORTFOLIO_KAFKA_BOOTSTRAP_SERVERS": portfolio.settings.kafka_bootstrap_servers,
        "PORTFOLIO_TOPIC_PREFIX": portfolio.settings.topic_prefix,
        "PORTFOLIO_JWT_SECRET": TEST_SECRET,
        "PORTFOLIO_ENVIRONMENT": "test",
    }
    result = subprocess.run(
        [sys.executable, "-m", "services.portfolio", "export", "2025Q4", "--out", str(tmp_path)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "100%" in result.stderr
    written = sorted(path.name for path in (tmp_path / "2025Q4").iterdir())
    assert "manifest.json" in written
    assert "loans.csv" in written
    assert (tmp_path / "2025Q4" / "loans.csv").read_text().startswith("instrument,loan_id,enterprise_number,")
    with Session(portfolio.engine) as session:
        [cli_export] = exports.list_exports(session, "2025Q4", 10, 0)
    assert (cli_export.requested_by, cli_export.status) == ("cli", "done")
