"""Rebuilding the rest of a schedule after a prepayment or a rate reset.

The installments due on or before the event date stay as they are; from the first installment due
after it ("the open period") the schedule is recomputed with the rules of `schedule.py`:

* the open period's interest is fair: it is split at every event date inside the period into
  segments (start, balance, rate) and is the sum of balance x rate x year_fraction(segment) in the
  loan's day count (the 30E/360 formula for broken parts under 30E/360), rounded half-up once for
  the installment; a period without a split keeps the contract's period fraction;
* the open installment's `opening_balance` is the balance after the last event of the period, so
  opening + capitalised - principal = closing still holds on every row;
* later installments use the last segment's rate and the regular period fraction;
* ``recompute`` (reduce_installment, rate resets) recomputes the level payment (annuity) or the
  linear part on the balance at the first amortising installment over the installments left;
  otherwise (reduce_term) the payment is kept and the schedule stops as soon as the balance is
  repaid, the last installment taking the remainder. A bullet loan has nothing to shorten: its
  final repayment is simply smaller;
* principal is never negative (no negative amortisation) and never exceeds the balance;
* a recomputed annuity payment that would not exceed a period's interest on the balance (an
  installment multiple rounding a small payment to 0.00) is not taken: the payment stays what it
  was, or becomes the smallest multiple above that interest if even that is not enough, so the
  rebuilt schedule keeps amortising, as the original one must.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from shared.amortisation.day_counts import installment_due_date, installment_fraction, year_fraction
from shared.amortisation.money import ZERO, exact, round_half_up
from shared.amortisation.schedule import Installment, interest_for, level_payment, linear_principal
from shared.amortisation.terms import DayCount, GraceKind, LoanTerms, Method


@dataclass(frozen=True)
class Segment:
    """From `start` on (until the next segment or the due date) `balance` bears `annual_rate`."""

    start: date
    balance: Decimal
    annual_rate: Decimal


@dataclass(frozen=True)
class Level:
    """The amounts a reduce_term prepayment keeps: the annuity payment and the linear part."""

    payment: Decimal
    linear_part: Decimal


def initial_level(terms: LoanTerms, rows: Sequence[Installment]) -> Level:
    """The level payment and linear part `build_schedule` used for the original schedule."""
    opening = rows[terms.grace_periods].opening_balance
    count = terms.amortising_periods
    return Level(
        payment=level_payment(opening, terms.annual_rate, terms.frequency.per_year, count, terms.installment_multiple),
        linear_part=linear_principal(opening, count),
    )


def with_segment(segments: Sequence[Segment], segment: Segment) -> tuple[Segment, ...]:
    """Add a segment; one starting on the same day as the last replaces it (no zero-length parts)."""
    kept = [existing for existing in segments if existing.start < segment.start]
    return (*kept, segment)


def _segment_sum(day_count: DayCount, segments: Sequence[Segment], end: date) -> Decimal:
    with exact():
        total = Decimal(0)
        for index, segment in enumerate(segments):
            stop = segments[index + 1].start if index + 1 < len(segments) else end
            stop = min(stop, end)
            if stop <= segment.start:
                continue
            fraction = year_fraction(day_count, segment.start, stop)
            total += segment.balance * segment.annual_rate * fraction.numerator / fraction.denominator
        return total


def period_interest(terms: LoanTerms, number: int, segments: Sequence[Segment], due: date) -> Decimal:
    """Interest of installment `number`'s period ending on `due`, rounded half-up once."""
    if len(segments) == 1:
        only = segments[0]
        fraction = installment_fraction(terms, number, only.start, due)
        return interest_for(only.balance, only.annual_rate, fraction)
    return round_half_up(_segment_sum(terms.day_count, segments, due))


def accrued_interest(day_count: DayCount, segments: Sequence[Segment], as_of: date) -> Decimal:
    """Interest accrued from the period start to `as_of` with broken-period fractions, rounded once."""
    return round_half_up(_segment_sum(day_count, segments, as_of))


def _amortising(
    terms: LoanTerms, balance: Decimal, rate: Decimal, payment: Decimal, previous: Decimal, count: int
) -> Decimal:
    """`payment`, or a payment that still amortises when the multiple rounded it down to a period's interest."""
    with exact():
        interest = balance * rate / terms.frequency.per_year
        if terms.method is not Method.ANNUITY or count < 2 or payment > interest:
            return payment
        if previous > interest:
            return previous
        multiple = terms.installment_multiple
        return round_half_up(((interest / multiple).to_integral_value(rounding=ROUND_FLOOR) + 1) * multiple)


def rebuild(
    terms: LoanTerms,
    kept: Sequence[Installment],
    segments: Sequence[Segment],
    level: Level,
    recompute: bool,
) -> tuple[tuple[Installment, ...], Level]:
    """`kept` followed by the recomputed installments; the open period's segments start at its start."""
    rate = segments[-1].annual_rate
    rows = list(kept)
    previous = kept[-1].due_date if kept else terms.start_date
    balance = segments[-1].balance
    first = len(kept) + 1
    for number in range(first, terms.periods + 1):
        due = installment_due_date(terms, number)
        fraction = installment_fraction(terms, number, previous, due)
        regular = interest_for(balance, rate, fraction)
        interest = period_interest(terms, number, segments, due) if number == first else regular
        if balance == ZERO and interest == ZERO:
            break
        opening = balance
        capitalised = ZERO
        principal = ZERO
        if number <= terms.grace_periods:
            if terms.grace_kind is GraceKind.CAPITALISED:
                capitalised = interest
        else:
            if recompute and number == max(first, terms.grace_periods + 1):
                count = terms.periods - number + 1
                payment = level_payment(opening, rate, terms.frequency.per_year, count, terms.installment_multiple)
                level = Level(
                    payment=_amortising(terms, opening, rate, payment, level.payment, count),
                    linear_part=linear_principal(opening, count),
                )
            if number == terms.periods:
                principal = opening
            elif terms.method is Method.ANNUITY:
                principal = max(ZERO, min(level.payment - interest, opening))
            elif terms.method is Method.LINEAR:
                principal = min(level.linear_part, opening)
        payment = principal + interest - capitalised
        balance = opening + capitalised - principal
        rows.append(
            Installment(
                number=number,
                due_date=due,
                opening_balance=opening,
                interest=interest,
                principal=principal,
                payment=payment,
                capitalised=capitalised,
                closing_balance=balance,
                fraction=fraction,
            )
        )
        previous = due
        if balance == ZERO:
            break
    assert balance == ZERO, "a rebuilt schedule must close at 0.00"
    return tuple(rows), level
