"""Trividend loans in repayment operations: a direct debit under a mandate, its collection, and its return."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from deploy.in_process import on_clock
from shared.loan_operations import due_run
from shared.loan_operations.jobs import run_daily

from services.trividend.app import operations
from tests.bank_statements import BankLine, camt053
from tests.integration.trividend.conftest import Trividend
from tests.integration.trividend.test_loans import loan_proposal, pay_out

pytestmark = pytest.mark.integration
FUND = "BE68539007547034"
DEBTOR = "BE71096123456769"


def _due_run(trividend: Trividend, day: date) -> dict[str, int]:
    """The due run on the test's business clock (its collection dates follow that day, not the machine's)."""
    ops = on_clock(operations(trividend.settings), trividend.register.clock)
    trividend.on(day.isoformat())
    return run_daily(ops, trividend.engine, due_run.DUE_RUN, day, due_run.run).counts


def _import(trividend: Trividend, statement: bytes) -> dict[str, int]:
    response = trividend.client.post(
        "/bank-statements", headers={**trividend.backoffice, "Content-Type": "application/xml"}, content=statement
    )
    assert response.status_code == 201, response.text
    lines: dict[str, int] = response.json()["lines"]
    return lines


def test_a_collected_instalment_that_comes_back_is_unpaid_again(trividend: Trividend) -> None:
    trividend.on("2026-03-02")
    investee = trividend.investee(7)
    proposal = loan_proposal(trividend, investee["id"], "subordinated_loan", "80000.00", periods=60)
    trividend.on("2026-03-10")
    trividend.ok("POST", f"/proposals/{proposal['id']}/approval", trividend.committee, {})
    loan_id = proposal["id"]
    pay_out(trividend, loan_id, "2026-03-16")
    mandate = {
        "reference": "TRI-MND-7",
        "signed_on": "2026-03-16",
        "debtor_name": investee["name"],
        "debtor_iban": DEBTOR,
    }
    trividend.ok("PUT", f"/loans/{loan_id}/mandate", trividend.backoffice, mandate)

    assert _due_run(trividend, date(2026, 4, 6))["direct_debits"] == 1
    [request] = trividend.items(f"/loans/{loan_id}/payment-requests", trividend.auditor)
    assert (request["channel"], request["sequence_type"]) == ("direct_debit", "FRST")
    amount = Decimal(request["amount"])
    collected_on = date.fromisoformat(request["collection_on"])

    trividend.on(collected_on.isoformat())
    credit = BankLine(
        collected_on, amount, end_to_end_id=request["structured_reference"], family="DD", sub_family="ESDD"
    )
    assert _import(trividend, camt053(FUND, "T-1", collected_on, [credit])) == {"booked": 1}
    returned_on = collected_on + timedelta(days=4)
    trividend.on(returned_on.isoformat())
    back = BankLine(
        returned_on, amount, credit=False, end_to_end_id=request["structured_reference"], return_reason="MD06"
    )
    assert _import(trividend, camt053(FUND, "T-2", returned_on, [back])) == {"returned": 1}

    [request] = trividend.items(f"/loans/{loan_id}/payment-requests", trividend.auditor)
    assert request["status"] == "returned"
    position = trividend.ok("GET", f"/loans/{loan_id}?as_of={returned_on.isoformat()}", trividend.auditor)["position"]
    assert Decimal(position["total_arrears"]) == amount
    # The next collection under the mandate is a FRST again: the first one came back.
    assert _due_run(trividend, date(2026, 5, 6))["direct_debits"] == 1
    latest = trividend.items(f"/loans/{loan_id}/payment-requests", trividend.auditor)[-1]
    assert latest["sequence_type"] == "FRST"
