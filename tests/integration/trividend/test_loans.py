"""Subordinated and convertible loans through the API on PostgreSQL: pricing and aid in the register, payout with
four eyes, servicing through the shared core, conversion into shares, and the events on the broker."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import pyxirr
from sqlmodel import Session, select

from shared.contracts.topics import TRIVIDEND_EVENTS

from services.trividend.models import TrividendMovement, TrividendParticipation, TrividendProposal
from tests.integration.live import published
from tests.integration.trividend.conftest import Trividend
from tests.state_aid_register import measures_of

pytestmark = pytest.mark.integration


def loan_proposal(trividend: Trividend, investee_id: str, instrument: str, amount: str, **terms: Any) -> dict[str, Any]:
    body = {
        "investee_id": investee_id,
        "instrument": instrument,
        "amount": amount,
        "rationale": "working capital for the new line",
        "loan": {"annual_rate": "0.05", "periods": 60, "rating": "satisfactory", "collateral": "low", **terms},
    }
    result: dict[str, Any] = trividend.ok("POST", "/proposals", trividend.manager, body, 201)
    return result


def refused(trividend: Trividend, url: str, headers: dict[str, str], body: Any, field: str) -> None:
    response = trividend.client.post(url, headers=headers, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.json()["detail"], response.json()


def rows(trividend: Trividend, model: type[Any]) -> int:
    with Session(trividend.engine) as session:
        return len(session.exec(select(model)).all())


def pay_out(trividend: Trividend, loan_id: str, on: str) -> list[dict[str, Any]]:
    trividend.on(on)
    tomorrow = (date.fromisoformat(on) + timedelta(days=1)).isoformat()
    refused(
        trividend,
        f"/loans/{loan_id}/disbursement",
        trividend.backoffice,
        {"disbursed_on": tomorrow, "iban": "BE68 5390 0754 7034"},
        "disbursed_on",
    )
    decision = trividend.ok(
        "POST",
        f"/loans/{loan_id}/disbursement",
        trividend.backoffice,
        {"disbursed_on": on, "iban": "BE68 5390 0754 7034"},
        201,
    )
    assert decision["status"] == "prepared"
    assert [waiting["id"] for waiting in trividend.items("/decisions", trividend.committee)] == [decision["id"]]
    assert trividend.items("/decisions?awaiting_me=true", trividend.backoffice) == []
    preparer_again = trividend.client.post(f"/decisions/{decision['id']}/approval", headers=trividend.backoffice)
    assert preparer_again.status_code == 403
    trividend.ok("POST", f"/decisions/{decision['id']}/approval", trividend.committee)
    schedule: list[dict[str, Any]] = trividend.ok("GET", f"/loans/{loan_id}?as_of={on}", trividend.auditor)["schedule"]
    return schedule


def pay(trividend: Trividend, loan_id: str, rows_to_pay: list[dict[str, Any]]) -> None:
    for row in rows_to_pay:
        trividend.on(row["due_date"])
        trividend.ok(
            "POST",
            f"/loans/{loan_id}/repayments",
            trividend.backoffice,
            {"received_on": row["due_date"], "amount": row["payment"]},
            201,
        )


def test_a_subordinated_loan_is_priced_registered_paid_out_and_serviced(trividend: Trividend) -> None:
    trividend.on("2026-03-02")
    investee = trividend.investee(4)
    before = rows(trividend, TrividendProposal)
    for terms, field in (
        ({"annual_rate": "0.08"}, "loan.annual_rate"),
        ({"annual_rate": "0.02"}, "loan.annual_rate"),
        ({"periods": 24}, "loan.periods"),
        ({"periods": 132}, "loan.periods"),
        ({"interest_converts": True}, "loan.interest_converts"),
    ):
        body = {
            "investee_id": investee["id"],
            "instrument": "subordinated_loan",
            "amount": "100000.00",
            "rationale": "x",
            "loan": {"annual_rate": "0.05", "periods": 60, "rating": "satisfactory", "collateral": "low", **terms},
        }
        refused(trividend, "/proposals", trividend.manager, body, field)
    no_terms = {"investee_id": investee["id"], "instrument": "subordinated_loan", "amount": "1000.00", "rationale": "x"}
    refused(trividend, "/proposals", trividend.manager, no_terms, "loan")
    assert rows(trividend, TrividendProposal) == before

    proposal = loan_proposal(
        trividend,
        investee["id"],
        "subordinated_loan",
        "100000.00",
        annual_rate="0.03",
        periods=72,
        sifo_loan_id="sifo-4711",
    )
    trividend.on("2026-03-10")
    trividend.ok("POST", f"/proposals/{proposal['id']}/approval", trividend.committee, {})
    loan_id = proposal["id"]
    approved = trividend.ok("GET", f"/loans/{loan_id}", trividend.auditor)
    assert (approved["status"], approved["instrument"], approved["sifo_loan_id"]) == (
        "approved",
        "subordinated_loan",
        "sifo-4711",
    )
    gge = Decimal(approved["gge"])
    assert gge > 0
    assert Decimal(approved["reference_rate"]) > Decimal("0.03")
    trividend.deliver_aid()
    [measure] = measures_of(trividend.register, loan_id)
    assert (measure.status, measure.gge, measure.instrument, measure.grant_date.isoformat()) == (
        "granted",
        gge,
        "trividend",
        "2026-03-10",
    )

    schedule = pay_out(trividend, loan_id, "2026-04-01")
    assert (len(schedule), schedule[0]["due_date"]) == (72, "2026-05-01")
    pay(trividend, loan_id, schedule[:3])
    trividend.on("2026-09-30")
    late = trividend.ok("GET", f"/loans/{loan_id}?as_of=2026-09-30", trividend.auditor)["position"]
    assert late["days_past_due"] == 60
    assert Decimal(late["total_arrears"]) == Decimal(schedule[3]["payment"]) + Decimal(schedule[4]["payment"])
    assert Decimal(late["outstanding_principal"]) == Decimal(schedule[2]["closing_balance"])

    events = published(
        trividend.engine, trividend.settings.kafka_bootstrap_servers, trividend.settings.topic(TRIVIDEND_EVENTS)
    )
    of_loan = [envelope.type for envelope in events if envelope.subject == loan_id]
    assert of_loan == [
        "trividend.proposal.approved.v1",
        "trividend.loan.approved.v1",
        "trividend.aid.outcome.v1",
        "trividend.loan.disbursed.v1",
        "trividend.loan.repayment_recorded.v1",
        "trividend.loan.repayment_recorded.v1",
        "trividend.loan.repayment_recorded.v1",
    ]


def test_a_convertible_loan_turns_into_shares_and_a_repaid_one_cannot(trividend: Trividend) -> None:
    trividend.on("2026-03-02")
    investee = trividend.investee(5)
    convertible = loan_proposal(trividend, investee["id"], "convertible_loan", "80000.00", interest_converts=True)
    repaid = loan_proposal(trividend, investee["id"], "convertible_loan", "50000.00")
    subordinated = loan_proposal(trividend, investee["id"], "subordinated_loan", "30000.00")
    trividend.on("2026-03-10")
    for proposal in (convertible, repaid, subordinated):
        trividend.ok("POST", f"/proposals/{proposal['id']}/approval", trividend.committee, {})
    loan_id = convertible["id"]
    schedule = pay_out(trividend, loan_id, "2026-04-01")
    pay(trividend, loan_id, schedule[:2])

    trividend.on("2026-06-15")
    before = trividend.ok("GET", f"/loans/{loan_id}?as_of=2026-06-15", trividend.auditor)["position"]
    expected_interest = Decimal(before["accrued_interest"])
    expected = Decimal(before["outstanding_principal"]) + expected_interest
    refused(
        trividend,
        f"/loans/{loan_id}/conversion",
        trividend.manager,
        {"converted_on": "2026-06-15", "price_per_share": "-1"},
        "price_per_share",
    )
    refused(
        trividend,
        f"/loans/{loan_id}/conversion",
        trividend.manager,
        {"converted_on": "2026-05-15", "price_per_share": "100.00"},
        "converted_on",
    )
    converted = trividend.ok(
        "POST",
        f"/loans/{loan_id}/conversion",
        trividend.manager,
        {"converted_on": "2026-06-15", "price_per_share": "100.00"},
        201,
    )
    assert Decimal(converted["principal_converted"]) == Decimal(before["outstanding_principal"])
    assert Decimal(converted["interest_converted"]) == expected_interest > 0
    assert Decimal(converted["amount"]) == expected
    assert converted["shares"] == int(expected // 100)
    closed = trividend.ok("GET", f"/loans/{loan_id}", trividend.auditor)
    assert (closed["status"], closed["converted_on"]) == ("converted", "2026-06-15")
    participation = trividend.ok("GET", f"/participations/{loan_id}?on=2026-06-15", trividend.auditor)
    assert (participation["shares_held"], Decimal(participation["cost"]), participation["status"]) == (
        converted["shares"],
        expected,
        "open",
    )
    after = trividend.client.post(
        f"/loans/{loan_id}/repayments",
        headers=trividend.backoffice,
        json={"received_on": "2026-06-15", "amount": "10.00"},
    )
    assert after.status_code == 409, after.text

    movements = rows(trividend, TrividendMovement)
    participations = rows(trividend, TrividendParticipation)
    refused(
        trividend,
        f"/loans/{loan_id}/conversion",
        trividend.manager,
        {"converted_on": "2026-06-15", "price_per_share": "100.00"},
        "converted_on",
    )
    refused(
        trividend,
        f"/loans/{subordinated['id']}/conversion",
        trividend.manager,
        {"converted_on": "2026-06-15", "price_per_share": "100.00"},
        "loan_id",
    )

    pay_out(trividend, repaid["id"], "2026-06-15")
    trividend.on("2026-06-20")
    quote = trividend.ok("GET", f"/loans/{repaid['id']}?as_of=2026-06-20", trividend.auditor)["position"][
        "payoff_amount"
    ]
    trividend.ok(
        "POST",
        f"/loans/{repaid['id']}/repayments",
        trividend.backoffice,
        {"received_on": "2026-06-20", "amount": quote},
        201,
    )
    assert trividend.ok("GET", f"/loans/{repaid['id']}", trividend.auditor)["status"] == "settled"
    refused(
        trividend,
        f"/loans/{repaid['id']}/conversion",
        trividend.manager,
        {"converted_on": "2026-06-20", "price_per_share": "100.00"},
        "converted_on",
    )
    assert (rows(trividend, TrividendMovement), rows(trividend, TrividendParticipation)) == (movements, participations)

    events = published(
        trividend.engine, trividend.settings.kafka_bootstrap_servers, trividend.settings.topic(TRIVIDEND_EVENTS)
    )
    tail = [envelope.type for envelope in events if envelope.subject == loan_id][-2:]
    assert tail == ["trividend.loan.converted.v1", "trividend.equity.invested.v1"]


def test_the_fund_counts_loans_once_even_after_a_conversion(trividend: Trividend) -> None:
    trividend.on("2026-03-02")
    investee = trividend.investee(9)
    trividend.ok(
        "POST",
        f"/investees/{investee['id']}/headcounts",
        trividend.manager,
        {"on": "2026-01-01", "target_group_vte": "8.00"},
        201,
    )
    subordinated = loan_proposal(trividend, investee["id"], "subordinated_loan", "60000.00")
    convertible = loan_proposal(trividend, investee["id"], "convertible_loan", "40000.00", interest_converts=True)
    trividend.on("2026-03-10")
    for proposal in (subordinated, convertible):
        trividend.ok("POST", f"/proposals/{proposal['id']}/approval", trividend.committee, {})
    schedule = pay_out(trividend, subordinated["id"], "2026-04-01")
    pay_out(trividend, convertible["id"], "2026-04-01")
    pay(trividend, subordinated["id"], schedule[:3])
    trividend.on("2026-07-15")
    converted = trividend.ok(
        "POST",
        f"/loans/{convertible['id']}/conversion",
        trividend.manager,
        {"converted_on": "2026-07-15", "price_per_share": "10.00"},
        201,
    )

    fund = trividend.ok("GET", "/fund/performance?on=2026-09-30", trividend.auditor)
    owed = Decimal(
        trividend.ok("GET", f"/loans/{subordinated['id']}?as_of=2026-09-30", trividend.auditor)["position"][
            "outstanding_principal"
        ]
    )
    received = sum((Decimal(row["payment"]) for row in schedule[:3]), Decimal("0.00"))
    shares_at_cost = Decimal(converted["amount"])  # never valued: the converted shares stand at cost
    assert (Decimal(fund["invested"]), Decimal(fund["realised"])) == (Decimal("100000.00"), received)
    assert Decimal(fund["fair_value"]) == owed + shares_at_cost
    assert Decimal(fund["tvpi"]) == ((received + owed + shares_at_cost) / Decimal("100000.00")).quantize(
        Decimal("1e-10")
    )
    assert (fund["target_group_vte"], fund["invested_per_vte"]) == ("8.00", "12500.00")
    flows = [(date(2026, 4, 1), -60000.0), (date(2026, 4, 1), -40000.0)]
    flows += [(date.fromisoformat(row["due_date"]), float(row["payment"])) for row in schedule[:3]]
    flows.append((date(2026, 9, 30), float(owed + shares_at_cost)))
    assert abs(Decimal(fund["xirr"]) - Decimal(repr(pyxirr.xirr(*zip(*flows, strict=True))))) < Decimal("1e-9")
