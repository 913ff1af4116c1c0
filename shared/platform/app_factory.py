"""One way to build every service's FastAPI app: health, problem+json errors, request ids."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any, Literal

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from shared.platform.audit_api import router as audit_router
from shared.platform.business_date import business_today
from shared.platform.database import make_loop_engine
from shared.platform.errors import install_problem_handlers
from shared.platform.health import ReadinessCheck, run_checks
from shared.platform.metrics import HttpMetrics, HttpMetricsMiddleware, StateProbe, StoredStateCollector
from shared.platform.request_context import RequestIdMiddleware
from shared.platform.request_guard import RequestGuardMiddleware
from shared.platform.settings import ServiceSettings

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string", "example": "/problems/validation"},
        "title": {"type": "string", "example": "The request is not valid"},
        "status": {"type": "integer", "example": 422},
        "detail": {"type": "string", "example": "enterprise_number: not a valid Belgian enterprise number"},
        "instance": {"type": "string", "example": "/financiers"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "rule": {"type": "string"}},
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}


class HealthOut(BaseModel):
    status: Literal["ok"]
    service: str


class ReadinessOut(BaseModel):
    status: Literal["ready", "not ready"]
    checks: dict[str, str] = Field(description="each dependency: ok, or why it failed")


def operation_id(route: APIRoute) -> str:
    """The route function's name (``register_financier``), so generated clients get readable methods."""
    return route.name


def utc_now() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def _closing_loop_engine(app: FastAPI) -> AsyncIterator[None]:
    """Close the event loop's pooled connections on the loop that opened them, when the server stops."""
    yield
    if app.state.loop_engine is not None:
        await app.state.loop_engine.dispose()


def create_app(
    *,
    title: str,
    description: str,
    settings: ServiceSettings,
    engine: Engine,
    routers: Sequence[APIRouter],
    readiness: Sequence[ReadinessCheck],
    version: str = "1.0.0",
    state_probes: Sequence[StateProbe] = (),
) -> FastAPI:
    """The app with health checks, ``/metrics``, problem documents and request ids wired in.

    `state_probes` read what the service's database holds (outbox backlog, job runs) for ``/metrics``.
    Endpoints served on the event loop (`shared.platform.event_loop_endpoints`) use the app's
    `loop_engine`: the same database as `engine` through psycopg's asynchronous driver.
    """
    app = FastAPI(
        title=title,
        description=description,
        version=version,
        generate_unique_id_function=operation_id,
        lifespan=_closing_loop_engine,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.loop_engine = make_loop_engine(engine.url)
    # Commands read the time from here (tests pin it to check the business date); UTC, always aware.
    app.state.clock = utc_now
    registry = CollectorRegistry()
    registry.register(StoredStateCollector(engine, state_probes))
    app.state.metrics_registry = registry
    app.add_middleware(
        RequestGuardMiddleware,
        max_json_bytes=settings.max_json_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(HttpMetricsMiddleware, metrics=HttpMetrics(registry))
    app.add_middleware(RequestIdMiddleware)
    install_problem_handlers(app)
    for router in (*routers, audit_router):
        app.include_router(router)

    @app.get("/healthz", tags=["health"], summary="The process is alive", response_model=HealthOut)
    def healthz() -> HealthOut:
        return HealthOut(status="ok", service=settings.service_name)

    @app.get(
        "/readyz",
        tags=["health"],
        summary="The database and Kafka answer",
        response_model=ReadinessOut,
        responses={503: {"model": ReadinessOut, "description": "a dependency does not answer"}},
    )
    def readyz() -> JSONResponse:
        checks = run_checks(list(readiness))
        ready = all(result == "ok" for result in checks.values())
        answer = ReadinessOut(status="ready" if ready else "not ready", checks=checks)
        return JSONResponse(answer.model_dump(), status_code=200 if ready else 503)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    original_openapi = app.openapi
    made_on: list[date] = []

    def openapi_with_problem() -> dict[str, Any]:
        """The document, made again on a new business day: its examples' dates are relative to today."""
        today = business_today()
        if app.openapi_schema is None or made_on != [today]:
            app.openapi_schema = None
            schema = original_openapi()
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
            app.openapi_schema = schema
            made_on[:] = [today]
        return app.openapi_schema

    app.openapi = openapi_with_problem  # type: ignore[method-assign]
    return app
