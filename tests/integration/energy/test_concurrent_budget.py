"""200 approvals of EUR 30,000 at once against the EUR 5,000,000 envelope, over real HTTP on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest

from shared.contracts.topics import ENERGY_EVENTS

from tests.integration.energy.conftest import Energy
from tests.integration.live import http_server, published
from tests.support import sends_idempotency_keys

pytestmark = pytest.mark.integration

APPLICATIONS = 200


@pytest.fixture
def server(energy: Energy) -> Iterator[str]:
    with http_server(energy.client.app) as base_url:  # type: ignore[arg-type]
        yield base_url


def test_exactly_166_commitments_fit_and_the_broker_agrees(energy: Energy, server: str) -> None:
    energy.budget_year()
    call = energy.call()
    application_ids = []
    for n in range(APPLICATIONS):
        applicant = energy.applicant(n)
        body = energy.application_body(call, applicant, requested_amount="30000.00")
        body["installations"][0].update(capacity="30", investment_cost="30000.00", yearly_production_kwh="27000")
        application_ids.append(energy.ok("POST", "/applications", energy.manager, body, 201)["id"])
    energy.on("2026-04-01")
    barrier = threading.Barrier(APPLICATIONS)

    def approve(application_id: str) -> httpx.Response:
        with sends_idempotency_keys(httpx.Client(base_url=server, headers=energy.approver, timeout=120)) as client:
            barrier.wait()
            return client.post(f"/applications/{application_id}/approval", json={})

    with ThreadPoolExecutor(max_workers=APPLICATIONS) as pool:
        responses = list(pool.map(approve, application_ids))

    approved = [response for response in responses if response.status_code == 200]
    refused = [response for response in responses if response.status_code == 409]
    assert len(approved) + len(refused) == APPLICATIONS, [r.text for r in responses if r.status_code not in (200, 409)]
    assert len(approved) == 166
    assert {response.json()["available"] for response in refused} == {"20000.00"}
    assert all("20000.00 available" in response.json()["detail"] for response in refused)

    year = energy.ok("GET", "/budget-years/2026", energy.manager)
    assert (year["committed"], year["available"]) == ("4980000.00", "20000.00")

    events = published(energy.engine, energy.settings.kafka_bootstrap_servers, energy.settings.topic(ENERGY_EVENTS))
    committed = [envelope for envelope in events if envelope.type == "energy.budget.committed.v1"]
    approvals = {envelope.subject for envelope in events if envelope.type == "energy.application.approved.v2"}
    waiting = {envelope.subject for envelope in events if envelope.type == "energy.application.wait_listed.v1"}
    assert len(committed) == 166
    assert sum(Decimal(envelope.data["amount"]) for envelope in committed) == Decimal("4980000.00")
    assert max(Decimal(envelope.data["committed_total"]) for envelope in committed) == Decimal("4980000.00")
    statuses = {
        application_id: energy.ok("GET", f"/applications/{application_id}", energy.manager)["status"]
        for application_id in application_ids
    }
    assert approvals == {key for key, status in statuses.items() if status == "approved"}
    assert waiting == {key for key, status in statuses.items() if status == "wait_listed"}
    assert len(waiting) == 34


def test_four_openings_of_one_budget_year_at_once_open_it_once_and_refuse_the_rest(energy: Energy, server: str) -> None:
    barrier = threading.Barrier(4)

    def open_year(n: int) -> httpx.Response:
        headers = {**energy.manager, "Idempotency-Key": f"open-2027-{n}"}
        with httpx.Client(base_url=server, headers=headers, timeout=60) as client:
            barrier.wait()
            return client.post("/budget-years", json={"year": 2027})

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(open_year, range(4)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201, 409, 409, 409], [response.text for response in responses]
    assert energy.ok("GET", "/budget-years/2027", energy.manager)["year"] == 2027
