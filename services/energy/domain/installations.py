"""The installations an energy loan finances, and the plausibility of their savings estimates.

Energy loans finance renewable energy in sheltered and social workshops only (docs/programmes.md): solar
panels (PV) and, by extension, heat pumps and solar boilers. Each installation states its capacity
in its technology's own unit, its investment cost, the energy it yields a year and the euros it
saves a year. Hard rules (`check_installations`) refuse impossible figures; the ranges of
`PlausibilityRanges` only raise warnings, because a feasibility study may have good reasons to
depart from the Belgian averages.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shared.amortisation.money import CENT, ZERO, exact, round_half_up
from shared.platform.rules import RuleViolation


class Technology(enum.StrEnum):
    PV = "pv"
    HEAT_PUMP = "heat_pump"
    SOLAR_BOILER = "solar_boiler"

    @property
    def unit(self) -> str:
        """The unit its capacity is stated in: peak kW of panels, thermal kW, or m2 of collector."""
        return {"pv": "kWp", "heat_pump": "kW_thermal", "solar_boiler": "m2"}[self.value]


class WorkshopType(enum.StrEnum):
    SHELTERED = "sheltered"  # beschutte werkplaats (BW)
    SOCIAL = "social"  # sociale werkplaats (SW)


def parse_workshop_type(value: object) -> WorkshopType:
    """The applicant's workshop type; energy loans are reserved for sheltered and social workshops."""
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return WorkshopType(value)
    except ValueError:
        raise RuleViolation(
            "workshop_type",
            f"{value!r} is not a sheltered or social workshop (beschutte of sociale werkplaats); "
            "energy loans are reserved for them",
        ) from None


@dataclass(frozen=True)
class Installation:
    """One installation as estimated in the feasibility study.

    `yearly_production_kwh` is what the installation yields a year: electricity produced for PV,
    heat delivered for a heat pump or a solar boiler. `seasonal_cop` (heat pumps) and
    `hot_water_share` (solar boilers, a fraction: 0.5 for half of the hot water) are optional.
    Validated by `check_installations`, which knows the installation's position in the application.
    """

    technology: Technology
    capacity: Decimal
    unit: str
    investment_cost: Decimal
    yearly_production_kwh: Decimal
    yearly_savings_eur: Decimal
    seasonal_cop: Decimal | None = None
    hot_water_share: Decimal | None = None


def check_installations(installations: Sequence[Installation]) -> None:
    """Refuse the first impossible figure, naming it `installations[i].field`."""
    if not installations:
        raise RuleViolation("installations", "at least one installation is required")
    for index, item in enumerate(installations):
        field = f"installations[{index}]"
        technology = Technology(item.technology)
        if item.capacity <= 0:
            raise RuleViolation(f"{field}.capacity", f"{item.capacity} must be greater than 0")
        if item.unit != technology.unit:
            raise RuleViolation(
                f"{field}.unit",
                f"{item.unit!r} is not the capacity unit of {technology.value}; expected {technology.unit!r}",
            )
        _money(f"{field}.investment_cost", item.investment_cost, positive=True)
        if item.yearly_production_kwh < 0:
            raise RuleViolation(f"{field}.yearly_production_kwh", f"{item.yearly_production_kwh} must not be negative")
        _money(f"{field}.yearly_savings_eur", item.yearly_savings_eur, positive=False)
        if item.seasonal_cop is not None:
            if technology is not Technology.HEAT_PUMP:
                raise RuleViolation(f"{field}.seasonal_cop", f"applies to heat pumps only, not {technology.value}")
            if item.seasonal_cop <= 0:
                raise RuleViolation(f"{field}.seasonal_cop", f"{item.seasonal_cop} must be greater than 0")
        if item.hot_water_share is not None:
            if technology is not Technology.SOLAR_BOILER:
                raise RuleViolation(
                    f"{field}.hot_water_share", f"applies to solar boilers only, not {technology.value}"
                )
            if not ZERO < item.hot_water_share <= 1:
                raise RuleViolation(
                    f"{field}.hot_water_share", f"{item.hot_water_share} is a fraction and must lie in (0, 1]"
                )


def _money(field: str, amount: Decimal, *, positive: bool) -> None:
    if positive and amount <= 0:
        raise RuleViolation(field, f"{amount} must be greater than 0.00")
    if amount < 0:
        raise RuleViolation(field, f"{amount} must not be negative")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise RuleViolation(field, f"{amount} has more than two decimals")


def total_investment_cost(installations: Sequence[Installation]) -> Decimal:
    """The eligible investment cost: the sum of the installations' costs."""
    return sum((item.investment_cost for item in installations), ZERO)


def total_yearly_savings(installations: Sequence[Installation]) -> Decimal:
    return sum((item.yearly_savings_eur for item in installations), ZERO)


def total_yearly_production_kwh(installations: Sequence[Installation]) -> Decimal:
    return sum((item.yearly_production_kwh for item in installations), Decimal(0))


def pv_yearly_production_kwh(installations: Sequence[Installation]) -> Decimal:
    """Expected electricity production of the PV installations (the figure capped by the site's need)."""
    return sum((item.yearly_production_kwh for item in installations if item.technology is Technology.PV), Decimal(0))


# --------------------------------------------------------------------------- plausibility


@dataclass(frozen=True)
class PlausibilityRanges:
    """Belgian figures for savings estimates (docs/programmes.md, "Belgian figures for savings estimates").

    * `pv_yield_*`: PV produces 850-950 kWh per kWp a year; production / capacity is checked.
    * `pv_cost_*`: about EUR 1,000 per kWp above 10 kWp; cost / capacity outside 700-1,500 EUR/kWp
      is flagged for installations larger than `pv_cost_above_kwp` (smaller ones cost more per kWp
      and no figure is published for them, so they are not checked).
    * `heat_pump_cop_*`: seasonal COP 2.8-4.7; checked when the study states one.
    * `solar_boiler_hot_water_share_*`: a solar boiler covers 40-60 % of the hot water; checked when
      the study states a share.
    * `*_life_years`: the shortest published life (PV 20-25 years, solar boiler 20-30 years). A
      simple payback (investment cost / yearly savings) beyond it means the savings never repay the
      installation; an installation with no savings at all is flagged too. No heat pump life is published
      life, so heat pumps are not checked for payback (`heat_pump_life_years` None).
    """

    pv_yield_min_kwh_per_kwp: Decimal = Decimal("850")
    pv_yield_max_kwh_per_kwp: Decimal = Decimal("950")
    pv_cost_min_per_kwp: Decimal = Decimal("700")
    pv_cost_max_per_kwp: Decimal = Decimal("1500")
    pv_cost_above_kwp: Decimal = Decimal("10")
    heat_pump_cop_min: Decimal = Decimal("2.8")
    heat_pump_cop_max: Decimal = Decimal("4.7")
    solar_boiler_hot_water_share_min: Decimal = Decimal("0.40")
    solar_boiler_hot_water_share_max: Decimal = Decimal("0.60")
    pv_life_years: Decimal | None = Decimal("20")
    heat_pump_life_years: Decimal | None = None
    solar_boiler_life_years: Decimal | None = Decimal("20")

    def life_years(self, technology: Technology) -> Decimal | None:
        return {
            Technology.PV: self.pv_life_years,
            Technology.HEAT_PUMP: self.heat_pump_life_years,
            Technology.SOLAR_BOILER: self.solar_boiler_life_years,
        }[Technology(technology)]


DEFAULT_RANGES = PlausibilityRanges()


@dataclass(frozen=True)
class PlausibilityWarning:
    """An estimate outside the usual Belgian range: to be explained, not a refusal."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"

    def to_json(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


def _figure(value: Decimal, places: int = 0) -> str:
    """A figure for a message: rounded half-up to `places` decimals, never in exponent notation."""
    with exact():
        rounded = round_half_up(value, Decimal(1).scaleb(-places))
    return format(rounded, "f")


def _plain(value: Decimal) -> str:
    """A configured bound as written: 850, 2.8, 0.40 (trailing zeros of whole numbers dropped)."""
    return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")


def plausibility_warnings(
    installations: Sequence[Installation], ranges: PlausibilityRanges = DEFAULT_RANGES
) -> list[PlausibilityWarning]:
    """Every estimate outside its plausible range, in installation order; [] when all look usual.

    Expects installations that passed `check_installations` (positive capacity).
    """
    warnings: list[PlausibilityWarning] = []
    for index, item in enumerate(installations):
        field = f"installations[{index}]"
        technology = Technology(item.technology)
        with exact():
            if technology is Technology.PV:
                low, high = ranges.pv_yield_min_kwh_per_kwp, ranges.pv_yield_max_kwh_per_kwp
                per_kwp = item.yearly_production_kwh / item.capacity
                if not low <= per_kwp <= high:
                    warnings.append(
                        PlausibilityWarning(
                            f"{field}.yearly_production_kwh",
                            f"{_figure(per_kwp)} kWh per kWp is outside the plausible {_plain(low)}-{_plain(high)} "
                            "kWh/kWp for PV in Belgium",
                        )
                    )
                low, high = ranges.pv_cost_min_per_kwp, ranges.pv_cost_max_per_kwp
                cost_per_kwp = item.investment_cost / item.capacity
                if item.capacity > ranges.pv_cost_above_kwp and not low <= cost_per_kwp <= high:
                    warnings.append(
                        PlausibilityWarning(
                            f"{field}.investment_cost",
                            f"EUR {_figure(cost_per_kwp, 2)} per kWp is outside the plausible {_plain(low)}-"
                            f"{_plain(high)} EUR/kWp for PV above {_plain(ranges.pv_cost_above_kwp)} kWp "
                            "(about EUR 1,000 per kWp)",
                        )
                    )
            if technology is Technology.HEAT_PUMP and item.seasonal_cop is not None:
                low, high = ranges.heat_pump_cop_min, ranges.heat_pump_cop_max
                if not low <= item.seasonal_cop <= high:
                    warnings.append(
                        PlausibilityWarning(
                            f"{field}.seasonal_cop",
                            f"a seasonal COP of {item.seasonal_cop} is outside the plausible "
                            f"{_plain(low)}-{_plain(high)} for heat pumps",
                        )
                    )
            if technology is Technology.SOLAR_BOILER and item.hot_water_share is not None:
                low, high = ranges.solar_boiler_hot_water_share_min, ranges.solar_boiler_hot_water_share_max
                if not low <= item.hot_water_share <= high:
                    warnings.append(
                        PlausibilityWarning(
                            f"{field}.hot_water_share",
                            f"{item.hot_water_share} of the hot water is outside the plausible "
                            f"{_plain(low)}-{_plain(high)} share for a solar boiler",
                        )
                    )
            life = ranges.life_years(technology)
            if life is not None:
                if item.yearly_savings_eur <= 0:
                    warnings.append(
                        PlausibilityWarning(
                            f"{field}.yearly_savings_eur",
                            f"no yearly savings: the investment of {item.investment_cost} is never repaid",
                        )
                    )
                else:
                    payback = item.investment_cost / item.yearly_savings_eur
                    if payback > life:
                        warnings.append(
                            PlausibilityWarning(
                                f"{field}.yearly_savings_eur",
                                f"a simple payback of {_figure(payback, 2)} years exceeds the {_plain(life)}-year "
                                f"life of a {technology.value} installation",
                            )
                        )
    return warnings
