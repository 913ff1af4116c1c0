"""Command line of the engine; other programs and the back office call it, so its shape is a contract.

    python -m shared.amortisation schedule            < terms.json   -> {"installments": [...], "totals": {...}}
    python -m shared.amortisation schedule --batch    < terms.jsonl  -> one result (or {"error": ...}) per line
    python -m shared.amortisation reference-rate --date 2026-03-01 --rating satisfactory --collateral normal
    python -m shared.amortisation gge                 < {"terms": {...}, "grant_date", "rating", "collateral"}
    python -m shared.amortisation position            < {"terms": {...}, "late_interest": {...}, "events": [...],
                                                         "as_of": "2026-03-01"}

Amounts are strings with two decimals, rates decimal strings. JSON numbers are read as exact
decimals (never through binary floats). Invalid input exits with status 2 and one line on stderr
naming the field and the rule, e.g. ``periods: must be >= grace_periods + 1``.

`position` replays a live loan: `late_interest` is {"rate": "0.065"} (a fixed late rate),
{"margin": "0.02"} (over the contract rate in force) or {"legal": true} (the Belgian legal rate
with its EUR 40 collection fee); `events` are {"kind": "repayment", "on", "amount"[, "surplus_mode"]},
{"kind": "prepayment", "on", "amount"[, "mode"]} and {"kind": "rate_reset", "on", "annual_rate"}, in
date order. It prints the position as of `as_of` and the schedule as it stands then.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from shared.amortisation.batch import BatchTerms, batch_capable, build_batch
from shared.amortisation.errors import InvalidTerms
from shared.amortisation.late_interest import LateInterestPolicy
from shared.amortisation.live_loan import LiveLoan
from shared.amortisation.loan_events import LoanEvent, Prepayment, PrepaymentMode, RateReset, Repayment
from shared.amortisation.money import parse_decimal, parse_money
from shared.amortisation.reference_rates import (
    Collateral,
    Rating,
    late_payment_collection_fee,
    legal_late_payment_rate,
    quote,
)
from shared.amortisation.schedule import build_schedule
from shared.amortisation.state_aid import gross_grant_equivalent
from shared.amortisation.terms import LoanTerms

INVALID_INPUT = 2
MONEY_FIELDS = ("opening_balance", "interest", "principal", "payment", "capitalised", "closing_balance")


def _load_json(text: str, field: str = "input") -> Any:
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InvalidTerms(field, f"is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:  # a number of thousands of digits, nesting thousands deep
        raise InvalidTerms(field, f"is not JSON the engine reads ({type(exc).__name__})") from None


def _date(field: str, value: Any) -> date:
    if not isinstance(value, str):
        raise InvalidTerms(field, "must be an ISO date such as 2026-03-01")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidTerms(field, f"{value!r} is not an ISO date (YYYY-MM-DD)") from None


def _rating(value: Any) -> Rating:
    try:
        return Rating(value)
    except ValueError:
        raise InvalidTerms("rating", f"{value!r} is not one of {' | '.join(r.value for r in Rating)}") from None


def _collateral(value: Any) -> Collateral:
    try:
        return Collateral(value)
    except ValueError:
        raise InvalidTerms("collateral", f"{value!r} is not one of {' | '.join(c.value for c in Collateral)}") from None


def schedule_document(terms: LoanTerms) -> dict[str, Any]:
    return build_schedule(terms).to_json()


def _totals(rows: Sequence[dict[str, Any]]) -> dict[str, str]:
    return {
        name: str(sum((Decimal(row[name]) for row in rows), Decimal("0.00")))
        for name in ("interest", "principal", "payment", "capitalised")
    }


def batch_documents(lines: Iterable[str]) -> list[dict[str, Any]]:
    """One result per non-empty input line, in order; a bad line gives {"error": ...} and spoils no other.

    Loans the integer batch path can hold are computed together (any mix of frequencies, terms
    and sizes); the others, and any loan the batch path refuses, go through `build_schedule`, so
    every line gets exactly the answer `schedule` would give it.
    """
    results: list[dict[str, Any]] = []
    batched: list[tuple[int, LoanTerms]] = []
    for line in lines:
        if not line.strip():
            continue
        try:
            terms = LoanTerms.from_json(_load_json(line, "line"))
        except InvalidTerms as exc:
            results.append({"error": str(exc)})
            continue
        results.append({})
        if batch_capable(terms):
            batched.append((len(results) - 1, terms))
        else:
            results[-1] = _scalar_document(terms)
    if not batched:
        return results
    try:
        computed = build_batch(BatchTerms.from_terms([terms for _, terms in batched]))
    except InvalidTerms:
        for position, terms in batched:
            results[position] = _scalar_document(terms)
        return results
    for loan, (position, terms) in enumerate(batched):
        if computed.refused[loan]:
            results[position] = _scalar_document(terms)
            continue
        rows = computed.installments(loan)
        results[position] = {"installments": rows, "totals": _totals(rows)}
    return results


def _scalar_document(terms: LoanTerms) -> dict[str, Any]:
    try:
        return schedule_document(terms)
    except InvalidTerms as exc:
        return {"error": str(exc)}


# --------------------------------------------------------------------------- position


def late_interest_policy(value: Any) -> LateInterestPolicy:
    """{"rate": "0.065"} | {"margin": "0.02"} | {"legal": true}."""
    if not isinstance(value, dict) or len(value) != 1:
        raise InvalidTerms("late_interest", 'must be one of {"rate": "0.065"}, {"margin": "0.02"} or {"legal": true}')
    ((key, setting),) = value.items()
    if key == "rate":
        return LateInterestPolicy.contractual(parse_decimal("late_interest.rate", setting))
    if key == "margin":
        return LateInterestPolicy.over_contract_rate(parse_decimal("late_interest.margin", setting))
    if key == "legal" and setting is True:
        return LateInterestPolicy.legal(legal_late_payment_rate, late_payment_collection_fee())
    raise InvalidTerms("late_interest", 'must be one of {"rate": "0.065"}, {"margin": "0.02"} or {"legal": true}')


def _mode(field: str, value: Any) -> PrepaymentMode:
    try:
        return PrepaymentMode(value)
    except ValueError:
        modes = " | ".join(mode.value for mode in PrepaymentMode)
        raise InvalidTerms(field, f"{value!r} is not one of {modes}") from None


EVENT_FIELDS = {
    "repayment": {"kind", "on", "amount", "surplus_mode"},
    "prepayment": {"kind", "on", "amount", "mode"},
    "rate_reset": {"kind", "on", "annual_rate"},
}


def loan_event(index: int, value: Any) -> LoanEvent:
    """One event of the `position` input; errors name ``events[i].<field>``."""
    where = f"events[{index}]"
    if not isinstance(value, dict):
        raise InvalidTerms(where, "must be an object with kind, on and the event's fields")
    kind = value.get("kind")
    if not isinstance(kind, str) or kind not in EVENT_FIELDS:
        raise InvalidTerms(f"{where}.kind", f"{kind!r} is not one of {' | '.join(EVENT_FIELDS)}")
    for key in value:
        if key not in EVENT_FIELDS[kind]:
            raise InvalidTerms(f"{where}.{key}", f"is not a field of a {kind}")
    for key in EVENT_FIELDS[kind] - {"surplus_mode", "mode"}:
        if key not in value:
            raise InvalidTerms(f"{where}.{key}", "is required")
    on = _date(f"{where}.on", value["on"])
    try:
        if kind == "rate_reset":
            return RateReset(on, parse_decimal(f"{where}.annual_rate", value["annual_rate"]))
        amount = parse_money(f"{where}.amount", value["amount"])
        if kind == "repayment":
            return Repayment(
                on, amount, _mode(f"{where}.surplus_mode", value.get("surplus_mode", "reduce_installment"))
            )
        return Prepayment(on, amount, _mode(f"{where}.mode", value.get("mode", "reduce_installment")))
    except InvalidTerms as exc:
        if exc.field.startswith(where):
            raise
        raise InvalidTerms(f"{where}.{exc.field}", exc.rule) from None


def position_document(request: Any) -> dict[str, Any]:
    if not isinstance(request, dict):
        raise InvalidTerms("input", "must be a JSON object with terms, late_interest, events and as_of")
    for key in request:
        if key not in ("terms", "late_interest", "events", "as_of"):
            raise InvalidTerms(str(key), "is not a known field")
    for key in ("terms", "late_interest", "as_of"):
        if key not in request:
            raise InvalidTerms(key, "is required")
    terms = LoanTerms.from_json(request["terms"])
    policy = late_interest_policy(request["late_interest"])
    raw_events = request.get("events", [])
    if not isinstance(raw_events, list):
        raise InvalidTerms("events", "must be a list")
    events = tuple(loan_event(index, value) for index, value in enumerate(raw_events))
    as_of = _date("as_of", request["as_of"])
    loan = LiveLoan(terms, policy, events)
    position = loan.position(as_of)
    return {
        "as_of": as_of.isoformat(),
        "status": position.status.value,
        "outstanding_principal": str(position.outstanding_principal),
        "accrued_interest": str(position.accrued_interest),
        "total_arrears": str(position.total_arrears),
        "days_past_due": position.days_past_due,
        "late_interest": str(position.late_interest),
        "collection_fees": str(position.collection_fees),
        "payoff_amount": str(position.payoff_amount),
        "next_due_date": None if position.next_due_date is None else position.next_due_date.isoformat(),
        "installments": [row.to_json() for row in loan.schedule(as_of).installments],
    }


def _write(document: Any, out: TextIO) -> None:
    out.write(json.dumps(document, separators=(",", ":")) + "\n")


def run(argv: Sequence[str] | None, stdin: TextIO, stdout: TextIO) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shared.amortisation", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    schedule = commands.add_parser("schedule", help="a repayment schedule from loan terms on stdin")
    schedule.add_argument("--batch", action="store_true", help="JSON Lines in and out, one loan per line")
    rate = commands.add_parser("reference-rate", help="the EU reference rate in force on a date")
    rate.add_argument("--date", required=True)
    rate.add_argument("--rating", required=True)
    rate.add_argument("--collateral", required=True)
    commands.add_parser("gge", help="gross grant equivalent of a loan")
    commands.add_parser("position", help="a live loan's position as of a date, replayed from its events")
    args = parser.parse_args(argv)

    if args.command == "schedule" and args.batch:
        for document in batch_documents(stdin):
            _write(document, stdout)
        return 0
    if args.command == "schedule":
        _write(schedule_document(LoanTerms.from_json(_load_json(stdin.read(), "terms"))), stdout)
        return 0
    if args.command == "reference-rate":
        _write(quote(_date("date", args.date), _rating(args.rating), _collateral(args.collateral)).to_json(), stdout)
        return 0
    if args.command == "position":
        _write(position_document(_load_json(stdin.read())), stdout)
        return 0
    request = _load_json(stdin.read())
    if not isinstance(request, dict):
        raise InvalidTerms("input", "must be a JSON object with terms, grant_date, rating and collateral")
    for field in ("terms", "grant_date", "rating", "collateral"):
        if field not in request:
            raise InvalidTerms(field, "is required")
    result = gross_grant_equivalent(
        LoanTerms.from_json(request["terms"]),
        _date("grant_date", request["grant_date"]),
        _rating(request["rating"]),
        _collateral(request["collateral"]),
    )
    _write(result.to_json(), stdout)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(argv, sys.stdin, sys.stdout)
    except InvalidTerms as exc:
        print(exc, file=sys.stderr)
        return INVALID_INPUT
