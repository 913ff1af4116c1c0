"""The approvers' inbox: every prepared decision across loans, and only those the caller may decide."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.sifo.conftest import Sifo, loan_body

pytestmark = pytest.mark.integration


def _approved_loan(sifo: Sifo, financier_id: str, borrower: str) -> str:
    body = loan_body(
        financier_id, borrower={"enterprise_number": borrower, "name": "Kringwinkel", "target_group_vte": "4"}
    )
    sifo.on("2026-03-02")
    loan = sifo.ok("POST", "/loans", sifo.manager, body, 201)
    sifo.on("2026-03-10")
    sifo.ok("POST", f"/loans/{loan['id']}/approval", sifo.approver, {})
    return str(loan["id"])


def _ids(decisions: list[dict[str, Any]]) -> list[str]:
    return [decision["id"] for decision in decisions]


def test_the_inbox_lists_prepared_decisions_oldest_first_and_leaves_out_the_callers_own(sifo: Sifo) -> None:
    financier = sifo.financier()
    sifo.drawing_right(financier["id"])
    first = _approved_loan(sifo, financier["id"], "0200.065.765")
    second = _approved_loan(sifo, financier["id"], "0403.170.701")
    by_backoffice = sifo.ok(
        "POST", f"/loans/{first}/disbursement", sifo.backoffice, {"disbursed_on": "2026-04-01"}, 201
    )
    sifo.on("2026-03-11")  # a day later: the inbox is oldest first
    by_manager = sifo.ok("POST", f"/loans/{second}/disbursement", sifo.manager, {"disbursed_on": "2026-04-01"}, 201)

    assert _ids(sifo.items("/decisions", sifo.approver)) == [by_backoffice["id"], by_manager["id"]]
    assert _ids(sifo.items("/decisions?awaiting_me=true", sifo.manager)) == [by_backoffice["id"]]
    first_page = sifo.ok("GET", "/decisions?awaiting_me=true&limit=1", sifo.approver)
    assert _ids(first_page["items"]) == [by_backoffice["id"]]
    second_page = sifo.ok(
        "GET", f"/decisions?awaiting_me=true&limit=1&cursor={first_page['next_cursor']}", sifo.approver
    )
    assert _ids(second_page["items"]) == [by_manager["id"]]
    assert sifo.items("/decisions?kind=write_off", sifo.approver) == []

    sifo.ok("POST", f"/decisions/{by_backoffice['id']}/approval", sifo.approver)
    assert _ids(sifo.items("/decisions", sifo.approver)) == [by_manager["id"]]
    [approved] = sifo.items("/decisions?status=approved", sifo.approver)
    assert (approved["id"], approved["decided_by"]) == (by_backoffice["id"], "bob@pmv.example")

    bank = sifo.financier_token(financier["id"])
    assert sifo.client.get("/decisions", headers=bank).status_code == 403
    assert sifo.client.get("/decisions?status=pending", headers=sifo.approver).status_code == 422
