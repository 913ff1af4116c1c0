"""The thin slice as separate processes: SIFO API -> outbox -> relay -> Kafka -> portfolio consumer -> API."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from pydantic import SecretStr

from shared.platform.auth import Role, issue_token
from shared.platform.settings import SERVICE_AUDIENCES, ServiceSettings

from tests.e2e.conftest import Stack
from tests.e2e.processes import ServiceProcess, running, wait_http
from tests.support import TEST_SECRET, VALID_FINANCIER, wait_for

pytestmark = pytest.mark.e2e

TOKEN_SETTINGS = ServiceSettings(jwt_secret=SecretStr(TEST_SECRET))


def test_a_registered_financier_reaches_the_portfolio_book(
    stack_factory: Callable[[str], Stack], kafka_bootstrap: str
) -> None:
    stack = stack_factory(kafka_bootstrap)
    with running(
        ServiceProcess("services.sifo", "api", stack.sifo_env, stack.logs),
        ServiceProcess("services.sifo", "relay", stack.sifo_env, stack.logs),
        ServiceProcess("services.portfolio", "consume", stack.portfolio_env, stack.logs),
        ServiceProcess("services.portfolio", "api", stack.portfolio_env, stack.logs),
    ) as (sifo_api, _relay, _consumer, portfolio_api):
        wait_http(stack.sifo_url, sifo_api)
        wait_http(stack.portfolio_url, portfolio_api)
        manager = {
            "Authorization": "Bearer "
            + issue_token(TOKEN_SETTINGS, "alice", [Role.FUND_MANAGER], audience=SERVICE_AUDIENCES)
        }
        auditor = {
            "Authorization": "Bearer " + issue_token(TOKEN_SETTINGS, "bob", [Role.AUDITOR], audience=SERVICE_AUDIENCES)
        }

        created = httpx.post(
            f"{stack.sifo_url}/financiers",
            json=VALID_FINANCIER,
            headers={**manager, "Idempotency-Key": "slice-financier"},
            timeout=10,
        )
        assert created.status_code == 201, created.text
        financier_id = created.json()["id"]

        def in_book() -> list[dict[str, object]]:
            rows = httpx.get(f"{stack.portfolio_url}/financiers", headers=auditor, timeout=10).json()["items"]
            return [row for row in rows if row["financier_id"] == financier_id]

        [entry] = wait_for(in_book, 60, "the financier in the portfolio book")
        assert entry["enterprise_number"] == "0403170701"
        assert entry["name"] == "Hefboom cvba"
        assert entry["recognised_until"] == "2030-12-31"
        assert httpx.get(f"{stack.sifo_url}/readyz", timeout=10).status_code == 200
