"""The register over HTTP on PostgreSQL: reservations, history, links, declarations, expiry, refusals."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from shared.contracts.state_aid import AidOutcome, OutcomeKind
from shared.eventbus.tables import OutboxMessage
from shared.platform.database import transaction

from services.state_aid.models import StateAidMeasure
from services.state_aid.service import measures
from services.state_aid.service.context import Command
from services.state_aid.service.outcomes import CONSUMER_PRINCIPAL
from tests.state_aid_register import StateAid
from tests.support import sends_idempotency_keys

A, B, C = "0403170701", "0202239951", "0200065765"


@pytest.fixture
def register(state_aid: StateAid) -> Iterator[httpx.Client]:
    state_aid.clock.set_day("2026-03-10")
    with sends_idempotency_keys(httpx.Client(base_url=state_aid.url, timeout=30)) as client:
        yield client


def reservation(reference: str, gge: str, enterprise: str = A, **change: Any) -> dict[str, Any]:
    return {
        "reference": reference,
        "enterprise_number": enterprise,
        "instrument": "sifo",
        "source_reference": reference.split(":")[1] if ":" in reference else reference,
        "gge": gge,
        **change,
    }


def reserve(client: httpx.Client, headers: dict[str, str], body: dict[str, Any], status: int = 201) -> Any:
    response = client.post("/reservations", headers=headers, json=body)
    assert response.status_code == status, response.text
    return response.json()


def test_a_reservation_is_dated_today_and_a_retry_returns_it(state_aid: StateAid, register: httpx.Client) -> None:
    made = reserve(register, state_aid.service, reservation("sifo:l1:grant", "120000.00"))
    assert (made["grant_date"], made["status"], made["legal_basis"]) == (
        "2026-03-10",
        "reserved",
        "Regulation (EU) 2023/2831",
    )
    again = reserve(register, state_aid.service, reservation("sifo:l1:grant", "120000.00"), status=200)
    assert again["id"] == made["id"]
    other_loan = reservation("sifo:l1:grant", "1.00", source_reference="l9")
    other = register.post("/reservations", headers=state_aid.service, json=other_loan)
    assert other.status_code == 409
    assert "sifo:l1:grant" in other.json()["detail"]
    with Session(state_aid.engine) as session:
        assert len(session.exec(select(StateAidMeasure)).all()) == 1
        assert [row.event_type for row in session.exec(select(OutboxMessage))] == ["state_aid.measure.recorded.v1"]


def test_the_ceiling_refuses_with_the_binding_window_and_changes_nothing(
    state_aid: StateAid, register: httpx.Client
) -> None:
    reserve(register, state_aid.service, reservation("sifo:l1:grant", "250000.00"))
    refused = register.post("/reservations", headers=state_aid.service, json=reservation("energy:a1:grant", "50000.01"))
    assert refused.status_code == 409
    problem = refused.json()
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (problem["available"], problem["used"], problem["ceiling"]) == ("50000.00", "250000.00", "300000.00")
    assert (problem["window_start"], problem["window_end"]) == ("2023-03-11", "2026-03-10")
    assert "headroom 50000.00" in problem["detail"]
    reserve(register, state_aid.service, reservation("energy:a1:grant", "50000.00"))
    headroom = register.get(f"/undertakings/{A}/headroom", headers=state_aid.auditor).json()
    assert (headroom["used"], headroom["available"]) == ("300000.00", "0.00")


def test_a_historic_grant_needs_staff_a_reason_and_every_later_window(
    state_aid: StateAid, register: httpx.Client
) -> None:
    reserve(register, state_aid.service, reservation("sifo:l1:grant", "250000.00"))
    past = reservation("sifo:l0:grant", "60000.00", grant_date="2025-01-01", reason="approved on paper")
    by_service = register.post("/reservations", headers=state_aid.service, json=past)
    assert (by_service.status_code, by_service.json()["errors"][0]["field"]) == (422, "grant_date")
    unexplained = register.post("/reservations", headers=state_aid.backoffice, json={**past, "reason": " "})
    assert (unexplained.status_code, unexplained.json()["errors"][0]["field"]) == (422, "reason")
    back_dated = register.post("/reservations", headers=state_aid.backoffice, json=past)
    assert back_dated.status_code == 409
    assert (back_dated.json()["available"], back_dated.json()["window_end"]) == ("50000.00", "2026-03-10")
    recorded = reserve(register, state_aid.backoffice, {**past, "gge": "50000.00"})
    assert (recorded["status"], recorded["reason"], recorded["recorded_by"]) == (
        "granted",
        "approved on paper",
        "dana@pmv.example",
    )


def test_window_edges_and_the_ceiling_in_force_at_each_grant(state_aid: StateAid, register: httpx.Client) -> None:
    history = {"reason": "register migration", "instrument": "energy"}
    reserve(register, state_aid.backoffice, reservation("e:old:grant", "200000.00", grant_date="2023-03-09", **history))
    # Three years and a day later the 2023 grant no longer counts.
    assert register.get(f"/undertakings/{A}/headroom", headers=state_aid.auditor).json()["available"] == "300000.00"
    edge = register.get(f"/undertakings/{A}/headroom?on=2026-03-08", headers=state_aid.auditor).json()
    assert (edge["used"], edge["available"]) == ("200000.00", "100000.00")
    # Before 2024 the ceiling was EUR 200,000.
    reserve(
        register, state_aid.backoffice, reservation("e:b:grant", "150000.00", B, grant_date="2023-06-01", **history)
    )
    before_2024 = register.get(f"/undertakings/{B}/headroom?on=2023-12-01", headers=state_aid.auditor).json()
    assert (before_2024["ceiling"], before_2024["available"], before_2024["legal_basis"]) == (
        "200000.00",
        "50000.00",
        "Regulation (EU) No 1407/2013",
    )
    too_much = register.post(
        "/reservations",
        headers=state_aid.backoffice,
        json=reservation("e:b2:grant", "60000.00", B, grant_date="2023-09-01", **history),
    )
    assert (too_much.status_code, too_much.json()["ceiling"]) == (409, "200000.00")


def test_linked_enterprises_and_declared_aid_count_for_the_single_undertaking(
    state_aid: StateAid, register: httpx.Client
) -> None:
    reserve(register, state_aid.service, reservation("sifo:l1:grant", "100000.00", A))
    declared = register.post(
        "/declarations",
        headers=state_aid.backoffice,
        json={
            "reference": "declaration-b-1",
            "enterprise_number": "0202.239.951",
            "provider": "City of Ghent",
            "gge": "80000.00",
            "grant_date": "2025-09-15",
            "legal_basis": "Regulation (EU) 2023/2831",
        },
    )
    assert declared.status_code == 201, declared.text
    assert register.get(f"/undertakings/{A}/headroom", headers=state_aid.auditor).json()["available"] == "200000.00"
    link = {"linked_enterprise_number": B, "valid_from": "2025-01-01", "reason": "holds 60 % of the shares"}
    assert register.post(f"/undertakings/{A}/links", headers=state_aid.service, json=link).status_code == 403
    made = register.post(f"/undertakings/{A}/links", headers=state_aid.backoffice, json=link)
    assert made.status_code == 201, made.text
    overlapping = register.post(
        f"/undertakings/{B}/links", headers=state_aid.backoffice, json={**link, "linked_enterprise_number": A}
    )
    assert overlapping.status_code == 422
    register.post(
        f"/undertakings/{C}/links",
        headers=state_aid.backoffice,
        json={"linked_enterprise_number": B, "valid_from": "2026-01-01", "reason": "same board"},
    )
    undertaking = register.get(f"/undertakings/{C}", headers=state_aid.auditor).json()
    assert undertaking["members"] == sorted([A, B, C])
    assert (undertaking["headroom"]["used"], undertaking["headroom"]["available"]) == ("180000.00", "120000.00")
    assert len(undertaking["measures"]) == 2
    refused = register.post(
        "/reservations", headers=state_aid.service, json=reservation("energy:c:grant", "120000.01", C)
    )
    assert refused.status_code == 409
    assert refused.json()["undertaking"] == sorted([A, B, C])
    # In mid-2024 C stood alone, but a grant then would also fall in the window ending on A's grant
    # of 2026-03-10, when A, B and C form one undertaking.
    alone = register.get(f"/undertakings/{C}/headroom?on=2024-06-01", headers=state_aid.auditor).json()
    assert (alone["undertaking"], alone["used"], alone["window_end"]) == ([C], "180000.00", "2026-03-10")
    before = register.get(f"/undertakings/{C}/headroom?on=2023-03-09", headers=state_aid.auditor).json()
    assert (before["undertaking"], before["used"]) == ([C], "0.00")


def test_a_reservation_nobody_confirms_runs_out(state_aid: StateAid, register: httpx.Client) -> None:
    reserve(register, state_aid.service, reservation("sifo:l1:grant", "300000.00"))
    assert register.get(f"/undertakings/{A}/headroom", headers=state_aid.auditor).json()["available"] == "0.00"
    assert state_aid.clock.moment is not None
    state_aid.clock.moment += timedelta(minutes=state_aid.settings.reservation_minutes)
    assert register.get(f"/undertakings/{A}/headroom", headers=state_aid.auditor).json()["available"] == "300000.00"
    reserve(register, state_aid.service, reservation("sifo:l2:grant", "10000.00"))
    first = register.get("/reservations/sifo:l1:grant", headers=state_aid.auditor).json()
    assert first["status"] == "expired"
    # The lender whose transaction never committed approves again the next day: reserved anew.
    state_aid.clock.moment += timedelta(days=1)
    again = reserve(register, state_aid.service, reservation("sifo:l1:grant", "280000.00"))
    assert (again["id"], again["status"], again["grant_date"]) == (first["id"], "reserved", "2026-03-12")
    # sifo:l2 ran out in the meantime too.
    assert register.get(f"/undertakings/{A}/headroom", headers=state_aid.auditor).json()["available"] == "20000.00"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"enterprise_number": "0403170702"}, "enterprise_number"),
        ({"enterprise_number": "403170701"}, "enterprise_number"),
        ({"gge": "-1.00"}, "gge"),
        ({"gge": "1.001"}, "gge"),
        ({"grant_date": "2026-03-12"}, "grant_date"),
        ({"reference": "has space"}, "reference"),
        ({"instrument": "other_provider"}, "instrument"),
        ({"grant_date": "2013-12-31", "reason": "before any ceiling"}, "grant_date"),
        ({"source_reference": "a\u0000b"}, "source_reference"),
        ({"requested_by": "bob\u0007"}, "requested_by"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    state_aid: StateAid, register: httpx.Client, change: dict[str, Any], field: str
) -> None:
    refused = register.post(
        "/reservations", headers=state_aid.service, json={**reservation("sifo:x:grant", "1.00"), **change}
    )
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert field in problem["detail"]
    with Session(state_aid.engine) as session:
        assert session.exec(select(StateAidMeasure)).all() == []
    assert register.get("/undertakings/0403170702/headroom", headers=state_aid.auditor).status_code == 422
    assert register.get(f"/undertakings/{A}/headroom?on=2013-12-31", headers=state_aid.auditor).status_code == 422
    # Days outside 2000-01-01 .. 2199-12-31 are refused; an open-ended link spans the whole range.
    far = {"linked_enterprise_number": B, "valid_from": "0001-01-01", "valid_until": "9999-12-31", "reason": "x"}
    assert register.post(f"/undertakings/{A}/links", headers=state_aid.backoffice, json=far).status_code == 422
    assert register.get(f"/undertakings/{A}/headroom?on=9999-12-31", headers=state_aid.auditor).status_code == 422
    endless = {"linked_enterprise_number": B, "valid_from": "2000-01-01", "reason": "x"}
    assert register.post(f"/undertakings/{A}/links", headers=state_aid.backoffice, json=endless).status_code == 201
    last_day = register.get(f"/undertakings/{A}/headroom?on=2199-12-31", headers=state_aid.auditor)
    assert (last_day.status_code, last_day.json()["undertaking"]) == (200, [B, A])


def test_the_auditors_export_lists_every_measure_in_a_period(state_aid: StateAid, register: httpx.Client) -> None:
    reserve(register, state_aid.service, reservation("sifo:l1:grant", "1000.00"))
    reserve(
        register,
        state_aid.backoffice,
        reservation("sifo:l0:grant", "2000.00", B, grant_date="2025-05-05", reason="paper"),
    )
    assert register.get("/register.csv", headers=state_aid.service).status_code == 403
    export = register.get("/register.csv?from=2025-01-01&to=2025-12-31", headers=state_aid.auditor)
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [(row["reference"], row["gge"], row["status"]) for row in rows] == [("sifo:l0:grant", "2000.00", "granted")]
    everything = list(csv.DictReader(io.StringIO(register.get("/register.csv", headers=state_aid.auditor).text)))
    assert sum(Decimal(row["gge"]) for row in everything) == Decimal("3000.00")


def test_a_lender_retrying_an_approval_that_never_committed_gets_a_fresh_reservation(
    state_aid: StateAid, register: httpx.Client
) -> None:
    first = reserve(register, state_aid.service, reservation("sifo:l1:grant", "200000.00"))
    # The lender's transaction did not commit; the next day it approves again, valued anew.
    state_aid.clock.set_day("2026-03-11")
    again = reserve(register, state_aid.service, reservation("sifo:l1:grant", "210000.00"))
    assert (again["id"], again["gge"], again["grant_date"]) == (first["id"], "210000.00", "2026-03-11")
    headroom = register.get(f"/undertakings/{A}/headroom", headers=state_aid.auditor).json()
    assert headroom["used"] == "210000.00"
    # Another loan may not take the reference over.
    taken = register.post(
        "/reservations", headers=state_aid.service, json=reservation("sifo:l1:grant", "1.00", source_reference="l2")
    )
    assert taken.status_code == 409


def test_staff_record_a_grant_made_today_as_granted(state_aid: StateAid, register: httpx.Client) -> None:
    made = reserve(register, state_aid.backoffice, reservation("trividend:p1:grant", "1000.00", instrument="trividend"))
    assert (made["status"], made["reserved_until"], made["provider"]) == ("granted", None, "Trividend")


def test_a_link_that_starts_later_joins_the_windows_that_end_later(state_aid: StateAid, register: httpx.Client) -> None:
    state_aid.clock.set_day("2026-08-01")
    history = {"reason": "approved on paper", "instrument": "energy"}
    reserve(
        register, state_aid.backoffice, reservation("e:c:grant", "250000.00", C, grant_date="2026-07-01", **history)
    )
    link = {"linked_enterprise_number": C, "valid_from": "2026-06-01", "reason": "C bought A's shares"}
    assert register.post(f"/undertakings/{A}/links", headers=state_aid.backoffice, json=link).status_code == 201
    earlier = reservation("e:a:grant", "100000.00", A, grant_date="2026-03-01", **history)
    refused = register.post("/reservations", headers=state_aid.backoffice, json=earlier)
    assert refused.status_code == 409
    problem = refused.json()
    assert (problem["available"], problem["window_end"], problem["undertaking"]) == ("50000.00", "2026-07-01", [C, A])


def test_a_grant_arriving_after_its_reservation_ran_out_is_recorded_and_flagged_when_past_the_ceiling(
    state_aid: StateAid, register: httpx.Client
) -> None:
    reserve(register, state_aid.service, reservation("sifo:late:grant", "250000.00"))
    assert state_aid.clock.moment is not None
    state_aid.clock.moment += timedelta(days=2)
    reserve(register, state_aid.service, reservation("energy:meanwhile:grant", "250000.00"))
    with transaction(state_aid.engine) as session:
        command = Command(
            session=session, principal=CONSUMER_PRINCIPAL, topic="state_aid.events", clock=state_aid.clock
        )
        outcome = AidOutcome(reference="sifo:late:grant", outcome=OutcomeKind.GRANTED, decided_on=date(2026, 3, 10))
        measures.apply_outcome(command, outcome)
    late = register.get("/reservations/sifo:late:grant", headers=state_aid.auditor).json()
    assert late["status"] == "granted"
    assert late["reason"].startswith("granted after its reservation ran out, past the ceiling")
    assert "headroom 50000.00" in late["reason"]
