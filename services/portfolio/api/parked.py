"""Parked events: what the consumer could not apply, and replaying them after an upgrade."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from shared.eventbus.dead_letters import parked, replay_parked
from shared.platform.audit import acting_as
from shared.platform.auth import Principal, require_roles
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.paging import DEFAULT_PAGE_SIZE, Cursor, Page, PageSize, offset_of, positional_page

from services.portfolio.api.access import OPERATORS, session_of

router = APIRouter(tags=["operations"], prefix="/admin")


class ParkedEventOut(BaseModel):
    id: int
    topic: str
    partition: int
    offset: int
    event_id: str | None
    event_type: str | None
    error: str
    received_at: datetime


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"ids": [12, 13]}, {}]})

    ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] | None = Field(
        default=None, max_length=10_000, description="parked events to replay; all when absent"
    )


class ReplayOut(BaseModel):
    applied: list[int]
    already_applied: list[int]
    still_parked: dict[int, str]


@router.get(
    "/parked-events",
    response_model=Page[ParkedEventOut],
    responses=PROBLEM_RESPONSES,
    summary="Events the book has parked (no handler, or failed), oldest first",
)
def list_parked(
    request: Request,
    session: Annotated[Session, Depends(session_of)],
    _principal: Annotated[Principal, Depends(require_roles(*OPERATORS))],
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> Page[ParkedEventOut]:
    offset = offset_of(cursor)
    rows = parked(session, request.app.state.consumer_group, limit, offset)
    return positional_page([ParkedEventOut.model_validate(row, from_attributes=True) for row in rows], limit, offset)


@router.post(
    "/parked-events/replay",
    response_model=ReplayOut,
    responses=PROBLEM_RESPONSES,
    summary="Replay parked events through the current handlers (after an upgrade); safe to repeat",
)
def replay_parked_events(
    request: Request,
    body: ReplayRequest,
    principal: Annotated[Principal, Depends(require_roles(*OPERATORS))],
) -> ReplayOut:
    state = request.app.state
    with acting_as(principal.subject):
        report = replay_parked(
            state.engine,
            group_id=state.consumer_group,
            handlers=state.consumer.handlers,
            ignored=state.consumer.ignored,
            ids=body.ids,
        )
    return ReplayOut(applied=report.applied, already_applied=report.already_applied, still_parked=report.still_parked)
