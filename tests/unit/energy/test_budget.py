from datetime import datetime
from decimal import Decimal

import pytest

from shared.platform.rules import Conflict, RuleViolation

from services.energy.domain.budget import BudgetYear, next_in_line

ENVELOPE = Decimal("5000000.00")


def test_commit_disburse_release_arithmetic() -> None:
    year = BudgetYear(ENVELOPE).commit(Decimal("100000.00"), 2026).commit(Decimal("40000.00"), 2026)
    assert (year.committed, year.available) == (Decimal("140000.00"), Decimal("4860000.00"))

    paid = year.disburse(Decimal("100000.00"), Decimal("92500.00"))
    assert paid.committed == Decimal("40000.00")
    assert paid.disbursed == Decimal("92500.00")
    assert paid.released == Decimal("7500.00")
    assert paid.available == Decimal("4867500.00")  # the 7500.00 not paid out is available again

    cancelled = paid.release(Decimal("40000.00"))
    assert cancelled.committed == Decimal("0.00")
    assert cancelled.released == Decimal("47500.00")
    assert cancelled.available == ENVELOPE - Decimal("92500.00")


def test_commit_beyond_what_is_available_is_a_conflict() -> None:
    year = BudgetYear(Decimal("100000.00"), committed=Decimal("60000.00"), disbursed=Decimal("30000.00"))
    with pytest.raises(Conflict) as caught:
        year.commit(Decimal("10000.01"), 2026)
    assert caught.value.detail == "budget year 2026 has 10000.00 available; 10000.01 cannot be committed"
    assert caught.value.extensions == {"available": "10000.00", "requested": "10000.01"}
    assert year.commit(Decimal("10000.00"), 2026).available == Decimal("0.00")


def test_166_loans_of_30000_fit_and_the_167th_does_not() -> None:
    year = BudgetYear(ENVELOPE)
    for _ in range(166):
        year = year.commit(Decimal("30000.00"), 2026)
    assert year.available == Decimal("20000.00")
    with pytest.raises(Conflict) as caught:
        year.commit(Decimal("30000.00"), 2026)
    assert caught.value.detail == "budget year 2026 has 20000.00 available; 30000.00 cannot be committed"
    assert caught.value.extensions["available"] == "20000.00"


def test_final_invoice_above_the_commitment_is_refused() -> None:
    year = BudgetYear(ENVELOPE).commit(Decimal("50000.00"), 2026)
    with pytest.raises(RuleViolation) as caught:
        year.disburse(Decimal("50000.00"), Decimal("50000.01"))
    assert caught.value.field == "final_invoice_amount"
    assert caught.value.rule.startswith("final_invoice_amount 50000.01 exceeds the committed 50000.00")


def test_cannot_disburse_or_release_more_than_is_committed() -> None:
    year = BudgetYear(ENVELOPE).commit(Decimal("50000.00"), 2026)
    with pytest.raises(Conflict) as released:
        year.release(Decimal("60000.00"))
    assert released.value.detail == "only 50000.00 is committed in this budget year; 60000.00 cannot be released"
    with pytest.raises(Conflict) as disbursed:
        year.disburse(Decimal("60000.00"), Decimal("60000.00"))
    assert disbursed.value.detail == "only 50000.00 is committed in this budget year; 60000.00 cannot be disbursed"
    with pytest.raises(RuleViolation) as zero:
        year.commit(Decimal("0.00"), 2026)
    assert str(zero.value) == "amount: 0.00 must be greater than 0.00"


def test_waiting_list_is_strictly_first_come_first_served() -> None:
    waiting = [
        (datetime(2026, 2, 3, 9, 0), "C", Decimal("10000.00")),
        (datetime(2026, 2, 1, 9, 0), "A", Decimal("20000.00")),
        (datetime(2026, 2, 2, 9, 0), "B", Decimal("50000.00")),
    ]
    assert next_in_line(waiting, Decimal("100000.00")) == ["A", "B", "C"]
    assert next_in_line(waiting, Decimal("70000.00")) == ["A", "B"]
    # B does not fit in 60000.00 - 20000.00; C would fit but may not overtake B.
    assert next_in_line(waiting, Decimal("60000.00")) == ["A"]
    assert next_in_line(waiting, Decimal("19999.99")) == []
    assert next_in_line([], Decimal("1000.00")) == []
