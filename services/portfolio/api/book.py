"""Positions and exposure on any date, from every event the book has heard."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from sqlmodel import Session

from shared.contracts.state_aid import MeasureRecordedV1
from shared.platform.auth import Principal, require_roles
from shared.platform.days import Day
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.identifiers import normalise_enterprise_number
from shared.platform.paging import DEFAULT_PAGE_SIZE, Cursor, Page, PageSize, offset_of, positional_page
from shared.platform.rules import RuleViolation

from services.portfolio.api.access import READERS, session_of
from services.portfolio.domain.figures import Exposure
from services.portfolio.domain.loans import Instrument, LoanLine
from services.portfolio.service import book

router = APIRouter(tags=["book"])
ENTERPRISE = r"^[01][0-9]{9}$"


class ArrearsOut(BaseModel):
    days_1_30: Decimal
    days_31_90: Decimal
    days_91_180: Decimal
    over_180: Decimal
    total: Decimal


class PositionOut(BaseModel):
    loan_id: str
    instrument: Instrument
    enterprise_number: str
    borrower_name: str
    financier_id: str | None
    status: str = Field(examples=["current"])
    committed: Decimal
    disbursed: Decimal
    disbursed_on: date | None
    outstanding_principal: Decimal
    accrued_interest: Decimal
    arrears: ArrearsOut
    days_past_due: int
    annual_rate: Decimal | None
    maturity: date | None
    written_off: Decimal
    target_group_vte: Decimal | None
    lender_outstanding_principal: Decimal | None = Field(
        description="outstanding principal the lender reported after its last movement up to the date, to reconcile"
    )

    @classmethod
    def of(cls, line: LoanLine) -> PositionOut:
        return cls(
            loan_id=line.loan_id,
            instrument=line.instrument,
            enterprise_number=line.enterprise_number,
            borrower_name=line.borrower_name,
            financier_id=line.financier_id,
            status=line.status.value,
            committed=line.committed,
            disbursed=line.disbursed,
            disbursed_on=line.disbursed_on,
            outstanding_principal=line.outstanding_principal,
            accrued_interest=line.accrued_interest,
            arrears=ArrearsOut(
                days_1_30=line.arrears["1-30"],
                days_31_90=line.arrears["31-90"],
                days_91_180=line.arrears["91-180"],
                over_180=line.arrears[">180"],
                total=line.total_arrears,
            ),
            days_past_due=line.days_past_due,
            annual_rate=line.annual_rate,
            maturity=line.maturity,
            written_off=line.written_off,
            target_group_vte=line.target_group_vte,
            lender_outstanding_principal=line.reported_outstanding,
        )


class ExposureOut(BaseModel):
    enterprise_number: str
    name: str
    instruments: list[str]
    outstanding_principal: Decimal
    committed: Decimal
    equity_fair_value: Decimal
    total: Decimal
    arrears: Decimal
    aid_granted_in_window: Decimal
    aid_ceiling: Decimal | None

    @classmethod
    def of(cls, item: Exposure) -> ExposureOut:
        return cls(
            enterprise_number=item.enterprise_number,
            name=item.name,
            instruments=list(item.instruments),
            outstanding_principal=item.outstanding_principal,
            committed=item.committed,
            equity_fair_value=item.equity_fair_value,
            total=item.total,
            arrears=item.arrears,
            aid_granted_in_window=item.aid_granted_in_window,
            aid_ceiling=item.aid_ceiling,
        )


class DrawingRightOut(BaseModel):
    drawing_right_id: str
    financier_id: str
    fund_year: int
    valid_from: date
    valid_until: date
    allocated: Decimal
    reserved: Decimal
    drawn: Decimal
    released: Decimal
    available: Decimal


class BudgetYearOut(BaseModel):
    budget_year: int
    budget: Decimal
    committed: Decimal
    disbursed: Decimal
    available: Decimal
    applications: int
    loans: int


def _enterprise(field: str, value: str) -> str:
    try:
        return normalise_enterprise_number(value)
    except ValueError as exc:
        raise RuleViolation(field, str(exc)) from None


def _settings(request: Request) -> book.BookSettings:
    settings: book.BookSettings = request.app.state.book_settings
    return settings


@router.get(
    "/positions",
    response_model=Page[PositionOut],
    responses=PROBLEM_RESPONSES,
    summary="Every loan in the book at the end of a day, by instrument and loan id",
)
def list_positions(
    request: Request,
    session: Annotated[Session, Depends(session_of)],
    _principal: Annotated[Principal, Depends(require_roles(*READERS))],
    on: Annotated[Day, Query(description="the day; events of that day included")],
    instrument: Instrument | None = None,
    enterprise_number: Annotated[str | None, Query(pattern=ENTERPRISE)] = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> Page[PositionOut]:
    offset = offset_of(cursor)
    number = _enterprise("enterprise_number", enterprise_number) if enterprise_number is not None else None
    lines = book.positions(session, on, _settings(request), instrument, number)
    return positional_page([PositionOut.of(line) for line in lines[offset : offset + limit]], limit, offset)


@router.get(
    "/exposure",
    response_model=Page[ExposureOut],
    responses=PROBLEM_RESPONSES,
    summary="Exposure per enterprise across all instruments at the end of a day",
)
def list_exposure(
    request: Request,
    session: Annotated[Session, Depends(session_of)],
    _principal: Annotated[Principal, Depends(require_roles(*READERS))],
    on: Annotated[Day, Query(description="the day; events of that day included")],
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> Page[ExposureOut]:
    offset = offset_of(cursor)
    items = book.exposures(session, on, _settings(request))
    return positional_page([ExposureOut.of(item) for item in items[offset : offset + limit]], limit, offset)


@router.get(
    "/enterprises/{enterprise_number}/exposure",
    response_model=ExposureOut,
    responses=PROBLEM_RESPONSES,
    summary="One enterprise's exposure across all instruments at the end of a day",
)
def enterprise_exposure(
    request: Request,
    session: Annotated[Session, Depends(session_of)],
    _principal: Annotated[Principal, Depends(require_roles(*READERS))],
    enterprise_number: Annotated[str, Path(pattern=ENTERPRISE)],
    on: Annotated[Day, Query(description="the day; events of that day included")],
) -> ExposureOut:
    number = _enterprise("enterprise_number", enterprise_number)
    return ExposureOut.of(book.exposure_of(session, on, _settings(request), number))


@router.get(
    "/drawing-rights",
    response_model=Page[DrawingRightOut],
    responses=PROBLEM_RESPONSES,
    summary="SIFO drawing rights at the end of a day: allocated, reserved, drawn, released, available",
)
def list_drawing_rights(
    session: Annotated[Session, Depends(session_of)],
    _principal: Annotated[Principal, Depends(require_roles(*READERS))],
    on: Annotated[Day, Query(description="the day; events of that day included")],
) -> Page[DrawingRightOut]:
    return Page.whole(
        [DrawingRightOut.model_validate(line, from_attributes=True) for line in book.drawing_rights(session, on)]
    )


@router.get(
    "/budget-years",
    response_model=Page[BudgetYearOut],
    responses=PROBLEM_RESPONSES,
    summary="Energy budget years at the end of a day: budget, committed, paid out, available",
)
def list_budget_years(
    session: Annotated[Session, Depends(session_of)],
    _principal: Annotated[Principal, Depends(require_roles(*READERS))],
    on: Annotated[Day, Query(description="the day; events of that day included")],
) -> Page[BudgetYearOut]:
    return Page.whole(
        [BudgetYearOut.model_validate(line, from_attributes=True) for line in book.budget_years(session, on)]
    )


@router.get(
    "/aid-measures",
    response_model=Page[MeasureRecordedV1],
    responses=PROBLEM_RESPONSES,
    summary="Aid measures granted or reserved, grant date on or before a day, as the register last published them",
)
def list_aid_measures(
    session: Annotated[Session, Depends(session_of)],
    _principal: Annotated[Principal, Depends(require_roles(*READERS))],
    on: Annotated[Day, Query(description="the day")],
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> Page[MeasureRecordedV1]:
    offset = offset_of(cursor)
    return positional_page(book.aid_measures(session, on)[offset : offset + limit], limit, offset)
