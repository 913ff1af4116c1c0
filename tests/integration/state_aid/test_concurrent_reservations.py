"""50 approvals for one single undertaking, from SIFO and energy at once: the register never passes the ceiling."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx

from tests.integration.energy.conftest import Energy
from tests.integration.live import http_server
from tests.integration.sifo.conftest import Sifo
from tests.integration.state_aid.test_lenders_share_one_register import DAY, energy_application, sifo_loan
from tests.state_aid_register import measures_of
from tests.support import sends_idempotency_keys

EACH = 25
CEILING = Decimal("300000.00")


def test_fifty_concurrent_reservations_never_pass_the_ceiling(sifo: Sifo, energy: Energy) -> None:
    sifo.on(DAY)
    energy.budget_year()
    call = energy.call(annual_rate="0.01", term_months=120)
    parent = energy.applicant(0)["enterprise_number"]
    applications = []
    for n in range(1, EACH + 1):
        applicant = energy.applicant(n)
        link = {"linked_enterprise_number": parent, "valid_from": "2026-01-01", "reason": "group under one board"}
        linked = httpx.post(
            f"{sifo.register.url}/undertakings/{applicant['enterprise_number']}/links",
            headers={**sifo.register.backoffice, "Idempotency-Key": f"link-{n}"},
            json=link,
        )
        assert linked.status_code == 201, linked.text
        applications.append(energy_application(energy, call, applicant, "30000.00")["id"])
    financier = sifo.financier(recognised_from="2025-01-01")["id"]
    sifo.drawing_right(financier, amount="3000000.00")
    loans = [sifo_loan(sifo, parent, "100000.00", financier)["id"] for _ in range(EACH)]
    barrier = threading.Barrier(2 * EACH)

    with http_server(sifo.client.app) as sifo_url, http_server(energy.client.app) as energy_url:  # type: ignore[arg-type]

        def approve(target: tuple[str, str, dict[str, str]]) -> tuple[str, httpx.Response]:
            base, path, headers = target
            with sends_idempotency_keys(httpx.Client(base_url=base, headers=headers, timeout=120)) as client:
                barrier.wait()
                return path, client.post(path, json={})

        targets = [(sifo_url, f"/loans/{loan_id}/approval", sifo.approver) for loan_id in loans] + [
            (energy_url, f"/applications/{application_id}/approval", energy.approver) for application_id in applications
        ]
        with ThreadPoolExecutor(max_workers=2 * EACH) as pool:
            results = list(pool.map(approve, targets))

    approved = {path: response for path, response in results if response.status_code == 200}
    refused = [response for _, response in results if response.status_code == 409]
    assert len(approved) + len(refused) == 2 * EACH, [r.text for _, r in results if r.status_code not in (200, 409)]
    assert approved
    assert refused
    assert all("de minimis headroom" in response.json()["detail"] for response in refused)

    granted_by_lenders = sum(Decimal(response.json()["gge"]) for response in approved.values())
    measures = [row for source in loans + applications for row in measures_of(sifo.register, source)]
    assert len(measures) == len(approved)
    assert {row.status for row in measures} == {"reserved"}
    assert sum(row.gge for row in measures) == granted_by_lenders <= CEILING
    headroom = httpx.get(f"{sifo.register.url}/undertakings/{parent}/headroom", headers=sifo.register.auditor).json()
    assert Decimal(headroom["used"]) == granted_by_lenders
    smallest_refused = min(Decimal(response.json()["gge"]) for response in refused)
    assert Decimal(headroom["available"]) < smallest_refused
