"""The Python client against SIFO on PostgreSQL: a loan from registration to payout, as a script would do it."""

from __future__ import annotations

import pytest

from sefund.client import ApiError, ServiceClient, Sifo

from tests.integration.sifo.conftest import Sifo as SifoService
from tests.integration.sifo.conftest import loan_body
from tests.support import VALID_FINANCIER

pytestmark = pytest.mark.integration


def _as(service: SifoService, headers: dict[str, str]) -> Sifo:
    token = headers["Authorization"].removeprefix("Bearer ")
    return Sifo(ServiceClient("http://testserver", token, service.client))


def test_a_script_takes_a_loan_from_registration_to_payout_and_a_rerun_changes_nothing(sifo: SifoService) -> None:
    manager, approver, backoffice = _as(sifo, sifo.manager), _as(sifo, sifo.approver), _as(sifo, sifo.backoffice)
    financier = manager.register_financier(VALID_FINANCIER, idempotency_key="script-financier")
    assert manager.register_financier(VALID_FINANCIER, idempotency_key="script-financier") == financier
    right = manager.allocate_drawing_right(
        financier["id"],
        {"fund_year": 2026, "amount": "1000000.00", "valid_from": "2026-01-01", "valid_until": "2026-12-31"},
    )
    sifo.on("2026-03-02")
    loan = manager.submit_loan(loan_body(financier["id"]), idempotency_key="script-loan-1")
    assert manager.submit_loan(loan_body(financier["id"]), idempotency_key="script-loan-1")["id"] == loan["id"]

    sifo.on("2026-03-10")
    assert approver.approve_loan(loan["id"], drawing_right_id=right["id"])["status"] == "approved"
    decision = backoffice.prepare_disbursement(loan["id"], {"disbursed_on": "2026-04-01"})
    assert [row["id"] for row in approver.decision_inbox(awaiting_me=True)] == [decision["id"]]
    assert list(backoffice.decision_inbox(awaiting_me=True)) == []
    approver.approve_decision(decision["id"])

    assert [row["id"] for row in manager.list_loans(status="disbursed")] == [loan["id"]]
    assert [row["id"] for row in manager.list_drawing_rights(financier_id=financier["id"])] == [right["id"]]

    with pytest.raises(ApiError) as refused:
        manager.submit_loan(loan_body(financier["id"], total_credit=300000))
    assert refused.value.status == 422
    assert refused.value.errors[0]["field"] == "total_credit"
    assert "not a JSON number" in str(refused.value)
