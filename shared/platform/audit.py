"""The audit trail: every change to a service's records, who made it, when, and under which request.

Every flush of every session adds one `AuditEntry` per inserted, updated or deleted row, in the
same transaction as the change, so the trail and the data cannot disagree: a rollback removes
both. An entry holds the table and primary key of the row, the action, the values before and
after (only the columns that changed, for an update), the actor and the request and trace ids.

- **Who.** The actor is the subject of the request's principal (set by the command layer with
  `acting_as`), a job or consumer name, or ``system`` when nothing said otherwise.
- **Append-only.** The ORM refuses to update or delete an entry (`AuditTrailIsAppendOnly`), and
  each service's migration adds a database trigger that refuses UPDATE and DELETE on the table,
  so neither the service layer nor hand-written SQL can rewrite the trail.
- **Not audited.** The bus's and the platform's own bookkeeping (outbox, inbox, dead letters,
  idempotency keys) and the trail itself: they record deliveries, not decisions. Set-based SQL
  statements (``UPDATE ... WHERE``) bypass the ORM and are not itemised here; the jobs that use
  them record their runs in their job-run tables.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import UOWTransaction
from sqlmodel import Field, SQLModel

from shared.platform.change_stamps import CHANGE_STAMP
from shared.platform.columns import big_id, text, timestamp
from shared.platform.driver_statements import execute_write
from shared.platform.request_context import current_request_id, current_trace

AUDIT_TABLE = "platform_audit_entry"
NOT_AUDITED = frozenset(
    {AUDIT_TABLE, "platform_idempotency_key", "eventbus_outbox", "eventbus_inbox", "eventbus_dead_letter"}
)
MAX_VALUE_CHARS = 2000
"""Longer values (a bank file's XML, an event envelope) are kept as their length and SHA-256."""

current_actor: ContextVar[str] = ContextVar("current_actor", default="system")
_CHANGED = "audit_changed"
_INSERTED = "audit_inserted"
"""Keys of `Session.info` that carry a flush's entries from before it to after it."""


class AuditEntry(SQLModel, table=True):
    __tablename__ = AUDIT_TABLE
    __table_args__ = (sa.Index("ix_platform_audit_entry_object", "object_type", "object_id", "id"),)

    id: int | None = Field(default=None, sa_column=big_id())
    occurred_at: datetime = Field(sa_column=timestamp())
    actor: str = Field(max_length=200)
    action: str = Field(max_length=10)
    object_type: str = Field(max_length=100)
    object_id: str = Field(max_length=200)
    before: str | None = Field(default=None, sa_column=text(nullable=True))
    after: str | None = Field(default=None, sa_column=text(nullable=True))
    request_id: str = Field(max_length=128)
    trace_id: str = Field(max_length=32)


class AuditTrailIsAppendOnly(Exception):
    """Something tried to change or remove an audit entry."""


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Attribute the changes made inside the block to `actor`."""
    token = current_actor.set(actor)
    try:
        yield
    finally:
        current_actor.reset(token)


_DATES = (datetime, date)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, _DATES):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        return f"<{len(value)} characters, sha256 {hashlib.sha256(value.encode()).hexdigest()}>"
    return value


def _json(values: dict[str, Any]) -> str:
    return json.dumps({key: _plain(value) for key, value in values.items()}, sort_keys=True, default=str)


def _identity(state: Any) -> str:
    mapper = state.mapper
    values = [getattr(state.obj(), mapper.get_property_by_column(column).key) for column in mapper.primary_key]
    return "/".join(str(value) for value in values)


def _columns(state: Any) -> dict[str, Any]:
    instance = state.obj()
    return {attribute.key: getattr(instance, attribute.key) for attribute in state.mapper.column_attrs}


def _changes(state: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attribute in state.attrs:
        if attribute.key not in state.mapper.columns or state.mapper.columns[attribute.key].info.get(CHANGE_STAMP):
            continue  # the change stamp moves with every change; the entry has its own time
        history = attribute.history
        if history.has_changes():
            before[attribute.key] = history.deleted[0] if history.deleted else None
            after[attribute.key] = history.added[0] if history.added else None
    return before, after


def _entry(state: Any, action: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """One entry's row: entries are written with one INSERT per flush, not as ORM objects of their own."""
    trace = current_trace.get()
    return {
        "occurred_at": datetime.now(UTC),
        "actor": current_actor.get()[:200],
        "action": action,
        "object_type": state.mapper.persist_selectable.name,
        "object_id": _identity(state)[:200],
        "before": _json(before) if before is not None else None,
        "after": _json(after) if after is not None else None,
        "request_id": current_request_id.get()[:128],
        "trace_id": trace.trace_id if trace is not None else "-",
    }


def _audited(instance: Any) -> bool:
    table = getattr(type(instance), "__tablename__", None)
    return isinstance(instance, SQLModel) and table is not None and table not in NOT_AUDITED


def _record_changes(session: OrmSession, _flush: UOWTransaction, _instances: Any) -> None:
    """Before a flush: the entries of the updates and deletes (their history is gone after it), and the
    instances to be inserted, whose entries wait for the keys the flush generates.

    Starting afresh here also drops what a failed flush had noted."""
    for instance in list(session.dirty) + list(session.deleted):
        if isinstance(instance, AuditEntry):
            raise AuditTrailIsAppendOnly(f"audit entry {instance.id} cannot be changed or removed")
    entries: list[dict[str, Any]] = []
    for instance in session.deleted:
        if _audited(instance):
            state = inspect(instance)
            entries.append(_entry(state, "delete", _columns(state), None))
    for instance in session.dirty:
        if _audited(instance) and session.is_modified(instance, include_collections=False):
            state = inspect(instance)
            before, after = _changes(state)
            if after:
                entries.append(_entry(state, "update", before, after))
    session.info[_CHANGED] = entries
    session.info[_INSERTED] = [instance for instance in session.new if _audited(instance)]


_RECORD = sa.insert(AuditEntry.__table__).inline()  # type: ignore[attr-defined]
"""Built once; `inline`: the entries' generated ids are not fetched back, nothing reads them here."""


def _write_entries(session: OrmSession, _context: Any) -> None:
    """After the flush, in its transaction: every entry of it in one INSERT, inserts itemised with their keys.

    A rollback removes them with the rows they describe.
    """
    entries = session.info.pop(_CHANGED, [])
    entries.extend(
        _entry(inspect(instance), "insert", None, _columns(inspect(instance)))
        for instance in session.info.pop(_INSERTED, [])
    )
    if entries:
        session.connection().execute(_RECORD, entries)


def record_insert(session: OrmSession, instance: Any, values: dict[str, Any]) -> None:
    """The entry of a row inserted outside a flush (`direct_inserts`), the same as a flush would write."""
    execute_write(session, _RECORD, _entry(inspect(instance), "insert", None, values))


def install() -> None:
    """Record every flush of every session; idempotent, called when the module is imported."""
    if not event.contains(OrmSession, "before_flush", _record_changes):
        event.listen(OrmSession, "before_flush", _record_changes)
        event.listen(OrmSession, "after_flush_postexec", _write_entries)


install()


def append_only_ddl(dialect: str) -> list[str]:
    """Statements that make the database itself refuse UPDATE, DELETE and TRUNCATE of the trail (migrations)."""
    message = "the audit trail is append-only"
    if dialect == "postgresql":
        return [
            f"CREATE FUNCTION {AUDIT_TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$",
            f"CREATE TRIGGER {AUDIT_TABLE}_no_change BEFORE UPDATE OR DELETE ON {AUDIT_TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {AUDIT_TABLE}_append_only()",
            f"CREATE TRIGGER {AUDIT_TABLE}_no_truncate BEFORE TRUNCATE ON {AUDIT_TABLE} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {AUDIT_TABLE}_append_only()",
        ]
    return [
        f"CREATE TRIGGER {AUDIT_TABLE}_no_{verb.lower()} BEFORE {verb} ON {AUDIT_TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        for verb in ("UPDATE", "DELETE")
    ]


def drop_append_only_ddl(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP FUNCTION IF EXISTS {AUDIT_TABLE}_append_only() CASCADE"]
    return [f"DROP TRIGGER IF EXISTS {AUDIT_TABLE}_no_{verb}" for verb in ("update", "delete")]
