"""Bad input to the energy API: 422 problem+json naming the field, and nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, func, select

from shared.eventbus.tables import OutboxMessage
from shared.platform.auth import Role

from services.energy.models import EnergyApplicant, EnergyApplication
from tests.integration.energy.conftest import Energy
from tests.support import bearer, count

pytestmark = pytest.mark.integration


def outbox_rows(energy: Energy) -> int:
    with Session(energy.engine) as session:
        return int(session.exec(select(func.count()).select_from(OutboxMessage)).one())


def test_a_workshop_of_another_kind_is_refused(energy: Energy) -> None:
    response = energy.client.post(
        "/applicants",
        headers=energy.manager,
        json={
            "enterprise_number": "0200.065.765",
            "name": "Gewone bvba",
            "workshop_type": "company",
            "recognition_number": "X",
            "sites": [{"name": "A", "address": "B", "yearly_energy_need_kwh": "1000"}],
        },
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith("workshop_type: 'company' is not a sheltered or social workshop")
    assert count(energy.engine, EnergyApplicant) == 0


def _pv(**change: str) -> list[dict[str, str]]:
    return [
        {
            "technology": "pv",
            "capacity": "100",
            "unit": "kWp",
            "investment_cost": "100000.00",
            "yearly_production_kwh": "90000",
            "yearly_savings_eur": "12000.00",
            **change,
        }
    ]


BAD_APPLICATIONS = [
    ({"requested_amount": "120000.00"}, "requested_amount", "exceeds the eligible investment cost 100000.00"),
    ({"installations": _pv(yearly_production_kwh="300000")}, "installations", "250000"),
    ({"installations": _pv(technology="wind_turbine")}, "installations.0.technology", "'pv', 'heat_pump' or"),
    ({"installations": _pv(unit="m2")}, "installations[0].unit", "kWp"),
    ({"requested_amount": "100000.001"}, "requested_amount", "2 decimal places"),
    ({"submitted_on": "2027-01-05"}, "call_id", "is closed on 2027-01-05"),
]


@pytest.mark.parametrize(("change", "field", "rule"), BAD_APPLICATIONS)
def test_bad_applications_name_the_field_and_write_nothing(
    energy: Energy, change: dict[str, Any], field: str, rule: str
) -> None:
    energy.budget_year()
    call = energy.call()
    applicant = energy.applicant()
    before = outbox_rows(energy)
    response = energy.client.post(
        "/applications", headers=energy.manager, json=energy.application_body(call, applicant, **change)
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith(f"{field}: "), response.json()["detail"]
    assert rule in response.json()["detail"]
    assert count(energy.engine, EnergyApplication) == 0
    assert outbox_rows(energy) == before


def test_the_preparer_may_not_approve_and_missing_documents_block_a_decision(energy: Energy) -> None:
    energy.budget_year()
    call = energy.call()
    applicant = energy.applicant()
    body = energy.application_body(call, applicant, documents=["application_form", "installer_quote"])
    application = energy.ok("POST", "/applications", energy.manager, body, 201)
    both = bearer(energy.settings, "an@wse.example", Role.FUND_MANAGER, Role.APPROVER)
    own = energy.client.post(f"/applications/{application['id']}/approval", headers=both, json={})
    assert own.status_code == 403
    incomplete = energy.client.post(f"/applications/{application['id']}/approval", headers=energy.approver, json={})
    assert incomplete.status_code == 422
    assert incomplete.json()["detail"].startswith("documents: missing: ")
    assert energy.ok("GET", f"/applications/{application['id']}", energy.manager)["status"] == "submitted"
