"""Quarterly exports: request one, follow its progress, download its files."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from shared.contracts.topics import PORTFOLIO_EVENTS
from shared.platform.auth import Principal, require_roles
from shared.platform.business_date import business_date
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.idempotency import Answer, IdempotencyKey, idempotent_response
from shared.platform.paging import DEFAULT_PAGE_SIZE, Cursor, Page, PageSize, offset_of, positional_page
from shared.platform.quarters import QUARTER_PATTERN

from services.portfolio.api.access import EXPORTERS, session_of
from services.portfolio.models import PortfolioExport
from services.portfolio.service import exports
from services.portfolio.service.cutoffs import positions_of

router = APIRouter(tags=["exports"])
FILE_NAME = r"^[A-Za-z0-9_.-]{1,100}$"


class ExportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"quarter": "2026Q3"}]})

    quarter: str = Field(pattern=QUARTER_PATTERN, description="the quarter, e.g. 2026Q3; it must have ended")


class ExportFileOut(BaseModel):
    name: str
    media_type: str
    sha256: str
    rows: int | None
    bytes: int
    href: str


class ExportOut(BaseModel):
    id: str
    quarter: str
    cut_off: dict[str, int] = Field(
        description="the quarter's knowledge cut-off: per topic:partition, the first offset its exports do not count"
    )
    cut_off_fixed_at: datetime = Field(description="when the first export of the quarter fixed the cut-off")
    status: str = Field(examples=["running"], description="queued, running, done, failed or interrupted")
    progress: int = Field(ge=0, le=100, description="percent done")
    requested_by: str
    requested_at: datetime
    finished_at: datetime | None
    error: str | None
    files: list[ExportFileOut]


def _out(session: Session, export: PortfolioExport) -> ExportOut:
    cutoff = exports.cutoff_of(session, export.quarter)
    cutoff_positions = positions_of(cutoff)
    return ExportOut(
        id=export.id,
        quarter=export.quarter,
        cut_off=cutoff_positions,
        cut_off_fixed_at=cutoff.fixed_at,
        status=exports.status_of(export, datetime.now(UTC)),
        progress=export.progress,
        requested_by=export.requested_by,
        requested_at=export.requested_at,
        finished_at=export.finished_at,
        error=export.error,
        files=[
            ExportFileOut(
                name=item.name,
                media_type=item.media_type,
                sha256=item.sha256,
                rows=item.rows,
                bytes=item.size,
                href=f"/exports/{export.id}/files/{item.name}",
            )
            for item in exports.files_of(session, export.id)
        ],
    )


def _run(request: Request, export_id: str) -> None:
    state = request.app.state
    exports.run_export(state.engine, export_id, state.book_settings, state.settings.topic(PORTFOLIO_EVENTS))


@router.post(
    "/exports",
    status_code=202,
    response_model=ExportOut,
    responses=PROBLEM_RESPONSES,
    summary="Export a quarter as of its last day (CSV, XLSX, JSON, charts, manifest); runs in the background",
)
def request_export(
    request: Request,
    background: BackgroundTasks,
    body: ExportRequest,
    principal: Annotated[Principal, Depends(require_roles(*EXPORTERS))],
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    def run(session: Session) -> tuple[int, Answer]:
        today = business_date(request.app.state.clock())
        export = exports.request_export(session, body.quarter, principal.subject, today, datetime.now(UTC))
        return 202, _out(session, export)

    response = idempotent_response(
        request, principal, idempotency_key, body, run, lambda out: f"/exports/{out.field('id')}"
    )
    if response.status_code == 202:
        export_id = response.headers["Location"].rsplit("/", 1)[-1]
        background.add_task(_run, request, export_id)
    return response


@router.get("/exports", response_model=Page[ExportOut], responses=PROBLEM_RESPONSES, summary="Exports, newest first")
def list_exports(
    session: Annotated[Session, Depends(session_of)],
    _principal: Annotated[Principal, Depends(require_roles(*EXPORTERS))],
    quarter: Annotated[str | None, Query(pattern=QUARTER_PATTERN)] = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
) -> Page[ExportOut]:
    offset = offset_of(cursor)
    items = [_out(session, export) for export in exports.list_exports(session, quarter, limit, offset)]
    return positional_page(items, limit, offset)


@router.get(
    "/exports/{export_id}",
    response_model=ExportOut,
    responses=PROBLEM_RESPONSES,
    summary="An export's status and files",
)
def get_export(
    session: Annotated[Session, Depends(session_of)],
    _principal: Annotated[Principal, Depends(require_roles(*EXPORTERS))],
    export_id: Annotated[str, Path(max_length=36)],
) -> ExportOut:
    return _out(session, exports.get_export(session, export_id))


@router.get(
    "/exports/{export_id}/files/{name}",
    response_class=Response,
    responses={**PROBLEM_RESPONSES, 200: {"content": {"application/octet-stream": {}}, "description": "the file"}},
    summary="Download one file of an export",
)
def download_export_file(
    session: Annotated[Session, Depends(session_of)],
    _principal: Annotated[Principal, Depends(require_roles(*EXPORTERS))],
    export_id: Annotated[str, Path(max_length=36)],
    name: Annotated[str, Path(pattern=FILE_NAME)],
) -> Response:
    item = exports.file_of(session, export_id, name)
    return Response(
        item.content,
        media_type=item.media_type,
        headers={"Content-Disposition": f'attachment; filename="{item.name}"', "X-Content-SHA256": item.sha256},
    )
