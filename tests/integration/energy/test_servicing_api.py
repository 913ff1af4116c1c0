"""Energy loans serviced as payments really arrive, through the API on PostgreSQL, with the events they publish."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from shared.amortisation.reference_rates import Collateral, Rating, quote
from shared.contracts.topics import ENERGY_EVENTS

from tests.integration.energy.conftest import Energy
from tests.integration.live import published
from tests.state_aid_register import measures_of

pytestmark = pytest.mark.integration
D = Decimal
IBAN = "BE68539007547034"


def open_call(energy: Energy, rate: str = "0.045") -> dict[str, Any]:
    energy.budget_year()
    return energy.call(annual_rate=rate, term_months=120)


def approved(
    energy: Energy, rate: str = "0.045", call: dict[str, Any] | None = None, n: int = 0, **applicant: Any
) -> str:
    call = call or open_call(energy, rate)
    application = energy.ok(
        "POST",
        "/applications",
        energy.manager,
        energy.application_body(
            call,
            energy.applicant(n, **applicant),
            requested_amount="100000.00",
            submitted_on="2026-01-05",
        ),
        201,
    )
    energy.on("2026-01-10")
    energy.ok("POST", f"/applications/{application['id']}/approval", energy.approver, {})
    return str(application["id"])


def disbursed(energy: Energy, rate: str = "0.045", call: dict[str, Any] | None = None, **payout: Any) -> str:
    application_id = approved(energy, rate, call)
    body = {
        "delivery_date": "2026-01-14",
        "final_invoice_amount": "100000.00",
        "disbursed_on": "2026-01-15",
        "iban": IBAN,
        **payout,
    }
    decision = energy.ok("POST", f"/applications/{application_id}/disbursement", energy.backoffice, body, 201)
    energy.ok("POST", f"/decisions/{decision['id']}/approval", energy.approver)
    return application_id


def loan(energy: Energy, application_id: str, as_of: str) -> dict[str, Any]:
    result: dict[str, Any] = energy.ok("GET", f"/applications/{application_id}/loan?as_of={as_of}", energy.manager)
    return result


def repay(energy: Energy, application_id: str, on: str, amount: str) -> dict[str, Any]:
    body = {"received_on": on, "amount": amount}
    result: dict[str, Any] = energy.ok(
        "POST", f"/applications/{application_id}/loan/repayments", energy.backoffice, body, 201
    )
    return result


def test_the_loan_takes_its_application_id_and_an_early_payment_leaves_no_arrears(energy: Energy) -> None:
    application_id = disbursed(energy)
    view = loan(energy, application_id, "2026-01-15")
    assert view["loan_id"] == application_id
    assert view["schedule"][0]["payment"] == "1036.38"

    paid = repay(energy, application_id, "2026-02-13", "1036.38")

    assert (paid["interest"], paid["principal"], paid["prepayment"]) == ("375.00", "661.38", "0.00")
    march = loan(energy, application_id, "2026-03-01")
    assert (march["total_arrears"], march["days_past_due"], march["late_interest"]) == ("0.00", 0, "0.00")
    assert march["position_status"] == "current"
    events = published(energy.engine, energy.settings.kafka_bootstrap_servers, energy.settings.topic(ENERGY_EVENTS))
    assert [envelope.type for envelope in events if envelope.subject == application_id] == [
        "energy.application.submitted.v1",
        "energy.application.approved.v2",
        "energy.loan.disbursed.v2",
        "energy.loan.repayment_recorded.v3",
    ]


def test_the_quoted_payoff_settles_the_loan_for_good(energy: Energy) -> None:
    application_id = disbursed(energy)
    quote_ = loan(energy, application_id, "2026-02-10")["payoff_amount"]

    paid = repay(energy, application_id, "2026-02-10", quote_)

    assert (paid["status"], paid["excess"], paid["outstanding_principal"]) == ("settled", "0.00", "0.00")
    for as_of in ("2026-02-10", "2026-03-15", "2036-01-15"):
        later = loan(energy, application_id, as_of)
        assert (later["status"], later["position_status"], later["payoff_amount"]) == ("settled", "settled", "0.00")
        assert later["total_arrears"] == "0.00"


def test_late_interest_follows_a_reset_approved_by_another_person(energy: Energy) -> None:
    application_id = disbursed(energy, rate="0.01")
    prepared = energy.ok(
        "POST",
        f"/applications/{application_id}/loan/rate-resets",
        energy.manager,
        {"effective_on": "2026-03-01", "annual_rate": "0.06"},
        201,
    )
    assert prepared["application_id"] == application_id
    energy.ok("POST", f"/decisions/{prepared['id']}/approval", energy.approver)

    view = loan(energy, application_id, "2026-03-15")
    owed = D(view["schedule"][0]["payment"])
    # overdue from 15 Feb: 14 days at 1 % + 2 %, then 14 days at 6 % + 2 % (ACT/365)
    assert D(view["late_interest"]) == (owed * (D("0.03") * 14 + D("0.08") * 14) / 365).quantize(D("0.01"))


def test_a_broken_first_period_is_set_at_payout(energy: Energy) -> None:
    call = open_call(energy)
    application_id = disbursed(energy, call=call, first_due_date="2026-03-01")
    first = loan(energy, application_id, "2026-01-15")["schedule"][0]
    assert (first["due_date"], first["interest"]) == ("2026-03-01", "575.00")
    too_late = approved(energy, call=call, n=1)
    refused = energy.client.post(
        f"/applications/{too_late}/disbursement",
        headers=energy.backoffice,
        json={
            "delivery_date": "2026-01-14",
            "final_invoice_amount": "100000.00",
            "disbursed_on": "2026-01-15",
            "iban": IBAN,
            "first_due_date": "2026-06-01",
        },
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "first_due_date"


def test_what_was_priced_at_approval_is_stored_with_its_rates(energy: Energy) -> None:
    application_id = approved(energy, rate="0.01")
    application = energy.ok("GET", f"/applications/{application_id}", energy.manager)
    priced = quote(date(2026, 1, 10), Rating.SATISFACTORY, Collateral.NORMAL)
    assert application["aid"]["grant_date"] == "2026-01-10"
    assert application["aid"]["reference_rate"] == str(priced.reference_rate.normalize())
    assert application["aid"]["discount_rate"] == str(priced.discount_rate.normalize())
    (grant,) = measures_of(energy.register, application_id)
    assert (grant.gge, grant.reference_rate, grant.status) == (D(application["gge"]), priced.reference_rate, "reserved")
    assert grant.grant_date == date(2026, 1, 10)
    energy.deliver_aid()
    assert [row.status for row in measures_of(energy.register, application_id)] == ["granted"]


def test_a_mistyped_repayment_is_reversed_and_servicing_goes_on(energy: Energy) -> None:
    application_id = disbursed(energy)
    typo = repay(energy, application_id, "2062-02-15", "1036.38")
    decision = energy.ok(
        "POST",
        f"/applications/{application_id}/loan/reversals",
        energy.backoffice,
        {"entry_id": typo["entry_id"], "reason": "2026 typed as 2062"},
        201,
    )
    assert energy.client.post(f"/decisions/{decision['id']}/approval", headers=energy.backoffice).status_code == 403
    energy.ok("POST", f"/decisions/{decision['id']}/approval", energy.approver)
    repay(energy, application_id, "2026-02-15", "1036.38")
    view = loan(energy, application_id, "2026-03-01")
    assert [(row["kind"], row["reversed"]) for row in view["history"]] == [
        ("repayment", True),
        ("reversal", False),
        ("repayment", False),
    ]
    assert view["total_arrears"] == "0.00"


def test_a_payout_prepared_with_a_wrong_account_can_be_rejected(energy: Energy) -> None:
    application_id = approved(energy, iban="BE68 5390 0754 7034")
    body = {
        "delivery_date": "2026-01-14",
        "final_invoice_amount": "90000.00",
        "disbursed_on": "2026-01-15",
        "iban": "BE71 0961 2345 6769",
    }
    unexplained = energy.client.post(
        f"/applications/{application_id}/disbursement", headers=energy.backoffice, json=body
    )
    assert unexplained.status_code == 422
    assert unexplained.json()["errors"][0]["field"] == "iban_reason"
    decision = energy.ok(
        "POST",
        f"/applications/{application_id}/disbursement",
        energy.backoffice,
        {**body, "iban_reason": "installer's account"},
        201,
    )
    assert decision["request"]["other_account"] is True
    rejected = energy.ok(
        "POST", f"/decisions/{decision['id']}/rejection", energy.approver, {"reason": "pay the workshop itself"}
    )
    assert rejected["status"] == "rejected"
    assert energy.ok("GET", f"/applications/{application_id}", energy.manager)["status"] == "approved"
    registered = {key: value for key, value in body.items() if key != "iban"}
    decision = energy.ok("POST", f"/applications/{application_id}/disbursement", energy.backoffice, registered, 201)
    assert (decision["request"]["iban"], decision["request"]["other_account"]) == (IBAN, False)


def test_a_cancelled_application_returns_its_budget_and_aid_and_serves_the_waiting_list(energy: Energy) -> None:
    energy.budget_year(envelope="150000.00")
    call = energy.call()
    first = energy.ok("POST", "/applications", energy.manager, energy.application_body(call, energy.applicant(1)), 201)
    second = energy.ok(
        "POST",
        "/applications",
        energy.manager,
        energy.application_body(call, energy.applicant(2), requested_amount="60000.00"),
        201,
    )
    energy.on("2026-04-01")
    energy.ok("POST", f"/applications/{first['id']}/approval", energy.approver, {})
    energy.on("2026-04-01")
    short = energy.client.post(f"/applications/{second['id']}/approval", headers=energy.approver, json={})
    assert short.status_code == 409

    decision = energy.ok(
        "POST",
        f"/applications/{first['id']}/cancellation",
        energy.manager,
        {"cancelled_on": "2026-04-15", "reason": "the roof cannot carry the panels"},
        201,
    )
    energy.ok("POST", f"/decisions/{decision['id']}/approval", energy.approver)

    assert energy.ok("GET", f"/applications/{first['id']}", energy.manager)["status"] == "cancelled"
    assert energy.ok("GET", f"/applications/{second['id']}", energy.manager)["status"] == "approved"
    year = energy.ok("GET", "/budget-years/2026", energy.manager)
    assert (year["committed"], year["released"], year["available"]) == ("60000.00", "100000.00", "90000.00")
    energy.deliver_aid()
    assert [row.status for row in measures_of(energy.register, first["id"])] == ["released"]
    assert [row.status for row in measures_of(energy.register, second["id"])] == ["granted"]
    events = published(energy.engine, energy.settings.kafka_bootstrap_servers, energy.settings.topic(ENERGY_EVENTS))
    assert "energy.application.cancelled.v1" in [
        envelope.type for envelope in events if envelope.subject == first["id"]
    ]


def test_a_loan_is_defaulted_before_it_is_written_off(energy: Energy) -> None:
    application_id = disbursed(energy)
    premature = energy.client.post(
        f"/applications/{application_id}/loan/write-off",
        headers=energy.manager,
        json={"written_off_on": "2026-06-30", "reason": "workshop closed"},
    )
    assert premature.status_code == 409
    defaulted = energy.ok(
        "POST",
        f"/applications/{application_id}/loan/default",
        energy.manager,
        {"defaulted_on": "2026-06-01", "reason": "workshop closed"},
    )
    assert defaulted["status"] == "defaulted"
    decision = energy.ok(
        "POST",
        f"/applications/{application_id}/loan/write-off",
        energy.manager,
        {"written_off_on": "2026-06-30", "reason": "no assets left"},
        201,
    )
    energy.ok("POST", f"/decisions/{decision['id']}/approval", energy.approver)
    assert loan(energy, application_id, "2026-06-30")["status"] == "written_off"


def test_today_is_the_business_date_in_brussels(energy: Energy) -> None:
    energy.register.clock.moment = datetime(2025, 6, 30, 22, 30, tzinfo=UTC)  # 00:30 on 1 July in Brussels
    energy.budget_year(year=2025)
    call = energy.call(year=2025)
    body = energy.application_body(call, energy.applicant())
    del body["submitted_on"]
    application = energy.ok("POST", "/applications", energy.manager, body, 201)
    assessment = energy.ok("GET", f"/applications/{application['id']}/assessment", energy.approver)
    assert assessment["gge"]["reference_rate"] == "0.0441"  # July's base rate 2.21 % + 2.20 %
    approved = energy.ok("POST", f"/applications/{application['id']}/approval", energy.approver, {})
    assert approved["decided_on"] == "2025-07-01"


def test_tonnes_and_megawatt_hours_round_half_up(energy: Energy) -> None:
    call = open_call(energy, rate="0.01")
    small = {
        "technology": "pv",
        "capacity": "0.02",
        "unit": "kWp",
        "investment_cost": "100.00",
        "yearly_production_kwh": "12.50",
        "yearly_savings_eur": "3.00",
    }
    body = energy.application_body(call, energy.applicant(), requested_amount="100.00", installations=[small])
    application = energy.ok("POST", "/applications", energy.manager, body, 201)
    # 12.5 kWh x 0.20 kg / 1000 = 0.0025 t: half-up 0.003 (half-even would say 0.002)
    assessment = energy.ok("GET", f"/applications/{application['id']}/assessment?on=2026-03-02", energy.approver)
    assert assessment["co2_avoided_tonnes_per_year"] == "0.003"
    energy.on("2026-03-02")
    energy.ok("POST", f"/applications/{application['id']}/approval", energy.approver, {})
    payout = {
        "delivery_date": "2026-03-05",
        "final_invoice_amount": "100.00",
        "disbursed_on": "2026-03-06",
        "iban": IBAN,
    }
    decision = energy.ok("POST", f"/applications/{application['id']}/disbursement", energy.backoffice, payout, 201)
    energy.ok("POST", f"/decisions/{decision['id']}/approval", energy.approver)
    total = energy.ok("GET", "/programme/figures", energy.manager)["total"]
    assert (total["expected_mwh_per_year"], total["co2_tonnes_per_year"]) == ("0.013", "0.003")
    events = published(energy.engine, energy.settings.kafka_bootstrap_servers, energy.settings.topic(ENERGY_EVENTS))
    (disbursed,) = [envelope for envelope in events if envelope.type == "energy.loan.disbursed.v2"]
    assert disbursed.data["co2_avoided_tonnes_per_year"] == "0.003"
