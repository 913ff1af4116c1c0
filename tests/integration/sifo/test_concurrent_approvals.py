"""50 approvals at once against one drawing right of EUR 1,000,000, over real HTTP on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest

from tests.integration.live import http_server
from tests.integration.sifo.conftest import Sifo, loan_body
from tests.support import enterprise_number, sends_idempotency_keys

pytestmark = pytest.mark.integration

LOANS = 50
SHARE = Decimal("30000.00")


@pytest.fixture
def server(sifo: Sifo) -> Iterator[str]:
    with http_server(sifo.client.app) as base_url:  # type: ignore[arg-type]
        yield base_url


def test_reserved_never_exceeds_the_allocation_and_every_refusal_names_the_shortfall(sifo: Sifo, server: str) -> None:
    financier = sifo.financier()
    right = sifo.drawing_right(financier["id"], amount="1000000.00")
    loan_ids = [
        sifo.ok(
            "POST",
            "/loans",
            sifo.manager,
            loan_body(
                financier["id"],
                borrower={
                    "enterprise_number": enterprise_number(n),
                    "name": f"Maatwerkbedrijf {n}",
                    "target_group_vte": "8.00",
                },
                total_credit="45000.00",
                sifo_share=str(SHARE),
            ),
            201,
        )["id"]
        for n in range(LOANS)
    ]
    sifo.on("2026-03-10")
    barrier = threading.Barrier(LOANS)

    def approve(loan_id: str) -> httpx.Response:
        with sends_idempotency_keys(httpx.Client(base_url=server, headers=sifo.approver, timeout=60)) as client:
            barrier.wait()
            return client.post(f"/loans/{loan_id}/approval", json={})

    with ThreadPoolExecutor(max_workers=LOANS) as pool:
        responses = list(pool.map(approve, loan_ids))

    approved = [response for response in responses if response.status_code == 200]
    refused = [response for response in responses if response.status_code == 409]
    assert len(approved) + len(refused) == LOANS, [response.text for response in responses]
    assert len(approved) == 33
    for response in refused:
        problem = response.json()
        assert "falls short by" in problem["detail"]
        assert Decimal(problem["available"]) < SHARE
        assert Decimal(problem["shortfall"]) == SHARE - Decimal(problem["available"])

    after = sifo.ok("GET", f"/drawing-rights/{right['id']}", sifo.manager)
    assert Decimal(after["reserved"]) + Decimal(after["drawn"]) <= Decimal(after["allocated"])
    assert Decimal(after["reserved"]) == SHARE * len(approved) == Decimal("990000.00")
    assert after["available"] == "10000.00"
    statuses = [sifo.ok("GET", f"/loans/{loan_id}", sifo.manager)["status"] for loan_id in loan_ids]
    assert statuses.count("approved") == 33
    assert statuses.count("submitted") == 17
