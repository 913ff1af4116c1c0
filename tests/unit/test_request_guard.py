"""The request guard: oversized bodies, NUL characters and lone surrogates never reach a handler."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, Request
from fastapi.testclient import TestClient

from shared.platform.app_factory import create_app
from shared.platform.database import make_engine
from shared.platform.request_guard import refused_strings
from shared.platform.settings import ServiceSettings

reached: list[Any] = []
router = APIRouter()


@router.post("/echo")
async def echo(request: Request) -> dict[str, Any]:
    body = await request.body()
    reached.append(body)
    return {"bytes": len(body)}


@router.get("/things/{thing_id}")
def thing(thing_id: str, q: str | None = None) -> dict[str, Any]:
    reached.append(thing_id)
    return {"id": thing_id, "q": q}


@pytest.fixture
def client() -> TestClient:
    reached.clear()
    settings = ServiceSettings(
        service_name="probe", database_url="sqlite://", max_json_bytes=2048, max_upload_bytes=4096
    )
    app = create_app(
        title="probe",
        description="",
        settings=settings,
        engine=make_engine("sqlite://"),
        routers=[router],
        readiness=[],
    )
    return TestClient(app)


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "x-request-id" in response.headers
    document: dict[str, Any] = response.json()
    assert document["request_id"] == response.headers["x-request-id"]
    return document


def test_bodies_over_their_limit_are_413_whether_declared_or_streamed(client: TestClient) -> None:
    json_headers = {"Content-Type": "application/json"}
    assert problem(client.post("/echo", content=b"[" + b"1," * 1100 + b"1]", headers=json_headers), 413)
    assert client.post("/echo", content=b"x" * 3000, headers={"Content-Type": "application/xml"}).status_code == 200
    big = problem(client.post("/echo", content=b"x" * 5000, headers={"Content-Type": "application/xml"}), 413)
    assert big["errors"] == [{"field": "body", "rule": "5000 bytes exceed the limit of 4096"}]

    def chunks() -> Any:
        for _ in range(10):
            yield b"x" * 1000

    streamed = problem(client.post("/echo", content=chunks(), headers={"Content-Type": "application/xml"}), 413)
    assert "more than the limit of 4096" in streamed["detail"]
    assert reached == [b"x" * 3000]


@pytest.mark.parametrize(
    ("raw", "field", "rule"),
    [
        (b'{"name": "a\\u0000b"}', "name", "NUL"),
        (b'{"borrower": {"name": "\\ud800"}}', "borrower.name", "lone surrogate"),
        (b'{"lines": [{"reason": "ok"}, {"reason": "x\\u0000"}]}', "lines.1.reason", "NUL"),
        (b'{"a\\u0000": 1}', "a\x00", "field name"),
    ],
)
def test_unstorable_text_in_a_json_body_is_a_422_naming_the_field(
    client: TestClient, raw: bytes, field: str, rule: str
) -> None:
    document = problem(client.post("/echo", content=raw, headers={"Content-Type": "application/json"}), 422)
    [error] = document["errors"]
    assert error["field"] == field
    assert rule in error["rule"]
    assert reached == []


def test_paired_surrogates_and_ordinary_text_pass(client: TestClient) -> None:
    raw = b'{"name": "Kringwinkel \\ud83d\\ude00 caf\\u00e9", "note": "line\\nbreak"}'
    assert client.post("/echo", content=raw, headers={"Content-Type": "application/json"}).status_code == 200


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/things/a%00b", "path"),
        ("/things/%ED%A0%80", "path"),
        ("/things/a%0Ab", "path"),
        ("/things/x?q=a%00b", "q"),
        ("/things/x?q=%FF", "query"),
        ("/things/x?a%00=1", "query"),
    ],
)
def test_nul_control_characters_and_bad_utf8_in_path_or_query_are_422(client: TestClient, url: str, field: str) -> None:
    document = problem(client.get(url), 422)
    assert document["errors"][0]["field"] == field
    assert reached == []


def test_refused_strings_walks_nested_documents() -> None:
    assert list(refused_strings({"a": [{"b": "ok"}, {"c": "\x00"}], "d": 1})) == [
        ("a.1.c", "must not contain the NUL character")
    ]
    assert list(refused_strings("\x00")) == [("body", "must not contain the NUL character")]
