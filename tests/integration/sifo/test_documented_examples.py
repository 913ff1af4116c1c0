"""The example a fund manager finds in the OpenAPI document is accepted on the day it is tried."""

from __future__ import annotations

import pytest

from shared.platform.business_date import business_today

from tests.integration.sifo.conftest import Sifo

pytestmark = pytest.mark.integration


def test_the_documented_loan_submission_is_accepted_today(sifo: Sifo) -> None:
    today = business_today()
    sifo.on(today.isoformat())
    financier = sifo.financier(recognised_until=f"{today.year + 5}-12-31")
    sifo.drawing_right(
        financier["id"], fund_year=today.year, valid_from=f"{today.year}-01-01", valid_until=f"{today.year + 1}-12-31"
    )
    spec = sifo.client.get("/openapi.json").json()
    [example] = spec["components"]["schemas"]["SubmitLoan"]["examples"]

    loan = sifo.ok("POST", "/loans", sifo.manager, {**example, "financier_id": financier["id"]}, 201)

    assert loan["terms"]["start_date"] > today.isoformat()
    assert loan["submitted_on"] == today.isoformat()
