"""600 events through the slice while the relay is SIGKILLed twice and the broker is SIGKILLed once.

Afterwards the portfolio projection must hold every event id exactly once: nothing lost, nothing
applied twice. Kafka itself may carry duplicates (a relay killed between publishing and marking
republishes); the consumer's inbox is what makes them harmless.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from pydantic import SecretStr
from sqlmodel import Session, select

from deploy.kafka.broker import KafkaBroker
from shared.eventbus.tables import DeadLetter, InboxRecord, OutboxMessage
from shared.platform.auth import Role, issue_token
from shared.platform.database import make_engine
from shared.platform.settings import SERVICE_AUDIENCES, ServiceSettings

from services.portfolio.models import PortfolioFinancier
from tests.e2e.conftest import Stack
from tests.e2e.processes import ServiceProcess, running, stopped_at_exit, wait_http
from tests.support import TEST_SECRET, enterprise_number, wait_for

pytestmark = pytest.mark.e2e

EVENTS = 600


@pytest.fixture
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    """A broker of this test's own, so stopping it disturbs no other test."""
    broker = KafkaBroker(tmp_path_factory.mktemp("chaos-kafka"))
    broker.start()
    yield broker
    broker.stop()


class Poster:
    """Registers financiers over HTTP from a few threads, counting successes."""

    def __init__(self, base_url: str) -> None:
        settings = ServiceSettings(jwt_secret=SecretStr(TEST_SECRET))
        self.headers = {
            "Authorization": "Bearer "
            + issue_token(settings, "loader", [Role.FUND_MANAGER], audience=SERVICE_AUDIENCES)
        }
        self.base_url = base_url
        self.done = 0
        self.lock = threading.Lock()

    def post(self, n: int) -> str:
        body = {
            "enterprise_number": enterprise_number(n),
            "name": f"Financier {n}",
            "iban": "BE68539007547034",
            "recognised_from": "2026-01-01",
        }
        response = httpx.post(
            f"{self.base_url}/financiers",
            json=body,
            headers={**self.headers, "Idempotency-Key": f"chaos-{n}"},
            timeout=30,
        )
        assert response.status_code == 201, response.text
        with self.lock:
            self.done += 1
        return str(response.json()["id"])

    def at_least(self, n: int) -> Callable[[], bool]:
        return lambda: self.done >= n


def test_no_event_lost_or_applied_twice_when_the_relay_and_the_broker_are_killed(
    stack_factory: Callable[[str], Stack], own_broker: KafkaBroker
) -> None:
    stack = stack_factory(own_broker.bootstrap_servers)
    with (
        stopped_at_exit(ServiceProcess("services.sifo", "relay", stack.sifo_env, stack.logs)) as relay,
        running(
            ServiceProcess("services.sifo", "api", stack.sifo_env, stack.logs),
            ServiceProcess("services.portfolio", "consume", stack.portfolio_env, stack.logs),
        ) as (api, consumer),
    ):
        wait_http(stack.sifo_url, api)
        relay.start()
        poster = Poster(stack.sifo_url)
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = [pool.submit(poster.post, n) for n in range(EVENTS)]

            wait_for(poster.at_least(EVENTS // 6), 120, "a sixth of the registrations")
            relay.kill()
            relay.start()

            wait_for(poster.at_least(2 * EVENTS // 5), 120, "two fifths of the registrations")
            own_broker.kill()
            wait_for(poster.at_least(EVENTS // 2), 120, "half of the registrations, the broker down")
            own_broker.start()

            wait_for(poster.at_least(7 * EVENTS // 10), 120, "seven tenths of the registrations")
            relay.kill()
            relay.start()
            financier_ids = [future.result() for future in futures]

        portfolio = make_engine(stack.portfolio_database)
        sifo = make_engine(stack.sifo_database)
        try:

            def projected() -> int:
                with Session(portfolio) as session:
                    return len(session.exec(select(PortfolioFinancier.financier_id)).all())

            wait_for(lambda: projected() >= EVENTS, 240, f"{EVENTS} projected financiers")
            assert consumer.alive(), consumer.log_tail()
            relay.stop()

            with Session(sifo) as session:
                outbox = session.exec(select(OutboxMessage)).all()
            with Session(portfolio) as session:
                rows = session.exec(select(PortfolioFinancier)).all()
                inbox = session.exec(select(InboxRecord.event_id)).all()
                dead = session.exec(select(DeadLetter)).all()
                unpublished = [row for row in outbox if row.published_at is None]
            assert len(outbox) == EVENTS
            assert unpublished == []
            assert all(row.failed_at is None for row in outbox)
            assert sorted(row.financier_id for row in rows) == sorted(financier_ids)
            assert sorted(row.source_event_id for row in rows) == sorted(row.event_id for row in outbox)
            assert len(inbox) == len(set(inbox)) == EVENTS
            assert dead == []
            assert "ECONNREFUSED" in relay.log_path.read_text(), "the relay never saw the broker outage"
        finally:
            portfolio.dispose()
            sifo.dispose()
