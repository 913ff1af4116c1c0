"""An equity participation from the committee to the full exit, through the API on PostgreSQL, its events on
the broker, and the fund's performance against figures worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import pyxirr
from sqlmodel import Session, select

from shared.contracts.topics import TRIVIDEND_EVENTS
from shared.platform.auth import Role

from services.trividend.models import TrividendExit, TrividendMovement, TrividendValuation
from tests.integration.live import published
from tests.integration.trividend.conftest import Trividend
from tests.support import bearer

pytestmark = pytest.mark.integration


def forbidden(trividend: Trividend, url: str, headers: dict[str, str], body: Any = None) -> str:
    response = trividend.client.post(url, headers=headers, json={} if body is None else body)
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    detail: str = response.json()["detail"]
    return detail


def refused(trividend: Trividend, url: str, headers: dict[str, str], body: Any, field: str) -> dict[str, Any]:
    response = trividend.client.post(url, headers=headers, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert field in problem["detail"], problem
    return problem


def count(trividend: Trividend, model: type[Any]) -> int:
    with Session(trividend.engine) as session:
        return len(session.exec(select(model)).all())


def test_an_equity_participation_from_committee_to_full_exit(trividend: Trividend) -> None:
    trividend.on("2026-01-05")
    investee = trividend.investee(1)
    trividend.ok(
        "POST",
        f"/investees/{investee['id']}/share-counts",
        trividend.backoffice,
        {"on": "2026-01-01", "shares_outstanding": 10000},
        201,
    )
    trividend.ok(
        "POST",
        f"/investees/{investee['id']}/headcounts",
        trividend.manager,
        {"on": "2026-01-01", "target_group_vte": "20.00"},
        201,
    )

    body = {"investee_id": investee["id"], "instrument": "equity", "amount": "150000.00", "rationale": "second shop"}
    proposal = trividend.ok("POST", "/proposals", trividend.manager, body, 201)
    on_the_committee_too = bearer(trividend.settings, "Ines@trividend.example", Role.FUND_MANAGER, Role.APPROVER)
    assert "four-eyes" in forbidden(trividend, f"/proposals/{proposal['id']}/approval", on_the_committee_too)
    trividend.on("2026-01-10")
    approved = trividend.ok(
        "POST", f"/proposals/{proposal['id']}/approval", trividend.committee, {"reason": "committee 2026-01"}
    )
    assert (approved["status"], approved["decided_on"]) == ("approved", "2026-01-10")
    participation = proposal["id"]
    url = f"/participations/{participation}"

    trividend.on("2026-02-01")
    refused(
        trividend,
        f"{url}/tranches",
        trividend.backoffice,
        {"on": "2026-02-01", "shares": 400, "price_per_share": "-125.00", "amount": "50000.00"},
        "price_per_share",
    )
    refused(
        trividend,
        f"{url}/tranches",
        trividend.backoffice,
        {"on": "2026-02-01", "shares": 400, "price_per_share": "125.00", "amount": "50000.01"},
        "amount",
    )
    refused(
        trividend,
        f"{url}/tranches",
        trividend.backoffice,
        {"on": "2026-02-02", "shares": 400, "price_per_share": "125.00", "amount": "50000.00"},
        "on",
    )
    first = trividend.ok(
        "POST",
        f"{url}/tranches",
        trividend.backoffice,
        {"on": "2026-02-01", "shares": 400, "price_per_share": "125.00", "amount": "50000.00"},
        201,
    )
    assert (first["shares_held"], first["ownership"], first["cost"]) == (400, "0.040000", "50000.00")
    trividend.on("2026-08-01")
    too_much = trividend.client.post(
        f"{url}/tranches",
        headers=trividend.backoffice,
        json={"on": "2026-08-01", "shares": 1000, "price_per_share": "100.01", "amount": "100010.00"},
    )
    assert too_much.status_code == 409, too_much.text
    assert "above the committed 150000.00" in too_much.json()["detail"]
    second = trividend.ok(
        "POST",
        f"{url}/tranches",
        trividend.backoffice,
        {"on": "2026-08-01", "shares": 400, "price_per_share": "150.00", "amount": "60000.00"},
        201,
    )
    assert (second["shares_held"], second["ownership"], second["cost"], second["invested"]) == (
        800,
        "0.080000",
        "110000.00",
        "110000.00",
    )

    trividend.on("2026-10-15")
    valuation = {
        "quarter": "2026Q3",
        "fair_value": "120000.00",
        "method": "net_assets",
        "rationale": "half-year accounts",
    }
    prepared = trividend.ok("POST", f"{url}/valuations", trividend.manager, valuation, 201)
    assert "four-eyes" in forbidden(trividend, f"/valuations/{prepared['id']}/approval", trividend.manager)
    shouting = bearer(trividend.settings, " INES@Trividend.example", Role.FUND_MANAGER)
    assert "four-eyes" in forbidden(trividend, f"/valuations/{prepared['id']}/approval", shouting)
    trividend.ok("POST", f"/valuations/{prepared['id']}/approval", trividend.second_manager, {})
    trividend.ok("POST", "/quarters/2026Q3/close", trividend.committee, None, 201)
    before = count(trividend, TrividendValuation)
    refused(
        trividend,
        f"{url}/valuations",
        trividend.manager,
        {**valuation, "fair_value": "90000.00", "reason": "typo"},
        "quarter",
    )
    assert count(trividend, TrividendValuation) == before
    refused(trividend, f"{url}/valuations", trividend.manager, {**valuation, "quarter": "2026Q2"}, "quarter")
    unfunded = trividend.participation(trividend.investee(11)["id"])
    refused(
        trividend,
        f"/participations/{unfunded}/valuations",
        trividend.manager,
        {**valuation, "quarter": "2026Q4"},
        "quarter",
    )
    correction = trividend.ok(
        "POST",
        f"{url}/valuations",
        trividend.manager,
        {
            **valuation,
            "quarter": "2026Q4",
            "fair_value": "118000.00",
            "reason": "Q3 overstated stock",
            "corrects": prepared["id"],
        },
        201,
    )
    assert correction["corrects"] == prepared["id"]
    trividend.ok(
        "POST",
        f"/valuations/{correction['id']}/rejection",
        trividend.second_manager,
        {"reason": "wait for the year-end accounts"},
    )
    history = trividend.items(f"{url}/valuations", trividend.auditor)
    assert [(item["quarter"], item["status"]) for item in history] == [("2026Q3", "approved"), ("2026Q4", "rejected")]

    at_year_end = trividend.ok("GET", f"{url}/performance?on=2026-12-31", trividend.auditor)
    flows_2026 = [(date(2026, 2, 1), -50000.0), (date(2026, 8, 1), -60000.0), (date(2026, 12, 31), 120000.0)]
    assert (at_year_end["invested"], at_year_end["fair_value"], at_year_end["distributions"]) == (
        "110000.00",
        "120000.00",
        "0.00",
    )
    assert Decimal(at_year_end["rvpi"]) == Decimal("1.0909090909")  # 120,000 / 110,000
    assert Decimal(at_year_end["dpi"]) == 0
    assert Decimal(at_year_end["tvpi"]) == Decimal(at_year_end["moic"]) == Decimal("1.0909090909")
    assert abs(Decimal(at_year_end["xirr"]) - Decimal(repr(pyxirr.xirr(*zip(*flows_2026, strict=True))))) < Decimal(
        "1e-9"
    )
    assert at_year_end["invested_per_vte"] == "5500.00"  # 110,000 / 20 VTE

    trividend.on("2027-06-30")
    trividend.ok("POST", f"{url}/dividends", trividend.backoffice, {"on": "2027-06-30", "amount": "4000.00"}, 201)

    trividend.on("2028-03-31")
    exits_before = count(trividend, TrividendExit)
    refused(
        trividend,
        f"{url}/exits",
        trividend.manager,
        {"on": "2028-03-31", "shares_sold": 801, "proceeds": "200000.00"},
        "shares_sold",
    )
    assert count(trividend, TrividendExit) == exits_before
    partial = trividend.ok(
        "POST", f"{url}/exits", trividend.manager, {"on": "2028-03-31", "shares_sold": 300, "proceeds": "54000.00"}, 201
    )
    assert "four-eyes" in forbidden(trividend, f"/exits/{partial['id']}/approval", trividend.manager)
    trividend.ok("POST", f"/exits/{partial['id']}/approval", trividend.committee, {})
    after_partial = trividend.ok("GET", f"{url}?on=2028-03-31", trividend.auditor)
    # average cost 110,000 / 800 = 137.50; 300 shares cost 41,250.00; gain 54,000 - 41,250
    assert (after_partial["shares_held"], after_partial["cost"], after_partial["realised_gain"]) == (
        500,
        "68750.00",
        "12750.00",
    )
    assert after_partial["status"] == "open"
    backdated = {"on": "2028-01-02", "shares": 100, "price_per_share": "150.00", "amount": "15000.00"}
    refused(trividend, f"{url}/tranches", trividend.backoffice, backdated, "on")

    trividend.on("2029-12-31")
    full = trividend.ok(
        "POST", f"{url}/exits", trividend.manager, {"on": "2029-12-31", "shares_sold": 500, "proceeds": "95000.00"}, 201
    )
    trividend.ok("POST", f"/exits/{full['id']}/approval", trividend.second_manager, {})
    closed = trividend.ok("GET", f"{url}?on=2029-12-31", trividend.auditor)
    assert (closed["status"], closed["shares_held"], closed["cost"], closed["realised_gain"]) == (
        "exited",
        0,
        "0.00",
        "39000.00",
    )
    movements_before = count(trividend, TrividendMovement)
    refused(
        trividend,
        f"{url}/exits",
        trividend.manager,
        {"on": "2029-12-31", "shares_sold": 1, "proceeds": "1.00"},
        "shares_sold",
    )
    assert count(trividend, TrividendMovement) == movements_before

    final = trividend.ok("GET", f"{url}/performance?on=2029-12-31", trividend.auditor)
    flows = [
        (date(2026, 2, 1), -50000.0),
        (date(2026, 8, 1), -60000.0),
        (date(2027, 6, 30), 4000.0),
        (date(2028, 3, 31), 54000.0),
        (date(2029, 12, 31), 95000.0),
    ]
    # distributions 4,000 + 54,000 + 95,000 = 153,000 on 110,000 invested
    assert (final["invested"], final["realised"], final["income"], final["fair_value"]) == (
        "110000.00",
        "149000.00",
        "4000.00",
        "0.00",
    )
    assert Decimal(final["dpi"]) == Decimal(final["tvpi"]) == Decimal("1.3909090909")
    assert Decimal(final["rvpi"]) == 0
    assert abs(Decimal(final["xirr"]) - Decimal(repr(pyxirr.xirr(*zip(*flows, strict=True))))) < Decimal("1e-9")

    events = published(
        trividend.engine, trividend.settings.kafka_bootstrap_servers, trividend.settings.topic(TRIVIDEND_EVENTS)
    )
    of_participation = [envelope.type for envelope in events if envelope.subject == participation]
    assert of_participation == [
        "trividend.proposal.approved.v1",
        "trividend.equity.invested.v1",
        "trividend.equity.invested.v1",
        "trividend.valuation.approved.v1",
        "trividend.equity.dividend_received.v1",
        "trividend.equity.exited.v1",
        "trividend.equity.exited.v1",
    ]
    exited = [envelope.data for envelope in events if envelope.type == "trividend.equity.exited.v1"]
    assert [(item["realised_gain"], item["shares_held"], item["approved_by"]) for item in exited] == [
        ("12750.00", 500, "karel@pfv.example"),
        ("26250.00", 0, "jonas@trividend.example"),
    ]


def test_the_fund_adds_up_every_participation(trividend: Trividend) -> None:
    trividend.on("2026-01-05")
    first, second = trividend.investee(1), trividend.investee(2)
    for investee, vte in ((first, "20.00"), (second, "10.00")):
        trividend.ok(
            "POST",
            f"/investees/{investee['id']}/headcounts",
            trividend.manager,
            {"on": "2026-01-01", "target_group_vte": vte},
            201,
        )
    one = trividend.participation(first["id"])
    two = trividend.participation(second["id"], "40000.00")
    trividend.on("2026-02-01")
    trividend.ok(
        "POST",
        f"/participations/{one}/tranches",
        trividend.backoffice,
        {"on": "2026-02-01", "shares": 400, "price_per_share": "125.00", "amount": "50000.00"},
        201,
    )
    trividend.on("2026-10-01")
    valued = trividend.ok(
        "POST",
        f"/participations/{one}/valuations",
        trividend.manager,
        {"quarter": "2026Q3", "fair_value": "65000.00", "method": "multiples", "rationale": "EV/EBITDA 6x"},
        201,
    )
    trividend.ok("POST", f"/valuations/{valued['id']}/approval", trividend.committee, {})
    trividend.on("2027-01-15")
    trividend.ok(
        "POST",
        f"/participations/{two}/tranches",
        trividend.backoffice,
        {"on": "2027-01-15", "shares": 400, "price_per_share": "100.00", "amount": "40000.00"},
        201,
    )
    trividend.on("2027-06-30")
    trividend.ok(
        "POST", f"/participations/{one}/dividends", trividend.backoffice, {"on": "2027-06-30", "amount": "2500.00"}, 201
    )

    fund = trividend.ok("GET", "/fund/performance?on=2027-12-31", trividend.auditor)
    # invested 90,000; distributions 2,500; residual 65,000 (valued) + 40,000 (never valued: cost)
    assert (fund["invested"], fund["distributions"], fund["fair_value"]) == ("90000.00", "2500.00", "105000.00")
    assert Decimal(fund["dpi"]) == Decimal("0.0277777778")
    assert Decimal(fund["rvpi"]) == Decimal("1.1666666667")
    assert Decimal(fund["tvpi"]) == Decimal("1.1944444444")
    assert (fund["target_group_vte"], fund["invested_per_vte"]) == ("30.00", "3000.00")
    flows = [
        (date(2026, 2, 1), -50000.0),
        (date(2027, 1, 15), -40000.0),
        (date(2027, 6, 30), 2500.0),
        (date(2027, 12, 31), 105000.0),
    ]
    assert abs(Decimal(fund["xirr"]) - Decimal(repr(pyxirr.xirr(*zip(*flows, strict=True))))) < Decimal("1e-9")
