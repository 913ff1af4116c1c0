"""A consumer killed between its database commit and its offset commit does not apply twice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shared.contracts.topics import SIFO_EVENTS
from shared.eventbus.tables import InboxRecord

from services.portfolio.models import PortfolioFinancier
from tests.integration.crashing_consumer import CRASH_STATUS
from tests.integration.event_slice import Slice, register, run_consumer_until
from tests.support import count

pytestmark = pytest.mark.integration


def test_redelivered_event_after_crash_is_a_no_op(event_slice: Slice, repository_root: Path) -> None:
    financier_id = register(event_slice.sifo, 1, event_slice.prefix)
    event_slice.drain_outbox()

    crashed = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.integration.crashing_consumer",
            event_slice.portfolio.url.render_as_string(hide_password=False),
            event_slice.kafka,
            f"{event_slice.prefix}portfolio",
            f"{event_slice.prefix}{SIFO_EVENTS}",
        ],
        cwd=repository_root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert crashed.returncode == CRASH_STATUS, crashed.stderr[-3000:]
    assert "applied=1" in crashed.stdout
    assert count(event_slice.portfolio, PortfolioFinancier) == 1

    survivor = event_slice.consumer()
    run_consumer_until(survivor, lambda: survivor.duplicates >= 1, "the redelivered event")
    assert survivor.applied == 0
    assert count(event_slice.portfolio, PortfolioFinancier) == 1
    assert count(event_slice.portfolio, InboxRecord) == 1
    assert financier_id
