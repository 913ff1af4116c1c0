"""A new row written at once by a prebuilt INSERT instead of the unit of work, audited as a flush would be.

For the busiest write only (a loan submission). Building a new ORM object and flushing it costs
far more CPU than its INSERT: the constructor sets every one of its forty-odd columns through
the instrumented attributes, each firing its events, and the unit of work then sorts, collects
and post-processes the one object, and the audit reads it back from the flush. Here the row's
values are put together once (the given ones and the model's defaults), inserted with a
statement built once per table and recorded in the audit trail with the same entry a flush
writes. The instance is then made the way a row loaded from the database is (its values
placed, no events) and joins the session as persistent: a later change to it in the same
transaction is flushed, and audited, as an update.

Anything pending in the session is flushed first, so a row this one refers to (a new borrower,
say) is already there.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import inspect
from sqlalchemy.orm import Mapper, configure_mappers, make_transient_to_detached
from sqlmodel import Session, SQLModel

from shared.platform import audit
from shared.platform.driver_statements import execute_write

Model = TypeVar("Model", bound=SQLModel)


@cache
def _statement(table: sa.Table) -> sa.Insert:
    """The table's INSERT, built once; `inline`: nothing is fetched back."""
    return sa.insert(table).inline()


def _row(model: type[SQLModel], given: dict[str, Any]) -> dict[str, Any]:
    """Every field of `model`: the given value, else the field's default, as the model's constructor fills it."""
    unknown = given.keys() - model.model_fields.keys()
    if unknown:
        raise TypeError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
    row: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name in given:
            row[name] = given[name]
        elif field.is_required():
            raise TypeError(f"{model.__name__}.{name} is required")
        else:
            row[name] = field.get_default(call_default_factory=True)
    return row


@cache
def _mapper(model: type[SQLModel]) -> Mapper[Any]:
    """The model's mapper, configured: a constructor would configure it, `new_instance` does not."""
    configure_mappers()
    return inspect(model)


def _loaded(model: type[Model], row: dict[str, Any], given: set[str]) -> Model:
    """An instance holding `row` as if just read from the database: no attribute events, nothing pending."""
    instance: Model = _mapper(model).class_manager.new_instance()
    instance.__dict__.update(row)
    object.__setattr__(instance, "__pydantic_fields_set__", given)
    return instance


def insert_new(session: Session, model: type[Model], **given: Any) -> Model:
    """INSERT a new `model` row of `given` values (defaults for the rest) now; return it, persistent and audited."""
    row = _row(model, given)
    session.flush()
    execute_write(session, _statement(_mapper(model).local_table), row)
    instance = _loaded(model, row, set(given))
    audit.record_insert(session, instance, row)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance
