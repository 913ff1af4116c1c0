"""The portfolio's `/metrics` shows how far its consumer group is behind the topics, read from the broker."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from services.portfolio.app import build_app
from services.portfolio.models import PortfolioFinancier
from tests.integration.event_slice import Slice, register, run_consumer_until
from tests.support import count, portfolio_settings

pytestmark = pytest.mark.integration


def _lag(client: TestClient) -> tuple[int, int]:
    """Sum of `consumer_lag` over the partitions, and how many probes failed."""
    text = client.get("/metrics").text
    lags = [float(value) for value in re.findall(r"^consumer_lag\{[^}]*\} (\S+)$", text, flags=re.MULTILINE)]
    failures = re.search(r"^metrics_probe_failures (\S+)$", text, flags=re.MULTILINE)
    assert failures is not None, text
    assert lags, text
    return int(sum(lags)), int(float(failures.group(1)))


def test_consumer_lag_counts_what_the_group_has_not_applied(event_slice: Slice) -> None:
    settings = portfolio_settings(
        event_slice.portfolio.url.render_as_string(hide_password=False),
        event_slice.kafka,
        event_slice.prefix,
        migrate=False,
    )
    with TestClient(build_app(settings)) as client:
        for n in range(3):
            register(event_slice.sifo, n, event_slice.prefix)
        event_slice.drain_outbox()
        assert _lag(client) == (3, 0), "nothing committed yet: the group starts from the first record"

        consumer = event_slice.consumer()
        run_consumer_until(consumer, lambda: count(event_slice.portfolio, PortfolioFinancier) >= 3, "3 financiers")
        assert _lag(client) == (0, 0)

        for n in range(3, 5):
            register(event_slice.sifo, n, event_slice.prefix)
        event_slice.drain_outbox()
        assert _lag(client) == (2, 0), "a stopped consumer's lag grows with what is published"
