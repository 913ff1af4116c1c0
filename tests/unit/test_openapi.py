"""Every request body in every service's OpenAPI document carries an example; errors are documented."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI

from shared.platform.paging import MAX_PAGE_SIZE

from services.energy.app import EnergySettings
from services.energy.app import build_app as build_energy
from services.portfolio.app import PortfolioSettings
from services.portfolio.app import build_app as build_portfolio
from services.sifo.app import SifoSettings
from services.sifo.app import build_app as build_sifo
from services.state_aid.app import StateAidSettings
from services.state_aid.app import build_app as build_state_aid
from services.trividend.app import TrividendSettings
from services.trividend.app import build_app as build_trividend


def _apps() -> list[FastAPI]:
    return [
        build_sifo(SifoSettings(database_url="sqlite://")),
        build_energy(EnergySettings(database_url="sqlite://")),
        build_portfolio(PortfolioSettings(database_url="sqlite://")),
        build_state_aid(StateAidSettings(database_url="sqlite://")),
        build_trividend(TrividendSettings(database_url="sqlite://")),
    ]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    reference = schema.get("$ref")
    if reference is None:
        return schema
    resolved: dict[str, Any] = spec["components"]["schemas"][reference.rsplit("/", 1)[-1]]
    return resolved


@pytest.mark.parametrize("app", _apps(), ids=["sifo", "energy", "portfolio", "state_aid", "trividend"])
def test_request_bodies_have_examples_and_problems_are_documented(app: FastAPI) -> None:
    spec = app.openapi()
    bodies = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if path in {"/healthz", "/readyz"}:
                continue
            assert "422" in operation["responses"] or method == "get", f"{method} {path}"
            body = operation.get("requestBody")
            if body is None:
                continue
            bodies += 1
            content = body["content"]
            if "application/xml" in content:  # a bank file uploaded as it is
                assert content["application/xml"].get("example"), f"{method.upper()} {path} has no example file"
                continue
            schema = _resolve(spec, content["application/json"]["schema"])
            assert schema.get("examples"), f"{method.upper()} {path} has no example body"
    assert bodies or app.title == "Portfolio service"


NATURALLY_IDEMPOTENT = {("state_aid", "/reservations"), ("portfolio", "/admin/parked-events/replay")}
"""POSTs that are safe to repeat by their nature: a reservation is named by its reference (repeating it
returns the same reservation) and a replay of parked events applies each event once (the inbox)."""


@pytest.mark.parametrize("app", _apps(), ids=["sifo", "energy", "portfolio", "state_aid", "trividend"])
def test_every_post_requires_an_idempotency_key(app: FastAPI) -> None:
    spec = app.openapi()
    service = app.state.settings.service_name
    posts = [(path, item["post"]) for path, item in spec["paths"].items() if "post" in item]
    assert posts
    for path, operation in posts:
        headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
        if (service, path) in NATURALLY_IDEMPOTENT:
            assert "Idempotency-Key" not in headers
            continue
        assert headers.get("Idempotency-Key", {}).get("required") is True, f"{service} POST {path}"


@pytest.mark.parametrize("app", _apps(), ids=["sifo", "energy", "portfolio", "state_aid", "trividend"])
def test_every_operation_has_a_readable_unique_operation_id(app: FastAPI) -> None:
    """Generated clients name their methods after operationIds: `submit_loan`, not `submit_loans_post`."""
    spec = app.openapi()
    seen: dict[str, str] = {}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            operation_id = operation.get("operationId", "")
            where = f"{method.upper()} {path}"
            assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", operation_id), f"{where}: {operation_id!r}"
            assert not operation_id.endswith(f"_{method}"), f"{where}: FastAPI's default id {operation_id!r}"
            assert operation_id not in seen, f"{where} and {seen.get(operation_id)} are both {operation_id!r}"
            seen[operation_id] = where


def _number_fields(spec: dict[str, Any], schema: Any, where: str, seen: set[str]) -> list[str]:
    """Places under `schema` that accept a JSON number with a fraction (`type: number`)."""
    if isinstance(schema, list):
        return [found for item in schema for found in _number_fields(spec, item, where, seen)]
    if not isinstance(schema, dict):
        return []
    reference = schema.get("$ref")
    if isinstance(reference, str):
        name = reference.rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _number_fields(spec, spec["components"]["schemas"][name], name, seen)
    found = [where] if schema.get("type") == "number" else []
    for key, value in schema.items():
        if key in {"properties", "$defs"} and isinstance(value, dict):
            for name, item in value.items():
                found += _number_fields(spec, item, f"{where}.{name}", seen)
        elif key in {"items", "anyOf", "oneOf", "allOf", "additionalProperties"}:
            found += _number_fields(spec, value, where, seen)
    return found


@pytest.mark.parametrize("app", _apps(), ids=["sifo", "energy", "portfolio", "state_aid", "trividend"])
def test_request_bodies_take_money_and_rates_as_strings_only(app: FastAPI) -> None:
    """A JSON number is a binary float to most clients: decimals travel as strings with a pattern."""
    spec = app.openapi()
    offenders = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if content is not None:
                offenders += _number_fields(spec, content["schema"], f"{method.upper()} {path}", set())
    assert offenders == []


@pytest.mark.parametrize("app", _apps(), ids=["sifo", "energy", "portfolio", "state_aid", "trividend"])
def test_every_list_is_a_page_with_one_maximum_and_a_cursor(app: FastAPI) -> None:
    """Lists answer {items, next_cursor}, page with `limit` (at most 500) and `cursor`, and nothing else."""
    spec = app.openapi()
    pages = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
            schema = _resolve(spec, content.get("schema", {}))
            where = f"{method.upper()} {path}"
            assert schema.get("type") != "array", f"{where} answers a bare array"
            parameters = {parameter["name"]: parameter for parameter in operation.get("parameters", [])}
            assert not {"offset", "after_id"} & set(parameters), f"{where} pages without a cursor"
            if set(schema.get("properties", {})) != {"items", "next_cursor"}:
                assert "limit" not in parameters, f"{where} takes a limit but answers no page"
                continue
            pages += 1
            if "limit" in parameters:
                assert parameters["limit"]["schema"]["maximum"] == MAX_PAGE_SIZE, where
                assert "cursor" in parameters, where
    assert pages > 0


@pytest.mark.parametrize("app", _apps(), ids=["sifo", "energy", "portfolio", "state_aid", "trividend"])
def test_every_answer_is_typed(app: FastAPI) -> None:
    """A JSON answer names its fields (generated clients get types); a file names its media type."""
    spec = app.openapi()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if not status.startswith("2"):
                    continue
                where = f"{method.upper()} {path} {status}"
                content = response.get("content")
                assert content, f"{where} declares no content"
                json_content = content.get("application/json")
                if json_content is None:
                    assert all(media != "application/json" for media in content), where
                    continue
                schema = _resolve(spec, json_content.get("schema", {}))
                assert schema.get("properties") or schema.get("type") == "array", f"{where} is untyped: {schema}"
