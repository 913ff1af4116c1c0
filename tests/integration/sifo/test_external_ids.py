"""Back-office systems name loans and borrowers by their own keys and find them again by those keys."""

from __future__ import annotations

import pytest

from tests.integration.sifo.conftest import Sifo, loan_body

pytestmark = pytest.mark.integration

BORROWER = {"enterprise_number": "0200.065.765", "name": "De Kringwinkel Oost vzw", "target_group_vte": "12.50"}


def test_external_ids_are_kept_found_and_never_given_twice(sifo: Sifo) -> None:
    financier = sifo.financier()
    sifo.drawing_right(financier["id"])
    sifo.on("2026-03-02")
    first = sifo.ok(
        "POST",
        "/loans",
        sifo.manager,
        loan_body(financier["id"], external_id="CRM-0417", borrower={**BORROWER, "external_id": "KLANT-17"}),
        201,
    )
    assert first["external_id"] == "CRM-0417"
    assert [loan["id"] for loan in sifo.items("/loans?external_id=CRM-0417", sifo.manager)] == [first["id"]]
    assert sifo.items("/loans?external_id=CRM-9999", sifo.manager) == []

    again = sifo.client.post(
        "/loans", headers=sifo.manager, json=loan_body(financier["id"], external_id="CRM-0417", borrower=BORROWER)
    )
    assert again.status_code == 409, again.text
    assert again.json()["detail"] == "external_id 'CRM-0417' already names another loan"

    other_borrower = {**BORROWER, "enterprise_number": "0403.170.701", "external_id": "KLANT-17"}
    stolen = sifo.client.post("/loans", headers=sifo.manager, json=loan_body(financier["id"], borrower=other_borrower))
    assert stolen.status_code == 409, stolen.text
    assert "already names another borrower" in stolen.json()["detail"]

    renamed = sifo.client.post(
        "/loans", headers=sifo.manager, json=loan_body(financier["id"], borrower={**BORROWER, "external_id": "NEW"})
    )
    assert renamed.status_code == 409, renamed.text
    assert "never changed" in renamed.json()["detail"]

    for bad in ("", "with space", "x" * 101):
        refused = sifo.client.post("/loans", headers=sifo.manager, json=loan_body(financier["id"], external_id=bad))
        assert refused.status_code == 422, bad
        assert refused.json()["errors"][0]["field"] == "external_id"

    second = sifo.ok("POST", "/loans", sifo.manager, loan_body(financier["id"], borrower=BORROWER), 201)
    assert second["external_id"] is None
    assert len(sifo.items("/loans", sifo.manager)) == 2
