"""RFC 9457 problem details for every error a client can see.

Each problem has a `type` URI under ``/problems/``, a human `title`, and a `detail` that names the
field and the rule, so the person at the other end knows what to change.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.platform.problem_document import PROBLEM_MEDIA_TYPE, problem_document
from shared.platform.request_context import current_request_id
from shared.platform.rules import Conflict, Forbidden, NotFound, RuleViolation, Unavailable

logger = logging.getLogger(__name__)
DATABASE_RETRY_AFTER_SECONDS = 2


class ProblemError(Exception):
    """Raise from the HTTP layer to answer with a specific problem document."""

    def __init__(self, status: int, title: str, detail: str, slug: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.slug = slug
        self.extensions = extensions


def problem_response(
    request: Request, status: int, title: str, detail: str, slug: str, **extensions: Any
) -> JSONResponse:
    body = problem_document(status, title, detail, slug, request.url.path, current_request_id.get(), **extensions)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _field_path(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:] or parts
    return ".".join(parts)


def _validation_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _field_path(error.get("loc", ())), "rule": str(error.get("msg", "invalid"))} for error in exc.errors()
    ]
    detail = "; ".join(f"{error['field']}: {error['rule']}" for error in errors)
    return problem_response(request, 422, "The request is not valid", detail, "validation", errors=errors)


def _rule_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RuleViolation)
    return problem_response(
        request,
        exc.status,
        exc.title,
        exc.detail,
        "rule-violation",
        errors=[{"field": exc.field, "rule": exc.rule}],
        **exc.extensions,
    )


def _not_found_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NotFound)
    return problem_response(request, exc.status, exc.title, exc.detail, "not-found")


def _conflict_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Conflict)
    return problem_response(request, exc.status, exc.title, exc.detail, "conflict", **exc.extensions)


def _forbidden_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Forbidden)
    return problem_response(request, exc.status, exc.title, exc.detail, "forbidden")


def _unavailable_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Unavailable)
    return problem_response(request, exc.status, exc.title, exc.detail, "unavailable", **exc.extensions)


def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The database went away, refused a connection, or kept losing a race: a transient failure.

    If the connection broke during the commit, the client cannot know whether the change was
    made; repeating the request with the same Idempotency-Key either applies it or replays it,
    never both, so that is what the problem says to do.
    """
    logger.warning("database unavailable for %s %s: %s", request.method, request.url.path, exc)
    response = problem_response(
        request,
        503,
        "The database is unavailable",
        "The service could not reach or finish its work in the database. Repeat the request with the same "
        "Idempotency-Key: it is applied exactly once.",
        "database-unavailable",
    )
    response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


def _explicit_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(request, exc.status, exc.title, exc.detail, exc.slug, **exc.extensions)


def _http_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    titles = {404: "Not found", 405: "Method not allowed", 401: "Not authenticated", 403: "Forbidden"}
    title = titles.get(exc.status_code, "HTTP error")
    return problem_response(request, exc.status_code, title, str(exc.detail), f"http-{exc.status_code}")


def install_problem_handlers(app: FastAPI) -> None:
    """Problem documents for every error a client can act on; unexpected ones are the middleware's (500)."""
    app.add_exception_handler(RequestValidationError, _validation_problem)
    app.add_exception_handler(RuleViolation, _rule_problem)
    app.add_exception_handler(NotFound, _not_found_problem)
    app.add_exception_handler(Conflict, _conflict_problem)
    app.add_exception_handler(Forbidden, _forbidden_problem)
    app.add_exception_handler(Unavailable, _unavailable_problem)
    app.add_exception_handler(ProblemError, _explicit_problem)
    for transient in (OperationalError, DisconnectionError, PoolTimeout):
        app.add_exception_handler(transient, _database_unavailable)
    app.add_exception_handler(StarletteHTTPException, _http_problem)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for status, description in {
        401: "Missing or invalid bearer token",
        403: "The token's roles do not allow this",
        404: "Not found (or not visible to this caller)",
        409: "Conflict with the current state",
        422: "Invalid input: the detail names the field and the rule",
        503: "A service or the database this request needs is unavailable; repeat it with the same Idempotency-Key",
    }.items()
}
