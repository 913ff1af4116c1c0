"""SIFO's rules through the API: four eyes, financier isolation, limits, bad input writes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, func, select

from shared.eventbus.tables import OutboxMessage
from shared.platform.auth import Role

from services.sifo.jobs import EXPIRE_DRAWING_RIGHTS, JOBS
from services.sifo.models import SifoDrawingRight, SifoLoan
from tests.integration.sifo.conftest import Sifo, loan_body
from tests.support import bearer, count

pytestmark = pytest.mark.integration


def outbox_rows(sifo: Sifo) -> int:
    with Session(sifo.engine) as session:
        return int(session.exec(select(func.count()).select_from(OutboxMessage)).one())


def approved_loan(sifo: Sifo) -> tuple[dict[str, Any], str]:
    financier = sifo.financier()
    sifo.drawing_right(financier["id"])
    loan = sifo.ok("POST", "/loans", sifo.manager, loan_body(financier["id"]), 201)
    sifo.on("2026-03-10")
    sifo.ok("POST", f"/loans/{loan['id']}/approval", sifo.approver, {})
    return financier, loan["id"]


def test_the_submitter_may_not_approve_their_own_loan(sifo: Sifo) -> None:
    financier = sifo.financier()
    sifo.drawing_right(financier["id"])
    both = bearer(sifo.settings, "dana@pmv.example", Role.FUND_MANAGER, Role.APPROVER)
    loan = sifo.ok("POST", "/loans", both, loan_body(financier["id"]), 201)
    sifo.on("2026-03-10")
    refused = sifo.client.post(f"/loans/{loan['id']}/approval", headers=both, json={})
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "dana@pmv.example prepared this loan submission and may not also approve it (four-eyes rule)"
    )
    assert sifo.ok("GET", f"/loans/{loan['id']}", both)["status"] == "submitted"
    sifo.on("2026-03-10")
    sifo.ok("POST", f"/loans/{loan['id']}/approval", sifo.approver, {})


def test_the_preparer_of_a_disbursement_may_not_approve_it(sifo: Sifo) -> None:
    _, loan_id = approved_loan(sifo)
    both = bearer(sifo.settings, "erik@pmv.example", Role.BACKOFFICE, Role.APPROVER)
    decision = sifo.ok("POST", f"/loans/{loan_id}/disbursement", both, {"disbursed_on": "2026-04-01"}, 201)
    refused = sifo.client.post(f"/decisions/{decision['id']}/approval", headers=both)
    assert refused.status_code == 403
    assert "four-eyes" in refused.json()["detail"]
    assert sifo.ok("GET", f"/loans/{loan_id}", sifo.manager)["status"] == "approved"
    sifo.ok("POST", f"/decisions/{decision['id']}/approval", sifo.approver)
    assert sifo.ok("GET", f"/loans/{loan_id}", sifo.manager)["status"] == "disbursed"
    again = sifo.client.post(
        f"/loans/{loan_id}/disbursement", headers=sifo.manager, json={"disbursed_on": "2026-04-02"}
    )
    assert again.status_code == 409


def test_a_financier_sees_and_touches_only_its_own_rights_and_loans(sifo: Sifo) -> None:
    mine = sifo.financier()
    theirs = sifo.financier(enterprise_number="0200.065.765", name="Trividend cvba")
    my_right = sifo.drawing_right(mine["id"])
    their_right = sifo.drawing_right(theirs["id"])
    their_loan = sifo.ok("POST", "/loans", sifo.manager, loan_body(theirs["id"]), 201)
    token = sifo.financier_token(mine["id"])

    my_loan = sifo.ok("POST", "/loans", token, {**loan_body(mine["id"]), "financier_id": None}, 201)
    assert my_loan["financier_id"] == mine["id"]
    for url in (
        f"/drawing-rights/{their_right['id']}",
        f"/loans/{their_loan['id']}",
        f"/loans/{their_loan['id']}/position",
        f"/financiers/{theirs['id']}",
    ):
        hidden = sifo.client.get(url, headers=token)
        assert hidden.status_code == 404, url
        assert "not found" in hidden.json()["detail"]
    foreign = sifo.client.post("/loans", headers=token, json=loan_body(theirs["id"]))
    assert foreign.status_code == 404
    assert [row["id"] for row in sifo.items("/drawing-rights", token)] == [my_right["id"]]
    assert [row["id"] for row in sifo.items("/loans", token)] == [my_loan["id"]]
    assert len(sifo.items("/loans", sifo.manager)) == 2


BAD_LOANS = [
    (
        {"borrower": {"enterprise_number": "0200.065.766", "name": "X", "target_group_vte": "1.00"}},
        "borrower.enterprise_number",
        "mod-97",
    ),
    ({"sifo_share": "200000.01"}, "sifo_share", "200000.01 exceeds two thirds of total_credit 300000.00"),
    ({"total_credit": "600000.00", "sifo_share": "400000.00"}, "sifo_share", "exceeds the per-loan maximum 350000.00"),
    (
        {"terms": {"start_date": "2026-04-01", "periods": 11, "frequency": "annual"}},
        "terms.periods",
        "a term of 132 months exceeds the maximum of 120 months",
    ),
    ({"sifo_share": "-5.00"}, "sifo_share", "greater than 0"),
    ({"total_credit": "300000.005"}, "total_credit", "2 decimal places"),
    ({"submitted_on": "2031-01-02"}, "submitted_on", "outside the financier's recognition"),
    ({"loan_type": "mortgage"}, "loan_type", "investment"),
    ({"rate_override": {"rate": "0.01", "reason": ""}}, "rate_override.reason", "at least 1 character"),
]


@pytest.mark.parametrize(("change", "field", "rule"), BAD_LOANS)
def test_bad_loans_are_refused_naming_the_field_and_nothing_is_written(
    sifo: Sifo, change: dict[str, Any], field: str, rule: str
) -> None:
    financier = sifo.financier()
    before = outbox_rows(sifo)
    response = sifo.client.post("/loans", headers=sifo.manager, json=loan_body(financier["id"], **change))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith(f"{field}: ")
    assert rule in response.json()["detail"]
    assert count(sifo.engine, SifoLoan) == 0
    assert outbox_rows(sifo) == before


def test_limits_may_be_exceeded_with_a_committee_reference(sifo: Sifo) -> None:
    financier = sifo.financier()
    body = loan_body(
        financier["id"],
        total_credit="600000.00",
        sifo_share="400000.00",
        terms={"start_date": "2026-04-01", "periods": 144},
        committee_reference="SC-2026-014",
    )
    loan = sifo.ok("POST", "/loans", sifo.manager, body, 201)
    assert loan["committee_reference"] == "SC-2026-014"


def test_bad_identifiers_and_windows_elsewhere(sifo: Sifo) -> None:
    financier = sifo.financier()
    bad_iban = sifo.client.post(
        "/financiers", headers=sifo.manager, json={**loan_free_financier(), "iban": "BE00 0000 0000 0000"}
    )
    assert bad_iban.status_code == 422
    assert bad_iban.json()["detail"].startswith("iban: ")
    outside = sifo.client.post(
        f"/financiers/{financier['id']}/drawing-rights",
        headers=sifo.manager,
        json={"fund_year": 2031, "amount": "1000.00", "valid_from": "2031-01-01", "valid_until": "2031-12-31"},
    )
    assert outside.status_code == 422
    assert outside.json()["detail"].startswith("valid_from: 2031-01-01 is outside the financier's recognition")
    assert count(sifo.engine, SifoDrawingRight) == 0


def loan_free_financier() -> dict[str, str]:
    return {
        "enterprise_number": "0200.065.765",
        "name": "Trividend cvba",
        "iban": "BE68 5390 0754 7034",
        "recognised_from": "2026-01-01",
    }


def test_an_allocation_is_never_lowered_below_what_is_committed(sifo: Sifo) -> None:
    _, loan_id = approved_loan(sifo)
    right_id = sifo.ok("GET", f"/loans/{loan_id}", sifo.manager)["drawing_right_id"]
    refused = sifo.client.post(
        f"/drawing-rights/{right_id}/allocation",
        headers=sifo.manager,
        json={"allocated": "150000.00", "reason": "budget cut"},
    )
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        "allocated: 150000.00 is below what is already reserved, drawn or released "
        "(200000.00: reserved 200000.00, drawn 0.00, released 0.00)"
    )
    lowered = sifo.ok(
        "POST",
        f"/drawing-rights/{right_id}/allocation",
        sifo.manager,
        {"allocated": "200000.00", "reason": "budget cut"},
    )
    assert lowered["available"] == "0.00"


def test_de_minimis_headroom_is_enforced_at_approval(sifo: Sifo) -> None:
    financier = sifo.financier()
    sifo.drawing_right(financier["id"], amount="5000000.00")
    body = loan_body(
        financier["id"],
        total_credit="4500000.00",
        sifo_share="3000000.00",
        rate_override={"rate": "0", "reason": "interest-free pilot"},
        committee_reference="SC-1",
    )
    loan = sifo.ok("POST", "/loans", sifo.manager, body, 201)
    sifo.on("2026-03-10")
    refused = sifo.client.post(f"/loans/{loan['id']}/approval", headers=sifo.approver, json={})
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["ceiling"] == "300000.00"
    assert problem["used"] == "0.00"
    assert problem["detail"].startswith(f"gge {problem['gge']} exceeds the de minimis headroom 300000.00")
    assert sifo.ok("GET", f"/loans/{loan['id']}", sifo.manager)["status"] == "submitted"


def test_expiry_releases_what_is_left_once(sifo: Sifo) -> None:
    _, loan_id = approved_loan(sifo)
    right_id = sifo.ok("GET", f"/loans/{loan_id}", sifo.manager)["drawing_right_id"]
    expire = JOBS[EXPIRE_DRAWING_RIGHTS]
    assert expire(sifo.settings, date(2026, 12, 31)).endswith("drawing rights expired 0")
    assert expire(sifo.settings, date(2027, 1, 1)).endswith("drawing rights expired 1")
    again = expire(sifo.settings, date(2027, 1, 1))
    assert "already completed" in again
    assert again.endswith("nothing done")
    right = sifo.ok("GET", f"/drawing-rights/{right_id}", sifo.manager)
    assert (right["status"], right["reserved"], right["released"], right["available"]) == (
        "expired",
        "200000.00",
        "800000.00",
        "0.00",
    )
