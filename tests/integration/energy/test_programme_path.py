"""Application -> assessment -> approval -> delivery -> disbursement -> repayments, and the waiting list."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared.contracts.topics import ENERGY_EVENTS

from tests.integration.energy.conftest import Energy
from tests.integration.live import published
from tests.state_aid_register import measures_of

pytestmark = pytest.mark.integration


def test_full_path_returns_the_unused_commitment_to_the_budget_year(energy: Energy) -> None:
    energy.budget_year()
    call = energy.call()
    assert (call["annual_rate"], call["periods"], call["frequency"]) == ("0.01", 120, "monthly")
    applicant = energy.applicant()
    application = energy.ok("POST", "/applications", energy.manager, energy.application_body(call, applicant), 201)
    assert application["status"] == "submitted"
    assert application["warnings"] == []

    assessment = energy.ok("GET", f"/applications/{application['id']}/assessment?on=2026-04-01", energy.approver)
    assert assessment["yearly_debt_service"] == "10512.48"
    assert assessment["savings_coverage_ratio"] == "1.14"
    assert assessment["simple_payback_years"] == "8.33"
    assert assessment["co2_avoided_tonnes_per_year"] == "18.000"
    assert Decimal(assessment["gge"]["gge"]) > 0

    energy.on("2026-04-01")
    approved = energy.ok("POST", f"/applications/{application['id']}/approval", energy.approver, {})
    assert (approved["status"], approved["committed_amount"]) == ("approved", "100000.00")
    year = energy.ok("GET", "/budget-years/2026", energy.manager)
    assert (year["committed"], year["available"]) == ("100000.00", "4900000.00")

    too_much = energy.client.post(
        f"/applications/{application['id']}/disbursement",
        headers=energy.backoffice,
        json={
            "delivery_date": "2026-06-10",
            "final_invoice_amount": "100000.01",
            "disbursed_on": "2026-06-15",
            "iban": "BE68 5390 0754 7034",
        },
    )
    assert too_much.status_code == 422
    assert too_much.json()["detail"] == "final_invoice_amount: 100000.01 exceeds the committed 100000.00"
    decision = energy.ok(
        "POST",
        f"/applications/{application['id']}/disbursement",
        energy.backoffice,
        {
            "delivery_date": "2026-06-10",
            "final_invoice_amount": "92000.00",
            "disbursed_on": "2026-06-15",
            "iban": "BE68 5390 0754 7034",
        },
        201,
    )
    [waiting] = energy.items("/decisions?awaiting_me=true", energy.approver)
    assert (waiting["id"], waiting["application_id"]) == (decision["id"], application["id"])
    assert energy.items("/decisions?awaiting_me=true", energy.backoffice) == [], "the preparer may not decide it"
    energy.ok("POST", f"/decisions/{decision['id']}/approval", energy.approver)
    year = energy.ok("GET", "/budget-years/2026", energy.manager)
    assert (year["committed"], year["disbursed"], year["released"], year["available"]) == (
        "0.00",
        "92000.00",
        "8000.00",
        "4908000.00",
    )

    loan = energy.ok("GET", f"/applications/{application['id']}/loan?as_of=2026-06-15", energy.manager)
    assert loan["principal"] == "92000.00"
    first = loan["schedule"][0]
    assert (first["due_date"], len(loan["schedule"])) == ("2026-07-15", 120)
    for row in loan["schedule"][:2]:
        energy.ok(
            "POST",
            f"/applications/{application['id']}/loan/repayments",
            energy.backoffice,
            {"received_on": row["due_date"], "amount": row["payment"]},
            201,
        )
    after = energy.ok("GET", f"/applications/{application['id']}/loan?as_of=2026-09-01", energy.manager)
    assert after["total_arrears"] == "0.00"
    assert after["outstanding_principal"] == loan["schedule"][1]["closing_balance"]

    figures = energy.ok("GET", "/programme/figures", energy.manager)
    assert figures["total"]["loans"] == 1
    assert figures["years"]["2026"]["installed"] == {"kWp": "100.00"}
    assert figures["total"]["expected_mwh_per_year"] == "90.000"
    assert figures["total"]["co2_tonnes_per_year"] == "18.000"
    assert figures["total"]["disbursed"] == "92000.00"

    events = published(energy.engine, energy.settings.kafka_bootstrap_servers, energy.settings.topic(ENERGY_EVENTS))
    by_application = [envelope.type for envelope in events if envelope.subject == application["id"]]
    assert by_application == [
        "energy.application.submitted.v1",
        "energy.application.approved.v2",
        "energy.aid.outcome.v1",
        "energy.aid.outcome.v1",
        "energy.loan.disbursed.v2",
        "energy.loan.repayment_recorded.v3",
        "energy.loan.repayment_recorded.v3",
    ]
    outcomes = [envelope.data for envelope in events if envelope.type == "energy.aid.outcome.v1"]
    assert [outcome["outcome"] for outcome in outcomes] == ["granted", "adjusted"]
    approved_gge = Decimal(energy.ok("GET", f"/applications/{application['id']}", energy.manager)["gge"])
    assert Decimal(outcomes[1]["gge"]) < approved_gge
    energy.deliver_aid()
    (measure,) = measures_of(energy.register, application["id"])
    assert (measure.status, measure.gge, measure.reserved_gge) == ("granted", Decimal(outcomes[1]["gge"]), approved_gge)
    by_year = [
        (envelope.type, envelope.data.get("amount", envelope.data.get("envelope")))
        for envelope in events
        if envelope.subject == "2026"
    ]
    assert by_year == [
        ("energy.budget_year.opened.v1", "5000000.00"),
        ("energy.budget.committed.v1", "100000.00"),
        ("energy.budget.released.v1", "8000.00"),
    ]


def test_a_short_budget_wait_lists_and_released_money_serves_the_list_in_order(energy: Energy) -> None:
    energy.budget_year(envelope="150000.00")
    call = energy.call()
    first_applicant, second_applicant = energy.applicant(1), energy.applicant(2)
    first = energy.ok("POST", "/applications", energy.manager, energy.application_body(call, first_applicant), 201)
    second = energy.ok(
        "POST",
        "/applications",
        energy.manager,
        energy.application_body(call, second_applicant, requested_amount="60000.00"),
        201,
    )
    energy.on("2026-04-01")
    energy.ok("POST", f"/applications/{first['id']}/approval", energy.approver, {})
    energy.on("2026-04-01")
    short = energy.client.post(f"/applications/{second['id']}/approval", headers=energy.approver, json={})
    assert short.status_code == 409
    problem = short.json()
    assert problem["available"] == "50000.00"
    assert problem["wait_listed"] is True
    assert "50000.00 available" in problem["detail"]
    assert energy.ok("GET", f"/applications/{second['id']}", energy.manager)["status"] == "wait_listed"

    decision = energy.ok(
        "POST",
        f"/applications/{first['id']}/disbursement",
        energy.backoffice,
        {
            "delivery_date": "2026-05-01",
            "final_invoice_amount": "85000.00",
            "disbursed_on": "2026-05-02",
            "iban": "BE68539007547034",
        },
        201,
    )
    energy.ok("POST", f"/decisions/{decision['id']}/approval", energy.approver)
    served = energy.ok("GET", f"/applications/{second['id']}", energy.manager)
    assert (served["status"], served["committed_amount"], served["decided_by"]) == (
        "approved",
        "60000.00",
        "bert@pfv.example",
    )
    year = energy.ok("GET", "/budget-years/2026", energy.manager)
    assert (year["committed"], year["disbursed"], year["available"]) == ("60000.00", "85000.00", "5000.00")
