"""Reading the book: positions and exposure on a date, from every event heard (or up to a cut-off)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from shared.amortisation.late_interest import LateInterestPolicy
from shared.amortisation.state_aid import DEFAULT_DE_MINIMIS, DeMinimisRules
from shared.contracts.state_aid import MeasureRecordedV1
from shared.platform.rules import NotFound, RuleViolation

from services.portfolio.domain.aid import measures_on
from services.portfolio.domain.book import Book
from services.portfolio.domain.budget_years import BudgetYearLine, budget_year_line
from services.portfolio.domain.drawing_rights import DrawingRightLine, drawing_right_line
from services.portfolio.domain.figures import Exposure
from services.portfolio.domain.loans import Instrument, LoanLine
from services.portfolio.domain.statement import Statement, loan_lines, statement
from services.portfolio.service.facts import load_book

EARLIEST = date(2000, 1, 1)
LATEST = date(2199, 12, 31)


@dataclass(frozen=True)
class BookSettings:
    """What the book needs besides the events: each lender's late-interest policy and the aid rules."""

    policies: Mapping[Instrument, LateInterestPolicy]
    rules: DeMinimisRules = DEFAULT_DE_MINIMIS


def check_date(field: str, on: date) -> date:
    if not EARLIEST <= on <= LATEST:
        raise RuleViolation(field, f"{on.isoformat()} is outside {EARLIEST.isoformat()}..{LATEST.isoformat()}")
    return on


def financier_names(book: Book) -> dict[str, str]:
    return {financier_id: file.name for financier_id, file in book.financiers.items()}


def statement_on(session: Session, on: date, settings: BookSettings) -> tuple[Book, Statement]:
    """The book on `on` from every event read so far."""
    book = load_book(session)
    return book, statement(book, on, settings.policies, settings.rules)


def positions(
    session: Session, on: date, settings: BookSettings, instrument: Instrument | None, enterprise_number: str | None
) -> list[LoanLine]:
    lines = loan_lines(load_book(session), check_date("on", on), settings.policies)
    return [
        line
        for line in lines
        if (instrument is None or line.instrument is instrument)
        and (enterprise_number is None or line.enterprise_number == enterprise_number)
    ]


def drawing_rights(session: Session, on: date) -> list[DrawingRightLine]:
    day = check_date("on", on)
    book = load_book(session)
    lines = [drawing_right_line(right, book.loans.values(), day) for right in book.drawing_rights.values()]
    found = [line for line in lines if line is not None]
    return sorted(found, key=lambda line: (line.fund_year, line.financier_id, line.drawing_right_id))


def budget_years(session: Session, on: date) -> list[BudgetYearLine]:
    day = check_date("on", on)
    book = load_book(session)
    lines = [budget_year_line(year, book.loans.values(), day) for year in book.budget_years.values()]
    return sorted((line for line in lines if line is not None), key=lambda line: line.budget_year)


def aid_measures(session: Session, on: date) -> list[MeasureRecordedV1]:
    return measures_on(load_book(session).measures, check_date("on", on))


def exposure_of(session: Session, on: date, settings: BookSettings, enterprise_number: str) -> Exposure:
    _, current = statement_on(session, check_date("on", on), settings)
    for item in current.exposures:
        if item.enterprise_number == enterprise_number:
            return item
    raise NotFound("position in the book on " + on.isoformat() + " of enterprise", enterprise_number)


def exposures(session: Session, on: date, settings: BookSettings) -> list[Exposure]:
    _, current = statement_on(session, check_date("on", on), settings)
    return current.exposures
