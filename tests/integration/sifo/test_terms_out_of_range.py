"""Terms that cannot make a schedule, or days no loan has, are refused with 422 naming the field; nothing changes."""

from __future__ import annotations

import pytest

from services.sifo.models import SifoDecision, SifoLoan
from tests.integration.sifo.conftest import Sifo, loan_body
from tests.integration.sifo.test_servicing_api import disbursed
from tests.support import count

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("grace", [84, 85, 500])
def test_a_submission_with_grace_periods_not_below_periods_is_refused(sifo: Sifo, grace: int) -> None:
    financier = sifo.financier()
    sifo.drawing_right(financier["id"])
    body = loan_body(financier["id"], terms={"start_date": "2026-04-01", "periods": 84, "grace_periods": grace})
    response = sifo.client.post("/loans", headers=sifo.manager, json=body)
    assert response.status_code == 422, response.text
    assert "grace_periods" in response.json()["detail"]
    assert count(sifo.engine, SifoLoan) == 0


@pytest.mark.parametrize("grace", [60, 61])
def test_a_restructuring_with_grace_periods_not_below_periods_is_refused(sifo: Sifo, grace: int) -> None:
    loan_id = disbursed(sifo)
    sifo.on("2026-09-01")
    owed = sifo.ok("GET", f"/loans/{loan_id}/position?as_of=2026-09-01", sifo.manager)["position"]["payoff_amount"]
    terms = {
        "principal": owed,
        "annual_rate": "0.01",
        "periods": 60,
        "start_date": "2026-09-01",
        "grace_periods": grace,
    }
    decisions = count(sifo.engine, SifoDecision)
    response = sifo.client.post(
        f"/loans/{loan_id}/restructuring", headers=sifo.manager, json={"effective_on": "2026-09-01", "terms": terms}
    )
    assert response.status_code == 422, response.text
    assert "grace_periods" in response.json()["detail"]
    assert count(sifo.engine, SifoDecision) == decisions


@pytest.mark.parametrize("day", ["9999-12-31", "1999-12-31", "2200-01-01"])
def test_days_outside_the_platform_range_are_refused_before_anything_runs(sifo: Sifo, day: str) -> None:
    loan_id = disbursed(sifo)
    financier_id = sifo.ok("GET", f"/loans/{loan_id}", sifo.manager)["financier_id"]
    body = loan_body(financier_id, terms={"start_date": day, "periods": 84})
    response = sifo.client.post("/loans", headers=sifo.manager, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "terms.start_date"
    as_of = sifo.client.get(f"/loans/{loan_id}/position?as_of={day}", headers=sifo.manager)
    assert as_of.status_code == 422
    assert as_of.json()["errors"][0]["field"] == "as_of"
    assert count(sifo.engine, SifoLoan) == 1
