"""A SIGKILLed portfolio consumer is back at work within seconds, not after the broker's session timeout."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from shared.platform.database import make_engine

from services.portfolio.models import PortfolioFinancier
from tests.e2e.conftest import Stack
from tests.e2e.processes import ServiceProcess, running, stopped_at_exit
from tests.integration.event_slice import register
from tests.support import wait_for

pytestmark = pytest.mark.e2e
TAKEOVER_LIMIT_SECONDS = 10.0


def test_a_killed_consumer_is_replaced_and_applying_events_within_ten_seconds(
    stack_factory: Callable[[str], Stack], kafka_bootstrap: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = stack_factory(kafka_bootstrap)
    sifo, portfolio = make_engine(stack.sifo_database), make_engine(stack.portfolio_database)
    prefix = stack.sifo_env["SIFO_TOPIC_PREFIX"]

    def projected(financier_id: str) -> Callable[[], bool]:
        def check() -> bool:
            with Session(portfolio) as session:
                row = session.exec(
                    select(PortfolioFinancier).where(PortfolioFinancier.financier_id == financier_id)
                ).first()
                return row is not None

        return check

    try:
        consumer = ServiceProcess("services.portfolio", "consume", stack.portfolio_env, stack.logs)
        with (
            stopped_at_exit(consumer),
            running(ServiceProcess("services.sifo", "relay", stack.sifo_env, stack.logs)),
        ):
            consumer.start()
            wait_for(projected(register(sifo, 1, prefix)), 120, "the first financier in the book")
            consumer.kill()
            consumer.start()
            restarted = time.monotonic()
            wait_for(projected(register(sifo, 2, prefix)), 120, "the financier registered after the kill")
            takeover = time.monotonic() - restarted
    finally:
        sifo.dispose()
        portfolio.dispose()
    with capsys.disabled():
        print(f"\nconsumer take-over after SIGKILL: {takeover:.1f} s (process start included)")
    assert takeover < TAKEOVER_LIMIT_SECONDS, consumer.log_tail()
