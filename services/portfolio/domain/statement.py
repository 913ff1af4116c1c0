"""The book on one date: every line and figure an export or the API shows, computed from a folded book."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.late_interest import LateInterestPolicy
from shared.amortisation.state_aid import DeMinimisRules
from shared.contracts.state_aid import MeasureRecordedV1
from shared.platform.rules import RuleViolation

from services.portfolio.domain.aid import AidUse, aid_use, measures_on
from services.portfolio.domain.book import Book
from services.portfolio.domain.book_positions import serviced_lines, value_serviced
from services.portfolio.domain.budget_years import BudgetYearLine, budget_year_line
from services.portfolio.domain.drawing_rights import DrawingRightLine, drawing_right_line
from services.portfolio.domain.figures import (
    EnergyFigures,
    Exposure,
    InstrumentTotals,
    SocialFigures,
    energy_figures,
    exposures,
    instrument_totals,
    social_figures,
)
from services.portfolio.domain.loans import ARREARS_BUCKETS, ZERO, Instrument, LoanFile, LoanLine, loan_line
from services.portfolio.domain.participations import ParticipationLine, participation_line

Progress = Callable[[int, int], None]


def _silent(done: int, total: int) -> None:
    return None


def loan_lines(
    book: Book, as_of: date, policies: Mapping[Instrument, LateInterestPolicy], progress: Progress = _silent
) -> list[LoanLine]:
    """Every loan in the book on `as_of`, by instrument and loan id.

    Loans serviced by repayments alone are valued together by the vectorised engine
    (`book_positions.py`); the others are replayed one by one.

    A loan the engine cannot value that day (late interest past the end of the legal-rate table,
    say) is refused naming the loan and the rule, rather than left out of the book.
    """
    files = book.loans_in_order()
    valued = serviced_lines(book.columns, as_of, policies)
    lines = []
    for done, file in enumerate(files, start=1):
        line = valued.get(file.loan_id) or _replayed_line(file, as_of, policies)
        if line is not None:
            investee = book.investees.get(file.investee_id) if file.investee_id is not None else None
            if investee is not None and investee.name and not line.borrower_name:
                line = replace(line, borrower_name=investee.name)
            lines.append(line)
        progress(done, len(files))
    return lines


def _replayed_line(file: LoanFile, as_of: date, policies: Mapping[Instrument, LateInterestPolicy]) -> LoanLine | None:
    """`loan_line`, a loan the engine cannot value that day refused with its id and the rule."""
    try:
        return loan_line(file, as_of, policies[file.instrument])
    except InvalidTerms as error:
        raise RuleViolation(
            "on",
            f"{file.instrument.value} loan {file.loan_id} cannot be valued on {as_of.isoformat()}: "
            f"{error.field}: {error.rule}",
        ) from None


def arrears_of_lines(lines: Sequence[LoanLine]) -> dict[str, Decimal]:
    """The lines' arrears per bucket, summed."""
    return {bucket.name: sum((line.arrears[bucket.name] for line in lines), ZERO) for bucket in ARREARS_BUCKETS}


def arrears_on(book: Book, as_of: date, policies: Mapping[Instrument, LateInterestPolicy]) -> dict[str, Decimal]:
    """What the book's loans have unpaid on `as_of` per bucket of days past due: the sum of their lines'
    arrears, without building the lines of the loans valued together."""
    files = book.loans_in_order()
    valuation = value_serviced(book.columns, as_of, policies)
    totals = valuation.arrears()
    replayed = []
    together = valuation.loan_ids
    for file in files:
        if file.loan_id in together:
            continue
        line = _replayed_line(file, as_of, policies)
        if line is not None:
            replayed.append(line)
    others = arrears_of_lines(replayed)
    return {name: amount + others[name] for name, amount in totals.items()}


@dataclass(frozen=True)
class Statement:
    as_of: date
    loans: list[LoanLine]
    drawing_rights: list[DrawingRightLine]
    budget_years: list[BudgetYearLine]
    measures: list[MeasureRecordedV1]
    aid: list[AidUse]
    exposures: list[Exposure]
    social: list[SocialFigures]
    energy: list[EnergyFigures]
    totals: list[InstrumentTotals]
    participations: list[ParticipationLine]


def statement(
    book: Book,
    as_of: date,
    policies: Mapping[Instrument, LateInterestPolicy],
    rules: DeMinimisRules,
    progress: Progress = _silent,
) -> Statement:
    lines = loan_lines(book, as_of, policies, progress)
    loans = list(book.loans.values())
    rights = [
        line
        for right in sorted(book.drawing_rights.values(), key=lambda right: right.drawing_right_id)
        if (line := drawing_right_line(right, loans, as_of)) is not None
    ]
    rights.sort(key=lambda line: (line.fund_year, line.financier_id, line.drawing_right_id))
    years = [
        year_line
        for year in sorted(book.budget_years.values(), key=lambda year: year.budget_year)
        if (year_line := budget_year_line(year, loans, as_of)) is not None
    ]
    participations = [
        position
        for file in sorted(book.participations.values(), key=lambda file: file.participation_id)
        if (position := participation_line(file, book.investees.get(file.investee_id or ""), as_of)) is not None
    ]
    measures = measures_on(book.measures, as_of)
    aid = aid_use(measures, as_of, rules)
    installations = {file.loan_id: file.installations for file in loans if file.installations}
    return Statement(
        as_of=as_of,
        loans=lines,
        drawing_rights=rights,
        budget_years=years,
        measures=measures,
        aid=aid,
        exposures=exposures(lines, aid, participations),
        social=social_figures(lines, participations),
        energy=energy_figures(lines, installations),
        totals=instrument_totals(lines, participations),
        participations=participations,
    )
