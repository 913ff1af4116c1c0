"""Integrators can find energy applications, calls and budget years without knowing their ids."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.energy.conftest import Energy

pytestmark = pytest.mark.integration


def _ids(rows: list[dict[str, Any]]) -> list[str]:
    return [row["id"] for row in rows]


def test_applications_are_listed_in_submission_order_and_filtered(energy: Energy) -> None:
    energy.budget_year(2026)
    energy.budget_year(2027)
    call = energy.call(2026)
    later_call = energy.call(2027)
    first, second = energy.applicant(1), energy.applicant(2)
    energy.on("2026-03-02")
    a = energy.ok("POST", "/applications", energy.manager, energy.application_body(call, first), 201)
    energy.on("2026-03-03")
    b = energy.ok("POST", "/applications", energy.manager, energy.application_body(call, second), 201)
    energy.on("2026-03-04")
    c = energy.ok(
        "POST",
        "/applications",
        energy.manager,
        energy.application_body(call, first, requested_amount="50000.00", external_id="WSE-2026-031"),
        201,
    )
    energy.ok("POST", f"/applications/{b['id']}/rejection", energy.approver, {"reason": "no feasibility"})

    assert _ids(energy.items("/applications", energy.manager)) == [a["id"], b["id"], c["id"]]
    assert _ids(energy.items("/applications?status=submitted", energy.manager)) == [a["id"], c["id"]]
    assert _ids(energy.items("/applications?status=rejected", energy.manager)) == [b["id"]]
    number = first["enterprise_number"]
    dotted = f"{number[:4]}.{number[4:7]}.{number[7:]}"
    assert _ids(energy.items(f"/applications?enterprise_number={dotted}", energy.manager)) == [a["id"], c["id"]]
    assert _ids(energy.items(f"/applications?applicant_id={second['id']}", energy.manager)) == [b["id"]]
    assert _ids(energy.items("/applications?limit=1", energy.manager)) == [a["id"], b["id"], c["id"]], "page by page"
    first_two = energy.ok("GET", "/applications?limit=2", energy.manager)
    assert _ids(first_two["items"]) == [a["id"], b["id"]]
    last = energy.ok("GET", f"/applications?limit=2&cursor={first_two['next_cursor']}", energy.manager)
    assert (_ids(last["items"]), last["next_cursor"]) == ([c["id"]], None)
    [listed] = energy.items(f"/applications?applicant_id={second['id']}", energy.manager)
    assert listed == energy.ok("GET", f"/applications/{b['id']}", energy.manager)
    refused = energy.client.get("/applications?enterprise_number=0403.170.702", headers=energy.manager)
    assert refused.status_code == 422
    assert "enterprise_number" in refused.json()["detail"]

    assert _ids(energy.items("/applications?external_id=WSE-2026-031", energy.manager)) == [c["id"]]
    reused = energy.client.post(
        "/applications",
        headers=energy.manager,
        json=energy.application_body(call, second, external_id="WSE-2026-031"),
    )
    assert reused.status_code == 409, reused.text
    assert c["id"] in reused.json()["detail"]

    assert [row["year"] for row in energy.items("/budget-years", energy.manager)] == [2026, 2027]
    assert _ids(energy.items("/calls", energy.manager)) == [call["id"], later_call["id"]]
    assert _ids(energy.items("/calls?budget_year=2027", energy.manager)) == [later_call["id"]]
