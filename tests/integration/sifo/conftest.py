"""A SIFO API on its own PostgreSQL database, publishing to the test's own topics, with its people."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from shared.contracts.topics import ALL_TOPICS
from shared.eventbus.topics import TopicSpec, ensure_topics
from shared.platform.auth import Role

from services.sifo.app import SifoSettings, build_app
from tests.state_aid_register import ServedByTheRegister, StateAid
from tests.support import VALID_FINANCIER, bearer, every_item, sends_idempotency_keys, sifo_settings


@dataclass
class Sifo(ServedByTheRegister):
    app: FastAPI
    client: TestClient
    settings: SifoSettings
    engine: Engine
    manager: dict[str, str]
    approver: dict[str, str]
    backoffice: dict[str, str]
    register: StateAid

    def items(self, url: str, headers: dict[str, str]) -> list[Any]:
        """Every item of the list at `url`, all pages."""
        return every_item(self.client, url, headers)

    def process_environment(self, **settings: str) -> dict[str, str]:
        """The environment of a `python -m services.sifo` process on this test's database and topics."""
        return {
            **os.environ,
            "SIFO_DATABASE_URL": self.settings.effective_database_url,
            "SIFO_KAFKA_BOOTSTRAP_SERVERS": self.settings.kafka_bootstrap_servers,
            "SIFO_TOPIC_PREFIX": self.settings.topic_prefix,
            "SIFO_STATE_AID_URL": self.settings.state_aid_url,
            **{f"SIFO_{name.upper()}": value for name, value in settings.items()},
        }

    def financier_token(self, financier_id: str) -> dict[str, str]:
        return bearer(self.settings, f"bank-{financier_id[:8]}", Role.FINANCIER, financier_id=financier_id)

    def ok(self, method: str, url: str, headers: dict[str, str], json: Any = None, status: int = 200) -> Any:
        response = self.client.request(method, url, headers=headers, json=json)
        assert response.status_code == status, response.text
        return response.json()

    def financier(self, **change: Any) -> dict[str, Any]:
        body = {**VALID_FINANCIER, **change}
        result: dict[str, Any] = self.ok("POST", "/financiers", self.manager, body, 201)
        return result

    def drawing_right(self, financier_id: str, amount: str = "1000000.00", **change: Any) -> dict[str, Any]:
        body = {"fund_year": 2026, "amount": amount, "valid_from": "2026-01-01", "valid_until": "2026-12-31", **change}
        result: dict[str, Any] = self.ok("POST", f"/financiers/{financier_id}/drawing-rights", self.manager, body, 201)
        return result


def loan_body(financier_id: str, **change: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "financier_id": financier_id,
        "borrower": {
            "enterprise_number": "0200.065.765",
            "name": "De Kringwinkel Oost vzw",
            "target_group_vte": "12.50",
        },
        "loan_type": "investment",
        "total_credit": "300000.00",
        "sifo_share": "200000.00",
        "terms": {"start_date": "2026-04-01", "periods": 84},
        "rating": "satisfactory",
        "collateral": "normal",
        "submitted_on": "2026-03-02",
    }
    body.update(change)
    return body


@pytest.fixture
def sifo(
    migrated_database: Callable[[str], str], kafka_bootstrap: str, topic_prefix: str, state_aid: StateAid
) -> Iterator[Sifo]:
    settings = sifo_settings(
        migrated_database("sifo"), kafka_bootstrap, topic_prefix, migrate=False, state_aid_url=state_aid.url
    )
    ensure_topics(kafka_bootstrap, [TopicSpec(f"{topic_prefix}{name}") for name in ALL_TOPICS])
    app = build_app(settings)
    app.state.clock = state_aid.clock
    with sends_idempotency_keys(TestClient(app)) as client:
        yield Sifo(
            app=app,
            client=client,
            settings=settings,
            engine=app.state.engine,
            manager=bearer(settings, "alice@pmv.example", Role.FUND_MANAGER),
            approver=bearer(settings, "bob@pmv.example", Role.APPROVER),
            backoffice=bearer(settings, "carol@pmv.example", Role.BACKOFFICE),
            register=state_aid,
        )
