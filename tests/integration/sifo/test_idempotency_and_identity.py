"""Idempotency keys and normalised identities on SIFO, over real HTTP on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from shared.platform.auth import Role
from shared.platform.idempotency import IdempotencyRecord, purge_expired

from services.sifo.models import SifoBorrower, SifoFinancier, SifoLoan, SifoLoanEvent
from tests.integration.live import http_server
from tests.integration.sifo.conftest import Sifo, loan_body
from tests.integration.sifo.test_servicing_api import disbursed
from tests.support import VALID_FINANCIER, bearer, count

pytestmark = pytest.mark.integration
CONCURRENT = 20
REPAYMENT = {"received_on": "2026-02-15", "amount": "1036.38"}


@pytest.fixture
def server(sifo: Sifo) -> Iterator[str]:
    with http_server(sifo.client.app) as base_url:  # type: ignore[arg-type]
        yield base_url


def entries(engine: Engine, loan_id: str) -> int:
    with Session(engine) as session:
        return int(
            session.exec(
                select(func.count()).select_from(SifoLoanEvent).where(col(SifoLoanEvent.loan_id) == loan_id)
            ).one()
        )


def at_once(server: str, path: str, bodies: list[object], headers: list[dict[str, str]]) -> list[httpx.Response]:
    barrier = threading.Barrier(len(bodies))

    def post(n: int) -> httpx.Response:
        with httpx.Client(base_url=server, headers=headers[n], timeout=60) as client:
            barrier.wait()
            return client.post(path, json=bodies[n])

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(post, range(len(bodies))))


def test_twenty_identical_registrations_at_once_have_one_effect_and_nineteen_replays(sifo: Sifo, server: str) -> None:
    headers = {**sifo.manager, "Idempotency-Key": "register-hefboom-once"}
    responses = at_once(server, "/financiers", [VALID_FINANCIER] * CONCURRENT, [headers] * CONCURRENT)
    assert {response.status_code for response in responses} == {201}, [r.text for r in responses]
    assert len({response.json()["id"] for response in responses}) == 1
    replayed = [response for response in responses if response.headers.get("Idempotent-Replayed") == "true"]
    assert len(replayed) == CONCURRENT - 1
    assert count(sifo.engine, SifoFinancier) == 1


def test_twenty_identical_repayments_at_once_book_one_payment(sifo: Sifo, server: str) -> None:
    loan_id = disbursed(sifo)
    sifo.on("2026-02-16")
    before = entries(sifo.engine, loan_id)
    headers = {**sifo.backoffice, "Idempotency-Key": "bank-line-2026-02-15-001"}
    responses = at_once(server, f"/loans/{loan_id}/repayments", [REPAYMENT] * CONCURRENT, [headers] * CONCURRENT)
    assert {response.status_code for response in responses} == {201}, [r.text for r in responses]
    assert sum(response.headers.get("Idempotent-Replayed") == "true" for response in responses) == CONCURRENT - 1
    assert entries(sifo.engine, loan_id) == before + 1


def test_a_post_without_a_key_is_refused_and_changes_nothing(sifo: Sifo) -> None:
    loan_id = disbursed(sifo)
    sifo.on("2026-02-16")
    before = entries(sifo.engine, loan_id)
    bare = TestClient(sifo.app)
    for headers in (
        sifo.backoffice,
        {**sifo.backoffice, "Idempotency-Key": ""},
        {**sifo.backoffice, "Idempotency-Key": "a b"},
    ):
        for _ in range(2):
            response = bare.post(f"/loans/{loan_id}/repayments", headers=headers, json=REPAYMENT)
            assert response.status_code == 422, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert "Idempotency-Key" in response.json()["detail"]
    assert entries(sifo.engine, loan_id) == before
    financiers = count(sifo.engine, SifoFinancier)
    missing = bare.post(
        "/financiers", headers=sifo.manager, json={**VALID_FINANCIER, "enterprise_number": "0202239951"}
    )
    assert missing.json()["errors"][0]["field"] == "Idempotency-Key"
    assert count(sifo.engine, SifoFinancier) == financiers


def test_the_same_key_from_two_callers_is_two_requests_and_a_changed_body_is_refused(sifo: Sifo) -> None:
    other_manager = bearer(sifo.settings, "dirk@pmv.example", Role.FUND_MANAGER)
    first = sifo.client.post("/financiers", headers={**sifo.manager, "Idempotency-Key": "k-1"}, json=VALID_FINANCIER)
    assert first.status_code == 201
    changed = {**VALID_FINANCIER, "name": "Another name"}
    reused = sifo.client.post("/financiers", headers={**sifo.manager, "Idempotency-Key": "k-1"}, json=changed)
    assert reused.status_code == 422
    assert reused.json()["type"] == "/problems/idempotency-key-reused"
    # Another caller's k-1 is its own: it is run (and refused here because the enterprise is known).
    theirs = sifo.client.post("/financiers", headers={**other_manager, "Idempotency-Key": "k-1"}, json=VALID_FINANCIER)
    assert theirs.headers.get("Idempotent-Replayed") is None
    assert theirs.status_code == 409, theirs.text
    with Session(sifo.engine) as session:
        scopes = session.exec(select(IdempotencyRecord.principal).where(IdempotencyRecord.key == "k-1")).all()
    assert scopes == ["alice@pmv.example"]


def test_keys_are_purged_after_their_retention(sifo: Sifo) -> None:
    sifo.client.post("/financiers", headers={**sifo.manager, "Idempotency-Key": "old"}, json=VALID_FINANCIER)
    with Session(sifo.engine) as session:
        record = session.exec(select(IdempotencyRecord).where(IdempotencyRecord.key == "old")).one()
        stored_at = record.created_at
    assert purge_expired(sifo.engine, timedelta(hours=24), now=stored_at + timedelta(hours=23)) == 0
    assert purge_expired(sifo.engine, timedelta(hours=24), now=stored_at + timedelta(hours=25)) == 1
    assert purge_expired(sifo.engine, timedelta(hours=24), now=datetime.now(UTC) + timedelta(days=2)) == 0


def test_five_first_loans_of_one_new_borrower_at_once_all_succeed(sifo: Sifo, server: str) -> None:
    financier = sifo.financier()
    sifo.drawing_right(financier["id"])
    body = loan_body(financier["id"], total_credit="45000.00", sifo_share="30000.00")
    bodies: list[object] = [body] * 5
    headers = [{**sifo.manager, "Idempotency-Key": f"first-loan-{n}"} for n in range(5)]
    responses = at_once(server, "/loans", bodies, headers)
    assert [response.status_code for response in responses] == [201] * 5, [r.text for r in responses]
    assert count(sifo.engine, SifoBorrower) == 1
    assert count(sifo.engine, SifoLoan) == 5


@pytest.mark.parametrize("approver", ["Alice@PMV.example", " alice@pmv.example", "alice@pmv.example\u200b"])
def test_four_eyes_sees_one_person_however_the_token_spells_the_name(sifo: Sifo, approver: str) -> None:
    financier = sifo.financier()
    sifo.drawing_right(financier["id"])
    loan = sifo.ok("POST", "/loans", sifo.manager, loan_body(financier["id"]), 201)
    sifo.on("2026-03-10")
    same_person = bearer(sifo.settings, approver, Role.APPROVER, Role.FUND_MANAGER)
    response = sifo.client.post(f"/loans/{loan['id']}/approval", headers=same_person, json={})
    assert response.status_code == 403, response.text
    assert sifo.ok("GET", f"/loans/{loan['id']}", sifo.manager)["status"] == "submitted"
