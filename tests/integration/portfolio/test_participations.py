"""Trividend's participations in the book: cost, fair value, ownership and VTE in the exports and the exposure."""

from __future__ import annotations

import pytest

from tests.integration.portfolio.test_quarterly_exports import export, table
from tests.integration.trividend.conftest import Trividend
from tests.portfolio_book import Portfolio

pytestmark = pytest.mark.integration


def test_a_participation_shows_at_cost_until_valued_and_counts_in_exposure(
    trividend: Trividend, portfolio: Portfolio
) -> None:
    trividend.on("2026-01-05")
    investee = trividend.investee(3)
    number = investee["enterprise_number"]
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
    participation = trividend.participation(investee["id"])
    trividend.on("2026-02-01")
    tranche = {"on": "2026-02-01", "shares": 400, "price_per_share": "125.00", "amount": "50000.00"}
    trividend.ok("POST", f"/participations/{participation}/tranches", trividend.backoffice, tranche, 201)
    trividend.on("2026-10-15")
    valuation = {"quarter": "2026Q3", "fair_value": "120000.00", "method": "net_assets", "rationale": "accounts"}
    prepared = trividend.ok("POST", f"/participations/{participation}/valuations", trividend.manager, valuation, 201)
    trividend.ok("POST", f"/valuations/{prepared['id']}/approval", trividend.committee, {})
    portfolio.catch_up([trividend.engine])

    _, second = export(portfolio, "2026Q2")
    _, third = export(portfolio, "2026Q3")
    [at_cost] = table(second, "participations")
    [valued] = table(third, "participations")
    assert (at_cost["fair_value"], at_cost["cost"], at_cost["shares_held"]) == ("50000.00", "50000.00", "400")
    assert (valued["participation_id"], valued["enterprise_number"], valued["name"]) == (
        participation,
        number,
        "Kringloopcentrum 3 cv",
    )
    assert (valued["fair_value"], valued["ownership"], valued["committed_undrawn"]) == (
        "120000.00",
        "0.040000",
        "100000.00",
    )
    assert valued["target_group_vte"] == "20.00"
    totals = {row["instrument"]: row for row in table(third, "totals")}
    assert (totals["trividend"]["participations"], totals["trividend"]["equity_fair_value"]) == ("1", "120000.00")
    assert totals["trividend"]["committed"] == "100000.00"
    [exposure] = [row for row in table(third, "exposure") if row["enterprise_number"] == number]
    assert (exposure["instruments"], exposure["equity_fair_value"], exposure["committed"], exposure["total"]) == (
        "trividend",
        "120000.00",
        "100000.00",
        "220000.00",
    )
    social = {row["instrument"]: row for row in table(third, "social")}
    assert (social["trividend"]["target_group_vte"], social["trividend"]["euro_per_vte"]) == ("20.00", "11000.00")
    api = portfolio.ok("GET", f"/enterprises/{number}/exposure?on=2026-09-30", portfolio.manager)
    assert (api["equity_fair_value"], api["total"]) == ("120000.00", "220000.00")


def test_trividend_loans_and_a_conversion_are_in_the_book(trividend: Trividend, portfolio: Portfolio) -> None:
    trividend.on("2026-03-02")
    investee = trividend.investee(6)
    proposals = {}
    for instrument, amount in (("subordinated_loan", "60000.00"), ("convertible_loan", "40000.00")):
        body = {
            "investee_id": investee["id"],
            "instrument": instrument,
            "amount": amount,
            "rationale": "expansion",
            "loan": {"annual_rate": "0.05", "periods": 60, "rating": "satisfactory", "collateral": "low"},
        }
        if instrument == "convertible_loan":
            body["loan"]["interest_converts"] = True  # nothing is paid on it: its overdue interest converts too
        proposals[instrument] = trividend.ok("POST", "/proposals", trividend.manager, body, 201)["id"]
    trividend.on("2026-03-10")
    for proposal in proposals.values():
        trividend.ok("POST", f"/proposals/{proposal}/approval", trividend.committee, {})
    trividend.on("2026-04-01")
    for loan_id in proposals.values():
        payout = {"disbursed_on": "2026-04-01", "iban": "BE68 5390 0754 7034"}
        decision = trividend.ok("POST", f"/loans/{loan_id}/disbursement", trividend.backoffice, payout, 201)
        trividend.ok("POST", f"/decisions/{decision['id']}/approval", trividend.committee)
    subordinated, convertible = proposals["subordinated_loan"], proposals["convertible_loan"]
    schedule = trividend.ok("GET", f"/loans/{subordinated}?as_of=2026-04-01", trividend.auditor)["schedule"]
    for row in schedule[:2]:
        trividend.on(row["due_date"])
        repayment = {"received_on": row["due_date"], "amount": row["payment"]}
        trividend.ok("POST", f"/loans/{subordinated}/repayments", trividend.backoffice, repayment, 201)
    trividend.on("2026-06-15")
    conversion = {"converted_on": "2026-06-15", "price_per_share": "50.00"}
    converted = trividend.ok("POST", f"/loans/{convertible}/conversion", trividend.manager, conversion, 201)
    portfolio.catch_up([trividend.engine])

    lines = {line["loan_id"]: line for line in portfolio.items("/positions?on=2026-06-30", portfolio.manager)}
    lender = trividend.ok("GET", f"/loans/{subordinated}?as_of=2026-06-30", trividend.auditor)["position"]
    assert lines[subordinated]["instrument"] == "trividend"
    assert lines[subordinated]["borrower_name"] == "Kringloopcentrum 6 cv"
    assert lines[subordinated]["outstanding_principal"] == lender["outstanding_principal"]
    assert lines[subordinated]["accrued_interest"] == lender["accrued_interest"]
    assert (lines[convertible]["status"], lines[convertible]["outstanding_principal"]) == ("converted", "0.00")
    before = {line["loan_id"]: line for line in portfolio.items("/positions?on=2026-06-14", portfolio.manager)}
    assert before[convertible]["status"] == "in_arrears"  # nothing was paid on it before it converted
    trividend.on("2026-07-01")
    _, second = export(portfolio, "2026Q2")
    [shares] = table(second, "participations")
    assert (shares["participation_id"], shares["shares_held"], shares["cost"]) == (
        convertible,
        str(converted["shares"]),
        converted["amount"],
    )
