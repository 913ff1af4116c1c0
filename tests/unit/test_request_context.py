"""Request ids, trace context, the 500 that names its request, and JSON log lines."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError

from shared.eventbus.envelope import EventEnvelope
from shared.platform.app_factory import create_app
from shared.platform.database import make_engine
from shared.platform.request_context import (
    RequestIdLogFilter,
    TraceContext,
    configure_logging,
    current_traceparent,
)
from shared.platform.settings import ServiceSettings

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
INCOMING = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
seen: dict[str, str | None] = {}


class Payload(BaseModel):
    n: int


router = APIRouter()


@router.get("/boom")
def boom() -> None:
    raise RuntimeError("the ledger is on fire")


@router.get("/database-gone")
def database_gone() -> None:
    raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))


@router.get("/wrap")
def wrap() -> dict[str, str | None]:
    envelope = EventEnvelope.wrap(source="/tests", subject="s", payload=Payload(n=1), event_type="test.thing.done.v1")
    seen["traceparent"] = current_traceparent()
    return {"traceparent": envelope.traceparent}


@pytest.fixture
def client() -> TestClient:
    settings = ServiceSettings(service_name="probe", database_url="sqlite://")
    app = create_app(
        title="probe",
        description="",
        settings=settings,
        engine=make_engine("sqlite://"),
        routers=[router],
        readiness=[],
    )
    return TestClient(app)


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging("probe-api", "INFO", "json")
    stream = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        yield stream
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


def test_an_unexpected_error_is_a_problem_that_names_the_request_and_logs_its_traceback(
    client: TestClient, log_lines: io.StringIO
) -> None:
    response = client.get("/boom", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "req-42"
    problem = response.json()
    assert problem["request_id"] == "req-42"
    assert problem["title"] == "Internal error"
    assert "fire" not in response.text
    [line] = [json.loads(line) for line in log_lines.getvalue().splitlines() if "unhandled" in line]
    assert line["request_id"] == "req-42"
    assert line["level"] == "ERROR"
    assert line["service"] == "probe-api"
    assert "RuntimeError: the ledger is on fire" in line["exc_info"]
    assert "Traceback" in line["exc_info"]


def test_a_lost_database_is_a_503_that_says_to_repeat_with_the_same_key(client: TestClient) -> None:
    response = client.get("/database-gone", headers={"X-Request-ID": "req-43"})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "2"
    assert response.headers["x-request-id"] == "req-43"
    problem = response.json()
    assert problem["title"] == "The database is unavailable"
    assert "same Idempotency-Key" in problem["detail"]
    assert "server closed" not in response.text


def test_a_request_without_an_id_gets_one_and_an_implausible_one_is_replaced(client: TestClient) -> None:
    generated = client.get("/healthz").headers["x-request-id"]
    assert len(generated) == 32
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers["x-request-id"]
    assert replaced != "bad id with spaces"
    assert len(replaced) == 32


def test_events_carry_the_trace_of_the_request_that_caused_them(client: TestClient) -> None:
    carried = client.get("/wrap", headers={"traceparent": INCOMING}).json()["traceparent"]
    parsed = TraceContext.parse(carried)
    assert parsed is not None
    assert parsed.trace_id == TRACE_ID
    assert parsed.span_id != "00f067aa0ba902b7"
    assert carried == seen["traceparent"]
    started = TraceContext.parse(client.get("/wrap").json()["traceparent"])
    assert started is not None
    assert started.trace_id != TRACE_ID


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "01-" + TRACE_ID + "-00f067aa0ba902b7-01",
        f"00-{'0' * 32}-00f067aa0ba902b7-01",
        f"00-{TRACE_ID}-{'0' * 16}-01",
    ],
)
def test_malformed_trace_context_starts_a_new_trace(value: str | None) -> None:
    assert TraceContext.parse(value) is None
    assert TraceContext.continuing(value).trace_id != TRACE_ID


def test_log_records_outside_a_request_carry_dashes() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    RequestIdLogFilter().filter(record)
    assert (record.request_id, record.event_id, record.trace_id) == ("-", "-", "-")  # type: ignore[attr-defined]
