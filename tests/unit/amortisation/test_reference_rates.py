"""EU reference rates and the Belgian legal late-payment rate against the published figures."""

from datetime import date
from decimal import Decimal

import pytest

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.reference_rates import (
    DEFAULT_LATE_PAYMENT_TABLE,
    LATE_PAYMENT_COLLECTION_FEE,
    Collateral,
    LatePaymentTable,
    RateQuote,
    RateTable,
    Rating,
    base_rate,
    ceil_to_step,
    discount_rate,
    late_payment_collection_fee,
    legal_late_payment_rate,
    quote,
    rate_string,
    reference_rate,
)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2024, 1, 1), "0.0411"),
        (date(2024, 9, 30), "0.0411"),
        (date(2024, 10, 1), "0.0345"),
        (date(2024, 12, 31), "0.0345"),
        (date(2025, 1, 1), "0.0271"),
        (date(2025, 6, 30), "0.0271"),
        (date(2025, 7, 1), "0.0221"),
        (date(2026, 1, 1), "0.0219"),
        (date(2026, 3, 1), "0.0219"),
        (date(2030, 1, 1), "0.0219"),
    ],
)
def test_base_rate_is_the_latest_published_on_or_before_the_date(on: date, expected: str) -> None:
    assert base_rate(on) == Decimal(expected)


def test_base_rate_before_the_first_published_one_is_refused() -> None:
    with pytest.raises(InvalidTerms, match="before the first published base rate 2024-01-01") as caught:
        base_rate(date(2023, 12, 31))
    assert caught.value.field == "date"


def test_reference_and_discount_rate_on_2026_03_01() -> None:
    on = date(2026, 3, 1)
    assert reference_rate(on, Rating.SATISFACTORY, Collateral.NORMAL) == Decimal("0.0439")
    assert discount_rate(on) == Decimal("0.0319")


def test_quote_serialises_normalised_decimal_strings() -> None:
    result = quote(date(2026, 3, 1), Rating.SATISFACTORY, Collateral.NORMAL)
    assert isinstance(result, RateQuote)
    assert result.to_json() == {
        "base_rate": "0.0219",
        "margin": "0.022",
        "reference_rate": "0.0439",
        "discount_rate": "0.0319",
    }


@pytest.mark.parametrize(
    ("rating", "collateral", "bp"),
    [
        (Rating.STRONG, Collateral.HIGH, 60),
        (Rating.STRONG, Collateral.NORMAL, 75),
        (Rating.STRONG, Collateral.LOW, 100),
        (Rating.GOOD, Collateral.LOW, 220),
        (Rating.SATISFACTORY, Collateral.HIGH, 100),
        (Rating.SATISFACTORY, Collateral.LOW, 400),
        (Rating.WEAK, Collateral.NORMAL, 400),
        (Rating.BAD, Collateral.HIGH, 400),
        (Rating.BAD, Collateral.NORMAL, 650),
        (Rating.BAD, Collateral.LOW, 1000),
    ],
)
def test_margin_matrix(rating: Rating, collateral: Collateral, bp: int) -> None:
    on = date(2024, 10, 1)
    result = quote(on, rating, collateral)
    assert result.margin == Decimal(bp) / 10000
    assert result.reference_rate == Decimal("0.0345") + Decimal(bp) / 10000


def test_bad_low_quote_string_has_no_exponent() -> None:
    assert quote(date(2026, 1, 1), Rating.BAD, Collateral.LOW).to_json()["margin"] == "0.1"
    assert quote(date(2026, 1, 1), Rating.BAD, Collateral.LOW).to_json()["reference_rate"] == "0.1219"


@pytest.mark.parametrize(
    ("value", "text"),
    [("0.0220", "0.022"), ("0.0100", "0.01"), ("0.00001", "0.00001"), ("0.000", "0"), ("1E-2", "0.01"), ("1", "1")],
)
def test_rate_string_convention(value: str, text: str) -> None:
    assert rate_string(Decimal(value)) == text


def _custom_table() -> RateTable:
    return RateTable.from_json(
        {
            "base_rates": [
                {"effective_from": "2020-01-01", "rate": "0.01"},
                {"effective_from": "2021-01-01", "rate": "0.02"},
            ],
            "discount_spread_bp": 50,
            "margins_bp": {rating.value: {c.value: 100 for c in Collateral} for rating in Rating},
        }
    )


def test_a_caller_table_replaces_the_published_one() -> None:
    table = _custom_table()
    assert base_rate(date(2020, 6, 1), table) == Decimal("0.01")
    assert reference_rate(date(2021, 6, 1), Rating.GOOD, Collateral.LOW, table) == Decimal("0.03")
    assert discount_rate(date(2021, 6, 1), table) == Decimal("0.025")


def test_table_missing_a_margin_is_refused() -> None:
    with pytest.raises(InvalidTerms, match="no margin for bad/high"):
        RateTable(
            [(date(2024, 1, 1), Decimal("0.0411"))],
            {(rating, collateral): 100 for rating in Rating for collateral in Collateral if rating is not Rating.BAD},
        )


def test_table_with_unordered_duplicate_dates_is_refused() -> None:
    margins = {(rating, collateral): 100 for rating in Rating for collateral in Collateral}
    with pytest.raises(InvalidTerms, match="increase strictly"):
        RateTable([(date(2024, 1, 1), Decimal("0.04")), (date(2024, 1, 1), Decimal("0.03"))], margins)


def test_table_refuses_binary_floats() -> None:
    with pytest.raises(InvalidTerms, match="binary float"):
        RateTable.from_json(
            {
                "base_rates": [{"effective_from": "2024-01-01", "rate": 0.0411}],
                "margins_bp": {rating.value: {c.value: 100 for c in Collateral} for rating in Rating},
            }
        )


# --------------------------------------------------------------------------- late payment


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2024, 1, 1), "0.125"),  # MRO 4.50 + 8 = 12.50 -> 12.5 %
        (date(2024, 6, 30), "0.125"),
        (date(2024, 7, 1), "0.125"),  # MRO 4.25 + 8 = 12.25 -> 12.5 %
        (date(2025, 1, 1), "0.115"),  # MRO 3.15 + 8 = 11.15 -> 11.5 %
        (date(2025, 7, 1), "0.105"),  # MRO 2.15 + 8 = 10.15 -> 10.5 %
        (date(2026, 3, 1), "0.105"),
        (date(2026, 12, 31), "0.105"),
    ],
)
def test_legal_late_payment_rate_per_half_year(on: date, expected: str) -> None:
    assert legal_late_payment_rate(on) == Decimal(expected)


def test_late_payment_rate_uses_the_mro_of_the_first_day_of_the_half_year() -> None:
    # The MRO fell to 4.25 % on 2024-06-12, but H1 2024 keeps the rate fixed on 1 January.
    assert DEFAULT_LATE_PAYMENT_TABLE.mro(date(2024, 6, 20)) == Decimal("0.0425")
    assert legal_late_payment_rate(date(2024, 6, 20)) == Decimal("0.125")
    labels = [row.label for row in DEFAULT_LATE_PAYMENT_TABLE.half_years()]
    assert labels == ["2024-H1", "2024-H2", "2025-H1", "2025-H2", "2026-H1", "2026-H2"]
    assert DEFAULT_LATE_PAYMENT_TABLE.half_years()[2].to_json() == {
        "half_year": "2025-H1",
        "start": "2025-01-01",
        "ecb_mro": "0.0315",
        "rate": "0.115",
    }


@pytest.mark.parametrize("on", [date(2023, 12, 31), date(2027, 1, 1)])
def test_late_payment_rate_outside_the_table_is_refused(on: date) -> None:
    with pytest.raises(InvalidTerms, match="outside the legal late-payment table 2024-H1 to 2026-H2"):
        legal_late_payment_rate(on)


@pytest.mark.parametrize(
    ("value", "expected"), [("0.1215", "0.125"), ("0.125", "0.125"), ("0.12501", "0.13"), ("0.1", "0.1")]
)
def test_ceil_to_half_point(value: str, expected: str) -> None:
    assert ceil_to_step(Decimal(value), Decimal("0.005")) == Decimal(expected)


def test_collection_fee_is_forty_euro() -> None:
    assert str(LATE_PAYMENT_COLLECTION_FEE) == "40.00"
    assert str(late_payment_collection_fee()) == "40.00"


def test_a_custom_late_payment_table() -> None:
    table = LatePaymentTable.from_json(
        {
            "margin": "0.08",
            "rounding_step": "0.005",
            "collection_fee": "40.00",
            "first_half_year": "2023-H2",
            "last_half_year": "2023-H2",
            "ecb_main_refinancing_rate": [{"effective_from": "2023-06-21", "rate": "0.0400"}],
        }
    )
    assert legal_late_payment_rate(date(2023, 8, 1), table) == Decimal("0.12")
