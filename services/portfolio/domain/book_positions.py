"""Lines of the loans serviced by repayments alone, valued together by the vectorised engine.

Replaying each loan through `LiveLoan` costs tens of milliseconds a loan, and a quarterly export
values the book on eight quarter ends. Most loans are paid out and serviced by repayments only;
`shared.amortisation.batch_positions` values all of those at once, to the cent the replay gives
(tested side by side), and flags any whose history it leaves to the replay. Those, and every
other loan, get their line from `loans.loan_line` as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from shared.amortisation.batch import BatchTerms, Int64Array, batch_capable
from shared.amortisation.batch_positions import (
    STATUSES,
    BatchLateInterest,
    BatchPositions,
    BatchRepayments,
    maturity_ladder,
    positions_as_of,
)
from shared.amortisation.late_interest import LateInterestPolicy
from shared.amortisation.money import from_cents

from services.portfolio.domain.loans import (
    ARREARS_BUCKETS,
    Instrument,
    LoanFile,
    LoanLine,
    Valuation,
    defaulted,
    serviced_by_repayments,
    serviced_line,
)

FIRST_DAYS = tuple(bucket.first_day for bucket in ARREARS_BUCKETS)
assert all(bucket.last_day == following.first_day - 1 for bucket, following in pairwise(ARREARS_BUCKETS)), (
    "the engine's buckets are contiguous ranges of days past due"
)


@dataclass(frozen=True)
class ServicedValuation:
    """The vectorised engine's positions of the loans it could value on a date, and which it did."""

    files: list[LoanFile]
    terms: BatchTerms
    positions: BatchPositions
    valued: npt.NDArray[np.bool_]
    reported: Int64Array

    @property
    def loan_ids(self) -> set[str]:
        return {file.loan_id for file, valued in zip(self.files, self.valued.tolist(), strict=True) if valued}

    def arrears(self) -> dict[str, Decimal]:
        """What the valued loans have unpaid per bucket, summed."""
        sums = self.positions.arrears[self.valued].sum(axis=0)
        return {bucket.name: from_cents(int(cents)) for bucket, cents in zip(ARREARS_BUCKETS, sums, strict=True)}


@dataclass(frozen=True)
class BookColumns:
    """The terms and effective repayments of every loan the engine can hold, as columns, built once per book.

    Effective repayments are those not reversed, in entry-id (recording) order; a date keeps a
    prefix of each loan's. A loan whose repayments are out of date order, before its payout, or
    that heard an entry id twice is left to the replay (`left_out`), which refuses or resolves it.
    """

    files: list[LoanFile]
    terms: BatchTerms
    left_out: npt.NDArray[np.bool_]
    loan: Int64Array
    day: Int64Array
    cents: Int64Array
    reported: Int64Array

    @classmethod
    def of(cls, files: Sequence[LoanFile]) -> BookColumns:
        held = [file for file in files if file.terms is not None and batch_capable(file.terms)]
        terms = BatchTerms.from_terms([file.terms for file in held if file.terms is not None])
        logs = [file.repayments.as_arrays() for file in held]
        loan = np.repeat(np.arange(len(held), dtype=np.int64), [len(log[0]) for log in logs])
        entry, day, cents, reported = (
            np.concatenate([log[part] for log in logs]) if logs else np.zeros(0, dtype=np.int64) for part in range(4)
        )
        del logs
        keep = np.ones(len(loan), dtype=np.bool_)
        offsets = np.searchsorted(loan, np.arange(len(held) + 1))
        for index, file in enumerate(held):
            if file.reversed:
                part = slice(int(offsets[index]), int(offsets[index + 1]))
                keep[part] = ~np.isin(entry[part], np.fromiter(file.reversed, dtype=np.int64))
        loan, entry, day, cents, reported = (column[keep] for column in (loan, entry, day, cents, reported))
        same_loan = loan[1:] == loan[:-1]
        if (same_loan & (entry[1:] <= entry[:-1])).any():
            order = np.lexsort((entry, loan))
            loan, entry, day, cents, reported = (column[order] for column in (loan, entry, day, cents, reported))
            same_loan = loan[1:] == loan[:-1]
        left_out = np.zeros(len(held), dtype=np.bool_)
        left_out[loan[1:][same_loan & ((entry[1:] == entry[:-1]) | (day[1:] < day[:-1]))]] = True
        left_out[loan[day < terms.start.astype("datetime64[D]").astype(np.int64)[loan]]] = True
        usable = ~left_out[loan]
        return cls(held, terms, left_out, loan[usable], day[usable], cents[usable], reported[usable])


def value_serviced(
    columns: BookColumns, as_of: date, policies: Mapping[Instrument, LateInterestPolicy]
) -> ServicedValuation:
    """The positions on `as_of` of the book's loans serviced by repayments alone, valued together."""
    chosen = (
        np.array([serviced_by_repayments(file, as_of) for file in columns.files], dtype=np.bool_) & ~columns.left_out
    )
    candidates = np.flatnonzero(chosen)
    files = [columns.files[index] for index in candidates]
    terms = columns.terms.subset(candidates)
    late = BatchLateInterest.from_policies(terms.rate, [policies[file.instrument] for file in files])
    position = np.full(len(columns.files), -1, dtype=np.int64)
    position[candidates] = np.arange(len(candidates))
    rows = chosen[columns.loan] & (columns.day <= np.datetime64(as_of, "D").astype(np.int64))
    loan = position[columns.loan[rows]]
    repayments = BatchRepayments(loan=loan, on=columns.day[rows].astype("datetime64[D]"), amount=columns.cents[rows])
    reported = np.full(len(files), -1, dtype=np.int64)
    last = np.flatnonzero(np.append(loan[1:] != loan[:-1], True)) if len(loan) else np.zeros(0, dtype=np.int64)
    reported[loan[last]] = columns.reported[rows][last]
    positions = positions_as_of(terms, late, repayments, as_of, buckets=FIRST_DAYS)
    return ServicedValuation(files, terms, positions, ~positions.replay, reported)


def serviced_lines(
    columns: BookColumns, as_of: date, policies: Mapping[Instrument, LateInterestPolicy]
) -> dict[str, LoanLine]:
    """The lines, by loan id, of the book's loans the vectorised engine can value on `as_of`."""
    valuation = value_serviced(columns, as_of, policies)
    if not valuation.valued.any():
        return {}
    positions = valuation.positions
    maturity, ladders = maturity_ladder(valuation.terms, as_of)
    lines: dict[str, LoanLine] = {}
    for index, file in enumerate(valuation.files):
        if not valuation.valued[index]:
            continue
        assert file.terms is not None
        outstanding = int(positions.outstanding_principal[index])
        figures = Valuation(
            status=STATUSES[int(positions.status[index])],
            outstanding_principal=from_cents(outstanding),
            accrued_interest=from_cents(int(positions.accrued_interest[index])),
            arrears={
                bucket.name: from_cents(int(cents))
                for bucket, cents in zip(ARREARS_BUCKETS, positions.arrears[index], strict=True)
            },
            overdue_principal=from_cents(outstanding - int(positions.principal_not_yet_due[index])),
            days_past_due=int(positions.days_past_due[index]),
            annual_rate=file.terms.annual_rate,
        )
        reported = int(valuation.reported[index])
        lines[file.loan_id] = serviced_line(
            file,
            as_of,
            figures,
            date.fromisoformat(str(maturity[index])),
            {year: from_cents(cents) for year, cents in ladders[index].items()},
            None if reported < 0 else from_cents(reported),
            defaulted(file, [], as_of),
        )
    return lines
