"""Cursors: what a list gives out it takes back; anything else is refused naming `cursor`."""

from __future__ import annotations

import base64

import pytest

from shared.platform.paging import MAX_OFFSET, after_of, keyset_page, offset_of, positional_page
from shared.platform.rules import RuleViolation


def test_a_full_page_gives_a_cursor_to_the_next_and_a_short_one_ends_the_list() -> None:
    first = positional_page(list(range(10)), 10, 0)
    assert first.next_cursor is not None
    assert offset_of(first.next_cursor) == 10
    assert positional_page(list(range(3)), 10, 10).next_cursor is None
    assert positional_page([], 10, 0).next_cursor is None


def test_a_keyset_cursor_continues_after_the_last_id() -> None:
    page = keyset_page([{"id": 4}, {"id": 9}], 2, lambda row: row["id"])
    assert after_of(page.next_cursor) == 9
    assert keyset_page([{"id": 4}], 2, lambda row: row["id"]).next_cursor is None


def test_no_cursor_starts_at_the_beginning() -> None:
    assert offset_of(None) == 0
    assert after_of(None) == 0


@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense",
        base64.urlsafe_b64encode(b"p:-1").decode().rstrip("="),
        base64.urlsafe_b64encode(f"p:{MAX_OFFSET + 1}".encode()).decode().rstrip("="),
        base64.urlsafe_b64encode(b"a:5").decode().rstrip("="),  # a keyset cursor on a positional list
        "cDox\x00",
    ],
)
def test_a_cursor_the_list_did_not_give_out_is_refused(cursor: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        offset_of(cursor)
    assert refused.value.field == "cursor"


def test_the_last_page_before_the_offset_limit_gives_no_cursor_past_it() -> None:
    assert positional_page(list(range(10)), 10, MAX_OFFSET - 5).next_cursor is None
