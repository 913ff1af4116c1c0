"""Positions of many live loans on one date, from their repayments: columnar arrays of integer cents.

`positions_as_of` is the vectorised counterpart of `LiveLoan.position` for the bulk of a
portfolio: loans whose history holds repayments only. Schedules come from `batch.build_batch`,
only as far as the date needs them; `repayment_walk.walk` (compiled) then applies each loan's
repayments with the ledger's rules, in a few numbers per loan, so the cost grows with the number
of repayments where a replay's grows with repayments x installments. Loans of a like age are
walked together in chunks, on threads.

What the engine does not take on is flagged in `BatchPositions.replay`, for the caller to ask
`LiveLoan` (the other fields of a flagged loan mean nothing):

* a repayment that leaves a surplus before the last due date (a prepayment rebuilds the schedule),
  or may reach the payoff amount before it (a settlement ends the schedule early);
* a late rate given as a callable (the legal rate, asked day by day), or not in whole millionths;
* capitalised grace, an installment that owes nothing, a schedule the batch path refuses;
* late interest landing exactly on a half cent (the ledger's 50-digit sum could round either way).

The settlement test is conservative (a lower bound of the payoff amount), so a flag says "replay",
never "this loan settled".
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from shared.amortisation import repayment_walk as walk
from shared.amortisation.batch import (
    DENOMINATORS,
    RATE_SCALE,
    BatchSchedule,
    BatchTerms,
    DateArray,
    Int64Array,
    build_batch,
    exact_interest,
    isda_units,
    month_index,
)
from shared.amortisation.errors import InvalidTerms
from shared.amortisation.late_interest import LATE_DAY_BASIS, LateInterestPolicy
from shared.amortisation.loan_events import LoanEvent, Repayment
from shared.amortisation.money import from_cents, to_cents
from shared.amortisation.position import InstallmentOwed, LoanPosition, PositionStatus

BoolArray = npt.NDArray[np.bool_]

STATUSES = (PositionStatus.CURRENT, PositionStatus.IN_ARREARS, PositionStatus.SETTLED)
NOT_HELD = -1
"""The late rate of a policy the engine cannot hold (a callable, or finer than a millionth)."""

LATE_DENOMINATOR = LATE_DAY_BASIS * RATE_SCALE
DEFAULT_BUCKETS = (1, 31, 91, 181)
"""First day past due of each arrears bucket: 1-30, 31-90, 91-180, 181 and more."""
CHUNK = 16_384


@dataclass(frozen=True)
class BatchLateInterest:
    """Each loan's late-interest policy as columns.

    `rate` is the late rate in millionths (`NOT_HELD` when the engine cannot hold it);
    `collection_fee` is charged per installment unpaid at the end of its due date, in cents (0 for none).
    """

    rate: Int64Array
    collection_fee: Int64Array

    @classmethod
    def from_policies(cls, contract_rates: Int64Array, policies: Sequence[LateInterestPolicy]) -> BatchLateInterest:
        """Each loan's policy, given with its contract rate (millionths); loans sharing a policy go together."""
        rate = np.empty(len(policies), dtype=np.int64)
        fee = np.empty(len(policies), dtype=np.int64)
        sharing: dict[int, list[int]] = {}
        for index, policy in enumerate(policies):
            sharing.setdefault(id(policy), []).append(index)
        for loans in sharing.values():
            part = cls.for_policy(policies[loans[0]], contract_rates[loans])
            rate[loans] = part.rate
            fee[loans] = part.collection_fee
        return cls(rate=rate, collection_fee=fee)

    @classmethod
    def for_policy(cls, policy: LateInterestPolicy, contract_rates: Int64Array) -> BatchLateInterest:
        """One policy for loans whose contract rates (millionths) are given.

        A fixed rate, or the contract rate plus a margin, in whole millionths below 1; a rate asked
        day by day (the legal rate), or one finer than a millionth, is `NOT_HELD`.
        """
        loans = len(contract_rates)
        fee = 0 if policy.collection_fee is None else to_cents(policy.collection_fee)
        if policy.late_rate is not None:
            rate = np.full(loans, NOT_HELD, dtype=np.int64)
        else:
            fixed = policy.rate if policy.rate is not None else policy.margin
            assert fixed is not None
            micro = fixed * RATE_SCALE
            if micro != micro.to_integral_value():
                rate = np.full(loans, NOT_HELD, dtype=np.int64)
            elif policy.rate is not None:
                rate = np.full(loans, int(micro), dtype=np.int64)
            else:
                rate = contract_rates + int(micro)
            rate = np.where((rate >= 0) & (rate < RATE_SCALE), rate, NOT_HELD)
        return cls(rate=rate, collection_fee=np.full(loans, fee, dtype=np.int64))


@dataclass(frozen=True)
class BatchRepayments:
    """Repayments as columns, grouped by loan (indexes into the terms, non-decreasing), in recording order."""

    loan: Int64Array
    on: DateArray
    amount: Int64Array

    def __len__(self) -> int:
        return int(self.loan.shape[0])

    def as_walked(self, loans: int, day: np.datetime64) -> tuple[Int64Array, Int64Array, Int64Array, Int64Array]:
        """What the walk reads: where each loan's repayments start, how many are on or before `day`, and every
        repayment's date (days since 1970-01-01) and cents.

        A loan's repayments are in date order, so those up to `day` are the first of its range: counted, not copied.
        """
        first = np.searchsorted(self.loan, np.arange(loans)).astype(np.int64)
        counts = np.bincount(self.loan[self.on <= day], minlength=loans).astype(np.int64)
        on = self.on.astype("datetime64[D]", copy=False).view(np.int64)
        return first, counts, on, self.amount.astype(np.int64, copy=False)

    @classmethod
    def from_histories(cls, histories: Sequence[Sequence[LoanEvent]]) -> tuple[BatchRepayments, BoolArray]:
        """Each loan's repayments, and which loans hold another kind of event (those must be replayed)."""
        loans: list[int] = []
        days: list[date] = []
        cents: list[int] = []
        other = np.zeros(len(histories), dtype=np.bool_)
        for index, events in enumerate(histories):
            for event in events:
                if isinstance(event, Repayment):
                    loans.append(index)
                    days.append(event.on)
                    cents.append(to_cents(event.amount))
                else:
                    other[index] = True
        repayments = cls(
            loan=np.array(loans, dtype=np.int64),
            on=np.array(days, dtype="datetime64[D]"),
            amount=np.array(cents, dtype=np.int64),
        )
        return repayments, other


@dataclass(frozen=True)
class BatchPositions:
    """Every loan's position at the end of `as_of`, in the sense of `LoanPosition`; money in cents.

    `arrears` holds what is unpaid per bucket of days past due (`buckets` gives each bucket's first
    day; an installment due on `as_of` itself is in `total_arrears` but in no bucket yet).
    """

    as_of: date
    buckets: tuple[int, ...]
    replay: BoolArray
    status: npt.NDArray[np.int8]
    outstanding_principal: Int64Array
    principal_not_yet_due: Int64Array
    accrued_interest: Int64Array
    interest_paid_ahead: Int64Array
    total_arrears: Int64Array
    arrears: Int64Array
    days_past_due: Int64Array
    late_interest: Int64Array
    collection_fees: Int64Array
    next_due_date: DateArray
    principal_repaid: Int64Array
    late_interest_paid: Int64Array

    def __len__(self) -> int:
        return int(self.replay.shape[0])

    def summary(self, loan: int) -> dict[str, object]:
        """One loan's figures in the shape `summarise` gives a `LoanPosition`."""
        due = self.next_due_date[loan]
        return {
            "status": STATUSES[int(self.status[loan])],
            "outstanding_principal": from_cents(int(self.outstanding_principal[loan])),
            "principal_not_yet_due": from_cents(int(self.principal_not_yet_due[loan])),
            "accrued_interest": from_cents(int(self.accrued_interest[loan])),
            "interest_paid_ahead": from_cents(int(self.interest_paid_ahead[loan])),
            "total_arrears": from_cents(int(self.total_arrears[loan])),
            "arrears": tuple(from_cents(int(cents)) for cents in self.arrears[loan]),
            "days_past_due": int(self.days_past_due[loan]),
            "late_interest": from_cents(int(self.late_interest[loan])),
            "collection_fees": from_cents(int(self.collection_fees[loan])),
            "next_due_date": None if np.isnat(due) else date.fromisoformat(str(due)),
            "principal_repaid": from_cents(int(self.principal_repaid[loan])),
            "late_interest_paid": from_cents(int(self.late_interest_paid[loan])),
        }


def summarise(position: LoanPosition, buckets: Sequence[int] = DEFAULT_BUCKETS) -> dict[str, object]:
    """A `LoanPosition`'s figures in the shape of `BatchPositions.summary`, to compare or merge the two paths."""
    per_bucket = []
    for index, first in enumerate(buckets):
        last = buckets[index + 1] - 1 if index + 1 < len(buckets) else None
        lines = (
            line.outstanding
            for line in position.arrears
            if line.days_past_due >= first and (last is None or line.days_past_due <= last)
        )
        per_bucket.append(sum(lines, Decimal("0.00")))
    return {
        "status": position.status,
        "outstanding_principal": position.outstanding_principal,
        "principal_not_yet_due": position.principal_not_yet_due,
        "accrued_interest": position.accrued_interest,
        "interest_paid_ahead": position.interest_paid_ahead,
        "total_arrears": position.total_arrears,
        "arrears": tuple(per_bucket),
        "days_past_due": position.days_past_due,
        "late_interest": position.late_interest,
        "collection_fees": position.collection_fees,
        "next_due_date": position.next_due_date,
        "principal_repaid": position.principal_repaid,
        "late_interest_paid": position.late_interest_paid,
    }


def positions_as_of(
    terms: BatchTerms,
    late: BatchLateInterest,
    repayments: BatchRepayments,
    as_of: date,
    *,
    buckets: Sequence[int] = DEFAULT_BUCKETS,
    workers: int | None = None,
    chunk: int = CHUNK,
) -> BatchPositions:
    """Every loan's position at the end of `as_of` (repayments of that day included).

    Repayments after `as_of` are left out. Chunks of `chunk` loans are independent and run on
    `workers` threads (the walk and numpy's loops release the GIL); the default uses every core.
    """
    loans = len(terms)
    _check(terms, late, repayments, as_of, buckets)
    day = np.datetime64(as_of, "D")
    first, counts, on, amount = repayments.as_walked(loans, day)
    result = _empty(loans, as_of, tuple(buckets))
    # Loans of a like age share a chunk, so each chunk's schedules stop near its loans' last due date.
    head = _installments_needed(terms, day)
    order = np.argsort(head, kind="stable")
    parts = [order[low : low + chunk] for low in range(0, loans, chunk)]

    bucket_days = np.asarray(buckets, dtype=np.int64)
    day_number = int(day.astype(np.int64))

    def run(part: Int64Array) -> None:
        chunk_terms = terms.subset(part)
        _, out, replay = _walked(
            chunk_terms,
            BatchLateInterest(late.rate[part], late.collection_fee[part]),
            int(head[part].max()),
            first[part],
            counts[part],
            on,
            amount,
            day_number,
            bucket_days,
        )
        _fill_accrued(out, chunk_terms, day_number)
        _write(result, part, out, replay)

    threads = max(1, min(workers or os.cpu_count() or 1, len(parts)))
    if threads > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(run, parts))
    else:
        for part in parts:
            run(part)
    return result


@dataclass(frozen=True)
class BatchInstallments:
    """Each loan's installments due by `through`, and the first one after it, with what each still asks for at
    the end of `as_of`, in the sense of `LiveLoan.installments_owed`, and the late interest each loan owes
    then (`LoanPosition.late_interest`); money in cents.

    Loan j's installments are rows ``offsets[j] : offsets[j + 1]``; a loan flagged in `replay` has none.
    """

    as_of: date
    through: date
    replay: BoolArray
    late_interest: Int64Array
    offsets: Int64Array
    number: Int64Array
    due_date: DateArray
    amount: Int64Array
    owed: Int64Array

    def of(self, loan: int) -> tuple[InstallmentOwed, ...]:
        rows = range(int(self.offsets[loan]), int(self.offsets[loan + 1]))
        return tuple(
            InstallmentOwed(
                int(self.number[row]),
                date.fromisoformat(str(self.due_date[row])),
                from_cents(int(self.amount[row])),
                from_cents(int(self.owed[row])),
            )
            for row in rows
        )


def installments_as_of(
    terms: BatchTerms, late: BatchLateInterest, repayments: BatchRepayments, as_of: date, through: date
) -> BatchInstallments:
    """What the installments due by `through` (and the first after it) still ask for at the end of `as_of`.

    The repayments up to `as_of` are applied as `positions_as_of` applies them, with the same flags:
    a payment ahead of a due date counts, so an installment paid ahead asks for nothing. Meant for
    the loans one run looks at (hundreds at a time): one chunk, on the calling thread.
    """
    loans = len(terms)
    _check(terms, late, repayments, as_of, DEFAULT_BUCKETS)
    if through < as_of:
        raise InvalidTerms("through", f"{through} is before as_of ({as_of})")
    day, last = np.datetime64(as_of, "D"), np.datetime64(through, "D")
    if loans == 0:
        none = np.zeros(0, dtype=np.int64)
        no_dates = none.astype("datetime64[D]")
        flags = np.zeros(0, dtype=np.bool_)
        return BatchInstallments(as_of, through, flags, none, np.zeros(1, dtype=np.int64), none, no_dates, none, none)
    head = _installments_needed(terms, last)
    schedule, out, replay = _walked(
        terms,
        late,
        max(1, int(head.max(initial=0))),
        *repayments.as_walked(loans, day),
        int(day.astype(np.int64)),
        np.asarray(DEFAULT_BUCKETS, dtype=np.int64),
    )
    due = schedule.due_date
    row = np.arange(due.shape[1], dtype=np.int64)[None, :]
    in_schedule = row < schedule.periods[:, None]
    after = in_schedule & (due > last)
    first_after = np.where(after.any(axis=1), after.argmax(axis=1), due.shape[1])
    kept = in_schedule & (row <= first_after[:, None]) & ~replay[:, None]
    interest = schedule.interest - schedule.capitalised
    interest_owed = _still_owed(interest, row, out[:, walk.INTEREST_ROW], out[:, walk.INTEREST_PART])
    principal_owed = _still_owed(schedule.principal, row, out[:, walk.PRINCIPAL_ROW], out[:, walk.PRINCIPAL_PART])
    loan_of, column = np.nonzero(kept)
    return BatchInstallments(
        as_of=as_of,
        through=through,
        replay=replay,
        late_interest=out[:, walk.LATE],
        offsets=np.concatenate(([0], np.cumsum(kept.sum(axis=1)))).astype(np.int64),
        number=column.astype(np.int64) + 1,
        due_date=due[loan_of, column].astype("datetime64[D]"),
        amount=(interest + schedule.principal)[loan_of, column],
        owed=(interest_owed + principal_owed)[loan_of, column],
    )


def _still_owed(column: Int64Array, row: Int64Array, pointer: Int64Array, part: Int64Array) -> Int64Array:
    """What each installment still owes of a column paid as a prefix up to `pointer`, which received `part`."""
    result: Int64Array = np.where(
        row < pointer[:, None], 0, np.where(row == pointer[:, None], column - part[:, None], column)
    )
    return result


def _installments_needed(terms: BatchTerms, day: np.datetime64) -> Int64Array:
    """How many installments a position on `day` can touch, at most: those due by then and two more.

    A loan's k-th due date is at least k periods of months after its start, so no more than
    (months from start to `day`) / months + 1 fall due by `day`; the open installment is one more.
    A repayment reaching past these pays ahead beyond the open installment, which the walk flags.
    """
    months_elapsed = month_index(np.array([day]))[0][0] - month_index(terms.start.astype("datetime64[D]"))[0]
    result: Int64Array = np.minimum(terms.periods, months_elapsed // terms.months + 3)
    return result


def maturity_ladder(terms: BatchTerms, after: date, *, chunk: int = CHUNK) -> tuple[DateArray, list[dict[int, int]]]:
    """Each loan's last due date, and the principal its schedule has falling due after `after`, per calendar
    year of the due date, in cents (years without any are left out).

    These are the contract's schedules: for a loan whose history changed its schedule (a prepayment,
    a settlement: `BatchPositions.replay`), ask `LiveLoan.schedule`.
    """
    loans = len(terms)
    maturity = np.full(loans, np.datetime64("NaT"), dtype="datetime64[D]")
    ladders: list[dict[int, int]] = [{} for _ in range(loans)]
    for low in range(0, loans, chunk):
        part = slice(low, min(low + chunk, loans))
        schedule = build_batch(terms.subset(part), workers=1)
        due = schedule.due_date
        maturity[part] = due[np.arange(due.shape[0]), schedule.periods - 1]
        loan, row = np.nonzero(due > np.datetime64(after, "D"))
        if not loan.size:
            continue
        year = due[loan, row].astype("datetime64[Y]").astype(np.int64) + 1970
        key = loan * 100_000 + year  # non-decreasing: rows come loan by loan, due dates in order
        first = np.concatenate(([0], np.flatnonzero(np.diff(key)) + 1))
        sums = np.add.reduceat(schedule.principal[loan, row], first)
        for at, cents in zip(first.tolist(), sums.tolist(), strict=True):
            ladders[low + int(loan[at])][int(year[at])] = cents
    return maturity, ladders


def _check(
    terms: BatchTerms, late: BatchLateInterest, repayments: BatchRepayments, as_of: date, buckets: Sequence[int]
) -> None:
    loans = len(terms)
    if late.rate.shape != (loans,) or late.collection_fee.shape != (loans,):
        raise InvalidTerms("late", f"must hold one policy per loan ({loans})")
    if list(buckets) != sorted(set(buckets)) or not buckets or buckets[0] < 1:
        raise InvalidTerms("buckets", "first days past due must be increasing and at least 1")
    if loans and (terms.start > np.datetime64(as_of, "D")).any():
        first = int(np.flatnonzero(terms.start > np.datetime64(as_of, "D"))[0])
        raise InvalidTerms("as_of", f"{as_of} is before disbursement of loan {first} ({terms.start[first]})")
    if not len(repayments):
        return
    if (repayments.loan < 0).any() or (repayments.loan >= loans).any():
        raise InvalidTerms("repayments.loan", f"must index the {loans} loans")
    if (np.diff(repayments.loan) < 0).any():
        raise InvalidTerms("repayments.loan", "must be grouped by loan in non-decreasing order")
    if (repayments.amount <= 0).any():
        raise InvalidTerms("repayments.amount", "must be greater than 0.00")
    if (repayments.on < terms.start[repayments.loan]).any():
        raise InvalidTerms("repayments.on", "a repayment is before its loan's disbursement")
    same_loan = repayments.loan[1:] == repayments.loan[:-1]
    if (same_loan & (repayments.on[1:] < repayments.on[:-1])).any():
        raise InvalidTerms("repayments.on", "a loan's repayments must be in date order")


def _write(result: BatchPositions, part: Int64Array, out: Int64Array, replay: BoolArray) -> None:
    result.replay[part] = replay
    result.status[part] = out[:, walk.STATUS]
    result.outstanding_principal[part] = out[:, walk.OUTSTANDING]
    result.principal_not_yet_due[part] = out[:, walk.NOT_YET_DUE]
    result.accrued_interest[part] = out[:, walk.ACCRUED]
    result.interest_paid_ahead[part] = out[:, walk.PAID_AHEAD]
    result.total_arrears[part] = out[:, walk.TOTAL_ARREARS]
    result.arrears[part] = out[:, walk.FIRST_BUCKET :]
    result.days_past_due[part] = out[:, walk.DAYS_PAST_DUE]
    result.late_interest[part] = out[:, walk.LATE]
    result.collection_fees[part] = out[:, walk.FEES]
    result.next_due_date[part] = np.where(
        out[:, walk.OPEN_ROW] >= 0, out[:, walk.NEXT_DUE], np.iinfo(np.int64).min
    ).astype("datetime64[D]")
    result.principal_repaid[part] = out[:, walk.PRINCIPAL_REPAID]
    result.late_interest_paid[part] = out[:, walk.LATE_INTEREST_PAID]


def _empty(loans: int, as_of: date, buckets: tuple[int, ...]) -> BatchPositions:
    def cents() -> Int64Array:
        return np.zeros(loans, dtype=np.int64)

    return BatchPositions(
        as_of=as_of,
        buckets=buckets,
        replay=np.zeros(loans, dtype=np.bool_),
        status=np.zeros(loans, dtype=np.int8),
        outstanding_principal=cents(),
        principal_not_yet_due=cents(),
        accrued_interest=cents(),
        interest_paid_ahead=cents(),
        total_arrears=cents(),
        arrears=np.zeros((loans, len(buckets)), dtype=np.int64),
        days_past_due=cents(),
        late_interest=cents(),
        collection_fees=cents(),
        next_due_date=np.full(loans, np.datetime64("NaT"), dtype="datetime64[D]"),
        principal_repaid=cents(),
        late_interest_paid=cents(),
    )


def _fill_accrued(out: Int64Array, terms: BatchTerms, day: int) -> None:
    """The open period's accrued interest, into the walk's columns (the walk leaves it: it needs the calendar)."""
    opened = np.flatnonzero(out[:, walk.OPEN_ROW] >= 0)
    if opened.size:
        out[opened, walk.ACCRUED] = _accrued(
            out[opened, walk.OPENING],
            terms.rate[opened],
            terms.day_count[opened],
            out[opened, walk.PERIOD_START],
            day,
        )


def _walked(
    terms: BatchTerms,
    late: BatchLateInterest,
    head: int,
    first: Int64Array,
    counts: Int64Array,
    on: Int64Array,
    amount: Int64Array,
    day: int,
    buckets: Int64Array,
) -> tuple[BatchSchedule, Int64Array, BoolArray]:
    """The loans' schedules (their first `head` installments), the walk's columns and the replay flags."""
    schedule = build_batch(terms, workers=1, head=head)
    interest = np.ascontiguousarray(schedule.interest)
    principal = np.ascontiguousarray(schedule.principal)
    dates = schedule.due_date
    due = np.where(np.isnat(dates), walk.NEVER, dates.view(np.int64))
    out = np.zeros((len(terms), walk.FIRST_BUCKET + len(buckets)), dtype=np.int64)
    replay = np.zeros(len(terms), dtype=np.bool_)
    walk.walk(
        interest,
        principal,
        due,
        schedule.periods,
        terms.principal,
        terms.start.astype("datetime64[D]").astype(np.int64),
        late.rate,
        late.collection_fee,
        first,
        counts,
        on,
        amount,
        day,
        buckets,
        LATE_DENOMINATOR,
        out,
        replay,
    )
    replay |= schedule.refused | (terms.capitalised_grace & (terms.grace_periods > 0)) | (late.rate == NOT_HELD)
    return schedule, out, replay


def _accrued(
    opening: Int64Array, rate: Int64Array, day_count: npt.NDArray[np.int8], start: Int64Array, day: int
) -> Int64Array:
    """The open installment's interest from its period's start to `day`, in the loan's day count."""
    end = np.full(len(opening), day, dtype=np.int64)
    code = day_count.astype(np.int64)
    numerator = end - start
    thirty = np.flatnonzero(code == 0)
    if thirty.size:
        numerator[thirty] = _thirty_e_360(start[thirty], end[thirty])
    isda = np.flatnonzero(code == 3)
    if isda.size:
        numerator[isda] = isda_units(start[isda], end[isda])
    scaled_den = np.asarray(DENOMINATORS, dtype=np.int64)[code] * RATE_SCALE
    accrued = exact_interest(opening * rate, numerator, scaled_den)
    result: Int64Array = np.where(start < end, accrued, 0)
    return result


def _thirty_e_360(start: Int64Array, end: Int64Array) -> Int64Array:
    """30E/360 days between two dates (day 31 counts as 30 at either end), over 360."""
    start_month, start_day = month_index(start.astype("datetime64[D]"))
    end_month, end_day = month_index(end.astype("datetime64[D]"))
    result: Int64Array = 30 * (end_month - start_month) + np.minimum(end_day + 1, 30) - np.minimum(start_day + 1, 30)
    return result
