"""A Trividend API on its own PostgreSQL database, publishing to the test's own topics, with its people and the
state-aid register it reserves aid in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from deploy.in_process import BusinessClock
from shared.contracts.topics import ALL_TOPICS
from shared.eventbus.topics import TopicSpec, ensure_topics
from shared.platform.auth import Role

from services.trividend.app import TrividendSettings, build_app
from tests.state_aid_register import ServedByTheRegister, StateAid
from tests.support import bearer, enterprise_number, every_item, sends_idempotency_keys, trividend_settings


@dataclass
class Trividend(ServedByTheRegister):
    app: FastAPI
    client: TestClient
    settings: TrividendSettings
    engine: Engine
    clock: BusinessClock
    manager: dict[str, str]
    second_manager: dict[str, str]
    committee: dict[str, str]
    backoffice: dict[str, str]
    auditor: dict[str, str]
    register: StateAid

    def ok(self, method: str, url: str, headers: dict[str, str], json: Any = None, status: int = 200) -> Any:
        response = self.client.request(method, url, headers=headers, json=json)
        assert response.status_code == status, response.text
        return response.json()

    def items(self, url: str, headers: dict[str, str]) -> list[Any]:
        """Every item of the list at `url`, all pages."""
        return every_item(self.client, url, headers)

    def investee(self, n: int = 0, **change: Any) -> dict[str, Any]:
        body = {
            "enterprise_number": enterprise_number(800 + n),
            "name": f"Kringloopcentrum {n} cv",
            "legal_form": "cooperative",
            "sector": "circular economy",
            **change,
        }
        result: dict[str, Any] = self.ok("POST", "/investees", self.manager, body, 201)
        return result

    def participation(self, investee_id: str, amount: str = "150000.00") -> str:
        """An equity proposal by the manager, approved by the committee: the participation's id."""
        body = {"investee_id": investee_id, "instrument": "equity", "amount": amount, "rationale": "growth plan"}
        proposal = self.ok("POST", "/proposals", self.manager, body, 201)
        self.ok("POST", f"/proposals/{proposal['id']}/approval", self.committee, {})
        return str(proposal["id"])


@pytest.fixture
def trividend(
    migrated_database: Callable[[str], str], kafka_bootstrap: str, topic_prefix: str, state_aid: StateAid
) -> Iterator[Trividend]:
    settings = trividend_settings(
        migrated_database("trividend"), kafka_bootstrap, topic_prefix, migrate=False, state_aid_url=state_aid.url
    )
    ensure_topics(kafka_bootstrap, [TopicSpec(f"{topic_prefix}{name}") for name in ALL_TOPICS])
    app = build_app(settings)
    app.state.clock = state_aid.clock
    with sends_idempotency_keys(TestClient(app)) as client:
        yield Trividend(
            app=app,
            client=client,
            settings=settings,
            engine=app.state.engine,
            clock=state_aid.clock,
            manager=bearer(settings, "ines@trividend.example", Role.FUND_MANAGER),
            second_manager=bearer(settings, "jonas@trividend.example", Role.FUND_MANAGER),
            committee=bearer(settings, "karel@pfv.example", Role.APPROVER),
            backoffice=bearer(settings, "lotte@pfv.example", Role.BACKOFFICE),
            auditor=bearer(settings, "mira@audit.example", Role.AUDITOR),
            register=state_aid,
        )
