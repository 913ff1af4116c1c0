"""The Python client cannot drift from the services: every method is an operation of the OpenAPI documents."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest
from fastapi import FastAPI

from sefund.client import Energy, Portfolio, Sifo, StateAid, Trividend
from sefund.client.operations import operations_of

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

CLIENTS: list[tuple[type, FastAPI]] = [
    (Sifo, build_sifo(SifoSettings(database_url="sqlite://"))),
    (Energy, build_energy(EnergySettings(database_url="sqlite://"))),
    (Trividend, build_trividend(TrividendSettings(database_url="sqlite://"))),
    (StateAid, build_state_aid(StateAidSettings(database_url="sqlite://"))),
    (Portfolio, build_portfolio(PortfolioSettings(database_url="sqlite://"))),
]
BODY_FIELDS = {"reason", "drawing_right_id", "quarter"}
"""Arguments a method puts in the JSON body under the same name."""
NOT_QUERY = {"self", "body", "idempotency_key", "document"}


def _body_properties(spec: dict[str, Any], operation: dict[str, Any]) -> set[str]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return set()
    schema = content["schema"]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return set(schema.get("properties", {}))


@pytest.mark.parametrize(("client", "app"), CLIENTS, ids=[client.__name__ for client, _ in CLIENTS])
def test_every_client_method_is_an_operation_with_its_name_path_and_parameters(client: type, app: FastAPI) -> None:
    spec = app.openapi()
    operations = operations_of(client)
    assert operations, client
    for name, call in operations.items():
        operation: dict[str, Any] = spec["paths"].get(call.path, {}).get(call.method.lower(), {})
        assert operation.get("operationId") == name, f"{client.__name__}.{name}: {call.method} {call.path}"
        signature = inspect.signature(getattr(client, name))
        in_path = set(re.findall(r"\{(\w+)\}", call.path))
        declared = {p["name"]: p["in"] for p in operation.get("parameters", [])}
        assert {n for n, where in declared.items() if where == "path"} == in_path, name
        in_body = BODY_FIELDS & set(signature.parameters) if call.method != "GET" else set()
        sent = set(signature.parameters) - NOT_QUERY - in_path - in_body
        queries = {n for n, where in declared.items() if where == "query"} - {"limit", "cursor"}
        assert sent <= queries, f"{client.__name__}.{name} sends {sorted(sent - queries)} the API does not take"
        required = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query" and p.get("required")}
        assert required <= sent, f"{client.__name__}.{name} cannot send the required {sorted(required - sent)}"
        assert in_body <= _body_properties(spec, operation), f"{client.__name__}.{name} sends unknown body fields"
        if "body" in signature.parameters:
            assert "requestBody" in operation, f"{client.__name__}.{name} sends a body the operation does not take"
