"""Market-conform rates: the EU reference-rate method and the Belgian legal late-payment rate.

EU reference rate (Commission Communication 2008/C 14/02): reference rate = base rate in force on
the day of grant + a margin (basis points) that depends on the borrower's rating and the
collateral; discount rate = base rate + 100 bp. The base rates are effective-dated: the rate in
force on a date is the latest one published with an effective date on or before it.

Belgian late-payment rate (law of 2 August 2002): ECB main refinancing rate (MRO) + 8 points,
rounded *up* to the next half point, fixed per calendar half-year from the MRO in force on the
half-year's first day; plus a flat EUR 40 collection fee.

Every published figure lives in `data/*.json`; the classes here only hold and apply the rules,
and `RateTable` / `LatePaymentTable` accept other tables (tests, scenario runs).

String convention for rates in JSON: a plain decimal fraction with trailing zeros removed and
never exponent notation (`rate_string`): 0.0219, 0.022, 0.0439, 0 -- see `rate_string`.
"""

from __future__ import annotations

import bisect
import enum
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any, TypeVar

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.money import exact, parse_decimal, parse_money

DATA_DIR = Path(__file__).resolve().parent / "data"
BASIS_POINT = Decimal("0.0001")

T = TypeVar("T")


class Rating(enum.StrEnum):
    """Borrower rating classes of the Communication (strong = AAA-A ... bad = CCC and below)."""

    STRONG = "strong"
    GOOD = "good"
    SATISFACTORY = "satisfactory"
    WEAK = "weak"
    BAD = "bad"


class Collateral(enum.StrEnum):
    """Collateralisation levels of the Communication (high, normal, low)."""

    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


def rate_string(value: Decimal) -> str:
    """A rate as a JSON string: trailing zeros removed, never exponent notation ("0.022", "0")."""
    if not value.is_finite():
        raise InvalidTerms("rate", "must be a finite number")
    normalised = value.normalize()
    if normalised.is_zero():
        return "0"
    return format(normalised, "f")


def read_data(name: str) -> dict[str, Any]:
    """One JSON parameter file of `data/`, as a dict."""
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise InvalidTerms(name, "must hold a JSON object")
    return data


def parse_date(field: str, value: object) -> date:
    if not isinstance(value, str):
        raise InvalidTerms(field, "must be an ISO date such as 2026-01-01")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidTerms(field, f"{value!r} is not an ISO date (YYYY-MM-DD)") from None


def _whole_number(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTerms(field, "must be a whole number")
    return value


def check_effective_dates(field: str, entries: Sequence[tuple[date, object]]) -> None:
    """An effective-dated table needs at least one row and strictly increasing effective dates."""
    if not entries:
        raise InvalidTerms(field, "must hold at least one effective-dated value")
    for (earlier, _), (later, _) in itertools.pairwise(entries):
        if later <= earlier:
            raise InvalidTerms(field, f"effective dates must increase strictly ({earlier} then {later})")


def latest_on(entries: Sequence[tuple[date, T]], on: date) -> T | None:
    """The value of a dated series on `on`: the latest entry on or before it (entries sorted), else None."""
    index = bisect.bisect_right([effective for effective, _ in entries], on) - 1
    return entries[index][1] if index >= 0 else None


def effective_value(entries: Sequence[tuple[date, T]], on: date, what: str) -> T:
    """The value in force on `on`: the latest entry effective on or before it (entries sorted)."""
    value = latest_on(entries, on)
    if value is None:
        raise InvalidTerms("date", f"{on.isoformat()} is before the first published {what} {entries[0][0].isoformat()}")
    return value


def _rate(field: str, value: object) -> Decimal:
    rate = parse_decimal(field, value)
    if rate <= -1 or rate >= 1:
        raise InvalidTerms(field, "is a fraction (0.0219 for 2.19 %) and must lie between -1 and 1")
    return rate


def dated_rates(field: str, rows: object) -> list[tuple[date, Decimal]]:
    """A JSON list of {effective_from, rate} rows as (date, rate) pairs."""
    if not isinstance(rows, list):
        raise InvalidTerms(field, "must be a list of {effective_from, rate}")
    result: list[tuple[date, Decimal]] = []
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise InvalidTerms(f"{field}[{index}]", "must be an object {effective_from, rate}")
        result.append(
            (
                parse_date(f"{field}[{index}].effective_from", row.get("effective_from")),
                _rate(f"{field}[{index}].rate", row.get("rate")),
            )
        )
    return result


# --------------------------------------------------------------------------- EU reference rate


@dataclass(frozen=True)
class RateQuote:
    """The rates that apply on a grant date for one rating and collateral class."""

    base_rate: Decimal
    margin: Decimal
    reference_rate: Decimal
    discount_rate: Decimal

    def to_json(self) -> dict[str, str]:
        return {
            "base_rate": rate_string(self.base_rate),
            "margin": rate_string(self.margin),
            "reference_rate": rate_string(self.reference_rate),
            "discount_rate": rate_string(self.discount_rate),
        }


class RateTable:
    """An effective-dated base-rate table, the margin matrix and the discount spread.

    `margins_bp` must cover every (rating, collateral) pair; margins and the discount spread are
    whole basis points, as published.
    """

    def __init__(
        self,
        base_rates: Sequence[tuple[date, Decimal]],
        margins_bp: Mapping[tuple[Rating, Collateral], int],
        discount_spread_bp: int = 100,
    ) -> None:
        entries = tuple(sorted(base_rates, key=lambda entry: entry[0]))
        check_effective_dates("base_rates", entries)
        for rating in Rating:
            for collateral in Collateral:
                if (rating, collateral) not in margins_bp:
                    raise InvalidTerms("margins_bp", f"has no margin for {rating.value}/{collateral.value}")
                if margins_bp[(rating, collateral)] < 0:
                    raise InvalidTerms("margins_bp", f"margin for {rating.value}/{collateral.value} is negative")
        if discount_spread_bp < 0:
            raise InvalidTerms("discount_spread_bp", "must not be negative")
        self.base_rates = entries
        self.margins_bp = dict(margins_bp)
        self.discount_spread_bp = discount_spread_bp

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RateTable:
        """Parse the layout of `data/eu_base_rates.json`."""
        base_rates = dated_rates("base_rates", data.get("base_rates"))
        matrix = data.get("margins_bp")
        if not isinstance(matrix, Mapping):
            raise InvalidTerms("margins_bp", "must map rating -> collateral -> basis points")
        margins: dict[tuple[Rating, Collateral], int] = {}
        for rating_key, row in matrix.items():
            try:
                rating = Rating(rating_key)
            except ValueError:
                raise InvalidTerms("margins_bp", f"{rating_key!r} is not a rating") from None
            if not isinstance(row, Mapping):
                raise InvalidTerms(f"margins_bp.{rating_key}", "must map collateral -> basis points")
            for collateral_key, bp in row.items():
                try:
                    collateral = Collateral(collateral_key)
                except ValueError:
                    raise InvalidTerms(f"margins_bp.{rating_key}", f"{collateral_key!r} is not a collateral") from None
                margins[(rating, collateral)] = _whole_number(f"margins_bp.{rating_key}.{collateral_key}", bp)
        spread = _whole_number("discount_spread_bp", data.get("discount_spread_bp", 100))
        return cls(base_rates, margins, spread)

    @classmethod
    def load(cls, name: str = "eu_base_rates.json") -> RateTable:
        return cls.from_json(read_data(name))

    def base_rate(self, on: date) -> Decimal:
        return effective_value(self.base_rates, on, "base rate")

    def margin(self, rating: Rating, collateral: Collateral) -> Decimal:
        return Decimal(self.margins_bp[(Rating(rating), Collateral(collateral))]) * BASIS_POINT

    def quote(self, on: date, rating: Rating, collateral: Collateral) -> RateQuote:
        base = self.base_rate(on)
        margin = self.margin(rating, collateral)
        with exact():
            return RateQuote(
                base_rate=base,
                margin=margin,
                reference_rate=base + margin,
                discount_rate=base + Decimal(self.discount_spread_bp) * BASIS_POINT,
            )

    def reference_rate(self, on: date, rating: Rating, collateral: Collateral) -> Decimal:
        return self.quote(on, rating, collateral).reference_rate

    def discount_rate(self, on: date) -> Decimal:
        with exact():
            return self.base_rate(on) + Decimal(self.discount_spread_bp) * BASIS_POINT


DEFAULT_RATE_TABLE = RateTable.load()


def base_rate(on: date, table: RateTable = DEFAULT_RATE_TABLE) -> Decimal:
    """The EU base rate in force on `on` (the latest published on or before it)."""
    return table.base_rate(on)


def reference_rate(on: date, rating: Rating, collateral: Collateral, table: RateTable = DEFAULT_RATE_TABLE) -> Decimal:
    """Base rate in force on `on` + the margin for the rating and collateral."""
    return table.reference_rate(on, rating, collateral)


def discount_rate(on: date, table: RateTable = DEFAULT_RATE_TABLE) -> Decimal:
    """Base rate in force on `on` + 100 bp (the spread is data)."""
    return table.discount_rate(on)


def quote(on: date, rating: Rating, collateral: Collateral, table: RateTable = DEFAULT_RATE_TABLE) -> RateQuote:
    return table.quote(on, rating, collateral)


# --------------------------------------------------------------------------- Belgian late payment


def ceil_to_step(value: Decimal, step: Decimal) -> Decimal:
    """`value` rounded up to the next multiple of `step` (a multiple stays as it is)."""
    with exact():
        return (value / step).to_integral_value(rounding=ROUND_CEILING) * step


def parse_half_year(field: str, value: object) -> date:
    """A half-year label to its first day: 2024-H1 -> 2024-01-01, 2024-H2 -> 2024-07-01."""
    if isinstance(value, str) and len(value) == 7 and value[:4].isdigit() and value[4:] in ("-H1", "-H2"):
        return date(int(value[:4]), 1 if value[6] == "1" else 7, 1)
    raise InvalidTerms(field, f"{value!r} is not a half-year such as 2024-H1")


def half_year_start(on: date) -> date:
    return date(on.year, 1 if on.month <= 6 else 7, 1)


def half_year_label(start: date) -> str:
    return f"{start.year}-H{1 if start.month <= 6 else 2}"


@dataclass(frozen=True)
class LatePaymentHalfYear:
    """One row of the legal table: the half-year, the MRO it is computed from, and the rate."""

    start: date
    ecb_mro: Decimal
    rate: Decimal

    @property
    def label(self) -> str:
        return half_year_label(self.start)

    def to_json(self) -> dict[str, str]:
        return {
            "half_year": self.label,
            "start": self.start.isoformat(),
            "ecb_mro": rate_string(self.ecb_mro),
            "rate": rate_string(self.rate),
        }


class LatePaymentTable:
    """The Belgian legal late-payment rate, computed per half-year from the ECB MRO history.

    Only the inputs are data (MRO changes, the 8-point margin, the half-point step, the covered
    half-years and the collection fee); the rule rate = ceil_to_step(MRO + margin) is applied here
    so that it stays visible. Dates outside the covered half-years are refused rather than guessed.
    """

    def __init__(
        self,
        ecb_mro: Sequence[tuple[date, Decimal]],
        first_half_year: date,
        last_half_year: date,
        margin: Decimal = Decimal("0.08"),
        rounding_step: Decimal = Decimal("0.005"),
        collection_fee: Decimal = Decimal("40.00"),
    ) -> None:
        entries = tuple(sorted(ecb_mro, key=lambda entry: entry[0]))
        check_effective_dates("ecb_main_refinancing_rate", entries)
        if half_year_start(first_half_year) != first_half_year or half_year_start(last_half_year) != last_half_year:
            raise InvalidTerms("half_years", "must start on 1 January or 1 July")
        if last_half_year < first_half_year:
            raise InvalidTerms("last_half_year", "must not be before first_half_year")
        if first_half_year < entries[0][0]:
            raise InvalidTerms("first_half_year", "starts before the first MRO in the table")
        if rounding_step <= 0:
            raise InvalidTerms("rounding_step", "must be positive")
        if collection_fee < 0:
            raise InvalidTerms("collection_fee", "must not be negative")
        self.ecb_mro = entries
        self.first_half_year = first_half_year
        self.last_half_year = last_half_year
        self.margin = margin
        self.rounding_step = rounding_step
        self.collection_fee = collection_fee

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LatePaymentTable:
        """Parse the layout of `data/be_late_payment.json`."""
        mro = dated_rates("ecb_main_refinancing_rate", data.get("ecb_main_refinancing_rate"))
        return cls(
            ecb_mro=mro,
            first_half_year=parse_half_year("first_half_year", data.get("first_half_year")),
            last_half_year=parse_half_year("last_half_year", data.get("last_half_year")),
            margin=_rate("margin", data.get("margin")),
            rounding_step=_rate("rounding_step", data.get("rounding_step")),
            collection_fee=parse_money("collection_fee", data.get("collection_fee")),
        )

    @classmethod
    def load(cls, name: str = "be_late_payment.json") -> LatePaymentTable:
        return cls.from_json(read_data(name))

    def mro(self, on: date) -> Decimal:
        """The ECB main refinancing rate in force on `on`."""
        return effective_value(self.ecb_mro, on, "ECB main refinancing rate")

    def half_year(self, on: date) -> LatePaymentHalfYear:
        start = half_year_start(on)
        if start < self.first_half_year or start > self.last_half_year:
            raise InvalidTerms(
                "date",
                f"{on.isoformat()} is outside the legal late-payment table "
                f"{half_year_label(self.first_half_year)} to {half_year_label(self.last_half_year)}",
            )
        mro = self.mro(start)
        with exact():
            rate = ceil_to_step(mro + self.margin, self.rounding_step)
        return LatePaymentHalfYear(start=start, ecb_mro=mro, rate=rate)

    def half_years(self) -> tuple[LatePaymentHalfYear, ...]:
        """Every covered half-year, in order."""
        rows: list[LatePaymentHalfYear] = []
        start = self.first_half_year
        while start <= self.last_half_year:
            rows.append(self.half_year(start))
            start = date(start.year, 7, 1) if start.month == 1 else date(start.year + 1, 1, 1)
        return tuple(rows)

    def rate(self, on: date) -> Decimal:
        return self.half_year(on).rate


DEFAULT_LATE_PAYMENT_TABLE = LatePaymentTable.load()
LATE_PAYMENT_COLLECTION_FEE: Decimal = DEFAULT_LATE_PAYMENT_TABLE.collection_fee


def legal_late_payment_rate(on: date, table: LatePaymentTable = DEFAULT_LATE_PAYMENT_TABLE) -> Decimal:
    """The Belgian legal late-payment rate for commercial transactions on `on` (0.125 = 12.5 %)."""
    return table.rate(on)


def late_payment_collection_fee(table: LatePaymentTable = DEFAULT_LATE_PAYMENT_TABLE) -> Decimal:
    """The flat collection fee per late invoice (EUR 40.00 by law)."""
    return table.collection_fee
