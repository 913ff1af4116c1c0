"""An energy API on its own PostgreSQL database, publishing to the test's own topics, with its people."""

from __future__ import annotations

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

from services.energy.app import EnergySettings, build_app
from tests.state_aid_register import ServedByTheRegister, StateAid
from tests.support import bearer, energy_settings, enterprise_number, every_item, sends_idempotency_keys

ALL_DOCUMENTS = [
    "application_form",
    "feasibility_study",
    "installer_quote",
    "procurement_report",
    "de_minimis_declaration",
    "statutes",
    "latest_accounts",
]


def application_body(call: dict[str, Any], applicant: dict[str, Any], **change: Any) -> dict[str, Any]:
    """A 100 kWp PV application on the applicant's first site with all seven documents."""
    return {
        "call_id": call["id"],
        "applicant_id": applicant["id"],
        "site_id": applicant["sites"][0]["id"],
        "requested_amount": "100000.00",
        "installations": [
            {
                "technology": "pv",
                "capacity": "100",
                "unit": "kWp",
                "investment_cost": "100000.00",
                "yearly_production_kwh": "90000",
                "yearly_savings_eur": "12000.00",
            }
        ],
        "documents": ALL_DOCUMENTS,
        **change,
    }


@dataclass
class Energy(ServedByTheRegister):
    app: FastAPI
    client: TestClient
    settings: EnergySettings
    engine: Engine
    manager: dict[str, str]
    approver: dict[str, str]
    backoffice: dict[str, str]
    register: StateAid

    def ok(self, method: str, url: str, headers: dict[str, str], json: Any = None, status: int = 200) -> Any:
        response = self.client.request(method, url, headers=headers, json=json)
        assert response.status_code == status, response.text
        return response.json()

    def items(self, url: str, headers: dict[str, str]) -> list[Any]:
        """Every item of the list at `url`, all pages."""
        return every_item(self.client, url, headers)

    def budget_year(self, year: int = 2026, envelope: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"year": year} if envelope is None else {"year": year, "envelope": envelope}
        result: dict[str, Any] = self.ok("POST", "/budget-years", self.manager, body, 201)
        return result

    def call(self, year: int = 2026, **change: Any) -> dict[str, Any]:
        body = {
            "title": f"Oproep zonnepanelen {year}",
            "opens_on": f"{year}-01-01",
            "closes_on": f"{year}-12-31",
            **change,
        }
        result: dict[str, Any] = self.ok("POST", f"/budget-years/{year}/calls", self.manager, body, 201)
        return result

    def applicant(self, n: int = 0, need: str = "250000", **change: Any) -> dict[str, Any]:
        body = {
            "enterprise_number": enterprise_number(500 + n),
            "name": f"Maatwerkbedrijf {n} vzw",
            "workshop_type": "sheltered",
            "recognition_number": f"BW-{n:04d}",
            "sites": [{"name": "Hoofdzetel", "address": "Dok Noord 1, 9000 Gent", "yearly_energy_need_kwh": need}],
            **change,
        }
        result: dict[str, Any] = self.ok("POST", "/applicants", self.manager, body, 201)
        return result

    def application_body(self, call: dict[str, Any], applicant: dict[str, Any], **change: Any) -> dict[str, Any]:
        return application_body(call, applicant, **{"submitted_on": "2026-03-02", **change})


@pytest.fixture
def energy(
    migrated_database: Callable[[str], str], kafka_bootstrap: str, topic_prefix: str, state_aid: StateAid
) -> Iterator[Energy]:
    settings = energy_settings(
        migrated_database("energy"), kafka_bootstrap, topic_prefix, migrate=False, state_aid_url=state_aid.url
    )
    ensure_topics(kafka_bootstrap, [TopicSpec(f"{topic_prefix}{name}") for name in ALL_TOPICS])
    app = build_app(settings)
    app.state.clock = state_aid.clock
    with sends_idempotency_keys(TestClient(app)) as client:
        yield Energy(
            app=app,
            client=client,
            settings=settings,
            engine=app.state.engine,
            manager=bearer(settings, "an@wse.example", Role.FUND_MANAGER),
            approver=bearer(settings, "bert@pfv.example", Role.APPROVER),
            backoffice=bearer(settings, "chris@pfv.example", Role.BACKOFFICE),
            register=state_aid,
        )
