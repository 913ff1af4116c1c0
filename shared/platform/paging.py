"""Pages of a list: one shape, one maximum page size and opaque cursors for every service.

Every list answers ``{"items": [...], "next_cursor": "..."}``. A client passes `next_cursor` back
as `cursor` to get the next page and stops when it is null. The cursor is opaque: it holds either
a position in a stable order (most lists) or the last id seen (lists that grow while they are
read, such as payment requests and statement lines, so a page is never skipped or repeated).
A page may come back empty when the one before was exactly full.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from shared.platform.rules import RuleViolation

MAX_OFFSET = 1_000_000
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100

T = TypeVar("T")

PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="items per page")]
Cursor = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="the next_cursor of the previous page; absent for the first page",
    ),
]

_POSITION = re.compile(r"(p|a):(\d{1,19})")


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")

    @classmethod
    def whole(cls, items: Sequence[T]) -> Page[T]:
        """A list that is never long (a loan's own decisions): all of it, no next page."""
        return cls(items=list(items), next_cursor=None)


def _encode(kind: str, value: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode().rstrip("=")


def _decode(cursor: str, kind: str, limit: int) -> int:
    try:
        text = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    match = _POSITION.fullmatch(text)
    if match is None or match.group(1) != kind or int(match.group(2)) > limit:
        raise RuleViolation("cursor", "is not a cursor this list gave out; start again without it")
    return int(match.group(2))


def offset_of(cursor: str | None) -> int:
    """Rows to skip for a positional cursor (0 for the first page)."""
    return 0 if cursor is None else _decode(cursor, "p", MAX_OFFSET)


def after_of(cursor: str | None) -> int:
    """The last id seen for a keyset cursor (0 for the first page)."""
    return 0 if cursor is None else _decode(cursor, "a", 2**62)


def positional_page(items: Sequence[T], limit: int, offset: int) -> Page[T]:
    """A page of a list in a stable order: a next cursor while the page came back full."""
    more = len(items) == limit and offset + limit <= MAX_OFFSET
    return Page(items=list(items), next_cursor=_encode("p", offset + limit) if more else None)


def keyset_page(items: Sequence[T], limit: int, key: Callable[[T], int]) -> Page[T]:
    """A page of a list ordered by an increasing id: the next page starts after the last id."""
    more = len(items) == limit
    return Page(items=list(items), next_cursor=_encode("a", key(items[-1])) if more and items else None)
