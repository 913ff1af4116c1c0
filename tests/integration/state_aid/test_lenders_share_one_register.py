"""The ways the ceiling was passed before one register existed, tried again on the real stack.

SIFO and energy run on their own PostgreSQL databases and reserve aid over HTTP in the register;
each refusal must name the headroom and leave every service as it was: no loan approved, no budget
committed, no drawing right touched, no event staged, no measure registered.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from shared.eventbus.tables import OutboxMessage

from tests.integration.energy.conftest import Energy
from tests.integration.sifo.conftest import Sifo, loan_body
from tests.state_aid_register import StateAid, measures_of

DAY = "2026-03-10"


def outbox_size(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(col(OutboxMessage.seq))).all())


def sifo_loan(
    sifo: Sifo, enterprise_number: str, share: str = "200000.00", financier_id: str | None = None
) -> dict[str, Any]:
    """A submitted SIFO loan at 1 % (well below the reference rate: it carries aid) to `enterprise_number`.

    Without `financier_id`, a new financier with a drawing right of 1,000,000.00 lends it.
    """
    right = None
    if financier_id is None:
        financier_id = sifo.financier(recognised_from="2025-01-01")["id"]
        right = sifo.drawing_right(financier_id)
    body = loan_body(
        financier_id,
        borrower={"enterprise_number": enterprise_number, "name": "De Vlaspit vzw", "target_group_vte": "9.00"},
        total_credit="600000.00",
        sifo_share=share,
        rate_override={"rate": "0.01", "reason": "start-up"},
    )
    loan: dict[str, Any] = sifo.ok("POST", "/loans", sifo.manager, body, 201)
    loan["right"] = right
    return loan


def energy_application(energy: Energy, call: dict[str, Any], applicant: dict[str, Any], amount: str) -> dict[str, Any]:
    body = energy.application_body(call, applicant, requested_amount=amount, submitted_on="2026-03-02")
    body["installations"][0].update(investment_cost=amount)
    result: dict[str, Any] = energy.ok("POST", "/applications", energy.manager, body, 201)
    return result


def declare(register: StateAid, enterprise_number: str, gge: Decimal, reference: str) -> None:
    import httpx

    declared = httpx.post(
        f"{register.url}/declarations",
        headers={**register.backoffice, "Idempotency-Key": f"declare-{reference}"},
        json={
            "reference": reference,
            "enterprise_number": enterprise_number,
            "provider": "Province of East Flanders",
            "gge": str(gge),
            "grant_date": "2026-01-20",
            "legal_basis": "Regulation (EU) 2023/2831",
        },
    )
    assert declared.status_code == 201, declared.text


def test_aid_granted_by_sifo_counts_when_energy_approves(sifo: Sifo, energy: Energy) -> None:
    sifo.on(DAY)
    energy.budget_year()
    call = energy.call(annual_rate="0.01", term_months=120)
    applicant = energy.applicant(1)
    enterprise = applicant["enterprise_number"]
    application = energy_application(energy, call, applicant, "100000.00")
    energy_gge = Decimal(
        energy.ok("GET", f"/applications/{application['id']}/assessment", energy.approver)["gge"]["gge"]
    )
    loan = sifo_loan(sifo, enterprise)
    approved = sifo.ok("POST", f"/loans/{loan['id']}/approval", sifo.approver, {})
    sifo_gge = Decimal(approved["gge"])
    assert sifo_gge > Decimal("20000.00")
    other = Decimal("300000.00") - sifo_gge - energy_gge + Decimal("100.00")
    declare(sifo.register, enterprise, other, "declaration-province-2026")

    assessment = energy.ok("GET", f"/applications/{application['id']}/assessment", energy.approver)
    assert Decimal(assessment["de_minimis"]["before"]["used"]) == sifo_gge + other
    assert assessment["de_minimis"]["exceeds"] is True
    year_before = energy.ok("GET", "/budget-years/2026", energy.manager)
    events_before = outbox_size(energy.engine)

    refused = energy.client.post(f"/applications/{application['id']}/approval", headers=energy.approver, json={})

    assert refused.status_code == 409, refused.text
    problem = refused.json()
    headroom = Decimal("300000.00") - sifo_gge - other
    assert Decimal(problem["available"]) == headroom == energy_gge - Decimal("100.00")
    assert f"headroom {headroom}" in problem["detail"]
    assert energy.ok("GET", f"/applications/{application['id']}", energy.manager)["status"] == "submitted"
    assert energy.ok("GET", "/budget-years/2026", energy.manager) == year_before
    assert outbox_size(energy.engine) == events_before
    assert measures_of(energy.register, application["id"]) == []


def test_approvals_are_dated_by_the_server_and_history_cannot_be_slipped_in_before(sifo: Sifo) -> None:
    sifo.on(DAY)
    enterprise = "0200065765"
    first = sifo_loan(sifo, enterprise, share="300000.00")
    back_dated = sifo.client.post(
        f"/loans/{first['id']}/approval", headers=sifo.approver, json={"approved_on": "2026-03-03"}
    )
    assert back_dated.status_code == 422
    assert "approved_on" in back_dated.json()["detail"]
    approved = sifo.ok("POST", f"/loans/{first['id']}/approval", sifo.approver, {})
    assert approved["approved_on"] == DAY
    (grant,) = measures_of(sifo.register, first["id"])
    assert (str(grant.grant_date), grant.gge) == (DAY, Decimal(approved["gge"]))

    # A grant recorded as history before it must fit the window that ends on the later approval too.
    import httpx

    room = Decimal("300000.00") - Decimal(approved["gge"])
    historic = {
        "reference": "sifo:paper-loan:grant",
        "enterprise_number": enterprise,
        "instrument": "sifo",
        "source_reference": "paper-loan",
        "gge": str(room + Decimal("0.01")),
        "grant_date": "2025-06-30",
        "reason": "loan approved on paper before the platform",
    }
    refused = httpx.post(f"{sifo.register.url}/reservations", headers=sifo.register.backoffice, json=historic)
    assert refused.status_code == 409
    assert (Decimal(refused.json()["available"]), refused.json()["window_end"]) == (room, DAY)


def test_a_wait_listed_application_is_checked_again_and_dated_when_budget_reaches_it(
    sifo: Sifo, energy: Energy
) -> None:
    energy.budget_year(envelope="150000.00")
    call = energy.call(annual_rate="0.01", term_months=120)
    first = energy_application(energy, call, energy.applicant(1), "100000.00")
    applicant = energy.applicant(2)
    waiting = energy_application(energy, call, applicant, "60000.00")
    lucky_applicant = energy.applicant(3)
    lucky = energy_application(energy, call, lucky_applicant, "55000.00")
    energy.on("2026-03-05")
    energy.ok("POST", f"/applications/{first['id']}/approval", energy.approver, {})
    short = energy.client.post(f"/applications/{waiting['id']}/approval", headers=energy.approver, json={})
    assert (short.status_code, short.json()["wait_listed"]) == (409, True)
    lucky_short = energy.client.post(f"/applications/{lucky['id']}/approval", headers=energy.approver, json={})
    assert lucky_short.status_code == 409
    assert measures_of(energy.register, waiting["id"]) == []

    # While it waits, SIFO grants its enterprise nearly the whole ceiling.
    sifo.on("2026-03-20")
    loan = sifo_loan(sifo, applicant["enterprise_number"], share="350000.00")
    sifo.ok("POST", f"/loans/{loan['id']}/approval", sifo.approver, {})
    sifo.deliver_aid()  # the register confirms the grant from SIFO's event; unconfirmed, it would run out
    (grant,) = measures_of(sifo.register, loan["id"])
    assert grant.status == "granted"
    taken = grant.gge
    declare(sifo.register, applicant["enterprise_number"], Decimal("300000.00") - taken, "declaration-full")

    energy.on("2026-04-15")
    decision = energy.ok(
        "POST",
        f"/applications/{first['id']}/cancellation",
        energy.manager,
        {"cancelled_on": "2026-04-15", "reason": "the roof cannot carry the panels"},
        201,
    )
    energy.ok("POST", f"/decisions/{decision['id']}/approval", energy.approver)

    assert energy.ok("GET", f"/applications/{waiting['id']}", energy.manager)["status"] == "wait_listed"
    assert measures_of(energy.register, waiting["id"]) == []
    served = energy.ok("GET", f"/applications/{lucky['id']}", energy.manager)
    assert (served["status"], served["aid"]["grant_date"]) == ("approved", "2026-04-15")
    (grant,) = measures_of(energy.register, lucky["id"])
    assert (str(grant.grant_date), grant.gge) == ("2026-04-15", Decimal(served["gge"]))
    year = energy.ok("GET", "/budget-years/2026", energy.manager)
    assert (year["committed"], year["available"]) == ("55000.00", "95000.00")


def test_when_the_register_is_down_approvals_fail_with_503_and_nothing_is_committed(sifo: Sifo, energy: Energy) -> None:
    sifo.on(DAY)
    loan = sifo_loan(sifo, "0200065765")
    energy.budget_year()
    call = energy.call(annual_rate="0.01", term_months=120)
    application = energy_application(energy, call, energy.applicant(1), "100000.00")
    sifo_events, energy_events = outbox_size(sifo.engine), outbox_size(energy.engine)
    sifo.register.server.stop()
    try:
        for client, url, headers in (
            (sifo.client, f"/loans/{loan['id']}/approval", sifo.approver),
            (energy.client, f"/applications/{application['id']}/approval", energy.approver),
        ):
            down = client.post(url, headers=headers, json={})
            assert down.status_code == 503, down.text
            assert down.headers["content-type"].startswith("application/problem+json")
            assert "state-aid register" in down.json()["detail"]
            assert "nothing was committed" in down.json()["detail"]
    finally:
        sifo.register.server.start()
    assert sifo.ok("GET", f"/loans/{loan['id']}", sifo.manager)["status"] == "submitted"
    right = sifo.ok("GET", f"/drawing-rights/{loan['right']['id']}", sifo.manager)
    assert (right["reserved"], right["available"]) == ("0.00", "1000000.00")
    assert energy.ok("GET", f"/applications/{application['id']}", energy.manager)["status"] == "submitted"
    assert energy.ok("GET", "/budget-years/2026", energy.manager)["committed"] == "0.00"
    assert (outbox_size(sifo.engine), outbox_size(energy.engine)) == (sifo_events, energy_events)
    sifo.ok("POST", f"/loans/{loan['id']}/approval", sifo.approver, {})


def test_a_loan_without_aid_is_approved_while_the_register_is_down(sifo: Sifo, energy: Energy) -> None:
    sifo.on(DAY)
    financier = sifo.financier(recognised_from="2025-01-01")
    sifo.drawing_right(financier["id"])
    market = sifo.ok("POST", "/loans", sifo.manager, loan_body(financier["id"]), 201)  # at the reference rate
    assert Decimal(market["gge"]) == 0
    energy.budget_year()
    call = energy.call(annual_rate="0.09", term_months=120)  # above any reference rate of 2026
    application = energy_application(energy, call, energy.applicant(1), "100000.00")
    sifo.register.server.stop()
    try:
        approved = sifo.ok("POST", f"/loans/{market['id']}/approval", sifo.approver, {})
        committed = energy.ok("POST", f"/applications/{application['id']}/approval", energy.approver, {})
    finally:
        sifo.register.server.start()
    assert (approved["status"], approved["gge"]) == ("approved", "0.00")
    assert (committed["status"], committed["gge"]) == ("approved", "0.00")
    assert measures_of(sifo.register, market["id"]) == []
    assert measures_of(energy.register, application["id"]) == []
