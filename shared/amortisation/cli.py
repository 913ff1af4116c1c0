"""Command line of the engine; other programs and the back office call it, so its shape is a contract.

    python -m shared.amortisation schedule            < terms.json   -> {"installments": [...], "totals": {...}}
    python -m shared.amortisation schedule --batch    < terms.jsonl  -> one result (or {"error": ...}) per line
    python -m shared.amortisation reference-rate --date 2026-03-01 --rating satisfactory --collateral normal
    python -m shared.amortisation gge                 < {"terms": {...}, "grant_date", "rating", "collateral"}

Amounts are strings with two decimals, rates decimal strings. JSON numbers are read as exact
decimals (never through binary floats). Invalid input exits with status 2 and one line on stderr
naming the field and the rule, e.g. ``periods: must be >= grace_periods + 1``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from shared.amortisation.batch import BatchTerms, build_batch
from shared.amortisation.errors import InvalidTerms
from shared.amortisation.reference_rates import Collateral, Rating, quote
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
    """One result per non-empty input line, in order; a bad line gives {"error": ...} and spoils no other."""
    results: list[dict[str, Any]] = []
    valid: list[tuple[int, LoanTerms]] = []
    for line in lines:
        if not line.strip():
            continue
        try:
            terms = LoanTerms.from_json(_load_json(line, "line"))
        except InvalidTerms as exc:
            results.append({"error": str(exc)})
            continue
        results.append({})
        valid.append((len(results) - 1, terms))
    if not valid:
        return results
    try:
        computed = build_batch(BatchTerms.from_terms([terms for _, terms in valid]))
    except InvalidTerms:
        for position, terms in valid:
            results[position] = schedule_document(terms)
        return results
    for loan, (position, _) in enumerate(valid):
        rows = computed.installments(loan)
        results[position] = {"installments": rows, "totals": _totals(rows)}
    return results


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
