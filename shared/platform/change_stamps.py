"""`updated_at` on the resources integrators synchronise (`GET /loans?updated_since=...`).

A row's change stamp is set when it is made and whenever one of its own columns is given a new
value through the ORM, at that moment, so the answer built in the same request already shows
it; a Core UPDATE sets it through the column's `onupdate`. Entries recorded beside a resource (a
payment on a loan, a decision) have their own lists and do not move it. The stamp is the time
of the change, not of the commit: a transaction commits a moment later, which is why readers
overlap their windows (docs/api.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapper

CHANGE_STAMP = "change_stamp"
"""`info` key that marks the change-stamp column of a table."""


def stamp_now() -> datetime:
    return datetime.now(UTC)


def change_stamp() -> Any:
    """The `updated_at` column of a listed resource; the model's field defaults to `stamp_now`."""
    return sa.Column(
        sa.DateTime(timezone=True), nullable=False, index=True, onupdate=stamp_now, info={CHANGE_STAMP: True}
    )


def _stamp_attribute(mapper: Mapper[Any]) -> str | None:
    for attribute in mapper.column_attrs:
        if any(column.info.get(CHANGE_STAMP) for column in attribute.columns):
            return str(attribute.key)
    return None


def _stamper(attribute: str) -> Callable[[Any, Any, Any, Any], None]:
    def changed(target: Any, value: Any, old: Any, _initiator: Any) -> None:
        if target._sa_instance_state.key is None:
            return  # not stored yet: the field's default stamps it
        if value is not old and value != old:
            setattr(target, attribute, stamp_now())

    return changed


def _watch(mapper: Mapper[Any], model: type) -> None:
    """Once a model with a change stamp is mapped, every other column it sets moves the stamp."""
    attribute = _stamp_attribute(mapper)
    if attribute is None:
        return
    stamp = _stamper(attribute)
    for column_attribute in mapper.column_attrs:
        if column_attribute.key != attribute:
            event.listen(getattr(model, column_attribute.key), "set", stamp)


def install() -> None:
    """Watch every model mapped from now on; idempotent, called when the module is imported."""
    if not event.contains(Mapper, "mapper_configured", _watch):
        event.listen(Mapper, "mapper_configured", _watch)


install()
