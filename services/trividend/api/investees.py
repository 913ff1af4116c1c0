"""Investees and the figures they report over time."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.idempotency import IdempotencyKey

from services.trividend.api.access import Bookers, Managers, Readers
from services.trividend.api.commands import Outcome, execute, read
from services.trividend.api.schemas import InvesteeOut, RegisterInvestee, ReportHeadcount, ReportShares
from services.trividend.service import investees
from services.trividend.service.context import Command

router = APIRouter(tags=["investees"])


def _out(command: Command, investee_id: str) -> InvesteeOut:
    row = investees.investee(command, investee_id)
    return InvesteeOut(
        id=row.id,
        external_id=row.external_id,
        enterprise_number=row.enterprise_number,
        name=row.name,
        legal_form=row.legal_form,
        sector=row.sector,
        target_group_vte=[
            ReportHeadcount(on=item.on, target_group_vte=item.target_group_vte)
            for item in investees.headcounts(command, row.id)
        ],
        shares_outstanding=[
            ReportShares(on=item.on, shares_outstanding=item.shares_outstanding)
            for item in investees.share_counts(command, row.id)
        ],
    )


@router.post(
    "/investees",
    status_code=201,
    response_model=InvesteeOut,
    responses=PROBLEM_RESPONSES,
    summary="Register an investee",
)
def register_investee(
    body: RegisterInvestee, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        row = investees.register_investee(
            command, body.enterprise_number, body.name, body.legal_form, body.sector, body.external_id
        )
        return 201, _out(command, row.id)

    return execute(request, principal, idempotency_key, body, action)


@router.get("/investees/{investee_id}", response_model=InvesteeOut, responses=PROBLEM_RESPONSES, summary="An investee")
def get_investee(investee_id: str, request: Request, principal: Readers) -> InvesteeOut:
    return read(request, principal, lambda command: _out(command, investee_id))


@router.post(
    "/investees/{investee_id}/headcounts",
    status_code=201,
    response_model=InvesteeOut,
    responses=PROBLEM_RESPONSES,
    summary="Report the target-group employees (VTE) from a day on",
)
def report_headcount(
    investee_id: str,
    body: ReportHeadcount,
    request: Request,
    principal: Bookers,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        investees.report_headcount(command, investee_id, body.on, body.target_group_vte)
        return 201, _out(command, investee_id)

    return execute(request, principal, idempotency_key, body, action)


@router.post(
    "/investees/{investee_id}/share-counts",
    status_code=201,
    response_model=InvesteeOut,
    responses=PROBLEM_RESPONSES,
    summary="Report the shares outstanding from a day on",
)
def report_shares(
    investee_id: str, body: ReportShares, request: Request, principal: Bookers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        investees.report_shares(command, investee_id, body.on, body.shares_outstanding)
        return 201, _out(command, investee_id)

    return execute(request, principal, idempotency_key, body, action)
