"""The programme: budget years (the EUR 5 M envelope), calls, and the programme figures."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import col, select

from shared.amortisation.terms import Frequency
from shared.platform.rules import Conflict, NotFound, RuleViolation

from services.energy import events
from services.energy.domain.budget import BudgetYear
from services.energy.models import EnergyApplication, EnergyBudgetYear, EnergyCall, EnergyInstallation, EnergyLoan
from services.energy.service.context import Command


def balance_of(row: EnergyBudgetYear) -> BudgetYear:
    return BudgetYear(envelope=row.envelope, committed=row.committed, disbursed=row.disbursed, released=row.released)


def apply_balance(row: EnergyBudgetYear, balance: BudgetYear) -> None:
    row.committed = balance.committed
    row.disbursed = balance.disbursed
    row.released = balance.released


def open_budget_year(command: Command, year: int, envelope: Decimal | None) -> EnergyBudgetYear:
    if command.session.get(EnergyBudgetYear, year) is not None:
        raise Conflict(f"budget year {year} is already open")
    row = EnergyBudgetYear(
        year=year,
        envelope=envelope if envelope is not None else command.programme.yearly_budget,
        committed=Decimal("0.00"),
        disbursed=Decimal("0.00"),
        released=Decimal("0.00"),
        budget_article=command.programme.budget_article,
        created_at=command.now,
        created_by=command.actor,
    )
    command.session.add(row)
    command.session.flush()
    command.publish(events.budget_year_opened(row))
    return row


def budget_year(command: Command, year: int) -> EnergyBudgetYear:
    row = command.session.get(EnergyBudgetYear, year)
    if row is None:
        raise NotFound("budget year", str(year))
    return row


@dataclass(frozen=True)
class CallTerms:
    title: str
    opens_on: date
    closes_on: date
    annual_rate: Decimal | None
    term_months: int | None
    frequency: Frequency | None
    max_per_applicant: Decimal | None
    max_per_site: Decimal | None


def open_call(command: Command, year: int, terms: CallTerms) -> EnergyCall:
    budget_year(command, year)
    if terms.closes_on < terms.opens_on:
        raise RuleViolation(
            "closes_on", f"{terms.closes_on.isoformat()} is before opens_on {terms.opens_on.isoformat()}"
        )
    frequency = terms.frequency or command.programme.frequency
    months = terms.term_months or command.programme.term_months
    if months % frequency.months:
        raise RuleViolation("term_months", f"{months} is not a whole number of {frequency.value} periods")
    call = EnergyCall(
        id=str(uuid.uuid4()),
        budget_year=year,
        title=terms.title,
        opens_on=terms.opens_on,
        closes_on=terms.closes_on,
        annual_rate=terms.annual_rate if terms.annual_rate is not None else command.programme.annual_rate,
        periods=months // frequency.months,
        frequency=frequency.value,
        max_per_applicant=terms.max_per_applicant,
        max_per_site=terms.max_per_site,
        created_at=command.now,
        created_by=command.actor,
    )
    command.session.add(call)
    command.session.flush()
    return call


def get_call(command: Command, call_id: str) -> EnergyCall:
    call = command.session.get(EnergyCall, call_id)
    if call is None:
        raise NotFound("call", call_id)
    return call


@dataclass
class Figures:
    loans: int = 0
    committed: Decimal = Decimal("0.00")
    disbursed: Decimal = Decimal("0.00")
    installed: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: Decimal("0.00")))
    expected_mwh_per_year: Decimal = Decimal("0.000")
    co2_tonnes_per_year: Decimal = Decimal("0.000")


def programme_figures(command: Command) -> tuple[dict[int, Figures], Figures]:
    """Per budget year and in total: loans, euros, capacity by unit, MWh and tonnes CO2 per year.

    Capacity, energy and CO2 count the installations of disbursed loans only (what was built).
    """
    factor = command.programme.emission_factor_kg_per_kwh
    years: dict[int, Figures] = {}
    for row in command.session.exec(select(EnergyBudgetYear).order_by(col(EnergyBudgetYear.year))).all():
        years[row.year] = Figures(committed=row.committed, disbursed=row.disbursed)
    rows = command.session.exec(
        select(EnergyLoan, EnergyInstallation).join(
            EnergyInstallation, col(EnergyInstallation.application_id) == col(EnergyLoan.application_id)
        )
    ).all()
    loans = command.session.exec(select(EnergyLoan.budget_year)).all()
    for loan_year in loans:
        years.setdefault(loan_year, Figures()).loans += 1
    for loan, installation in rows:
        figures = years[loan.budget_year]
        figures.installed[installation.unit] += installation.capacity
        figures.expected_mwh_per_year += installation.yearly_production_kwh / 1000
        figures.co2_tonnes_per_year += installation.yearly_production_kwh * factor / 1000
    total = Figures()
    for figures in years.values():
        total.loans += figures.loans
        total.committed += figures.committed
        total.disbursed += figures.disbursed
        for unit, capacity in figures.installed.items():
            total.installed[unit] += capacity
        total.expected_mwh_per_year += figures.expected_mwh_per_year
        total.co2_tonnes_per_year += figures.co2_tonnes_per_year
    return years, total


def applications_of_year(command: Command, year: int) -> list[EnergyApplication]:
    calls = [call.id for call in command.session.exec(select(EnergyCall).where(EnergyCall.budget_year == year)).all()]
    return list(command.session.exec(select(EnergyApplication).where(col(EnergyApplication.call_id).in_(calls))).all())


def budget_years(command: Command) -> list[EnergyBudgetYear]:
    return list(command.session.exec(select(EnergyBudgetYear).order_by(col(EnergyBudgetYear.year))).all())


def list_calls(command: Command, year: int | None, limit: int, offset: int) -> list[EnergyCall]:
    query = select(EnergyCall)
    if year is not None:
        query = query.where(EnergyCall.budget_year == year)
    return list(
        command.session.exec(
            query.order_by(col(EnergyCall.opens_on), col(EnergyCall.id)).offset(offset).limit(limit)
        ).all()
    )
