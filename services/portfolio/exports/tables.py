"""The tables of a quarterly export, with their documented columns, built from the book on the quarter's last day.

Every value is text in the form the files carry it: money with two decimals, rates as decimal
fractions, dates as ISO dates, an empty string for "none". Rows are sorted on stable keys, so the
same book always gives the same tables.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shared.amortisation.money import round_half_up
from shared.platform.quarters import Quarter

from services.portfolio.domain.loans import ARREARS_BUCKETS, ZERO, Instrument
from services.portfolio.domain.statement import Statement

Value = str


class Kind(enum.StrEnum):
    TEXT = "text"
    MONEY = "money"
    RATE = "rate"
    NUMBER = "number"
    COUNT = "count"
    DATE = "date"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: Sequence[tuple[Value, ...]]


def _text(value: object) -> Value:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _money(value: Decimal | None) -> Value:
    return "" if value is None else format(round_half_up(value), "f")


BUCKET_COLUMNS = tuple(
    Column(
        f"arrears_{bucket.name.replace('-', '_').replace('>', 'over_')}",
        Kind.MONEY,
        f"unpaid, {bucket.name} days past due",
    )
    for bucket in ARREARS_BUCKETS
)

LOANS = (
    Column("instrument", Kind.TEXT, "sifo, energy or trividend"),
    Column("loan_id", Kind.TEXT, "the lender's loan id (energy: the application id; Trividend: the proposal id)"),
    Column("enterprise_number", Kind.TEXT, "borrower's KBO/BCE number"),
    Column("borrower_name", Kind.TEXT, "borrower as the lender names it (empty when the lender does not publish it)"),
    Column("financier_id", Kind.TEXT, "SIFO: the recognised financier that granted the credit"),
    Column("status", Kind.TEXT, "committed, current, in_arrears, defaulted, written_off, settled or converted"),
    Column("committed", Kind.MONEY, "approved and not yet paid out"),
    Column("disbursed", Kind.MONEY, "paid out"),
    Column("disbursed_on", Kind.DATE, "day of payout"),
    Column("outstanding_principal", Kind.MONEY, "principal owed, overdue principal included"),
    Column("accrued_interest", Kind.MONEY, "interest of the running period up to the date, not yet due"),
    *BUCKET_COLUMNS,
    Column("arrears_total", Kind.MONEY, "everything due and unpaid (interest and principal)"),
    Column("days_past_due", Kind.COUNT, "of the oldest unpaid installment"),
    Column("annual_rate", Kind.RATE, "rate in force"),
    Column("maturity", Kind.DATE, "due date of the last installment"),
    Column("written_off", Kind.MONEY, "amount the lender wrote off"),
    Column("target_group_vte", Kind.NUMBER, "target-group employees (full-time equivalents) the loan supports"),
    Column("co2_avoided_tonnes_per_year", Kind.NUMBER, "energy: CO2 the financed installations avoid per year"),
)

PARTICIPATIONS = (
    Column("participation_id", Kind.TEXT, "Trividend participation (the id of the committee's approval)"),
    Column("enterprise_number", Kind.TEXT, "investee's KBO/BCE number"),
    Column("name", Kind.TEXT, "investee"),
    Column("committed_undrawn", Kind.MONEY, "approved by the committee and not yet paid in"),
    Column("shares_held", Kind.COUNT, "shares held"),
    Column("ownership", Kind.RATE, "shares held / shares outstanding (empty: no share count reported)"),
    Column("cost", Kind.MONEY, "cost of the shares held (average cost)"),
    Column("fair_value", Kind.MONEY, "shares held x value per share of the latest valuation or purchase"),
    Column("invested", Kind.MONEY, "every tranche paid in"),
    Column("dividends", Kind.MONEY, "dividends received"),
    Column("proceeds", Kind.MONEY, "exit proceeds"),
    Column("realised_gain", Kind.MONEY, "proceeds - average cost of the shares sold"),
    Column("target_group_vte", Kind.NUMBER, "the investee's target-group employees (latest report)"),
)

DRAWING_RIGHTS = (
    Column("drawing_right_id", Kind.TEXT, "SIFO drawing right"),
    Column("financier_id", Kind.TEXT, "recognised financier holding the right"),
    Column("financier_name", Kind.TEXT, "its name"),
    Column("fund_year", Kind.COUNT, "fund year of the allocation"),
    Column("valid_from", Kind.DATE, "first day drawings are allowed"),
    Column("valid_until", Kind.DATE, "last day drawings are allowed"),
    Column("allocated", Kind.MONEY, "allocation in force"),
    Column("reserved", Kind.MONEY, "approved loans not yet paid out"),
    Column("drawn", Kind.MONEY, "paid out"),
    Column("released", Kind.MONEY, "given back by decision or at expiry"),
    Column("available", Kind.MONEY, "allocated - reserved - drawn - released"),
)

BUDGET_YEARS = (
    Column("budget_year", Kind.COUNT, "energy budget year"),
    Column("budget", Kind.MONEY, "the year's budget"),
    Column("committed", Kind.MONEY, "approved applications not yet paid out"),
    Column("disbursed", Kind.MONEY, "paid out"),
    Column("available", Kind.MONEY, "budget - committed - disbursed"),
    Column("applications", Kind.COUNT, "approved applications (paid out or not), cancelled ones left out"),
    Column("loans", Kind.COUNT, "applications paid out"),
)

AID = (
    Column("reference", Kind.TEXT, "the register's reference of the measure"),
    Column("enterprise_number", Kind.TEXT, "beneficiary"),
    Column("instrument", Kind.TEXT, "instrument or other_provider"),
    Column("provider", Kind.TEXT, "who granted the aid"),
    Column("grant_date", Kind.DATE, "day the aid was granted"),
    Column("gge", Kind.MONEY, "gross grant equivalent"),
    Column("status", Kind.TEXT, "granted, or reserved (approved, grant not yet confirmed)"),
    Column("legal_basis", Kind.TEXT, "de minimis regulation of the grant date"),
)

AID_USE = (
    Column("enterprise_number", Kind.TEXT, "beneficiary"),
    Column("window_start", Kind.DATE, "first day of the three-year window ending on the export date"),
    Column("granted_in_window", Kind.MONEY, "granted aid in that window"),
    Column("ceiling", Kind.MONEY, "de minimis ceiling in force on the export date"),
    Column("headroom", Kind.MONEY, "ceiling - granted (the register adds linked enterprises)"),
)

EXPOSURE = (
    Column("enterprise_number", Kind.TEXT, "enterprise"),
    Column("name", Kind.TEXT, "as a lender names it"),
    Column("instruments", Kind.TEXT, "instruments with a live position, separated by '+'"),
    Column("outstanding_principal", Kind.MONEY, "loans"),
    Column("committed", Kind.MONEY, "approved, not yet paid out"),
    Column("equity_fair_value", Kind.MONEY, "participations at fair value"),
    Column("total", Kind.MONEY, "outstanding + committed + equity"),
    Column("arrears", Kind.MONEY, "due and unpaid"),
    Column("aid_granted_in_window", Kind.MONEY, "granted aid in the three-year window"),
    Column("aid_ceiling", Kind.MONEY, "de minimis ceiling in force"),
)

SOCIAL = (
    Column("instrument", Kind.TEXT, "sifo, energy or trividend"),
    Column("enterprises", Kind.COUNT, "enterprises with a live position"),
    Column("live_loans", Kind.COUNT, "committed or outstanding loans"),
    Column(
        "target_group_vte", Kind.NUMBER, "target-group employees supported, each enterprise once (empty: not reported)"
    ),
    Column("exposure", Kind.MONEY, "outstanding + committed of the loans reporting VTE"),
    Column("euro_per_vte", Kind.MONEY, "exposure / target_group_vte"),
)

ENERGY = (
    Column("technology", Kind.TEXT, "pv, heat_pump, solar_boiler, ..."),
    Column("unit", Kind.TEXT, "unit of the capacity"),
    Column("installations", Kind.COUNT, "installations financed by loans paid out"),
    Column("capacity", Kind.NUMBER, "installed capacity"),
    Column("investment_cost", Kind.MONEY, "investment"),
    Column("yearly_production_kwh", Kind.NUMBER, "expected yearly production or saving in kWh"),
    Column("yearly_savings_eur", Kind.MONEY, "expected yearly saving"),
)

TOTALS = (
    Column("instrument", Kind.TEXT, "sifo, energy or trividend"),
    Column("loans", Kind.COUNT, "loans in the book (committed to settled)"),
    Column("committed", Kind.MONEY, "approved, not yet paid out"),
    Column("disbursed", Kind.MONEY, "paid out, loans still in the book"),
    Column("outstanding_principal", Kind.MONEY, "principal owed"),
    Column("accrued_interest", Kind.MONEY, "interest accrued, not yet due"),
    *BUCKET_COLUMNS,
    Column("arrears_total", Kind.MONEY, "due and unpaid"),
    Column("written_off", Kind.MONEY, "written off"),
    Column("participations", Kind.COUNT, "participations held"),
    Column("equity_fair_value", Kind.MONEY, "participations at fair value"),
    Column(
        "co2_avoided_tonnes_per_year", Kind.NUMBER, "CO2 avoided per year by installations paid out, not written off"
    ),
)

ARREARS_HISTORY = (
    Column("quarter", Kind.TEXT, "quarter, its last day being the date of the figures"),
    Column("as_of", Kind.DATE, "last day of the quarter"),
    *BUCKET_COLUMNS,
    Column("arrears_total", Kind.MONEY, "due and unpaid"),
)

MATURITY = (
    Column("year", Kind.COUNT, "calendar year principal falls due (overdue principal: the export's year)"),
    Column("instrument", Kind.TEXT, "sifo, energy or trividend"),
    Column("principal", Kind.MONEY, "outstanding principal falling due that year"),
)


def loans_table(statement: Statement) -> Table:
    rows = [
        (
            line.instrument.value,
            line.loan_id,
            line.enterprise_number,
            line.borrower_name,
            _text(line.financier_id),
            line.status.value,
            _money(line.committed),
            _money(line.disbursed),
            _text(line.disbursed_on),
            _money(line.outstanding_principal),
            _money(line.accrued_interest),
            *(_money(line.arrears[bucket.name]) for bucket in ARREARS_BUCKETS),
            _money(line.total_arrears),
            str(line.days_past_due),
            _text(line.annual_rate),
            _text(line.maturity),
            _money(line.written_off),
            _text(line.target_group_vte),
            _text(line.co2_tonnes_per_year),
        )
        for line in statement.loans
    ]
    return Table("loans", "Loans", LOANS, rows)


def participations_table(statement: Statement) -> Table:
    rows = [
        (
            line.participation_id,
            line.enterprise_number,
            line.name,
            _money(line.committed_undrawn),
            str(line.shares_held),
            _text(line.ownership),
            _money(line.cost),
            _money(line.fair_value),
            _money(line.invested),
            _money(line.dividends),
            _money(line.proceeds),
            _money(line.realised_gain),
            _text(line.target_group_vte),
        )
        for line in statement.participations
    ]
    return Table("participations", "Participations", PARTICIPATIONS, rows)


def drawing_rights_table(statement: Statement, financier_names: dict[str, str]) -> Table:
    rows = [
        (
            line.drawing_right_id,
            line.financier_id,
            financier_names.get(line.financier_id, ""),
            str(line.fund_year),
            _text(line.valid_from),
            _text(line.valid_until),
            _money(line.allocated),
            _money(line.reserved),
            _money(line.drawn),
            _money(line.released),
            _money(line.available),
        )
        for line in statement.drawing_rights
    ]
    return Table("drawing_rights", "Drawing rights", DRAWING_RIGHTS, rows)


def budget_years_table(statement: Statement) -> Table:
    rows = [
        (
            str(line.budget_year),
            _money(line.budget),
            _money(line.committed),
            _money(line.disbursed),
            _money(line.available),
            str(line.applications),
            str(line.loans),
        )
        for line in statement.budget_years
    ]
    return Table("budget_years", "Energy budget years", BUDGET_YEARS, rows)


def aid_table(statement: Statement) -> Table:
    rows = [
        (
            measure.reference,
            measure.enterprise_number,
            measure.instrument.value,
            measure.provider,
            _text(measure.grant_date),
            _money(measure.gge),
            measure.status.value,
            measure.legal_basis,
        )
        for measure in statement.measures
    ]
    return Table("aid_register", "Aid register", AID, rows)


def aid_use_table(statement: Statement) -> Table:
    rows = [
        (
            use.enterprise_number,
            _text(use.window_start),
            _money(use.granted_in_window),
            _money(use.ceiling),
            _money(use.headroom),
        )
        for use in statement.aid
    ]
    return Table("aid_use", "Aid against the ceiling", AID_USE, rows)


def exposure_table(statement: Statement) -> Table:
    rows = [
        (
            item.enterprise_number,
            item.name,
            "+".join(item.instruments),
            _money(item.outstanding_principal),
            _money(item.committed),
            _money(item.equity_fair_value),
            _money(item.total),
            _money(item.arrears),
            _money(item.aid_granted_in_window),
            _money(item.aid_ceiling),
        )
        for item in statement.exposures
    ]
    return Table("exposure", "Exposure per enterprise", EXPOSURE, rows)


def social_table(statement: Statement) -> Table:
    rows = [
        (
            item.instrument.value,
            str(item.enterprises),
            str(item.live_loans),
            _text(item.target_group_vte),
            _money(item.exposure),
            _money(item.euro_per_vte),
        )
        for item in statement.social
    ]
    return Table("social", "Social figures", SOCIAL, rows)


def energy_table(statement: Statement) -> Table:
    rows = [
        (
            item.technology,
            item.unit,
            str(item.installations),
            _text(item.capacity),
            _money(item.investment_cost),
            _text(item.yearly_production_kwh),
            _money(item.yearly_savings_eur),
        )
        for item in statement.energy
    ]
    return Table("energy", "Energy figures", ENERGY, rows)


def totals_table(statement: Statement) -> Table:
    rows = [
        (
            item.instrument.value,
            str(item.loans),
            _money(item.committed),
            _money(item.disbursed),
            _money(item.outstanding_principal),
            _money(item.accrued_interest),
            *(_money(item.arrears[bucket.name]) for bucket in ARREARS_BUCKETS),
            _money(item.total_arrears),
            _money(item.written_off),
            str(item.participations),
            _money(item.equity_fair_value),
            _text(item.co2_tonnes_per_year),
        )
        for item in statement.totals
    ]
    return Table("totals", "Totals per instrument", TOTALS, rows)


def arrears_history_table(history: Sequence[tuple[Quarter, Mapping[str, Decimal]]]) -> Table:
    """One row per quarter: what the loans had unpaid per bucket on its last day."""
    rows = []
    for quarter, buckets in history:
        rows.append(
            (
                str(quarter),
                quarter.last_day.isoformat(),
                *(_money(buckets[bucket.name]) for bucket in ARREARS_BUCKETS),
                _money(sum(buckets.values(), ZERO)),
            )
        )
    return Table("arrears_history", "Arrears over the last eight quarters", ARREARS_HISTORY, rows)


def maturity_table(statement: Statement) -> Table:
    sums: dict[tuple[int, Instrument], Decimal] = {}
    for line in statement.loans:
        for year, amount in line.principal_by_year.items():
            sums[(year, line.instrument)] = sums.get((year, line.instrument), ZERO) + amount
    rows = [
        (str(year), instrument.value, _money(amount))
        for (year, instrument), amount in sorted(sums.items(), key=lambda item: (item[0][0], item[0][1].value))
    ]
    return Table("maturity_profile", "Maturity profile of outstanding principal", MATURITY, rows)


ALL_COLUMNS = {
    "loans": LOANS,
    "participations": PARTICIPATIONS,
    "drawing_rights": DRAWING_RIGHTS,
    "budget_years": BUDGET_YEARS,
    "aid_register": AID,
    "aid_use": AID_USE,
    "exposure": EXPOSURE,
    "social": SOCIAL,
    "energy": ENERGY,
    "totals": TOTALS,
    "arrears_history": ARREARS_HISTORY,
    "maturity_profile": MATURITY,
}


def export_tables(
    statement: Statement, history: Sequence[tuple[Quarter, Mapping[str, Decimal]]], financier_names: dict[str, str]
) -> list[Table]:
    """The tables of an export, in the order the workbook shows them."""
    return [
        totals_table(statement),
        loans_table(statement),
        participations_table(statement),
        drawing_rights_table(statement, financier_names),
        budget_years_table(statement),
        aid_table(statement),
        aid_use_table(statement),
        exposure_table(statement),
        social_table(statement),
        energy_table(statement),
        arrears_history_table(history),
        maturity_table(statement),
    ]
