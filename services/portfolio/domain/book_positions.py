"""Lines of the loans serviced by repayments alone, valued together by the vectorised engine.

Replaying each loan through `LiveLoan` costs tens of milliseconds a loan, and a quarterly export
values the book on eight quarter ends. Most loans are paid out and serviced by repayments only;
`shared.amortisation.batch_positions` values all of those at once, to the cent the replay gives
(tested side by side), and flags any whose history it leaves to the replay. Those, and every
other loan, get their line from `loans.loan_line` as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from itertools import pairwise

import numpy as np

from shared.amortisation.batch import BatchTerms, batch_capable
from shared.amortisation.batch_positions import (
    NOT_HELD,
    STATUSES,
    BatchLateInterest,
    BatchRepayments,
    maturity_ladder,
    positions_as_of,
)
from shared.amortisation.late_interest import LateInterestPolicy
from shared.amortisation.money import from_cents, to_cents

from services.portfolio.domain.loans import (
    ARREARS_BUCKETS,
    Entry,
    Instrument,
    LoanFile,
    LoanLine,
    Valuation,
    repayments_only,
    serviced_line,
)

FIRST_DAYS = tuple(bucket.first_day for bucket in ARREARS_BUCKETS)
assert all(bucket.last_day == following.first_day - 1 for bucket, following in pairwise(ARREARS_BUCKETS)), (
    "the engine's buckets are contiguous ranges of days past due"
)


def serviced_lines(
    files: Sequence[LoanFile], as_of: date, policies: Mapping[Instrument, LateInterestPolicy]
) -> dict[str, LoanLine]:
    """The lines, by loan id, of the loans in `files` the vectorised engine can value on `as_of`."""
    candidates: list[tuple[LoanFile, list[Entry]]] = []
    for file in files:
        entries = repayments_only(file, as_of)
        if entries is not None and file.terms is not None and batch_capable(file.terms):
            candidates.append((file, entries))
    if not candidates:
        return {}
    terms = [file.terms for file, _ in candidates if file.terms is not None]
    late = BatchLateInterest.from_policies(terms, [policies[file.instrument] for file, _ in candidates])
    held = late.rate != NOT_HELD
    if not held.any():
        return {}
    repayments = BatchRepayments(
        loan=np.repeat(np.arange(len(candidates), dtype=np.int64), [len(entries) for _, entries in candidates]),
        on=np.array([entry.on for _, entries in candidates for entry in entries], dtype="datetime64[D]"),
        amount=np.array(
            [to_cents(entry.amount) for _, entries in candidates for entry in entries if entry.amount is not None],
            dtype=np.int64,
        ),
    )
    batch = BatchTerms.from_terms(terms)
    positions = positions_as_of(batch, late, repayments, as_of, buckets=FIRST_DAYS)
    maturity, ladders = maturity_ladder(batch, as_of)
    lines: dict[str, LoanLine] = {}
    for index, (file, entries) in enumerate(candidates):
        if positions.replay[index] or not held[index]:
            continue
        assert file.terms is not None
        outstanding = int(positions.outstanding_principal[index])
        valuation = Valuation(
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
        by_year = {year: from_cents(cents) for year, cents in ladders[index].items()}
        last_due = date.fromisoformat(str(maturity[index]))
        lines[file.loan_id] = serviced_line(file, as_of, entries, valuation, last_due, by_year)
    return lines
