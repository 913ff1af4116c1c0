"""The change cursor: the exact (updated_at, id) a page ended on, and nothing else accepted as one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.platform.list_window import Sort, change_cursor, change_position
from shared.platform.paging import positional_page
from shared.platform.rules import RuleViolation


def test_a_change_cursor_keeps_the_microsecond_and_the_id() -> None:
    stamp = datetime(2026, 11, 30, 9, 37, 35, 375329, tzinfo=UTC)
    row_id = "05fedae3-d7f2-4fa6-82c4-16f1b2566427"
    assert change_position(change_cursor(stamp, row_id)) == (stamp, row_id)
    brussels = stamp.astimezone(timezone(timedelta(hours=1)))
    assert change_position(change_cursor(brussels, row_id)) == (stamp, row_id), "any zone, the same instant"


@pytest.mark.parametrize("forged", ["", "bm90IGEgY3Vyc29y", "dTo", "dTotMS5hYmM"])
def test_anything_else_is_refused_naming_the_cursor(forged: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        change_position(forged)
    assert refused.value.field == "cursor"


def test_a_positional_cursor_is_not_a_change_cursor() -> None:
    positional = positional_page([1, 2], limit=2, offset=0).next_cursor
    assert positional is not None
    with pytest.raises(RuleViolation):
        change_position(positional)


def test_the_orders() -> None:
    assert [sort.by_change for sort in Sort] == [False, False, True, True]
    assert [sort.descending for sort in Sort] == [False, True, False, True]
