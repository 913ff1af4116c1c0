"""Which rows of a synchronisable list a request asks for: changed since when, in which order, from where.

The resources back-office systems keep copies of (SIFO loans and financiers, energy
applications, Trividend proposals) carry `updated_at` and answer `updated_since` and `sort`:

- `sort=created` (the default) and `-created` page by position, like the other lists;
- `sort=updated` and `-updated` page by keyset on (`updated_at`, `id`): a row changed while the
  list is read moves behind the cursor and comes again, and no row is skipped. This is the order
  to synchronise in: `?updated_since=<start of the last read minus a margin>&sort=updated`.
"""

from __future__ import annotations

import base64
import binascii
import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar

import sqlalchemy as sa
from fastapi import Depends, Query
from pydantic import AwareDatetime

from shared.platform.business_date import as_utc
from shared.platform.paging import DEFAULT_PAGE_SIZE, Cursor, Page, PageSize, offset_of, positional_page
from shared.platform.rules import RuleViolation

Row = TypeVar("Row")
Item = TypeVar("Item")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CHANGE_CURSOR = re.compile(r"u:(\d{1,19})\.([A-Za-z0-9-]{1,64})")


class Sort(enum.StrEnum):
    CREATED = "created"
    CREATED_NEWEST_FIRST = "-created"
    UPDATED = "updated"
    UPDATED_NEWEST_FIRST = "-updated"

    @property
    def by_change(self) -> bool:
        return self in (Sort.UPDATED, Sort.UPDATED_NEWEST_FIRST)

    @property
    def descending(self) -> bool:
        return self in (Sort.CREATED_NEWEST_FIRST, Sort.UPDATED_NEWEST_FIRST)


def change_cursor(updated_at: datetime, row_id: str) -> str:
    micros = (as_utc(updated_at) - EPOCH) // timedelta(microseconds=1)
    return base64.urlsafe_b64encode(f"u:{micros}.{row_id}".encode()).decode().rstrip("=")


def change_position(cursor: str) -> tuple[datetime, str]:
    """The (`updated_at`, `id`) a change-ordered page ended on."""
    try:
        text = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    match = _CHANGE_CURSOR.fullmatch(text)
    refused = RuleViolation("cursor", "is not a cursor this list gave out in this sort order; start again without it")
    if match is None:
        raise refused
    try:
        return EPOCH + timedelta(microseconds=int(match.group(1))), match.group(2)
    except OverflowError:
        raise refused from None


def _own_stamp(row: Any) -> tuple[datetime, str]:
    return row.updated_at, row.id


@dataclass(frozen=True)
class ListWindow:
    sort: Sort
    updated_since: datetime | None
    limit: int
    cursor: str | None

    def select(self, query: Any, *, created: Any, updated: Any, key: Any) -> Any:
        """`query` narrowed to `updated_since`, ordered, and cut to this page."""
        if self.updated_since is not None:
            query = query.where(updated >= self.updated_since.astimezone(UTC))
        first = updated if self.sort.by_change else created
        order = (first.desc(), key.desc()) if self.sort.descending else (first, key)
        query = query.order_by(*order)
        if not self.sort.by_change:
            return query.offset(offset_of(self.cursor)).limit(self.limit)
        if self.cursor is not None:
            stamp, last = change_position(self.cursor)
            seen, position = sa.tuple_(updated, key), sa.tuple_(sa.literal(stamp, updated.type), sa.literal(last))
            query = query.where(seen < position if self.sort.descending else seen > position)
        return query.limit(self.limit)

    def page(
        self, rows: Sequence[Row], out: Callable[[Row], Item], stamp: Callable[[Row], tuple[datetime, str]] = _own_stamp
    ) -> Page[Item]:
        """The answer for `rows` (what `select` found); `stamp` gives a row's (`updated_at`, `id`)."""
        items = [out(row) for row in rows]
        if not self.sort.by_change:
            return positional_page(items, self.limit, offset_of(self.cursor))
        full = len(rows) == self.limit
        return Page(items=items, next_cursor=change_cursor(*stamp(rows[-1])) if full else None)


async def list_window(
    sort: Annotated[
        Sort,
        Query(
            description="created: oldest first (the default); updated: least recently changed first; "
            "a leading - reverses either"
        ),
    ] = Sort.CREATED,
    updated_since: Annotated[
        AwareDatetime | None,
        Query(description="only items whose updated_at is at or after this time (ISO 8601 with a zone)"),
    ] = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> ListWindow:
    return ListWindow(sort, updated_since, limit, cursor)


Window = Annotated[ListWindow, Depends(list_window)]
