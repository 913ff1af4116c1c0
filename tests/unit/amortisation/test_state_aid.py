"""Gross grant equivalent of soft loans and the de minimis register."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.reference_rates import Collateral, RateTable, Rating
from shared.amortisation.returns import npv
from shared.amortisation.schedule import build_schedule
from shared.amortisation.state_aid import (
    AidGrant,
    DeMinimisExceeded,
    DeMinimisRules,
    GgeResult,
    Headroom,
    check_new_grant,
    de_minimis_ceiling,
    de_minimis_headroom,
    gross_grant_equivalent,
)
from shared.amortisation.terms import Frequency, GraceKind, LoanTerms, Method

GRANT = date(2026, 3, 1)  # base 2.19 %: reference (satisfactory/normal) 4.39 %, discount 3.19 %
SAT, NORMAL = Rating.SATISFACTORY, Collateral.NORMAL
ENTERPRISE = "0403170701"


def energy_loan(**changes: object) -> LoanTerms:
    """The energy-loan terms: 1 %, 10 years, monthly annuity, EUR 100,000."""
    fields: dict[str, object] = {
        "principal": "100000.00",
        "annual_rate": "0.01",
        "periods": 120,
        "start_date": "2026-03-01",
        "frequency": "monthly",
    }
    fields.update(changes)
    return LoanTerms.from_json(fields)


# --------------------------------------------------------------------------- GGE


def test_one_period_loan_by_hand() -> None:
    # One annual period, 30E/360 fraction exactly 1; 2026-03-01 to 2027-03-01 is 365 days, so t = 1.
    terms = energy_loan(periods=1, frequency="annual", method="bullet")
    result = gross_grant_equivalent(terms, GRANT, SAT, NORMAL)
    by_hand = 100000 * (0.0439 - 0.01) / 1.0319  # 3285.2020...
    assert result.gge == Decimal("3285.20")
    assert abs(float(result.gge) - by_hand) < 0.005
    assert result.reference_rate == Decimal("0.0439")
    assert result.discount_rate == Decimal("0.0319")


def test_twelve_month_bullet_by_hand() -> None:
    # Balance 100,000 all year, f = 1/12 each month (30E/360), t(k) = actual days / 365.
    terms = energy_loan(periods=12, method="bullet")
    result = gross_grant_equivalent(terms, GRANT, SAT, NORMAL)
    by_hand = 0.0
    for k in range(1, 13):
        due = date(2026 + (2 + k) // 12, (2 + k) % 12 + 1, 1)
        by_hand += 100000 * 0.0339 / 12 / 1.0319 ** ((due - GRANT).days / 365)
    assert abs(float(result.gge) - by_hand) <= 0.01
    assert result.gge == result.gge.quantize(Decimal("0.01"))


def _pv_difference(terms: LoanTerms, result: GgeResult) -> Decimal:
    """PV at the discount rate of the loan repaid on the same principal profile at the reference rate,
    minus PV of the soft loan's own payments (payment = principal + interest - capitalised).

    Equal to the GGE except for the soft schedule's interest being rounded to the cent per
    installment (at most 0.005 each) and the two NPVs being rounded to the cent.
    """
    schedule = build_schedule(terms)
    market = [
        (
            row.due_date,
            row.principal
            - row.capitalised
            + row.opening_balance * result.reference_rate * row.fraction.numerator / row.fraction.denominator,
        )
        for row in schedule.installments
    ]
    soft = [(row.due_date, row.payment) for row in schedule.installments]
    return npv(result.discount_rate, market, on=GRANT) - npv(result.discount_rate, soft, on=GRANT)


def test_energy_loan_gge_is_positive_below_principal_and_matches_the_pv_difference() -> None:
    terms = energy_loan()
    result = gross_grant_equivalent(terms, GRANT, SAT, NORMAL)
    assert Decimal(0) < result.gge < terms.principal
    assert result.gge == Decimal("15646.48")  # regression figure, cross-checked below
    tolerance = Decimal("0.005") * terms.periods + Decimal("0.02")
    assert abs(result.gge - _pv_difference(terms, result)) <= tolerance
    assert result.to_json() == {"gge": "15646.48", "reference_rate": "0.0439", "discount_rate": "0.0319"}


@pytest.mark.parametrize("method", ["annuity", "linear", "bullet"])
@pytest.mark.parametrize("grace_kind", ["interest_only", "capitalised"])
def test_pv_difference_cross_check_for_every_method(method: str, grace_kind: str) -> None:
    terms = energy_loan(
        periods=36, method=method, day_count="ACT/365F", frequency="quarterly", grace_periods=4, grace_kind=grace_kind
    )
    result = gross_grant_equivalent(terms, GRANT, Rating.WEAK, Collateral.LOW)
    assert abs(result.gge - _pv_difference(terms, result)) <= Decimal("0.005") * terms.periods + Decimal("0.02")


def test_capitalised_grace_carries_more_aid_than_interest_only_grace() -> None:
    interest_only = energy_loan(grace_periods=12, grace_kind=GraceKind.INTEREST_ONLY.value)
    capitalised = energy_loan(grace_periods=12, grace_kind=GraceKind.CAPITALISED.value)
    assert (
        gross_grant_equivalent(capitalised, GRANT, SAT, NORMAL).gge
        > gross_grant_equivalent(interest_only, GRANT, SAT, NORMAL).gge
    )


@pytest.mark.parametrize("rate", ["0.0439", "0.05"])
def test_no_aid_at_or_above_the_reference_rate(rate: str) -> None:
    result = gross_grant_equivalent(energy_loan(annual_rate=rate), GRANT, SAT, NORMAL)
    assert result.gge == Decimal("0.00")
    assert str(result.gge) == "0.00"


def test_rates_of_the_grant_date_apply() -> None:
    before = gross_grant_equivalent(energy_loan(), date(2025, 12, 31), SAT, NORMAL)
    assert before.reference_rate == Decimal("0.0441")
    assert before.discount_rate == Decimal("0.0321")


def test_grant_after_the_first_due_date_is_refused() -> None:
    with pytest.raises(InvalidTerms, match="after the first due date") as caught:
        gross_grant_equivalent(energy_loan(), date(2026, 4, 2), SAT, NORMAL)
    assert caught.value.field == "grant_date"


def test_a_caller_rate_table() -> None:
    table = RateTable(
        [(date(2020, 1, 1), Decimal("0.03"))],
        {(rating, collateral): 0 for rating in Rating for collateral in Collateral},
        discount_spread_bp=0,
    )
    # Reference 3 %, discount 3 %, one annual period: 100,000 x 0.02 / 1.03.
    terms = energy_loan(periods=1, frequency="annual", method=Method.BULLET.value)
    assert gross_grant_equivalent(terms, GRANT, SAT, NORMAL, table).gge == Decimal("1941.75")
    assert terms.frequency is Frequency.ANNUAL


# --------------------------------------------------------------------------- de minimis


def test_ceiling_switches_on_2024_01_01() -> None:
    assert de_minimis_ceiling(date(2023, 12, 31)) == Decimal("200000.00")
    assert de_minimis_ceiling(date(2024, 1, 1)) == Decimal("300000.00")
    with pytest.raises(InvalidTerms, match="before the first published de minimis ceiling"):
        de_minimis_ceiling(date(2013, 12, 31))


def test_headroom_follows_the_ceiling_in_force_on_as_of() -> None:
    grants = [AidGrant(ENTERPRISE, date(2023, 6, 1), Decimal("150000.00"))]
    assert de_minimis_headroom(grants, ENTERPRISE, date(2023, 12, 31)) == Headroom(
        Decimal("200000.00"), Decimal("150000.00"), Decimal("50000.00")
    )
    assert de_minimis_headroom(grants, ENTERPRISE, date(2024, 1, 1)) == Headroom(
        Decimal("300000.00"), Decimal("150000.00"), Decimal("150000.00")
    )


def test_window_is_as_of_minus_three_years_exclusive_to_as_of_inclusive() -> None:
    as_of = date(2026, 3, 1)
    grants = [
        AidGrant(ENTERPRISE, date(2023, 3, 1), Decimal("1.00")),  # exactly three years before: out
        AidGrant(ENTERPRISE, date(2023, 3, 2), Decimal("10.00")),  # in
        AidGrant(ENTERPRISE, as_of, Decimal("100.00")),  # in
        AidGrant(ENTERPRISE, as_of + timedelta(days=1), Decimal("1000.00")),  # after as_of: out
        AidGrant("0999999999", date(2025, 1, 1), Decimal("10000.00")),  # another enterprise: out
    ]
    headroom = de_minimis_headroom(grants, ENTERPRISE, as_of)
    assert headroom.used == Decimal("110.00")
    assert headroom.available == Decimal("299890.00")
    assert headroom.to_json() == {"ceiling": "300000.00", "used": "110.00", "available": "299890.00"}


def test_window_on_a_leap_day() -> None:
    # 2028-02-29 minus three years is 2025-02-28 (relativedelta clips): that day is out, 1 March is in.
    grants = [
        AidGrant(ENTERPRISE, date(2025, 2, 28), Decimal("1.00")),
        AidGrant(ENTERPRISE, date(2025, 3, 1), Decimal("2.00")),
    ]
    assert de_minimis_headroom(grants, ENTERPRISE, date(2028, 2, 29)).used == Decimal("2.00")


def test_available_never_goes_below_zero() -> None:
    grants = [AidGrant(ENTERPRISE, date(2023, 6, 1), Decimal("250000.00"))]
    headroom = de_minimis_headroom(grants, ENTERPRISE, date(2023, 12, 1))
    assert headroom == Headroom(Decimal("200000.00"), Decimal("250000.00"), Decimal("0.00"))


def test_new_grant_over_the_headroom_is_refused_with_the_figures() -> None:
    grants = [AidGrant(ENTERPRISE, date(2024, 5, 1), Decimal("280000.00"))]
    new = AidGrant(ENTERPRISE, date(2026, 3, 1), Decimal("50000.00"))
    with pytest.raises(DeMinimisExceeded) as caught:
        check_new_grant(grants, new)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.field == "gge"
    assert error.rule == (
        "gge 50000.00 exceeds the de minimis headroom 20000.00 of enterprise 0403170701 "
        "(ceiling 300000.00, used 280000.00 in the three years to 2026-03-01)"
    )
    assert error.headroom == Headroom(Decimal("300000.00"), Decimal("280000.00"), Decimal("20000.00"))
    assert error.grant == new


def test_new_grant_up_to_the_headroom_is_accepted() -> None:
    grants = [AidGrant(ENTERPRISE, date(2024, 5, 1), Decimal("280000.00"))]
    after = check_new_grant(grants, AidGrant(ENTERPRISE, date(2026, 3, 1), Decimal("20000.00")))
    assert after == Headroom(Decimal("300000.00"), Decimal("300000.00"), Decimal("0.00"))
    # Three years and a day later the old grant has left the window.
    later = check_new_grant(grants, AidGrant(ENTERPRISE, date(2027, 5, 2), Decimal("300000.00")))
    assert later.available == Decimal("0.00")


def test_aid_grant_validation() -> None:
    with pytest.raises(InvalidTerms, match="must not be negative"):
        AidGrant(ENTERPRISE, GRANT, Decimal("-1.00"))
    with pytest.raises(InvalidTerms, match="two decimals"):
        AidGrant(ENTERPRISE, GRANT, Decimal("1.001"))


def test_custom_de_minimis_rules() -> None:
    rules = DeMinimisRules.from_json(
        {"window_years": 2, "ceilings": [{"effective_from": "2020-01-01", "ceiling": "100.00", "regulation": "x"}]}
    )
    grants = [AidGrant(ENTERPRISE, date(2024, 3, 2), Decimal("60.00"))]
    assert de_minimis_headroom(grants, ENTERPRISE, date(2026, 3, 1), rules).available == Decimal("40.00")
    with pytest.raises(DeMinimisExceeded, match="in the two years to 2026-03-01"):
        check_new_grant(grants, AidGrant(ENTERPRISE, date(2026, 3, 1), Decimal("41.00")), rules)
