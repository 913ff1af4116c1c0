"""The energy loan budget of one year (EUR 5 M, budget article JB0-1JEC2GB-PA) and its waiting list.

A balance moves in three ways:

* `commit`: PFV approves a loan; its amount is committed against the year.
* `disburse`: the installation is delivered and the loan paid out on the final invoice; the paid
  amount moves from committed to disbursed, and what was committed but not paid (a final invoice
  below the quote) is released.
* `release`: a commitment is cancelled (loan withdrawn or refused after approval) and released whole.

available = envelope - committed - disbursed. Released money is therefore available again in the
same year: `released` is not subtracted; it is a running total kept for reporting only (how much of
the year's commitments came back).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from shared.amortisation.money import ZERO
from shared.platform.rules import Conflict, RuleViolation

ApplicationId = TypeVar("ApplicationId", bound=Hashable)


@dataclass(frozen=True)
class BudgetYear:
    """The balance of one budget year; an envelope of 0.00 is allowed (a year without budget)."""

    envelope: Decimal
    committed: Decimal = ZERO
    disbursed: Decimal = ZERO
    released: Decimal = ZERO

    def __post_init__(self) -> None:
        for name in ("envelope", "committed", "disbursed", "released"):
            value: Decimal = getattr(self, name)
            if value < 0:
                raise RuleViolation(name, f"{value} must not be negative")

    @property
    def available(self) -> Decimal:
        return self.envelope - self.committed - self.disbursed

    def commit(self, amount: Decimal, year: int) -> BudgetYear:
        """Commit an approved loan; refused (409) when the year has less than `amount` available."""
        _positive("amount", amount)
        available = self.available
        if amount > available:
            raise Conflict(
                f"budget year {year} has {available} available; {amount} cannot be committed",
                available=str(available),
                requested=str(amount),
            )
        return replace(self, committed=self.committed + amount)

    def disburse(self, committed_amount: Decimal, paid_amount: Decimal) -> BudgetYear:
        """Pay out a loan committed for `committed_amount` on its final invoice of `paid_amount`.

        The paid amount moves to disbursed; committed_amount - paid_amount is released.
        """
        _positive("committed_amount", committed_amount)
        if paid_amount < 0:
            raise RuleViolation("final_invoice_amount", f"{paid_amount} must not be negative")
        if paid_amount > committed_amount:
            raise RuleViolation(
                "final_invoice_amount",
                f"final_invoice_amount {paid_amount} exceeds the committed {committed_amount}; "
                "a loan never pays out more than was committed",
            )
        self._ensure_committed(committed_amount, "disbursed")
        return replace(
            self,
            committed=self.committed - committed_amount,
            disbursed=self.disbursed + paid_amount,
            released=self.released + (committed_amount - paid_amount),
        )

    def release(self, amount: Decimal) -> BudgetYear:
        """A cancelled commitment returns to the year in full."""
        _positive("amount", amount)
        self._ensure_committed(amount, "released")
        return replace(self, committed=self.committed - amount, released=self.released + amount)

    def _ensure_committed(self, amount: Decimal, action: str) -> None:
        if amount > self.committed:
            raise Conflict(
                f"only {self.committed} is committed in this budget year; {amount} cannot be {action}",
                committed=str(self.committed),
                requested=str(amount),
            )


def _positive(field: str, amount: Decimal) -> None:
    if amount <= 0:
        raise RuleViolation(field, f"{amount} must be greater than 0.00")


def next_in_line(
    waiting: Sequence[tuple[datetime, ApplicationId, Decimal]],
    available: Decimal,
    serve: Callable[[ApplicationId], bool] = lambda _application_id: True,
) -> list[ApplicationId]:
    """The waiting applications served now from `available`, strictly first come, first served.

    Applications are taken in order of submission (ties keep the order given) while each fits in
    what is left; the first one that does not fit stops the list, even if a smaller one behind it
    would fit. Skipping ahead would let small requests overtake a large one indefinitely; the
    waiting list promises the order of submission, so the head waits for released money instead.
    `serve` commits one application and says whether it could (its aid may no longer fit the de
    minimis ceiling): one it could not keeps waiting, and the money goes to the next in line.
    """
    served: list[ApplicationId] = []
    left = available
    for _, application_id, amount in sorted(waiting, key=lambda entry: entry[0]):
        if amount > left:
            break
        if serve(application_id):
            served.append(application_id)
            left -= amount
    return served
