"""A new row written at once by a prebuilt INSERT instead of the unit of work, audited as a flush would be.

For the busiest write only (a loan submission). Flushing one new object costs about 0.2 ms of
CPU more than its INSERT: the unit of work sorts, collects and post-processes it, and the audit
reads it back from the flush. Here the row's values are read once, inserted with a statement
built once per table, and recorded in the audit trail with the same entry a flush writes. The
instance then joins the session as persistent, as after a flush: a later change to it in the
same transaction is flushed, and audited, as an update.

Anything pending in the session is flushed first, so a row this one refers to (a new borrower,
say) is already there.
"""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from sqlalchemy import inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, SQLModel

from shared.platform import audit


@cache
def _statement(table: sa.Table) -> sa.Insert:
    """The table's INSERT, built once; `inline`: nothing is fetched back."""
    return sa.insert(table).inline()


def insert_now(session: Session, instance: SQLModel) -> None:
    """INSERT the new `instance` in the session's transaction, record its audit entry, make it persistent."""
    session.flush()
    values = audit.column_values(instance)
    session.connection().execute(_statement(inspect(instance).mapper.local_table), values)
    audit.record_insert(session, instance, values)
    make_transient_to_detached(instance)
    session.add(instance)
