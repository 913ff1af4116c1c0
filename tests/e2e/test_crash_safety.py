"""Money written over HTTP while the API, the consumer, PostgreSQL and the relay are SIGKILLed in turn.

Four client threads register financiers, allocate their drawing rights and reallocate them, each
write retried with its own Idempotency-Key until the service answers it, as a back-office client
would. In the middle of that burst the SIFO API, the portfolio consumer, the PostgreSQL server
(postmaster and every backend at once, then crash recovery) and the relay are killed and
restarted, one after the other. The broker's SIGKILL is in `test_chaos`.

Afterwards the SIFO tables, the outbox, the topic and the portfolio book must agree on every count
and every amount, and hold exactly the writes the clients were told succeeded: no write lost, none
applied twice, no event missing or applied twice, and no answer a 500.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session, select

from deploy.postgres.cluster import PostgresCluster, throwaway_cluster
from shared.contracts.topics import SIFO_EVENTS
from shared.eventbus.tables import DeadLetter, InboxRecord, OutboxMessage
from shared.platform.auth import Role, issue_token
from shared.platform.database import make_engine
from shared.platform.settings import SERVICE_AUDIENCES, ServiceSettings

from services.sifo.models import SifoDrawingRight, SifoFinancier
from tests.e2e.conftest import Stack, make_stack
from tests.e2e.processes import ServiceProcess, running, stopped_at_exit, wait_http
from tests.integration.event_slice import topic_messages
from tests.support import TEST_SECRET, enterprise_number, wait_for

pytestmark = pytest.mark.e2e

FINANCIERS = 30
FUND_YEARS = (2025, 2026)
REALLOCATIONS = 3
WRITES = FINANCIERS * (1 + len(FUND_YEARS) * (1 + REALLOCATIONS))
RETRY_SECONDS = 120.0
ALLOCATION_EVENTS = {"sifo.drawing_right.allocated.v1", "sifo.drawing_right.reallocated.v1"}


@pytest.fixture
def own_postgres() -> Iterator[PostgresCluster]:
    """A durable server of this test's own: killing it must not disturb any other test."""
    with throwaway_cluster("sef-crash-postgres-", durable=True) as cluster:
        yield cluster


@dataclass
class Client:
    """A back-office client: each write keeps its Idempotency-Key and is repeated until answered."""

    base_url: str
    headers: dict[str, str]
    acknowledged: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def write(self, path: str, body: dict[str, Any], key: str, expected: int) -> dict[str, Any]:
        deadline = time.monotonic() + RETRY_SECONDS
        while True:
            try:
                response = httpx.post(
                    f"{self.base_url}{path}", json=body, headers={**self.headers, "Idempotency-Key": key}, timeout=30
                )
            except httpx.TransportError:
                with self.lock:
                    self.transport_errors += 1
            else:
                with self.lock:
                    self.statuses[response.status_code] += 1
                if response.status_code == expected:
                    with self.lock:
                        self.acknowledged += 1
                    return dict(response.json())
                assert response.status_code == 503, f"{path}: {response.status_code} {response.text}"
            assert time.monotonic() < deadline, f"{path} was not answered within {RETRY_SECONDS:.0f} s"
            time.sleep(0.2)

    def at_least(self, n: int) -> Callable[[], bool]:
        return lambda: self.acknowledged >= n


def allocated_after(n: int, year: int, reallocation: int) -> Decimal:
    """The amount a right holds after `reallocation` reallocations (0: as allocated); cents included."""
    return Decimal(100_000 + 1_000 * n + year) + Decimal("2500.37") * reallocation


def financier_history(client: Client, n: int) -> dict[str, Decimal]:
    """Register financier `n`, allocate a right per fund year and reallocate each; returns right id -> amount."""
    financier = client.write(
        "/financiers",
        {
            "enterprise_number": enterprise_number(n),
            "name": f"Financier {n}",
            "iban": "BE68539007547034",
            "recognised_from": "2025-01-01",
        },
        f"financier-{n}",
        201,
    )
    final: dict[str, Decimal] = {}
    for year in FUND_YEARS:
        right = client.write(
            f"/financiers/{financier['id']}/drawing-rights",
            {
                "fund_year": year,
                "amount": str(allocated_after(n, year, 0)),
                "valid_from": f"{year}-01-01",
                "valid_until": f"{year}-12-31",
            },
            f"right-{n}-{year}",
            201,
        )
        for k in range(1, REALLOCATIONS + 1):
            client.write(
                f"/drawing-rights/{right['id']}/allocation",
                {"allocated": str(allocated_after(n, year, k)), "reason": f"fund committee round {k}"},
                f"reallocation-{n}-{year}-{k}",
                200,
            )
        final[str(right["id"])] = allocated_after(n, year, REALLOCATIONS)
    return final


def token(role: Role) -> dict[str, str]:
    settings = ServiceSettings(jwt_secret=SecretStr(TEST_SECRET))
    return {"Authorization": "Bearer " + issue_token(settings, "crash-test", [role], audience=SERVICE_AUDIENCES)}


def topic_allocations(kafka: str, topic: str) -> tuple[set[str], dict[str, Decimal]]:
    """Event ids on the topic, and each right's allocation folded from its events in topic order."""
    ids: set[str] = set()
    allocated: dict[str, Decimal] = {}
    for value in topic_messages(kafka, topic, WRITES):
        envelope = json.loads(value)
        ids.add(envelope["id"])
        data = envelope["data"]
        if envelope["type"] in ALLOCATION_EVENTS:
            allocated[data["drawing_right_id"]] = Decimal(data["allocated"])
    return ids, allocated


def source_rights(engine: Engine) -> dict[str, Decimal]:
    with Session(engine) as session:
        return {row.id: row.allocated for row in session.exec(select(SifoDrawingRight)).all()}


def test_writes_survive_kills_of_the_api_the_consumer_postgres_and_the_relay(
    own_postgres: PostgresCluster,
    kafka_bootstrap: str,
    topic_prefix: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    suffix = uuid.uuid4().hex[:8]
    stack: Stack = make_stack(
        lambda name: own_postgres.create_database(f"{name}_{suffix}"), kafka_bootstrap, topic_prefix, tmp_path
    )
    api = ServiceProcess("services.sifo", "api", stack.sifo_env, stack.logs)
    relay = ServiceProcess("services.sifo", "relay", stack.sifo_env, stack.logs)
    consumer = ServiceProcess("services.portfolio", "consume", stack.portfolio_env, stack.logs)
    client = Client(stack.sifo_url, token(Role.FUND_MANAGER))
    sifo, portfolio = make_engine(stack.sifo_database), make_engine(stack.portfolio_database)
    try:
        with (
            stopped_at_exit(api),
            stopped_at_exit(relay),
            stopped_at_exit(consumer),
            running(ServiceProcess("services.portfolio", "api", stack.portfolio_env, stack.logs)) as (book_api,),
        ):
            for process in (api, relay, consumer):
                process.start()
            wait_http(stack.sifo_url, api)
            with ThreadPoolExecutor(max_workers=4) as pool:
                futures = [pool.submit(financier_history, client, n) for n in range(FINANCIERS)]

                wait_for(client.at_least(WRITES // 6), 120, "a sixth of the writes")
                api.kill()
                api.start()
                wait_http(stack.sifo_url, api)

                wait_for(client.at_least(WRITES // 3), 120, "a third of the writes")
                consumer.kill()
                consumer.start()

                wait_for(client.at_least(WRITES // 2), 120, "half of the writes")
                own_postgres.kill()
                time.sleep(1.0)
                own_postgres.start()

                wait_for(client.at_least(2 * WRITES // 3), 120, "two thirds of the writes")
                relay.kill()
                relay.start()
                expected: dict[str, Decimal] = {}
                for future in futures:
                    expected.update(future.result())

            def outbox_published() -> bool:
                with Session(sifo) as session:
                    return all(row.published_at is not None for row in session.exec(select(OutboxMessage)).all())

            def inbox_count() -> int:
                with Session(portfolio) as session:
                    return len(session.exec(select(InboxRecord.event_id)).all())

            wait_for(outbox_published, 120, "the outbox to be published")
            wait_for(lambda: inbox_count() >= WRITES, 120, f"{WRITES} events applied in the portfolio")
            for process in (api, relay, consumer):
                assert process.alive(), process.log_tail()

            wait_http(stack.portfolio_url, book_api)
            book = httpx.get(
                f"{stack.portfolio_url}/drawing-rights",
                params={"on": date(2199, 12, 31).isoformat()},
                headers=token(Role.AUDITOR),
                timeout=30,
            )
            assert book.status_code == 200, book.text
            book_rights = {line["drawing_right_id"]: Decimal(line["allocated"]) for line in book.json()["items"]}
    finally:
        sifo.dispose()
        portfolio.dispose()

    with capsys.disabled():
        print(
            f"\ncrash safety: {WRITES} writes acknowledged; answers {dict(sorted(client.statuses.items()))}, "
            f"{client.transport_errors} connection failures while processes were down"
        )
    assert client.acknowledged == WRITES
    assert client.statuses[500] == 0, client.statuses
    assert client.transport_errors + client.statuses[503] > 0, "no client ever noticed a kill"
    recovery = own_postgres.log_file.read_text(errors="replace")
    assert "database system was interrupted" in recovery or "not properly shut down" in recovery

    sifo, portfolio = make_engine(stack.sifo_database), make_engine(stack.portfolio_database)
    try:
        with Session(sifo) as session:
            financiers = session.exec(select(SifoFinancier.id)).all()
            outbox = session.exec(select(OutboxMessage)).all()
        with Session(portfolio) as session:
            inbox = session.exec(select(InboxRecord.event_id)).all()
            dead = session.exec(select(DeadLetter)).all()
        source = source_rights(sifo)
    finally:
        sifo.dispose()
        portfolio.dispose()

    # the source holds exactly what the clients were told, once
    assert len(financiers) == FINANCIERS
    assert source == expected
    event_types = Counter(row.event_type for row in outbox)
    assert event_types == {
        "sifo.financier.recognised.v1": FINANCIERS,
        "sifo.drawing_right.allocated.v1": FINANCIERS * len(FUND_YEARS),
        "sifo.drawing_right.reallocated.v1": FINANCIERS * len(FUND_YEARS) * REALLOCATIONS,
    }
    assert all(row.failed_at is None for row in outbox)

    # the topic carries every event (duplicates allowed, the inbox absorbs them) and folds to the same amounts
    topic_ids, topic_rights = topic_allocations(kafka_bootstrap, f"{topic_prefix}{SIFO_EVENTS}")
    assert topic_ids == {row.event_id for row in outbox}
    assert topic_rights == source

    # the portfolio applied each event once and its book shows the same rights and amounts
    assert len(inbox) == len(set(inbox)) == WRITES
    assert set(inbox) == topic_ids
    assert dead == []
    assert book_rights == source
    assert sum(book_rights.values()) == sum(source.values()) == sum(expected.values())
