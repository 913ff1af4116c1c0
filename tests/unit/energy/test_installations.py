from decimal import Decimal

import pytest

from shared.platform.rules import RuleViolation

from services.energy.domain.installations import (
    Installation,
    PlausibilityRanges,
    Technology,
    WorkshopType,
    check_installations,
    parse_workshop_type,
    plausibility_warnings,
)


def pv(kwp: str = "100", production: str = "90000", cost: str = "100000.00", savings: str = "12000.00") -> Installation:
    return Installation(Technology.PV, Decimal(kwp), "kWp", Decimal(cost), Decimal(production), Decimal(savings))


def heat_pump(cop: str | None = "3.5") -> Installation:
    return Installation(
        Technology.HEAT_PUMP,
        Decimal("40"),
        "kW_thermal",
        Decimal("60000.00"),
        Decimal("80000"),
        Decimal("4000.00"),
        seasonal_cop=None if cop is None else Decimal(cop),
    )


def solar_boiler(share: str | None = "0.50", savings: str = "1200.00") -> Installation:
    return Installation(
        Technology.SOLAR_BOILER,
        Decimal("12"),
        "m2",
        Decimal("15000.00"),
        Decimal("6000"),
        Decimal(savings),
        hot_water_share=None if share is None else Decimal(share),
    )


def messages(installations: list[Installation], ranges: PlausibilityRanges | None = None) -> list[str]:
    if ranges is None:
        return [str(w) for w in plausibility_warnings(installations)]
    return [str(w) for w in plausibility_warnings(installations, ranges)]


def test_each_technology_has_its_unit() -> None:
    assert Technology.PV.unit == "kWp"
    assert Technology.HEAT_PUMP.unit == "kW_thermal"
    assert Technology.SOLAR_BOILER.unit == "m2"


def test_only_sheltered_and_social_workshops_qualify() -> None:
    assert parse_workshop_type("sheltered") is WorkshopType.SHELTERED
    assert parse_workshop_type("social") is WorkshopType.SOCIAL
    with pytest.raises(RuleViolation) as caught:
        parse_workshop_type("bakery")
    assert caught.value.field == "workshop_type"
    assert caught.value.rule == (
        "'bakery' is not a sheltered or social workshop (beschutte of sociale werkplaats); "
        "energy loans are reserved for them"
    )
    with pytest.raises(RuleViolation, match="workshop_type: 3 is not a sheltered"):
        parse_workshop_type(3)


def test_unit_must_match_the_technology() -> None:
    wrong = Installation(Technology.HEAT_PUMP, Decimal("40"), "kWp", Decimal("60000.00"), Decimal(0), Decimal(0))
    with pytest.raises(RuleViolation) as caught:
        check_installations([pv(), wrong])
    assert caught.value.field == "installations[1].unit"
    assert caught.value.rule == "'kWp' is not the capacity unit of heat_pump; expected 'kW_thermal'"


@pytest.mark.parametrize(
    ("installation", "field", "rule"),
    [
        (pv(kwp="0"), "installations[0].capacity", "0 must be greater than 0"),
        (pv(cost="0.00"), "installations[0].investment_cost", "0.00 must be greater than 0.00"),
        (pv(cost="100.001"), "installations[0].investment_cost", "100.001 has more than two decimals"),
        (pv(production="-1"), "installations[0].yearly_production_kwh", "-1 must not be negative"),
        (pv(savings="-1.00"), "installations[0].yearly_savings_eur", "-1.00 must not be negative"),
        (heat_pump(cop="0"), "installations[0].seasonal_cop", "0 must be greater than 0"),
        (solar_boiler(share="1.2"), "installations[0].hot_water_share", "1.2 is a fraction and must lie in (0, 1]"),
    ],
)
def test_impossible_figures_are_refused(installation: Installation, field: str, rule: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        check_installations([installation])
    assert (caught.value.field, caught.value.rule) == (field, rule)


def test_technology_specific_figures_belong_to_their_technology() -> None:
    cop_on_pv = Installation(
        Technology.PV, Decimal(10), "kWp", Decimal("9000.00"), Decimal(9000), Decimal(0), seasonal_cop=Decimal(3)
    )
    with pytest.raises(RuleViolation, match=r"installations\[0\]\.seasonal_cop: applies to heat pumps only, not pv"):
        check_installations([cop_on_pv])
    with pytest.raises(RuleViolation, match="installations: at least one installation is required"):
        check_installations([])


def test_usual_estimates_raise_no_warning() -> None:
    check_installations([pv(), heat_pump(), solar_boiler()])
    assert plausibility_warnings([pv(), heat_pump(), solar_boiler()]) == []
    # Range bounds are inclusive; missing COP or share is not checked.
    assert messages([pv(production="85000"), pv(production="95000"), heat_pump("2.8"), heat_pump("4.7")]) == []
    assert messages([heat_pump(None), solar_boiler(None), solar_boiler("0.40"), solar_boiler("0.60")]) == []


def test_pv_yield_outside_range() -> None:
    assert messages([pv(kwp="100", production="120000")]) == [
        "installations[0].yearly_production_kwh: 1200 kWh per kWp is outside the plausible 850-950 kWh/kWp "
        "for PV in Belgium"
    ]
    assert messages([heat_pump(), pv(kwp="100", production="84999")]) == [
        "installations[1].yearly_production_kwh: 850 kWh per kWp is outside the plausible 850-950 kWh/kWp "
        "for PV in Belgium"
    ]


def test_pv_cost_per_kwp_checked_above_ten_kwp_only() -> None:
    assert messages([pv(kwp="20", production="18000", cost="33000.00", savings="2500.00")]) == [
        "installations[0].investment_cost: EUR 1650.00 per kWp is outside the plausible 700-1500 EUR/kWp "
        "for PV above 10 kWp (about EUR 1,000 per kWp)"
    ]
    assert messages([pv(kwp="100", production="90000", cost="60000.00")]) == [
        "installations[0].investment_cost: EUR 600.00 per kWp is outside the plausible 700-1500 EUR/kWp "
        "for PV above 10 kWp (about EUR 1,000 per kWp)"
    ]
    assert messages([pv(kwp="10", production="9000", cost="16500.00", savings="1500.00")]) == []


def test_heat_pump_cop_outside_range() -> None:
    assert messages([heat_pump("5.2")]) == [
        "installations[0].seasonal_cop: a seasonal COP of 5.2 is outside the plausible 2.8-4.7 for heat pumps"
    ]
    assert messages([heat_pump("2.5")])[0].startswith("installations[0].seasonal_cop: a seasonal COP of 2.5")


def test_solar_boiler_share_outside_range() -> None:
    assert messages([solar_boiler("0.75")]) == [
        "installations[0].hot_water_share: 0.75 of the hot water is outside the plausible 0.40-0.60 share "
        "for a solar boiler"
    ]


def test_savings_that_never_repay_the_installation_are_flagged() -> None:
    assert messages([solar_boiler(savings="500.00")]) == [
        "installations[0].yearly_savings_eur: a simple payback of 30.00 years exceeds the 20-year life "
        "of a solar_boiler installation"
    ]
    assert messages([pv(savings="0.00")]) == [
        "installations[0].yearly_savings_eur: no yearly savings: the investment of 100000.00 is never repaid"
    ]


def test_ranges_are_configurable() -> None:
    ranges = PlausibilityRanges(pv_yield_min_kwh_per_kwp=Decimal("800"), pv_yield_max_kwh_per_kwp=Decimal("1300"))
    assert messages([pv(production="120000")], ranges) == []
    warning = plausibility_warnings([pv(production="70000")], ranges)[0]
    assert warning.to_json() == {
        "field": "installations[0].yearly_production_kwh",
        "message": "700 kWh per kWp is outside the plausible 800-1300 kWh/kWp for PV in Belgium",
    }
