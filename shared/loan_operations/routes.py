"""The repayment-operations endpoints every lending service exposes, built on the service's own command helpers.

Back office and fund managers register mandates, import bank statements and work the review
queue; auditors read everything; a financier token (SIFO) sees only its own loans' requests. The
annotations are evaluated when the routes are built (no postponed evaluation), because the
readers of a loan's data depend on the service.
"""

import hashlib
from collections.abc import Callable
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel import col, select

from shared.eventbus.command import CommandContext
from shared.loan_operations import mandates, statements
from shared.loan_operations.lender import LenderOperations
from shared.loan_operations.schemas import (
    BankFileOut,
    JobRunOut,
    MandateIn,
    MandateOut,
    OverdueOut,
    PaymentRequestOut,
    ResolutionIn,
    StatementImportOut,
    StatementLineOut,
    StatementOut,
)
from shared.platform.auth import Principal, Role, require_roles
from shared.platform.days import Day
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.idempotency import IdempotencyKey, OptionalIdempotencyKey, StoredResponse
from shared.platform.paging import (
    DEFAULT_PAGE_SIZE,
    Cursor,
    Page,
    PageSize,
    after_of,
    keyset_page,
    offset_of,
    positional_page,
)
from shared.platform.rules import NotFound, RuleViolation

C = TypeVar("C", bound=CommandContext)
T = TypeVar("T")
MAX_STATEMENT_BYTES = 20 * 1024 * 1024

STATEMENT_EXAMPLE = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
    "<GrpHdr><MsgId>CAMT-20261201</MsgId><CreDtTm>2026-12-01T18:00:00</CreDtTm></GrpHdr>"
    "<Stmt><Id>2026-234</Id><CreDtTm>2026-12-01T18:00:00</CreDtTm>"
    "<Acct><Id><IBAN>BE68539007547034</IBAN></Id></Acct>"
    '<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">2732.40</Amt>'
    "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-01</Dt></Dt></Bal>"
    '<Ntry><Amt Ccy="EUR">2732.40</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
    "<BookgDt><Dt>2026-12-01</Dt></BookgDt><ValDt><Dt>2026-12-01</Dt></ValDt>"
    "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
    "<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>De Vlaspit cv</Nm></Dbtr>"
    "<DbtrAcct><Id><IBAN>BE71096123456769</IBAN></Id></DbtrAcct></RltdPties>"
    "<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>BBA</Issr></Tp>"
    "<Ref>100000000135</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>"
    "</Stmt></BkToCstmrStmt></Document>"
)

Operators = Annotated[Principal, Depends(require_roles(Role.BACKOFFICE, Role.FUND_MANAGER))]
Readers = Annotated[Principal, Depends(require_roles(Role.BACKOFFICE, Role.FUND_MANAGER, Role.AUDITOR))]
STAFF = (Role.BACKOFFICE, Role.FUND_MANAGER, Role.AUDITOR)


class Execute(Protocol):
    def __call__(
        self,
        request: Request,
        principal: Principal,
        idempotency_key: str | None,
        body: BaseModel | None,
        action: Callable[[Any], BaseModel],
        status_code: int = 200,
        location: Callable[[StoredResponse], str] | None = None,
    ) -> JSONResponse: ...


class Read(Protocol):
    def __call__(self, request: Request, principal: Principal, query: Callable[[Any], T]) -> T: ...


class ExecuteWithStatus(Protocol):
    """A service's command runner whose actions answer with their status code and body."""

    def __call__(
        self,
        request: Request,
        principal: Principal,
        idempotency_key: str | None,
        body: BaseModel | None,
        action: Callable[[Any], tuple[int, Any]],
    ) -> JSONResponse: ...


def with_status(execute: ExecuteWithStatus) -> Execute:
    """The `Execute` of a service whose actions return ``(status, body)`` (energy, Trividend)."""

    def adapted(
        request: Request,
        principal: Principal,
        idempotency_key: str | None,
        body: BaseModel | None,
        action: Callable[[Any], BaseModel],
        status_code: int = 200,
        location: Callable[[StoredResponse], str] | None = None,
    ) -> JSONResponse:
        return execute(request, principal, idempotency_key, body, lambda command: (status_code, action(command)))

    return adapted


class StatementReceived(BaseModel):
    """What an Idempotency-Key is checked against for a statement upload: the file's digest."""

    sha256: str


def operations_router(
    execute: Execute,
    read: Read,
    visible: Callable[[Any, str], None],
    *,
    financiers_read_their_loans: bool = False,
) -> APIRouter:
    """Routes over ``request.app.state.operations`` (the service's `LenderOperations`).

    A service whose loans belong to financiers (SIFO) lets a financier token read its own loans'
    mandates and requests (`visible` answers 404 for the others); elsewhere only staff read them.
    """
    router = APIRouter(tags=["repayment operations"])
    readers = (*STAFF, Role.FINANCIER) if financiers_read_their_loans else STAFF
    LoanReaders = Annotated[Principal, Depends(require_roles(*readers))]  # noqa: N806 - a type alias

    def ops(request: Request) -> LenderOperations[Any]:
        operations: LenderOperations[Any] = request.app.state.operations
        return operations

    @router.put(
        "/loans/{loan_id}/mandate",
        response_model=MandateOut,
        summary="Register the SEPA direct-debit mandate the borrower signed (replaces the active one)",
        responses=PROBLEM_RESPONSES,
    )
    def put_mandate(
        loan_id: str,
        body: MandateIn,
        request: Request,
        principal: Operators,
        idempotency_key: OptionalIdempotencyKey = None,
    ) -> JSONResponse:
        def action(command: Any) -> MandateOut:
            return MandateOut.of(
                mandates.register(
                    ops(request),
                    command,
                    loan_id,
                    body.reference,
                    body.signed_on,
                    body.debtor_name,
                    body.debtor_iban,
                    body.debtor_bic,
                )
            )

        return execute(request, principal, idempotency_key, body, action)

    @router.delete(
        "/loans/{loan_id}/mandate",
        response_model=MandateOut,
        summary="Revoke the active mandate: later instalments are invited, not collected",
        responses=PROBLEM_RESPONSES,
    )
    def delete_mandate(loan_id: str, request: Request, principal: Operators) -> JSONResponse:
        return execute(
            request,
            principal,
            None,
            None,
            lambda command: MandateOut.of(mandates.revoke(ops(request), command, loan_id)),
        )

    @router.get("/loans/{loan_id}/mandates", response_model=Page[MandateOut], responses=PROBLEM_RESPONSES)
    def get_mandates(loan_id: str, request: Request, principal: LoanReaders) -> Page[MandateOut]:
        def query(command: Any) -> Page[MandateOut]:
            visible(command, loan_id)
            return Page.whole([MandateOut.of(row) for row in mandates.of_loan(ops(request), command, loan_id)])

        return read(request, principal, query)

    @router.get(
        "/loans/{loan_id}/payment-requests",
        response_model=Page[PaymentRequestOut],
        summary="The loan's instalments asked for, with their structured references and what became of them",
        responses=PROBLEM_RESPONSES,
    )
    def loan_requests(loan_id: str, request: Request, principal: LoanReaders) -> Page[PaymentRequestOut]:
        def query(command: Any) -> Page[PaymentRequestOut]:
            visible(command, loan_id)
            table = ops(request).tables.payment_request
            rows = command.session.exec(select(table).where(table.loan_id == loan_id).order_by(col(table.due_on))).all()
            return Page.whole([PaymentRequestOut.of(row) for row in rows])

        return read(request, principal, query)

    @router.get("/payment-requests", response_model=Page[PaymentRequestOut], responses=PROBLEM_RESPONSES)
    def list_requests(
        request: Request,
        principal: Readers,
        business_date: Day | None = None,
        status: Annotated[str | None, Query(max_length=20)] = None,
        limit: PageSize = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None,
    ) -> Page[PaymentRequestOut]:
        after_id = after_of(cursor)

        def query(command: Any) -> Page[PaymentRequestOut]:
            table = ops(request).tables.payment_request
            statement = select(table).where(col(table.id) > after_id)
            if business_date is not None:
                statement = statement.where(table.business_date == business_date)
            if status is not None:
                statement = statement.where(table.status == status)
            rows = command.session.exec(statement.order_by(col(table.id)).limit(limit)).all()
            return keyset_page([PaymentRequestOut.of(row) for row in rows], limit, lambda item: item.id)

        return read(request, principal, query)

    @router.get(
        "/overdue",
        response_model=Page[OverdueOut],
        summary="Overdue instalments still unpaid, oldest first, with bucket, late interest and reminders sent",
        responses=PROBLEM_RESPONSES,
    )
    def list_overdue(
        request: Request,
        principal: Readers,
        bucket: Annotated[str | None, Query(max_length=10)] = None,
        limit: PageSize = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None,
    ) -> Page[OverdueOut]:
        offset = offset_of(cursor)

        def query(command: Any) -> Page[OverdueOut]:
            table = ops(request).tables.overdue
            statement = select(table).where(col(table.paid_on).is_(None))
            if bucket is not None:
                statement = statement.where(table.bucket == bucket)
            rows = command.session.exec(
                statement.order_by(col(table.due_on), col(table.payment_request_id)).offset(offset).limit(limit)
            ).all()
            return positional_page([OverdueOut.of(row) for row in rows], limit, offset)

        return read(request, principal, query)

    @router.get("/bank-files", response_model=Page[BankFileOut], responses=PROBLEM_RESPONSES)
    def list_files(
        request: Request,
        principal: Readers,
        kind: Annotated[str | None, Query(max_length=20)] = None,
        business_date: Day | None = None,
        limit: PageSize = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None,
    ) -> Page[BankFileOut]:
        offset = offset_of(cursor)

        def query(command: Any) -> Page[BankFileOut]:
            table = ops(request).tables.bank_file
            statement = select(table)
            if kind is not None:
                statement = statement.where(table.kind == kind)
            if business_date is not None:
                statement = statement.where(table.business_date == business_date)
            rows = command.session.exec(
                statement.order_by(col(table.created_at).desc(), col(table.id)).offset(offset).limit(limit)
            ).all()
            return positional_page([BankFileOut.of(row) for row in rows], limit, offset)

        return read(request, principal, query)

    @router.get(
        "/bank-files/{file_id}/document",
        response_class=Response,
        summary="The pain.001 or pain.008 file as produced for the bank",
        responses={200: {"content": {"application/xml": {}}}, **PROBLEM_RESPONSES},
    )
    def file_document(file_id: str, request: Request, principal: Readers) -> Response:
        def query(command: Any) -> str:
            row = command.session.get(ops(request).tables.bank_file, file_id)
            if row is None:
                raise NotFound("bank file", file_id)
            return str(row.document)

        return Response(read(request, principal, query), media_type="application/xml")

    @router.post(
        "/bank-statements",
        status_code=201,
        response_model=StatementImportOut,
        summary="Import a camt.053 statement (the XML file as the body): match, book, return, or queue for review",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/xml": {"schema": {"type": "string"}, "example": STATEMENT_EXAMPLE}},
            }
        },
        responses=PROBLEM_RESPONSES,
    )
    async def import_statement(request: Request, principal: Operators, idempotency_key: IdempotencyKey) -> JSONResponse:
        document = await request.body()
        if len(document) > MAX_STATEMENT_BYTES:
            raise RuleViolation("document", f"has {len(document)} bytes; at most {MAX_STATEMENT_BYTES} are read")
        received = StatementReceived(sha256=hashlib.sha256(document).hexdigest())

        def action(command: Any) -> StatementImportOut:
            report = statements.import_statements(ops(request), command, document)
            return StatementImportOut(
                imported=[StatementOut.of(row) for row in report.statements],
                already_imported=[StatementOut.of(row) for row in report.already_imported],
                lines=dict(report.counts),
            )

        return await run_in_threadpool(execute, request, principal, idempotency_key, received, action, 201)

    @router.get("/bank-statements", response_model=Page[StatementOut], responses=PROBLEM_RESPONSES)
    def list_statements(
        request: Request, principal: Readers, limit: PageSize = DEFAULT_PAGE_SIZE, cursor: Cursor = None
    ) -> Page[StatementOut]:
        offset = offset_of(cursor)

        def query(command: Any) -> Page[StatementOut]:
            table = ops(request).tables.statement
            rows = command.session.exec(
                select(table).order_by(col(table.imported_at).desc(), col(table.id)).offset(offset).limit(limit)
            ).all()
            return positional_page([StatementOut.of(row) for row in rows], limit, offset)

        return read(request, principal, query)

    @router.get(
        "/statement-lines",
        response_model=Page[StatementLineOut],
        summary="Statement lines by outcome; status=review is the queue a person works",
        responses=PROBLEM_RESPONSES,
    )
    def list_lines(
        request: Request,
        principal: Readers,
        status: Annotated[str | None, Query(max_length=20)] = None,
        statement_id: Annotated[str | None, Query(max_length=36)] = None,
        limit: PageSize = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None,
    ) -> Page[StatementLineOut]:
        after_id = after_of(cursor)

        def query(command: Any) -> Page[StatementLineOut]:
            table = ops(request).tables.statement_line
            statement = select(table).where(col(table.id) > after_id)
            if status is not None:
                statement = statement.where(table.status == status)
            if statement_id is not None:
                statement = statement.where(table.statement_id == statement_id)
            rows = command.session.exec(statement.order_by(col(table.id)).limit(limit)).all()
            return keyset_page([StatementLineOut.of(row) for row in rows], limit, lambda item: item.id)

        return read(request, principal, query)

    @router.post(
        "/statement-lines/{line_id}/resolution",
        response_model=StatementLineOut,
        summary="Settle a line in review: book it as a repayment of a loan, or dismiss it with a reason",
        responses=PROBLEM_RESPONSES,
    )
    def resolve_line(
        line_id: Annotated[int, Path(ge=1, le=2**62)],
        body: ResolutionIn,
        request: Request,
        principal: Operators,
        idempotency_key: IdempotencyKey,
    ) -> JSONResponse:
        def action(command: Any) -> StatementLineOut:
            return StatementLineOut.of(
                statements.resolve(ops(request), command, line_id, body.loan_id, body.dismiss_reason)
            )

        return execute(request, principal, idempotency_key, body, action)

    @router.get("/job-runs", response_model=Page[JobRunOut], responses=PROBLEM_RESPONSES)
    def list_runs(
        request: Request,
        principal: Readers,
        job: Annotated[str | None, Query(max_length=50)] = None,
        limit: PageSize = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None,
    ) -> Page[JobRunOut]:
        offset = offset_of(cursor)

        def query(command: Any) -> Page[JobRunOut]:
            table = ops(request).tables.job_run
            statement = select(table)
            if job is not None:
                statement = statement.where(table.job == job)
            rows = command.session.exec(
                statement.order_by(col(table.business_date).desc(), col(table.job)).offset(offset).limit(limit)
            ).all()
            return positional_page([JobRunOut.of(row) for row in rows], limit, offset)

        return read(request, principal, query)

    return router
