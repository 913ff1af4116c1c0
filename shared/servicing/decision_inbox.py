"""The approvers' inbox: decisions across all loans of a lender, oldest first.

Four eyes means a prepared decision waits for someone other than its preparer; `awaiting` names
that someone, so the list holds only what that person may decide.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from shared.servicing.decisions import Decision, DecisionKind, DecisionStatus
from shared.servicing.sql import decision_of
from shared.servicing.tables import DecisionColumns


def decisions_in(
    session: Session,
    table: type[DecisionColumns],
    *,
    status: DecisionStatus,
    kind: DecisionKind | None = None,
    awaiting: str | None = None,
    limit: int,
    offset: int,
) -> list[Decision]:
    """Decisions with `status` (and `kind`), oldest prepared first; with `awaiting`, not prepared by that subject."""
    query = select(table).where(table.status == status.value)
    if kind is not None:
        query = query.where(table.kind == kind.value)
    if awaiting is not None:
        query = query.where(table.prepared_by != awaiting)
    rows = session.exec(query.order_by(col(table.prepared_at), col(table.id)).offset(offset).limit(limit)).all()
    return [decision_of(row) for row in rows]
