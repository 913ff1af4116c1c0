"""Ids that back-office systems give records, kept beside ours so they can find them again.

An external id is the caller's own key (a file number, a CRM id): 1 to 100 visible ASCII
characters, unique per kind of record within a service when given, and never changed by us.
"""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Query
from pydantic import Field
from sqlmodel import Session, select

from shared.platform.rules import Conflict

EXTERNAL_ID_PATTERN = r"^[\x21-\x7e]{1,100}$"
ExternalId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=EXTERNAL_ID_PATTERN,
        description="your own key for this record (1 to 100 visible ASCII characters), unique when given",
        examples=["CRM-2026-00417"],
    ),
]

ExternalIdFilter = Annotated[
    str | None, Query(min_length=1, max_length=100, pattern=EXTERNAL_ID_PATTERN, description="your own key")
]


def unique_when_given(table: str) -> sa.Index:
    """A unique index on `external_id` that lets any number of rows leave it empty."""
    where = sa.text("external_id IS NOT NULL")
    return sa.Index(f"ux_{table}_external_id", "external_id", unique=True, postgresql_where=where, sqlite_where=where)


def ensure_unused(session: Session, table: Any, external_id: str | None, kind: str, *, reveal: bool = True) -> None:
    """Refuse (409) a key that already names another record of `table`; `reveal` names that record.

    Checked before the insert, so a reuse is a conflict a person can act on; the unique index
    still decides a race between two requests.
    """
    if external_id is None:
        return
    holder = session.exec(select(table.id).where(table.external_id == external_id)).first()
    if holder is None:
        return
    if reveal:
        raise Conflict(f"external_id {external_id!r} already names {kind} {holder}", **{f"{kind}_id": holder})
    raise Conflict(f"external_id {external_id!r} already names another {kind}")
