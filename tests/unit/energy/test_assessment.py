from datetime import date
from decimal import Decimal

import pytest

from shared.amortisation.reference_rates import Collateral, Rating
from shared.amortisation.schedule import build_schedule
from shared.amortisation.state_aid import AidGrant, de_minimis_headroom, gross_grant_equivalent, headroom_for_grant
from shared.amortisation.terms import Frequency, LoanTerms
from shared.platform.rules import RuleViolation

from services.energy.domain.assessment import Assessment, EnergyProgramme, assess, yearly_debt_service
from services.energy.domain.installations import Installation, Technology

ENTERPRISE = "0403170701"
GRANT = date(2026, 3, 15)
PROGRAMME = EnergyProgramme()
TERMS = PROGRAMME.terms(Decimal("100000.00"), date(2026, 4, 1))
PV = Installation(Technology.PV, Decimal("100"), "kWp", Decimal("100000.00"), Decimal("95000"), Decimal("12000.00"))


def run(grants: list[AidGrant] | None = None, installations: list[Installation] | None = None) -> Assessment:
    return assess(
        TERMS,
        [PV] if installations is None else installations,
        GRANT,
        Rating.SATISFACTORY,
        Collateral.NORMAL,
        PROGRAMME.emission_factor_kg_per_kwh,
        lambda _gge: headroom_for_grant(grants or [], ENTERPRISE, GRANT),
        ENTERPRISE,
    )


def test_programme_defaults_are_the_published_terms() -> None:
    assert PROGRAMME.yearly_budget == Decimal("5000000.00")
    assert PROGRAMME.budget_article == "JB0-1JEC2GB-PA"
    assert LoanTerms(Decimal("100000.00"), Decimal("0.01"), 120, date(2026, 4, 1), Frequency.MONTHLY) == TERMS


def test_level_payment_and_debt_service() -> None:
    schedule = build_schedule(TERMS)
    assert {row.payment for row in schedule.installments[:119]} == {Decimal("876.04")}
    result = run()
    assert result.schedule == schedule
    assert result.yearly_debt_service == Decimal("10512.48") == 12 * Decimal("876.04")


def test_hand_checked_figures() -> None:
    result = run()
    assert result.savings_coverage_ratio == Decimal("1.14")  # 12000 / 10512.48 = 1.1415
    assert result.simple_payback_years == Decimal("8.33")  # 100000 / 12000 = 8.333
    assert result.co2_avoided_tonnes_per_year == Decimal("19.000")  # 95000 x 0.20 / 1000
    assert str(result.co2_avoided_tonnes_per_year) == "19.000"
    assert result.total_investment_cost == Decimal("100000.00")
    assert result.warnings == ()


def test_gge_and_de_minimis_headroom() -> None:
    expected = gross_grant_equivalent(TERMS, GRANT, Rating.SATISFACTORY, Collateral.NORMAL)
    earlier = [AidGrant(ENTERPRISE, date(2024, 6, 1), Decimal("250000.00")), AidGrant("0999999999", GRANT, Decimal(1))]
    result = run(earlier)
    assert result.gge == expected
    assert Decimal(0) < result.gge.gge < Decimal("50000.00")
    assert result.headroom_before == de_minimis_headroom(earlier, ENTERPRISE, GRANT)
    assert result.headroom_before.used == Decimal("250000.00")
    assert result.headroom_before.available == Decimal("50000.00")
    assert result.headroom_after.used == Decimal("250000.00") + result.gge.gge
    assert result.headroom_after.available == Decimal("50000.00") - result.gge.gge
    assert result.exceeds is False


def test_exceeding_the_de_minimis_ceiling_is_reported() -> None:
    result = run([AidGrant(ENTERPRISE, date(2025, 1, 1), Decimal("295000.00"))])
    assert result.gge.gge > Decimal("5000.00")
    assert result.exceeds is True
    assert result.headroom_after.available == Decimal("0.00")
    assert result.headroom_after.used == Decimal("295000.00") + result.gge.gge


def test_no_savings_means_no_payback() -> None:
    idle = Installation(Technology.PV, Decimal("100"), "kWp", Decimal("100000.00"), Decimal("90000"), Decimal("0.00"))
    result = run(installations=[idle])
    assert result.simple_payback_years is None
    assert result.savings_coverage_ratio == Decimal("0.00")
    assert result.to_json()["simple_payback_years"] is None
    assert [w.field for w in result.warnings] == ["installations[0].yearly_savings_eur"]


def test_debt_service_counts_the_first_year_after_grace() -> None:
    terms = LoanTerms(Decimal("100000.00"), Decimal("0.01"), 126, date(2026, 4, 1), grace_periods=6)
    schedule = build_schedule(terms)
    assert yearly_debt_service(schedule) == sum((row.payment for row in schedule.installments[6:18]), Decimal(0))
    assert yearly_debt_service(schedule) == Decimal("10512.48")
    quarterly = build_schedule(
        LoanTerms(Decimal("100000.00"), Decimal("0.01"), 40, date(2026, 4, 1), Frequency.QUARTERLY)
    )
    assert yearly_debt_service(quarterly) == 4 * quarterly.installments[0].payment


def test_to_json_uses_decimal_strings() -> None:
    document = run().to_json()
    assert document["yearly_debt_service"] == "10512.48"
    assert document["savings_coverage_ratio"] == "1.14"
    assert document["simple_payback_years"] == "8.33"
    assert document["co2_avoided_tonnes_per_year"] == "19.000"
    assert document["emission_factor_kg_per_kwh"] == "0.20"
    assert document["de_minimis"]["exceeds"] is False
    assert document["de_minimis"]["before"]["available"] == "300000.00"
    assert document["schedule"]["installments"][0]["payment"] == "876.04"
    assert document["terms"]["annual_rate"] == "0.01"


def test_programme_refuses_a_term_that_is_not_whole_periods() -> None:
    with pytest.raises(RuleViolation, match="term_months: 121 is not a whole number of quarterly periods"):
        EnergyProgramme(term_months=121, frequency=Frequency.QUARTERLY).terms(Decimal("1000.00"), date(2026, 1, 1))
