"""The approvers' inbox: decisions across all loans of a lender, oldest first, as `GET /decisions`.

Four eyes means a prepared decision waits for someone other than its preparer; `awaiting_me`
leaves out what the caller prepared, so the list holds only what that person may decide.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import Session, col, select

from shared.platform.auth import Principal, Role, require_roles
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.paging import DEFAULT_PAGE_SIZE, Cursor, Page, PageSize, offset_of, positional_page
from shared.servicing.decisions import Decision, DecisionKind, DecisionStatus
from shared.servicing.schemas import DecisionOut
from shared.servicing.sql import decision_of
from shared.servicing.tables import DecisionColumns

Read = Callable[[Request, Principal, Callable[[Any], Any]], Any]


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


def add_decision_inbox(
    router: APIRouter, *, table: type[DecisionColumns], roles: Sequence[Role], read: Read, out: type[DecisionOut]
) -> None:
    """`GET /decisions` on a lender's router: its `table`, readable by `roles`, each decision as `out`."""
    staff = Depends(require_roles(*roles))

    @router.get(
        "/decisions",
        response_model=cast(Any, Page)[out],
        responses=PROBLEM_RESPONSES,
        summary="Decisions across every loan, oldest first; awaiting_me=true is the approver's inbox (four eyes)",
    )
    def decision_inbox(
        request: Request,
        status: DecisionStatus = DecisionStatus.PREPARED,
        kind: DecisionKind | None = None,
        awaiting_me: Annotated[bool, Query(description="only decisions prepared by someone else")] = False,
        limit: PageSize = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None,
        principal: Principal = staff,
    ) -> Page[DecisionOut]:
        offset = offset_of(cursor)
        awaiting = principal.subject if awaiting_me else None

        def query(command: Any) -> Page[DecisionOut]:
            found = decisions_in(
                command.session, table, status=status, kind=kind, awaiting=awaiting, limit=limit, offset=offset
            )
            return positional_page([out.of(decision) for decision in found], limit, offset)

        page: Page[DecisionOut] = read(request, principal, query)
        return page
