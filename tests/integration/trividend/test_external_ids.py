"""Back-office keys on investees and proposals: kept, found again, never given to two records."""

from __future__ import annotations

import pytest

from tests.integration.trividend.conftest import Trividend

pytestmark = pytest.mark.integration


def test_investees_and_proposals_keep_their_back_office_keys(trividend: Trividend) -> None:
    investee = trividend.investee(1, external_id="REL-0042")
    assert investee["external_id"] == "REL-0042"
    assert trividend.investee(2)["external_id"] is None
    taken = trividend.client.post(
        "/investees",
        headers=trividend.manager,
        json={
            "enterprise_number": "0403.170.701",
            "name": "Ander cv",
            "legal_form": "cooperative",
            "sector": "food",
            "external_id": "REL-0042",
        },
    )
    assert taken.status_code == 409, taken.text
    assert taken.json()["investee_id"] == investee["id"]

    body = {
        "investee_id": investee["id"],
        "instrument": "equity",
        "amount": "150000.00",
        "rationale": "growth plan",
        "external_id": "DOSSIER-7",
    }
    proposal = trividend.ok("POST", "/proposals", trividend.manager, body, 201)
    assert proposal["external_id"] == "DOSSIER-7"
    assert [row["id"] for row in trividend.items("/proposals?external_id=DOSSIER-7", trividend.auditor)] == [
        proposal["id"]
    ]
    again = trividend.client.post("/proposals", headers=trividend.manager, json=body)
    assert again.status_code == 409, again.text
    assert again.json()["proposal_id"] == proposal["id"]
    bad = trividend.client.post("/proposals", headers=trividend.manager, json={**body, "external_id": "a b"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "external_id"
