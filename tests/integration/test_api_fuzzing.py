"""Every service's OpenAPI document fuzzed with schemathesis on PostgreSQL: no 5xx, every 4xx a problem document."""

from __future__ import annotations

import pytest

from shared.platform.auth import Role

from tests.integration.api_fuzz import fuzz
from tests.integration.energy.conftest import Energy, energy
from tests.integration.portfolio.conftest import portfolio
from tests.integration.sifo.conftest import Sifo, sifo
from tests.integration.sifo.test_servicing_api import disbursed
from tests.integration.trividend.conftest import Trividend, trividend
from tests.portfolio_book import Portfolio
from tests.state_aid_register import StateAid
from tests.support import bearer

__all__ = ["energy", "portfolio", "sifo", "trividend"]
pytestmark = pytest.mark.integration
STAFF = (Role.FUND_MANAGER, Role.APPROVER, Role.BACKOFFICE, Role.AUDITOR)


def assert_clean(report_failures: list[str]) -> None:
    assert not report_failures, "\n".join(report_failures)


def test_sifo_api_holds_under_fuzzing(sifo: Sifo) -> None:
    loan_id = disbursed(sifo)
    loan = sifo.ok("GET", f"/loans/{loan_id}", sifo.manager)
    rights = sifo.items("/drawing-rights", sifo.manager)
    known = {"loan_id": loan_id, "financier_id": loan["financier_id"], "right_id": rights[0]["id"]}
    report = fuzz("sifo", sifo.app, bearer(sifo.settings, "fuzz@pmv.example", *STAFF), known)
    assert_clean(report.failures)


def test_energy_api_holds_under_fuzzing(energy: Energy) -> None:
    energy.budget_year()
    call = energy.call()
    applicant = energy.applicant()
    application = energy.ok("POST", "/applications", energy.manager, energy.application_body(call, applicant), 201)
    known = {
        "year": "2026",
        "call_id": call["id"],
        "applicant_id": applicant["id"],
        "application_id": application["id"],
        "loan_id": application["id"],
    }
    report = fuzz("energy", energy.app, bearer(energy.settings, "fuzz@pfv.example", *STAFF), known)
    assert_clean(report.failures)


def test_trividend_api_holds_under_fuzzing(trividend: Trividend) -> None:
    investee = trividend.investee()
    participation = trividend.participation(investee["id"])
    known = {"investee_id": investee["id"], "participation_id": participation, "proposal_id": participation}
    report = fuzz("trividend", trividend.app, bearer(trividend.settings, "fuzz@trividend.example", *STAFF), known)
    assert_clean(report.failures)


def test_state_aid_register_holds_under_fuzzing(state_aid: StateAid) -> None:
    headers = bearer(state_aid.settings, "fuzz@pmv.example", *STAFF, Role.SERVICE)
    assert_clean(fuzz("state_aid", state_aid.app, headers).failures)


def test_portfolio_api_holds_under_fuzzing(portfolio: Portfolio) -> None:
    headers = bearer(portfolio.settings, "fuzz@pmv.example", *STAFF)
    assert_clean(fuzz("portfolio", portfolio.app, headers).failures)
