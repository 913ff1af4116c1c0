"""Drawing rights: allocate, reallocate, release, read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from shared.platform.auth import Principal, Role, require_roles
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.idempotency import IdempotencyKey
from shared.platform.paging import DEFAULT_PAGE_SIZE, Cursor, Page, PageSize, offset_of, positional_page

from services.sifo.api.commands import execute, read
from services.sifo.api.schemas import AllocateDrawingRight, DrawingRightOut, Reallocate, Release
from services.sifo.domain.drawing_rights import ValidityWindow
from services.sifo.service import drawing_rights

router = APIRouter(tags=["drawing rights"])
Managers = Annotated[Principal, Depends(require_roles(Role.FUND_MANAGER))]
Anyone = Annotated[Principal, Depends(require_roles(*Role))]


@router.post(
    "/financiers/{financier_id}/drawing-rights",
    status_code=201,
    response_model=DrawingRightOut,
    summary="Allocate a yearly drawing right to a recognised financier",
    responses=PROBLEM_RESPONSES,
)
def allocate_drawing_right(
    financier_id: str,
    body: AllocateDrawingRight,
    request: Request,
    principal: Managers,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    window = ValidityWindow(body.valid_from, body.valid_until)
    return execute(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: DrawingRightOut.of(
            drawing_rights.allocate(command, financier_id, body.fund_year, body.amount, window)
        ),
        status_code=201,
        location=lambda stored: f"/drawing-rights/{stored.field('id')}",
    )


@router.post(
    "/drawing-rights/{right_id}/allocation",
    response_model=DrawingRightOut,
    summary="Change the allocated amount (never below reserved + drawn + released)",
    responses=PROBLEM_RESPONSES,
)
def reallocate_drawing_right(
    right_id: str, body: Reallocate, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    return execute(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: DrawingRightOut.of(drawing_rights.reallocate(command, right_id, body.allocated, body.reason)),
    )


@router.post(
    "/drawing-rights/{right_id}/release",
    response_model=DrawingRightOut,
    summary="Release part of what is available, by decision",
    responses=PROBLEM_RESPONSES,
)
def release_drawing_right(
    right_id: str, body: Release, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    return execute(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: DrawingRightOut.of(drawing_rights.release(command, right_id, body.amount, body.reason)),
    )


@router.get("/drawing-rights/{right_id}", response_model=DrawingRightOut, responses=PROBLEM_RESPONSES)
def get_drawing_right(right_id: str, request: Request, principal: Anyone) -> DrawingRightOut:
    return read(request, principal, lambda command: DrawingRightOut.of(drawing_rights.visible_right(command, right_id)))


@router.get("/drawing-rights", response_model=Page[DrawingRightOut], responses=PROBLEM_RESPONSES)
def list_drawing_rights(
    request: Request,
    principal: Anyone,
    financier_id: str | None = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> Page[DrawingRightOut]:
    offset = offset_of(cursor)
    return read(
        request,
        principal,
        lambda command: positional_page(
            [
                DrawingRightOut.of(right)
                for right in drawing_rights.list_visible_rights(command, financier_id, limit, offset)
            ],
            limit,
            offset,
        ),
    )
