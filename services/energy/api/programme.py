"""Budget years, calls, applicants and the programme figures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from shared.amortisation.money import TONNE_QUANTUM, round_half_up
from shared.platform.auth import Principal, Role, require_roles
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.idempotency import IdempotencyKey
from shared.platform.paging import DEFAULT_PAGE_SIZE, Cursor, Page, PageSize, offset_of, positional_page

from services.energy.api.commands import execute, read
from services.energy.api.schemas import (
    FIRST_BUDGET_YEAR,
    LAST_BUDGET_YEAR,
    ApplicantOut,
    BudgetYearOut,
    CallOut,
    FiguresOut,
    OpenBudgetYear,
    OpenCall,
    ProgrammeFiguresOut,
    RegisterApplicant,
    SiteOut,
    call_out,
)
from services.energy.models import EnergyApplicant, EnergySite
from services.energy.service import applicants, programme
from services.energy.service.context import Command
from services.energy.service.programme import CallTerms, Figures

router = APIRouter(tags=["programme"])
BudgetYearPath = Annotated[int, Path(ge=FIRST_BUDGET_YEAR, le=LAST_BUDGET_YEAR)]
Managers = Annotated[Principal, Depends(require_roles(Role.FUND_MANAGER))]
Staff = Annotated[
    Principal, Depends(require_roles(Role.FUND_MANAGER, Role.APPROVER, Role.BACKOFFICE, Role.AUDITOR, Role.JOB))
]


@router.post(
    "/budget-years",
    status_code=201,
    response_model=BudgetYearOut,
    responses=PROBLEM_RESPONSES,
    summary="Open a budget year (default envelope 5,000,000.00, article JB0-1JEC2GB-PA)",
)
def open_budget_year(
    body: OpenBudgetYear, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    return execute(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: (201, BudgetYearOut.of(programme.open_budget_year(command, body.year, body.envelope))),
    )


@router.get(
    "/budget-years/{year}",
    response_model=BudgetYearOut,
    responses=PROBLEM_RESPONSES,
    summary="Envelope, committed, disbursed, released and available",
)
def get_budget_year(year: BudgetYearPath, request: Request, principal: Staff) -> BudgetYearOut:
    return read(request, principal, lambda command: BudgetYearOut.of(programme.budget_year(command, year)))


@router.post(
    "/budget-years/{year}/calls",
    status_code=201,
    response_model=CallOut,
    responses=PROBLEM_RESPONSES,
    summary="Open a call (oproep): window, rate, term, maxima",
)
def open_call(
    year: BudgetYearPath, body: OpenCall, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    terms = CallTerms(
        title=body.title,
        opens_on=body.opens_on,
        closes_on=body.closes_on,
        annual_rate=body.annual_rate,
        term_months=body.term_months,
        frequency=body.frequency,
        max_per_applicant=body.max_per_applicant,
        max_per_site=body.max_per_site,
    )
    return execute(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: (201, call_out(programme.open_call(command, year, terms))),
    )


@router.get("/calls/{call_id}", response_model=CallOut, responses=PROBLEM_RESPONSES)
def get_call(call_id: str, request: Request, principal: Staff) -> CallOut:
    return read(request, principal, lambda command: call_out(programme.get_call(command, call_id)))


def _applicant(command: Command, body: RegisterApplicant) -> tuple[int, ApplicantOut]:
    applicant, sites = applicants.register_applicant(
        command,
        body.enterprise_number,
        body.name,
        body.workshop_type,
        body.recognition_number,
        [applicants.SiteRequest(site.name, site.address, site.yearly_energy_need_kwh) for site in body.sites],
        body.iban,
        body.external_id,
    )
    return 201, _applicant_out(applicant, sites)


def _applicant_out(applicant: EnergyApplicant, sites: list[EnergySite]) -> ApplicantOut:
    return ApplicantOut(
        id=applicant.id,
        external_id=applicant.external_id,
        enterprise_number=applicant.enterprise_number,
        name=applicant.name,
        workshop_type=applicant.workshop_type,
        recognition_number=applicant.recognition_number,
        iban=applicant.iban,
        sites=[SiteOut.model_validate(site) for site in sites],
    )


@router.post(
    "/applicants",
    status_code=201,
    response_model=ApplicantOut,
    responses=PROBLEM_RESPONSES,
    summary="Register a sheltered or social workshop and its sites",
)
def register_applicant(
    body: RegisterApplicant, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    return execute(request, principal, idempotency_key, body, lambda command: _applicant(command, body))


@router.get("/applicants/{applicant_id}", response_model=ApplicantOut, responses=PROBLEM_RESPONSES)
def get_applicant(applicant_id: str, request: Request, principal: Staff) -> ApplicantOut:
    return read(
        request,
        principal,
        lambda command: _applicant_out(*applicants.applicant_with_sites(command, applicant_id)),
    )


def _figures(figures: Figures) -> FiguresOut:
    return FiguresOut(
        loans=figures.loans,
        committed=figures.committed,
        disbursed=figures.disbursed,
        installed=dict(sorted(figures.installed.items())),
        expected_mwh_per_year=round_half_up(figures.expected_mwh_per_year, TONNE_QUANTUM),
        co2_tonnes_per_year=round_half_up(figures.co2_tonnes_per_year, TONNE_QUANTUM),
    )


def _programme(command: Command) -> ProgrammeFiguresOut:
    years, total = programme.programme_figures(command)
    return ProgrammeFiguresOut(
        years={year: _figures(figures) for year, figures in years.items()}, total=_figures(total)
    )


@router.get(
    "/programme/figures",
    response_model=ProgrammeFiguresOut,
    responses=PROBLEM_RESPONSES,
    summary="Per budget year and in total: loans, euros, kWp / kW / m2, MWh and tonnes CO2 per year",
)
def get_programme_figures(request: Request, principal: Staff) -> ProgrammeFiguresOut:
    return read(request, principal, _programme)


@router.get(
    "/budget-years",
    response_model=Page[BudgetYearOut],
    responses=PROBLEM_RESPONSES,
    summary="Every budget year, oldest first: envelope, committed, disbursed, released and available",
)
def list_budget_years(request: Request, principal: Staff) -> Page[BudgetYearOut]:
    return read(
        request,
        principal,
        lambda command: Page.whole([BudgetYearOut.of(row) for row in programme.budget_years(command)]),
    )


@router.get(
    "/calls",
    response_model=Page[CallOut],
    responses=PROBLEM_RESPONSES,
    summary="Calls by opening day, of one budget year or all",
)
def list_calls(
    request: Request,
    principal: Staff,
    budget_year: Annotated[int | None, Query(ge=FIRST_BUDGET_YEAR, le=LAST_BUDGET_YEAR)] = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> Page[CallOut]:
    offset = offset_of(cursor)
    return read(
        request,
        principal,
        lambda command: positional_page(
            [call_out(row) for row in programme.list_calls(command, budget_year, limit, offset)], limit, offset
        ),
    )
