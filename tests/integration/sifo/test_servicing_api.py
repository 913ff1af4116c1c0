"""SIFO loans serviced as payments really arrive, through the API on PostgreSQL, with the events they publish."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from shared.amortisation.reference_rates import Collateral, Rating, quote
from shared.contracts.topics import SIFO_EVENTS
from shared.platform.auth import Role
from shared.servicing.accounts import LateInterestKind

from services.sifo.app import build_app
from services.sifo.models import SifoDrawingRight
from tests.integration.live import published
from tests.integration.sifo.conftest import Sifo, loan_body
from tests.state_aid_register import measures_of
from tests.support import bearer, sends_idempotency_keys

pytestmark = pytest.mark.integration
D = Decimal
# 100,000.00 at 4.5 %, 120 months, disbursed 2026-01-15: 1,036.38 a month from 2026-02-15.
HUNDRED_K = {
    "total_credit": "150000.00",
    "sifo_share": "100000.00",
    "terms": {"start_date": "2026-01-15", "periods": 120},
    "rate_override": {"rate": "0.045", "reason": "as agreed with the co-financier"},
    "submitted_on": "2026-01-05",
}


def disbursed(sifo: Sifo, **change: Any) -> str:
    financier = sifo.financier(recognised_from="2025-01-01")
    sifo.drawing_right(financier["id"])
    approved_on = change.pop("approved_on", "2026-01-10")
    loan = sifo.ok("POST", "/loans", sifo.manager, loan_body(financier["id"], **{**HUNDRED_K, **change}), 201)
    sifo.on(approved_on)
    sifo.ok("POST", f"/loans/{loan['id']}/approval", sifo.approver, {})
    start = loan["terms"]["start_date"]
    decision = sifo.ok("POST", f"/loans/{loan['id']}/disbursement", sifo.backoffice, {"disbursed_on": start}, 201)
    sifo.ok("POST", f"/decisions/{decision['id']}/approval", sifo.approver)
    return str(loan["id"])


def repay(sifo: Sifo, loan_id: str, on: str, amount: str) -> dict[str, Any]:
    body = {"received_on": on, "amount": amount}
    result: dict[str, Any] = sifo.ok("POST", f"/loans/{loan_id}/repayments", sifo.backoffice, body, 201)
    return result


def position(sifo: Sifo, loan_id: str, as_of: str) -> dict[str, Any]:
    view: dict[str, Any] = sifo.ok("GET", f"/loans/{loan_id}/position?as_of={as_of}", sifo.manager)
    return view


def test_the_first_installment_paid_two_days_early_leaves_no_arrears(sifo: Sifo) -> None:
    loan_id = disbursed(sifo)
    assert position(sifo, loan_id, "2026-01-15")["schedule"][0]["payment"] == "1036.38"

    paid = repay(sifo, loan_id, "2026-02-13", "1036.38")

    assert (paid["allocation"]["interest"], paid["allocation"]["principal"]) == ("375.00", "661.38")
    assert paid["allocation"]["prepayment"] == "0.00"
    march = position(sifo, loan_id, "2026-03-01")["position"]
    assert (march["total_arrears"], march["days_past_due"], march["late_interest"]) == ("0.00", 0, "0.00")
    assert march["status"] == "current"


def test_the_quoted_payoff_settles_the_loan_for_good(sifo: Sifo) -> None:
    loan_id = disbursed(sifo)
    repay(sifo, loan_id, "2026-02-15", "1036.38")
    quote_ = position(sifo, loan_id, "2026-04-20")["position"]["payoff_amount"]

    paid = repay(sifo, loan_id, "2026-04-20", quote_)

    assert paid["status"] == "settled"
    assert paid["allocation"]["excess"] == "0.00"
    for as_of in ("2026-04-20", "2026-05-15", "2036-01-15"):
        later = position(sifo, loan_id, as_of)
        assert later["position"]["status"] == "settled", as_of
        assert (later["position"]["payoff_amount"], later["position"]["total_arrears"]) == ("0.00", "0.00")
    loan = sifo.ok("GET", f"/loans/{loan_id}", sifo.manager)
    assert (loan["status"], loan["settled_on"]) == ("settled", "2026-04-20")
    again = sifo.client.post(
        f"/loans/{loan_id}/repayments", headers=sifo.backoffice, json={"received_on": "2026-05-15", "amount": "10.00"}
    )
    assert again.status_code == 409
    events = published(sifo.engine, sifo.settings.kafka_bootstrap_servers, sifo.settings.topic(SIFO_EVENTS))
    types = [envelope.type for envelope in events if envelope.subject == loan_id]
    assert types[-2:] == ["sifo.loan.repayment_recorded.v3", "sifo.loan.settled.v1"]


def test_an_installment_multiple_that_would_not_amortise_is_refused_naming_it(sifo: Sifo) -> None:
    financier = sifo.financier()
    sifo.drawing_right(financier["id"])
    body = loan_body(
        financier["id"],
        total_credit="1500.00",
        sifo_share="1000.00",
        terms={"start_date": "2026-04-01", "periods": 120, "installment_multiple": "100.00"},
        rate_override={"rate": "0.045", "reason": "test"},
    )
    refused = sifo.client.post("/loans", headers=sifo.manager, json=body)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "terms.installment_multiple"


def test_late_interest_follows_a_reset_and_the_reset_registers_its_aid(sifo: Sifo) -> None:
    loan_id = disbursed(sifo)
    prepared = sifo.ok(
        "POST",
        f"/loans/{loan_id}/rate-resets",
        sifo.manager,
        {"effective_on": "2026-03-01", "annual_rate": "0.01", "reason": "support measure"},
        201,
    )
    refused = sifo.client.post(f"/decisions/{prepared['id']}/approval", headers=sifo.manager)
    assert refused.status_code == 403
    sifo.ok("POST", f"/decisions/{prepared['id']}/approval", sifo.approver)

    late = position(sifo, loan_id, "2026-03-15")["position"]
    # 1,036.38 overdue from 15 Feb: 14 days at 4.5 % + 2 %, then 14 days at 1 % + 2 % (ACT/365)
    expected = D("1036.38") * (D("0.065") * 14 + D("0.03") * 14) / 365
    assert D(late["late_interest"]) == expected.quantize(D("0.01"))
    sifo.deliver_aid()
    measures = measures_of(sifo.register, loan_id)
    assert [(row.reference.split(":")[2], row.status) for row in measures][-1] == ("rate_reset", "granted")
    assert measures[-1].gge > 0


def test_what_was_priced_at_approval_is_stored_with_its_rates(sifo: Sifo) -> None:
    loan_id = disbursed(
        sifo,
        submitted_on="2025-12-15",
        terms={"start_date": "2026-01-15", "periods": 120},
        rate_override={"rate": "0.01", "reason": "start-up"},
    )
    loan = sifo.ok("GET", f"/loans/{loan_id}", sifo.manager)
    priced = quote(date(2026, 1, 10), Rating.SATISFACTORY, Collateral.NORMAL)
    assert loan["pricing"]["reference_rate"] == "0.0441"  # the base rate of December 2025 at submission
    assert loan["aid"] == {
        "grant_date": "2026-01-10",
        "gge": loan["gge"],
        "reference_rate": str(priced.reference_rate.normalize()),
        "discount_rate": str(priced.discount_rate.normalize()),
    }
    (grant,) = measures_of(sifo.register, loan_id)
    assert grant.grant_date == date(2026, 1, 10)
    assert (grant.reference_rate, grant.discount_rate, grant.gge) == (
        priced.reference_rate,
        priced.discount_rate,
        D(loan["gge"]),
    )


def test_a_broken_first_period_is_accepted_and_scheduled(sifo: Sifo) -> None:
    loan_id = disbursed(sifo, terms={"start_date": "2026-01-15", "periods": 120, "first_due_date": "2026-03-01"})
    first = position(sifo, loan_id, "2026-01-15")["schedule"][0]
    # 30E/360 from 15 January to 1 March: 46 days on 100,000.00 at 4.5 %
    assert (first["due_date"], first["interest"]) == ("2026-03-01", "575.00")
    assert position(sifo, loan_id, "2026-01-15")["loan"]["terms"]["first_due_date"] == "2026-03-01"


def test_a_mistyped_repayment_is_reversed_with_four_eyes_and_servicing_goes_on(sifo: Sifo) -> None:
    loan_id = disbursed(sifo)
    typo = repay(sifo, loan_id, "2062-02-15", "1036.38")
    blocked = sifo.client.post(
        f"/loans/{loan_id}/repayments", headers=sifo.backoffice, json={"received_on": "2026-02-15", "amount": "1036.38"}
    )
    assert blocked.status_code == 422

    decision = sifo.ok(
        "POST",
        f"/loans/{loan_id}/reversals",
        sifo.backoffice,
        {"entry_id": typo["entry_id"], "reason": "received 2026-02-15, typed as 2062"},
        201,
    )
    assert decision["request"]["entry_on"] == "2062-02-15"
    sifo.ok("POST", f"/decisions/{decision['id']}/approval", sifo.approver)
    repay(sifo, loan_id, "2026-02-15", "1036.38")

    history = position(sifo, loan_id, "2026-03-01")["history"]
    assert [(row["kind"], row["reversed"]) for row in history] == [
        ("repayment", True),
        ("reversal", False),
        ("repayment", False),
    ]
    assert history[1]["reverses"] == typo["entry_id"]
    assert position(sifo, loan_id, "2026-03-01")["position"]["total_arrears"] == "0.00"


def test_a_cancelled_loan_returns_its_reservation_and_aid(sifo: Sifo) -> None:
    financier = sifo.financier()
    right = sifo.drawing_right(financier["id"])
    body = loan_body(financier["id"], rate_override={"rate": "0.01", "reason": "start-up"})
    loan = sifo.ok("POST", "/loans", sifo.manager, body, 201)
    sifo.on("2026-03-10")
    sifo.ok("POST", f"/loans/{loan['id']}/approval", sifo.approver, {})
    payout = sifo.ok("POST", f"/loans/{loan['id']}/disbursement", sifo.backoffice, {"disbursed_on": "2026-04-01"}, 201)

    decision = sifo.ok(
        "POST",
        f"/loans/{loan['id']}/cancellation",
        sifo.manager,
        {"cancelled_on": "2026-03-20", "reason": "the borrower withdrew"},
        201,
    )
    sifo.ok("POST", f"/decisions/{decision['id']}/approval", sifo.approver)

    assert sifo.ok("GET", f"/loans/{loan['id']}", sifo.manager)["status"] == "cancelled"
    after = sifo.ok("GET", f"/drawing-rights/{right['id']}", sifo.manager)
    assert (after["reserved"], after["available"]) == ("0.00", "1000000.00")
    sifo.deliver_aid()
    assert [row.status for row in measures_of(sifo.register, loan["id"])] == ["released"]
    with Session(sifo.engine) as session:
        assert session.exec(select(col(SifoDrawingRight.reserved))).all() == [D("0.00")]
    decisions = sifo.items(f"/loans/{loan['id']}/decisions", sifo.manager)
    assert {row["id"]: row["status"] for row in decisions}[payout["id"]] == "rejected"
    late_approval = sifo.client.post(f"/decisions/{payout['id']}/approval", headers=sifo.approver)
    assert late_approval.status_code == 409


def test_a_payout_to_another_account_needs_a_reason_the_approver_sees(sifo: Sifo) -> None:
    financier = sifo.financier()
    sifo.drawing_right(financier["id"])
    loan = sifo.ok("POST", "/loans", sifo.manager, loan_body(financier["id"]), 201)
    sifo.on("2026-03-10")
    sifo.ok("POST", f"/loans/{loan['id']}/approval", sifo.approver, {})
    other = "BE71 0961 2345 6769"
    silent = sifo.client.post(
        f"/loans/{loan['id']}/disbursement", headers=sifo.backoffice, json={"disbursed_on": "2026-04-01", "iban": other}
    )
    assert silent.status_code == 422
    assert silent.json()["errors"][0]["field"] == "iban_reason"

    decision = sifo.ok(
        "POST",
        f"/loans/{loan['id']}/disbursement",
        sifo.backoffice,
        {"disbursed_on": "2026-04-01", "iban": other, "iban_reason": "escrow account of the notary"},
        201,
    )
    assert decision["request"]["other_account"] is True
    assert decision["request"]["registered_iban"] == "BE68539007547034"
    rejected = sifo.ok(
        "POST", f"/decisions/{decision['id']}/rejection", sifo.approver, {"reason": "not the financier's account"}
    )
    assert (rejected["status"], rejected["note"]) == ("rejected", "not the financier's account")
    assert sifo.ok("GET", f"/loans/{loan['id']}", sifo.manager)["status"] == "approved"


def test_a_rejection_needs_no_body_and_a_preparer_cannot_reject(sifo: Sifo) -> None:
    financier = sifo.financier()
    sifo.drawing_right(financier["id"])
    loan = sifo.ok("POST", "/loans", sifo.manager, loan_body(financier["id"]), 201)
    sifo.on("2026-03-10")
    sifo.ok("POST", f"/loans/{loan['id']}/approval", sifo.approver, {})
    both = bearer(sifo.settings, "frank@pmv.example", Role.BACKOFFICE, Role.APPROVER)
    decision = sifo.ok("POST", f"/loans/{loan['id']}/disbursement", both, {"disbursed_on": "2026-04-01"}, 201)
    assert sifo.client.post(f"/decisions/{decision['id']}/rejection", headers=both).status_code == 403
    assert sifo.ok("POST", f"/decisions/{decision['id']}/rejection", sifo.approver)["status"] == "rejected"


def test_today_is_the_business_date_in_brussels(sifo: Sifo) -> None:
    sifo.register.clock.moment = datetime(2025, 6, 30, 22, 30, tzinfo=UTC)  # 00:30 on 1 July in Brussels
    financier = sifo.financier(recognised_from="2025-01-01")
    body = loan_body(financier["id"], terms={"start_date": "2025-08-01", "periods": 84})
    del body["submitted_on"]
    loan = sifo.ok("POST", "/loans", sifo.manager, body, 201)
    assert loan["submitted_on"] == "2025-07-01"
    assert loan["pricing"]["base_rate"] == "0.0221"  # July's base rate, not June's 0.0271


def test_the_legal_late_payment_rate_is_a_policy_the_fund_can_choose(sifo: Sifo) -> None:
    legal = sifo.settings.model_copy(update={"late_interest": LateInterestKind.LEGAL})
    app = build_app(legal)
    app.state.clock = sifo.register.clock
    with sends_idempotency_keys(TestClient(app)) as client:
        sifo.client = client
        loan_id = disbursed(sifo)
        late = position(sifo, loan_id, "2026-02-25")["position"]
    # 1,036.38 overdue 10 days at the legal rate of 2026 (ECB 2.15 % + 8 points, up to 10.5 %) and EUR 40
    assert late["late_interest"] == str((D("1036.38") * D("0.105") * 10 / 365).quantize(D("0.01")))
    assert late["collection_fees"] == "40.00"
    assert D(late["payoff_amount"]) == D(late["outstanding_principal"]) + D("375.00") + D(late["accrued_interest"]) + D(
        late["late_interest"]
    ) + D("40.00")
