"""The command line contract: shapes, batch isolation of bad lines, exit status 2 on bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from shared.amortisation.cli import run

TERMS = {"principal": "100000.00", "annual_rate": "0.035", "periods": 120, "start_date": "2026-01-31"}


def call(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "shared.amortisation", *argv], input=stdin, capture_output=True, text=True, check=False
    )
    return result.returncode, result.stdout, result.stderr


def test_schedule_prints_installments_and_totals() -> None:
    status, out, _ = call(["schedule"], json.dumps(TERMS))
    assert status == 0
    document = json.loads(out)
    first = document["installments"][0]
    assert first == {
        "number": 1,
        "due_date": "2026-02-28",
        "opening_balance": "100000.00",
        "interest": "291.67",
        "principal": "697.19",
        "payment": "988.86",
        "capitalised": "0.00",
        "closing_balance": "99302.81",
    }
    assert document["totals"] == {
        "interest": "18662.99",
        "principal": "100000.00",
        "payment": "118662.99",
        "capitalised": "0.00",
    }


def test_json_numbers_are_read_as_exact_decimals() -> None:
    out = io.StringIO()
    assert (
        run(["schedule"], io.StringIO(json.dumps({**TERMS, "annual_rate": 0.035}).replace('"0.035"', "0.035")), out)
        == 0
    )
    assert json.loads(out.getvalue())["installments"][0]["interest"] == "291.67"


def test_batch_keeps_order_and_isolates_a_bad_line() -> None:
    lines = "\n".join(
        [
            json.dumps(TERMS),
            json.dumps({**TERMS, "periods": 2, "grace_periods": 2}),
            json.dumps({**TERMS, "periods": 1}),
        ]
    )
    out = io.StringIO()
    assert run(["schedule", "--batch"], io.StringIO(lines + "\n"), out) == 0
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(results) == 3
    assert results[0]["installments"][0]["payment"] == "988.86"
    assert results[1] == {"error": "periods: must be >= grace_periods + 1"}
    assert results[2]["installments"] == [
        {
            "number": 1,
            "due_date": "2026-02-28",
            "opening_balance": "100000.00",
            "interest": "291.67",
            "principal": "100000.00",
            "payment": "100291.67",
            "capitalised": "0.00",
            "closing_balance": "0.00",
        }
    ]


def test_reference_rate() -> None:
    status, out, _ = call(
        ["reference-rate", "--date", "2026-03-01", "--rating", "satisfactory", "--collateral", "normal"]
    )
    assert status == 0
    assert json.loads(out) == {
        "base_rate": "0.0219",
        "margin": "0.022",
        "reference_rate": "0.0439",
        "discount_rate": "0.0319",
    }


def test_gge_of_an_energy_loan() -> None:
    request = {
        "terms": {"principal": "100000.00", "annual_rate": "0.01", "periods": 120, "start_date": "2026-03-01"},
        "grant_date": "2026-03-01",
        "rating": "satisfactory",
        "collateral": "normal",
    }
    status, out, _ = call(["gge"], json.dumps(request))
    assert status == 0
    assert json.loads(out) == {"gge": "15646.48", "reference_rate": "0.0439", "discount_rate": "0.0319"}


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (
            ["schedule"],
            json.dumps({**TERMS, "periods": 3, "grace_periods": 3}),
            "periods: must be >= grace_periods + 1",
        ),
        (["schedule"], json.dumps({**TERMS, "principal": "100.001"}), "principal: 100.001 has more than two decimals"),
        (
            ["schedule"],
            json.dumps({**TERMS, "method": "balloon"}),
            "method: 'balloon' is not one of annuity | linear | bullet",
        ),
        (["schedule"], "{not json", "terms: is not valid JSON"),
        (
            ["reference-rate", "--date", "2026-03-01", "--rating", "excellent", "--collateral", "normal"],
            "",
            "rating: 'excellent' is not one of strong | good | satisfactory | weak | bad",
        ),
        (
            ["reference-rate", "--date", "2026-13-01", "--rating", "good", "--collateral", "normal"],
            "",
            "date: '2026-13-01' is not an ISO date",
        ),
        (["gge"], json.dumps({"terms": TERMS, "rating": "good", "collateral": "low"}), "grant_date: is required"),
        (
            ["position"],
            json.dumps({"terms": TERMS, "late_interest": {"rate": "0.065"}, "events": [], "as_of": "2026-13-01"}),
            "as_of: '2026-13-01' is not an ISO date",
        ),
        (
            ["position"],
            json.dumps({"terms": TERMS, "late_interest": {"rate": "six"}, "events": [], "as_of": "2026-03-01"}),
            "late_interest.rate: 'six' is not a decimal number",
        ),
        (
            ["position"],
            json.dumps(
                {
                    "terms": TERMS,
                    "late_interest": {"legal": True},
                    "events": [{"kind": "repayment", "on": "2026-02-13", "amount": "-5.00"}],
                    "as_of": "2026-03-01",
                }
            ),
            "events[0].amount: must be greater than 0.00",
        ),
        (
            ["position"],
            json.dumps(
                {
                    "terms": TERMS,
                    "late_interest": {"margin": "0.02"},
                    "events": [{"kind": "refund", "on": "2026-02-13"}],
                    "as_of": "2026-03-01",
                }
            ),
            "events[0].kind: 'refund' is not one of repayment | prepayment | rate_reset",
        ),
        (
            ["position"],
            json.dumps({"terms": {**TERMS, "periods": 0}, "late_interest": {"rate": "0.065"}, "as_of": "2026-03-01"}),
            "periods: must be >= grace_periods + 1",
        ),
        (
            ["schedule"],
            json.dumps({**TERMS, "principal": "1000.00", "installment_multiple": "100.00"}),
            "installment_multiple: 100.00 rounds the level payment to 0.00",
        ),
        (["schedule"], '{"principal": ' + "1" * 5000 + "}", "terms: is not JSON the engine reads"),
        (["schedule"], "[" * 3000 + "]" * 3000, "terms: is not JSON the engine reads"),
        (
            ["position"],
            json.dumps(
                {"terms": TERMS, "late_interest": {"rate": "0.05"}, "events": [{"kind": ["repayment"]}], "as_of": "x"}
            ),
            "events[0].kind: ['repayment'] is not one of",
        ),
    ],
)
def test_invalid_input_exits_2_with_one_line_naming_field_and_rule(argv: list[str], stdin: str, message: str) -> None:
    status, out, err = call(argv, stdin)
    assert status == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(message)


EARLY_PAYMENT = [{"kind": "repayment", "on": "2026-02-13", "amount": "1036.38"}]
POSITION = {
    "terms": {"principal": "100000.00", "annual_rate": "0.045", "periods": 120, "start_date": "2026-01-15"},
    "late_interest": {"rate": "0.065"},
    "events": EARLY_PAYMENT,
    "as_of": "2026-03-01",
}


def test_position_of_a_loan_paid_two_days_early_is_current() -> None:
    status, out, _ = call(["position"], json.dumps(POSITION))
    assert status == 0
    document = json.loads(out)
    installments = document.pop("installments")
    assert document == {
        "as_of": "2026-03-01",
        "status": "current",
        "outstanding_principal": "99338.62",
        "accrued_interest": "198.68",
        "total_arrears": "0.00",
        "days_past_due": 0,
        "late_interest": "0.00",
        "collection_fees": "0.00",
        "payoff_amount": "99537.30",
        "next_due_date": "2026-03-15",
    }
    assert len(installments) == 120
    assert installments[0]["payment"] == "1036.38"


def test_position_paying_the_quoted_payoff_settles() -> None:
    out = io.StringIO()
    assert run(["position"], io.StringIO(json.dumps(POSITION)), out) == 0
    payoff = json.loads(out.getvalue())["payoff_amount"]
    request = {
        **POSITION,
        "events": [*EARLY_PAYMENT, {"kind": "repayment", "on": "2026-03-01", "amount": payoff}],
        "as_of": "2027-01-01",
    }
    out = io.StringIO()
    assert run(["position"], io.StringIO(json.dumps(request)), out) == 0
    document = json.loads(out.getvalue())
    assert (document["status"], document["payoff_amount"], document["next_due_date"]) == ("settled", "0.00", None)
    assert document["installments"][-1]["due_date"] == "2026-03-01"


@pytest.mark.parametrize(
    "terms",
    [
        {"principal": "8700157.13", "annual_rate": "0.00001", "periods": 240, "start_date": "2025-01-01"},
        {
            "principal": "250000.00",
            "annual_rate": "0.000001",
            "periods": 5,
            "start_date": "2027-01-29",
            "frequency": "semiannual",
        },
    ],
)
def test_batch_equals_schedule_at_rates_of_a_millionth(terms: dict[str, object]) -> None:
    single, batch = io.StringIO(), io.StringIO()
    run(["schedule"], io.StringIO(json.dumps(terms)), single)
    run(["schedule", "--batch"], io.StringIO(json.dumps(terms)), batch)
    assert json.loads(batch.getvalue()) == json.loads(single.getvalue())


def test_batch_mixes_monthly_annual_and_long_terms_in_any_order() -> None:
    monthly = {"principal": "250000.00", "annual_rate": "0.031", "periods": 316, "start_date": "2026-01-31"}
    annual = {
        "principal": "40000.00",
        "annual_rate": "0.05",
        "periods": 12,
        "start_date": "2026-03-15",
        "frequency": "annual",
    }
    broken = {**monthly, "periods": 24, "first_due_date": "2026-03-10"}
    for order in ([monthly, annual, broken], [annual, broken, monthly], [annual] * 3 + [monthly]):
        out = io.StringIO()
        assert run(["schedule", "--batch"], io.StringIO("\n".join(json.dumps(line) for line in order)), out) == 0
        results = [json.loads(line) for line in out.getvalue().splitlines()]
        for terms, result in zip(order, results, strict=True):
            single = io.StringIO()
            run(["schedule"], io.StringIO(json.dumps(terms)), single)
            assert result == json.loads(single.getvalue())
