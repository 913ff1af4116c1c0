"""Recognised financiers as the book knows them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session

from shared.platform.auth import Principal, require_roles
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.paging import DEFAULT_PAGE_SIZE, Cursor, Page, PageSize, offset_of, positional_page

from services.portfolio.api.access import READERS, session_of
from services.portfolio.service import financiers as service

router = APIRouter(tags=["book"])


class FinancierEntryOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "financier_id": "6f1c2a4e-1f0b-4d5e-9a43-0c8c1f6a2b11",
                    "enterprise_number": "0403170701",
                    "name": "Hefboom cvba",
                    "recognised_from": "2026-01-01",
                    "recognised_until": None,
                }
            ]
        },
    )

    financier_id: str
    enterprise_number: str
    name: str
    recognised_from: date
    recognised_until: date | None


@router.get(
    "/financiers",
    response_model=Page[FinancierEntryOut],
    responses=PROBLEM_RESPONSES,
    summary="Recognised financiers in the consolidated book",
)
def list_financiers(
    session: Annotated[Session, Depends(session_of)],
    _principal: Annotated[Principal, Depends(require_roles(*READERS))],
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> Page[FinancierEntryOut]:
    offset = offset_of(cursor)
    with session:
        rows = service.list_financiers(session, limit, offset)
        return positional_page(
            [FinancierEntryOut.model_validate(row, from_attributes=True) for row in rows], limit, offset
        )
