"""A loan's repayments as the book holds them: compact columns, not one object per repayment.

A national programme's book holds millions of repayments; as objects (an entry, a Decimal, a
date each) they would take gigabytes, as columns they take 33 bytes each, and the vectorised
engine reads them without a copy (`as_arrays`).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

MODES: tuple[str | None, ...] = (None, "reduce_installment", "reduce_term")
"""How a repayment's surplus reshapes the schedule; None for the events that did not say (v2)."""

EPOCH = date(1970, 1, 1)
EPOCH_ORDINAL = EPOCH.toordinal()


@dataclass
class RepaymentLog:
    """One loan's repayments in the order the book heard them: entry id, day, cents, mode, reported outstanding."""

    entry_ids: array[int] = field(default_factory=lambda: array("q"))
    days: array[int] = field(default_factory=lambda: array("q"))
    """Days since 1970-01-01."""
    cents: array[int] = field(default_factory=lambda: array("q"))
    modes: array[int] = field(default_factory=lambda: array("b"))
    reported_cents: array[int] = field(default_factory=lambda: array("q"))
    """The outstanding principal the lender reported after the repayment."""

    def __len__(self) -> int:
        return len(self.entry_ids)

    def add(self, entry_id: int, on: date, cents: int, mode: str | None, reported_cents: int) -> None:
        self.entry_ids.append(entry_id)
        self.days.append(on.toordinal() - EPOCH_ORDINAL)
        self.cents.append(cents)
        self.modes.append(MODES.index(mode))
        self.reported_cents.append(reported_cents)

    def extend(self, *columns: npt.NDArray[np.int64]) -> None:
        """Many repayments at once, as columns in the order of the fields above: days since 1970-01-01,
        modes as indexes into MODES."""
        for column, values in zip(
            (self.entry_ids, self.days, self.cents, self.modes, self.reported_cents), columns, strict=True
        ):
            column.frombytes(values.astype(np.int8 if column.typecode == "b" else np.int64).tobytes())

    def day(self, index: int) -> date:
        return date.fromordinal(self.days[index] + EPOCH_ORDINAL)

    def as_arrays(self) -> tuple[npt.NDArray[np.int64], ...]:
        """Entry ids, days, cents and reported cents as numpy views of the columns.

        No copy: the log cannot grow while a view lives (the array refuses to resize).
        """
        if not self.entry_ids:
            return tuple(np.zeros(0, dtype=np.int64) for _ in range(4))
        return tuple(
            np.frombuffer(column, dtype=np.int64)
            for column in (self.entry_ids, self.days, self.cents, self.reported_cents)
        )
