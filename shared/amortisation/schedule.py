"""Repayment schedules on the exact (Decimal) path.

The rules, which the vectorised path in `batch.py` reproduces to the cent:

* interest of a period = opening balance x annual rate x period fraction, rounded half-up once;
* grace periods come first: ``interest_only`` pays the interest; ``capitalised`` pays nothing and
  adds the interest to the balance (shown as both `interest` and `capitalised`);
* after grace the balance B amortises over m = periods - grace installments with periodic rate
  r = annual_rate / periods-per-year: annuity pays B r / (1 - (1 + r)^-m) (B / m when r = 0)
  rounded half-up to `installment_multiple`; linear repays B / m rounded to the cent; bullet
  repays everything at the end;
* principal never exceeds the opening balance (a rounded-up level payment near the end is cut
  to what is owed; the schedule then ends early, so no installment of 0.00 follows) and is never
  negative (a period whose interest exceeds the level payment, a 31-day month under an ACT day
  count, repays nothing), and the last installment takes the whole remaining balance;
* an annuity whose rounded level payment does not exceed one period's interest on the balance
  (B r) would never amortise: such terms are refused, naming `installment_multiple` when the
  rounding to that multiple is the cause and `periods` otherwise (a tiny amount or an endless term);
* a broken first period (`first_due_date`) bears interest for its actual days; the level payment
  is the annuity of the regular periods, so the first installment's principal absorbs the
  difference and the last installment takes what remains.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from shared.amortisation.day_counts import installment_due_date, installment_fraction
from shared.amortisation.errors import InvalidTerms
from shared.amortisation.money import CENT, EXACT, MONEY_LIMIT, ZERO, exact, round_half_up
from shared.amortisation.terms import GraceKind, LoanTerms, Method


class Installment(NamedTuple):
    """One row of a schedule: an immutable record.

    A named tuple rather than a frozen dataclass: a submission builds a schedule per request, and a
    frozen dataclass's constructor, which sets each field through `object.__setattr__`, cost
    more than a row's arithmetic."""

    number: int
    due_date: date
    opening_balance: Decimal
    interest: Decimal
    principal: Decimal
    payment: Decimal
    capitalised: Decimal
    closing_balance: Decimal
    fraction: Fraction

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "due_date": self.due_date.isoformat(),
            "opening_balance": str(self.opening_balance),
            "interest": str(self.interest),
            "principal": str(self.principal),
            "payment": str(self.payment),
            "capitalised": str(self.capitalised),
            "closing_balance": str(self.closing_balance),
        }


@dataclass(frozen=True)
class Schedule:
    terms: LoanTerms
    installments: tuple[Installment, ...]

    @property
    def total_interest(self) -> Decimal:
        return sum((row.interest for row in self.installments), ZERO)

    @property
    def total_principal(self) -> Decimal:
        return sum((row.principal for row in self.installments), ZERO)

    @property
    def total_payment(self) -> Decimal:
        return sum((row.payment for row in self.installments), ZERO)

    @property
    def total_capitalised(self) -> Decimal:
        return sum((row.capitalised for row in self.installments), ZERO)

    def totals_json(self) -> dict[str, str]:
        """Sums of the money columns; the number of installments is the length of the list."""
        return {
            "interest": str(self.total_interest),
            "principal": str(self.total_principal),
            "payment": str(self.total_payment),
            "capitalised": str(self.total_capitalised),
        }

    def to_json(self) -> dict[str, Any]:
        return {"installments": [row.to_json() for row in self.installments], "totals": self.totals_json()}


def interest_for(balance: Decimal, annual_rate: Decimal, fraction: Fraction) -> Decimal:
    """Balance x rate x fraction, one half-up rounding to the cent."""
    product = EXACT.multiply(EXACT.multiply(balance, annual_rate), fraction.numerator)
    return EXACT.divide(product, fraction.denominator).quantize(CENT, context=EXACT)


def level_payment(balance: Decimal, annual_rate: Decimal, per_year: int, count: int, multiple: Decimal) -> Decimal:
    """The annuity payment B r / (1 - (1 + r)^-m), rounded half-up to `multiple`."""
    with exact():
        if annual_rate == 0:
            return round_half_up(balance / count, multiple)
        r = annual_rate / per_year
        return round_half_up(balance * r / (1 - (1 + r) ** -count), multiple)


def linear_principal(balance: Decimal, count: int) -> Decimal:
    with exact():
        return round_half_up(balance / count)


def check_amortises(terms: LoanTerms, balance: Decimal, payment: Decimal, count: int) -> None:
    """Refuse an annuity whose level payment does not exceed a regular period's interest on `balance`."""
    if terms.method is not Method.ANNUITY or count < 2:
        return
    with exact():
        periodic_interest = balance * terms.annual_rate / terms.frequency.per_year
    if payment > periodic_interest:
        return
    shown = round_half_up(periodic_interest)
    if terms.installment_multiple > CENT:
        raise InvalidTerms(
            "installment_multiple",
            f"{terms.installment_multiple} rounds the level payment to {payment}, which does not cover the "
            f"interest of a period ({shown}); the loan would never amortise, use a smaller multiple",
        )
    raise InvalidTerms(
        "periods",
        f"{count} installments of {payment} never amortise {balance} at {terms.annual_rate}: the level payment "
        f"does not exceed the interest of a period ({shown}); use fewer periods",
    )


def build_schedule(terms: LoanTerms) -> Schedule:
    # What the loop reads of `terms` is read once: a submission builds a schedule per request.
    rate = terms.annual_rate
    grace = terms.grace_periods
    capitalising = terms.grace_kind is GraceKind.CAPITALISED
    method = terms.method
    last = terms.periods
    balance = terms.principal
    rows: list[Installment] = []
    previous = terms.start_date
    payment_level = ZERO
    linear_part = ZERO
    for number in range(1, last + 1):
        due = installment_due_date(terms, number)
        fraction = installment_fraction(terms, number, previous, due)
        opening = balance
        interest = interest_for(opening, rate, fraction)
        capitalised = ZERO
        if number <= grace:
            principal = ZERO
            if capitalising:
                capitalised = interest
                payment = ZERO
            else:
                payment = interest
        else:
            if number == grace + 1:
                payment_level = level_payment(
                    opening, rate, terms.frequency.per_year, terms.amortising_periods, terms.installment_multiple
                )
                check_amortises(terms, opening, payment_level, terms.amortising_periods)
                linear_part = linear_principal(opening, terms.amortising_periods)
            if number == last:
                principal = opening
            elif method is Method.ANNUITY:
                principal = max(ZERO, min(payment_level - interest, opening))
            elif method is Method.LINEAR:
                principal = min(linear_part, opening)
            else:
                principal = ZERO
            payment = principal + interest
        balance = opening + capitalised - principal
        if balance >= MONEY_LIMIT:
            raise InvalidTerms(
                "grace_periods",
                f"capitalising {grace} periods of interest grows the balance past "
                f"10000000000000000.00 by installment {number}",
            )
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
        if balance == ZERO and number > grace:
            break
    assert balance == ZERO.quantize(CENT)
    return Schedule(terms=terms, installments=tuple(rows))
