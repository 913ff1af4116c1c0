"""``GET /audit-trail``: what happened to one record (or to all records of a kind), for auditors."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from sqlmodel import Session, col, select

from shared.platform.audit import AuditEntry
from shared.platform.auth import Principal, Role, require_roles
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.event_loop_endpoints import engine_for
from shared.platform.paging import DEFAULT_PAGE_SIZE, Cursor, Page, PageSize, after_of, keyset_page

router = APIRouter(tags=["audit trail"])
Auditors = Annotated[Principal, Depends(require_roles(Role.AUDITOR))]
NAME = r"^[a-z][a-z0-9_]{0,99}$"


class AuditEntryOut(BaseModel):
    id: int
    occurred_at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str
    trace_id: str

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        assert entry.id is not None
        return cls(
            id=entry.id,
            occurred_at=entry.occurred_at,
            actor=entry.actor,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            before=json.loads(entry.before) if entry.before is not None else None,
            after=json.loads(entry.after) if entry.after is not None else None,
            request_id=entry.request_id,
            trace_id=entry.trace_id,
        )


@router.get(
    "/audit-trail",
    response_model=Page[AuditEntryOut],
    responses=PROBLEM_RESPONSES,
    summary="Changes to records, oldest first: who, when, what before and after, under which request",
)
def audit_trail(
    request: Request,
    _principal: Auditors,
    object_type: Annotated[str, Query(pattern=NAME, description="the table, e.g. sifo_financier")],
    object_id: Annotated[str | None, Query(min_length=1, max_length=200, description="the record's id")] = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> Page[AuditEntryOut]:
    query = select(AuditEntry).where(col(AuditEntry.object_type) == object_type, col(AuditEntry.id) > after_of(cursor))
    if object_id is not None:
        query = query.where(col(AuditEntry.object_id) == object_id)
    with Session(engine_for(request)) as session:
        rows = session.exec(query.order_by(col(AuditEntry.id)).limit(limit)).all()
        return keyset_page([AuditEntryOut.of(row) for row in rows], limit, lambda entry: entry.id)
