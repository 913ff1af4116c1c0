"""The whole life of a SIFO loan through the API on PostgreSQL, and the events it puts on the broker."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import date
from decimal import Decimal

import pytest

from shared.contracts.topics import SIFO_EVENTS

from services.sifo.jobs import JOBS
from tests.integration.live import published
from tests.integration.sifo.conftest import Sifo, loan_body

pytestmark = pytest.mark.integration


def test_a_loan_from_submission_to_write_off(sifo: Sifo) -> None:
    financier = sifo.financier()
    right = sifo.drawing_right(financier["id"])
    bank = sifo.financier_token(financier["id"])

    submitted = sifo.ok("POST", "/loans", bank, loan_body(financier["id"]), 201)
    assert submitted["status"] == "submitted"
    assert submitted["pricing"]["reference_rate"] == "0.0439"
    assert submitted["pricing"]["applied_rate"] == "0.0439"
    assert submitted["terms"]["principal"] == "200000.00"
    assert len(submitted["schedule"]) == 84
    assert submitted["schedule"][-1]["closing_balance"] == "0.00"
    assert Decimal(submitted["gge"]) == 0
    loan_id = submitted["id"]

    sifo.on("2026-03-10")
    approved = sifo.ok("POST", f"/loans/{loan_id}/approval", sifo.approver, {})
    assert approved["status"] == "approved"
    assert approved["drawing_right_id"] == right["id"]
    after_approval = sifo.ok("GET", f"/drawing-rights/{right['id']}", sifo.manager)
    assert (after_approval["reserved"], after_approval["available"]) == ("200000.00", "800000.00")

    decision = sifo.ok("POST", f"/loans/{loan_id}/disbursement", sifo.backoffice, {"disbursed_on": "2026-04-01"}, 201)
    assert decision["status"] == "prepared"
    assert sifo.ok("GET", f"/loans/{loan_id}", sifo.manager)["status"] == "approved"
    sifo.ok("POST", f"/decisions/{decision['id']}/approval", sifo.approver)
    disbursed = sifo.ok("GET", f"/loans/{loan_id}", sifo.manager)
    assert (disbursed["status"], disbursed["disbursed_on"]) == ("disbursed", "2026-04-01")
    after_payout = sifo.ok("GET", f"/drawing-rights/{right['id']}", sifo.manager)
    assert (after_payout["reserved"], after_payout["drawn"]) == ("0.00", "200000.00")

    assert sifo.client.get(f"/loans/{loan_id}/payment-instruction", headers=sifo.manager).status_code == 409
    assert JOBS["payout-run"](sifo.settings, date(2026, 4, 1)).endswith("payout files 1, payouts 1")
    xml = sifo.client.get(f"/loans/{loan_id}/payment-instruction", headers=sifo.manager)
    assert xml.status_code == 200
    assert xml.headers["content-type"].startswith("application/xml")
    document = ElementTree.fromstring(xml.content)
    namespace = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
    assert document.findtext(".//p:CtrlSum", namespaces=namespace) == "200000.00"
    assert document.findtext(".//p:CdtrAcct/p:Id/p:IBAN", namespaces=namespace) == "BE68539007547034"

    view = sifo.ok("GET", f"/loans/{loan_id}/position?as_of=2026-04-01", sifo.manager)
    first, second, third, fourth = view["schedule"][:4]
    assert first["due_date"] == "2026-05-01"
    for installment in (first, second):
        sifo.ok(
            "POST",
            f"/loans/{loan_id}/repayments",
            sifo.backoffice,
            {"received_on": installment["due_date"], "amount": installment["payment"]},
            201,
        )
    on_time = sifo.ok("GET", f"/loans/{loan_id}/position?as_of=2026-06-15", sifo.manager)["position"]
    assert on_time["total_arrears"] == "0.00"
    assert on_time["outstanding_principal"] == second["closing_balance"]

    late = sifo.ok("GET", f"/loans/{loan_id}/position?as_of=2026-07-11", sifo.manager)["position"]
    assert late["days_past_due"] == 10
    assert late["total_arrears"] == third["payment"]
    assert Decimal(late["late_interest"]) > 0

    recorded = sifo.ok(
        "POST",
        f"/loans/{loan_id}/repayments",
        sifo.backoffice,
        {"received_on": "2026-07-11", "amount": "10000.00", "surplus_mode": "reduce_term"},
        201,
    )
    allocation = recorded["allocation"]
    # the overdue third installment, then the fourth (due 1 August) paid ahead; only the rest is a prepayment
    assert Decimal(allocation["interest"]) == Decimal(third["interest"]) + Decimal(fourth["interest"])
    assert Decimal(allocation["principal"]) == Decimal(third["principal"]) + Decimal(fourth["principal"])
    assert Decimal(allocation["late_interest"]) == Decimal(late["late_interest"])
    assert Decimal(allocation["prepayment"]) == Decimal("10000.00") - Decimal(third["payment"]) - Decimal(
        fourth["payment"]
    ) - Decimal(late["late_interest"])
    assert recorded["status"] == "current"

    reset = sifo.ok(
        "POST",
        f"/loans/{loan_id}/rate-resets",
        sifo.manager,
        {"effective_on": "2026-08-01", "annual_rate": "0.05"},
        201,
    )
    assert (reset["kind"], reset["status"]) == ("rate_reset", "prepared")
    sifo.ok("POST", f"/decisions/{reset['id']}/approval", sifo.approver)
    sifo.ok("POST", f"/loans/{loan_id}/default", sifo.manager, {"defaulted_on": "2026-10-15", "reason": "insolvency"})
    write_off = sifo.ok(
        "POST",
        f"/loans/{loan_id}/write-off",
        sifo.manager,
        {"written_off_on": "2026-11-30", "reason": "bankruptcy closed without dividend"},
        201,
    )
    sifo.ok("POST", f"/decisions/{write_off['id']}/approval", sifo.approver)
    final = sifo.ok("GET", f"/loans/{loan_id}", sifo.manager)
    assert final["status"] == "written_off"
    assert Decimal(final["written_off_amount"]) > Decimal("150000.00")

    everything = published(sifo.engine, sifo.settings.kafka_bootstrap_servers, sifo.settings.topic(SIFO_EVENTS))
    events = [envelope for envelope in everything if envelope.subject == loan_id]
    assert [envelope.type for envelope in events] == [
        "sifo.loan.submitted.v2",
        "sifo.loan.approved.v2",
        "sifo.loan.disbursed.v2",
        "sifo.loan.repayment_recorded.v3",
        "sifo.loan.repayment_recorded.v3",
        "sifo.loan.repayment_recorded.v3",
        "sifo.loan.rate_reset.v2",
        "sifo.loan.defaulted.v2",
        "sifo.loan.written_off.v1",
    ]
    disbursed_event = events[2].data
    assert disbursed_event["terms"]["start_date"] == "2026-04-01"
    assert disbursed_event["amount"] == "200000.00"
    assert disbursed_event["target_group_vte"] == "12.50"
    assert events[-1].data["approved_by"] == "bob@pmv.example"


def test_a_loan_below_the_reference_rate_carries_aid_and_can_be_restructured(sifo: Sifo) -> None:
    financier = sifo.financier()
    sifo.drawing_right(financier["id"])
    body = loan_body(financier["id"], rate_override={"rate": "0.01", "reason": "fund policy for start-ups"})
    submitted = sifo.ok("POST", "/loans", sifo.manager, body, 201)
    assert submitted["pricing"]["applied_rate"] == "0.01"
    assert submitted["pricing"]["override_reason"] == "fund policy for start-ups"
    assert Decimal(submitted["gge"]) > Decimal("10000.00")
    loan_id = submitted["id"]
    sifo.on("2026-03-10")
    sifo.ok("POST", f"/loans/{loan_id}/approval", sifo.approver, {})
    decision = sifo.ok("POST", f"/loans/{loan_id}/disbursement", sifo.manager, {"disbursed_on": "2026-04-01"}, 201)
    sifo.ok("POST", f"/decisions/{decision['id']}/approval", sifo.approver)

    owed = sifo.ok("GET", f"/loans/{loan_id}/position?as_of=2026-09-01", sifo.manager)["position"]["payoff_amount"]
    new_terms = {"principal": owed, "annual_rate": "0.005", "periods": 120, "start_date": "2026-09-01"}
    wrong = sifo.client.post(
        f"/loans/{loan_id}/restructuring",
        headers=sifo.manager,
        json={"effective_on": "2026-09-01", "terms": {**new_terms, "principal": "1.00"}},
    )
    assert wrong.status_code == 422
    assert wrong.json()["detail"] == f"terms.principal: 1.00 must equal everything owed on 2026-09-01: {owed}"
    too_long = sifo.client.post(
        f"/loans/{loan_id}/restructuring",
        headers=sifo.manager,
        json={"effective_on": "2026-09-01", "terms": new_terms},
    )
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "terms.periods"
    decision = sifo.ok(
        "POST",
        f"/loans/{loan_id}/restructuring",
        sifo.manager,
        {"effective_on": "2026-09-01", "terms": new_terms, "committee_reference": "SC-2026-07"},
        201,
    )
    sifo.ok("POST", f"/decisions/{decision['id']}/approval", sifo.approver)
    view = sifo.ok("GET", f"/loans/{loan_id}/position?as_of=2026-09-01", sifo.manager)
    assert len(view["schedule"]) == 120
    assert view["schedule"][0]["opening_balance"] == owed
    assert view["history"][-1]["kind"] == "restructure"
