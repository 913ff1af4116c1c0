"""The whole register for auditors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from shared.platform.auth import Principal, Role, require_roles
from shared.platform.days import Day
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.rules import RuleViolation

from services.state_aid.api.commands import read
from services.state_aid.service.export import register_csv

router = APIRouter(tags=["register"])
Auditors = Annotated[Principal, Depends(require_roles(Role.AUDITOR, Role.BACKOFFICE, Role.FUND_MANAGER))]


@router.get(
    "/register.csv",
    response_class=Response,
    responses={**PROBLEM_RESPONSES, 200: {"content": {"text/csv": {}}, "description": "one row per measure"}},
    summary="Every aid measure with a grant date in a period, as CSV",
)
def export_register(
    request: Request,
    principal: Auditors,
    granted_from: Annotated[Day | None, Query(alias="from")] = None,
    granted_to: Annotated[Day | None, Query(alias="to")] = None,
) -> Response:
    if granted_from is not None and granted_to is not None and granted_to < granted_from:
        raise RuleViolation("to", f"{granted_to.isoformat()} is before from {granted_from.isoformat()}")
    body = read(request, principal, lambda command: register_csv(command.session, granted_from, granted_to))
    name = f"state-aid-register-{granted_from or 'start'}-{granted_to or 'now'}.csv"
    return Response(
        body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
