"""The SIFO financier API on real PostgreSQL: validation, auth, tenancy, idempotency, outbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from shared.eventbus.tables import OutboxMessage
from shared.platform.auth import Role
from shared.platform.idempotency import IdempotencyRecord

from services.sifo.app import SifoSettings, build_app
from services.sifo.models import SifoFinancier
from tests.support import VALID_FINANCIER, bearer, count, sends_idempotency_keys, sifo_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(migrated_database: Callable[[str], str]) -> SifoSettings:
    return sifo_settings(migrated_database("sifo"), migrate=False)


@pytest.fixture
def client(settings: SifoSettings) -> Iterator[TestClient]:
    with sends_idempotency_keys(TestClient(build_app(settings))) as test_client:
        yield test_client


@pytest.fixture
def engine(client: TestClient) -> Engine:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    return engine


@pytest.fixture
def manager(settings: SifoSettings) -> dict[str, str]:
    return bearer(settings, "alice@pmv.example", Role.FUND_MANAGER)


def test_registering_writes_the_row_and_its_event_together(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    response = client.post("/financiers", json=VALID_FINANCIER, headers=manager)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["enterprise_number"] == "0403170701"
    assert body["iban"] == "BE68539007547034"
    assert body["created_by"] == "alice@pmv.example"
    assert response.headers["location"] == f"/financiers/{body['id']}"
    assert count(engine, SifoFinancier) == 1
    assert count(engine, OutboxMessage) == 1
    assert client.get(f"/financiers/{body['id']}", headers=manager).json() == body


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"enterprise_number": "0403.170.702"}, "enterprise_number", "mod-97"),
        ({"iban": "BE68 5390 0754 7035"}, "iban", "not a valid IBAN"),
        ({"recognised_until": "2025-12-31"}, "recognised_until", "is before recognised_from 2026-01-01"),
        ({"name": ""}, "name", "at least 1 character"),
        ({"recognised_from": "2026-02-30"}, "recognised_from", "valid date"),
        ({"bonus": 1}, "bonus", "Extra inputs are not permitted"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field_and_writes_nothing(
    client: TestClient, engine: Engine, manager: dict[str, str], change: dict[str, Any], field: str, rule: str
) -> None:
    response = client.post("/financiers", json={**VALID_FINANCIER, **change}, headers=manager)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert problem["title"]
    assert problem["detail"].startswith(f"{field}: ")
    assert rule in problem["detail"]
    assert count(engine, SifoFinancier) == 0
    assert count(engine, OutboxMessage) == 0


def test_a_second_registration_of_the_same_enterprise_is_a_conflict(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    first = client.post("/financiers", json=VALID_FINANCIER, headers=manager).json()
    again = client.post("/financiers", json={**VALID_FINANCIER, "name": "Other"}, headers=manager)
    assert again.status_code == 409
    assert again.json()["detail"] == f"enterprise_number 0403170701 is already registered as financier {first['id']}"
    assert count(engine, OutboxMessage) == 1


def test_authentication_and_roles(client: TestClient, settings: SifoSettings) -> None:
    anonymous = client.post("/financiers", json=VALID_FINANCIER)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    garbage = client.post("/financiers", json=VALID_FINANCIER, headers={"Authorization": "Bearer nonsense"})
    assert garbage.status_code == 401
    auditor = client.post("/financiers", json=VALID_FINANCIER, headers=bearer(settings, "aud", Role.AUDITOR))
    assert auditor.status_code == 403
    assert auditor.json()["detail"] == "roles: this action needs one of fund_manager"


def test_a_financier_sees_only_itself(client: TestClient, settings: SifoSettings, manager: dict[str, str]) -> None:
    own = client.post("/financiers", json=VALID_FINANCIER, headers=manager).json()
    other = client.post(
        "/financiers", json={**VALID_FINANCIER, "enterprise_number": "0200065765", "name": "Trividend"}, headers=manager
    ).json()
    token = bearer(settings, "bank@hefboom.example", Role.FINANCIER, financier_id=own["id"])
    assert client.get(f"/financiers/{own['id']}", headers=token).status_code == 200
    hidden = client.get(f"/financiers/{other['id']}", headers=token)
    missing = client.get("/financiers/00000000-0000-0000-0000-000000000000", headers=token)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["title"] == missing.json()["title"]
    assert [row["id"] for row in client.get("/financiers", headers=token).json()["items"]] == [own["id"]]
    assert len(client.get("/financiers", headers=manager).json()["items"]) == 2


def test_idempotency_key_replays_the_same_request_and_refuses_a_different_one(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    headers = {**manager, "Idempotency-Key": "register-hefboom-1"}
    first = client.post("/financiers", json=VALID_FINANCIER, headers=headers)
    replay = client.post("/financiers", json=VALID_FINANCIER, headers=headers)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.headers["idempotent-replayed"] == "true"
    assert count(engine, SifoFinancier) == 1
    assert count(engine, OutboxMessage) == 1

    different = client.post("/financiers", json={**VALID_FINANCIER, "name": "Changed"}, headers=headers)
    assert different.status_code == 422
    assert "already used with a different request" in different.json()["detail"]
    assert count(engine, IdempotencyRecord) == 1


def test_a_failed_request_stores_no_idempotent_response(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    headers = {**manager, "Idempotency-Key": "retry-me"}
    client.post("/financiers", json=VALID_FINANCIER, headers=manager)
    conflict = client.post("/financiers", json=VALID_FINANCIER, headers=headers)
    assert conflict.status_code == 409
    with Session(engine) as session:
        assert session.get(IdempotencyRecord, ("alice@pmv.example", "retry-me")) is None


def test_openapi_documents_problems_and_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "Problem" in spec["components"]["schemas"]
    post = spec["paths"]["/financiers"]["post"]
    assert set(post["responses"]) >= {"201", "401", "403", "409", "422"}
    assert spec["components"]["schemas"]["RegisterFinancier"]["examples"]
