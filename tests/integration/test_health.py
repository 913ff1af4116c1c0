"""Liveness and readiness against the real database and broker."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from services.portfolio.app import build_app as build_portfolio
from services.sifo.app import build_app as build_sifo
from tests.support import portfolio_settings, sifo_settings

pytestmark = pytest.mark.integration


def test_ready_when_database_and_kafka_answer(migrated_database: Callable[[str], str], kafka_bootstrap: str) -> None:
    for app in (
        build_sifo(sifo_settings(migrated_database("sifo"), kafka_bootstrap, migrate=False)),
        build_portfolio(portfolio_settings(migrated_database("portfolio"), kafka_bootstrap, migrate=False)),
    ):
        with TestClient(app) as client:
            assert client.get("/healthz").json()["status"] == "ok"
            ready = client.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"] == {"database": "ok", "kafka": "ok"}
            assert ready.headers["x-request-id"]


def test_not_ready_when_kafka_is_unreachable(migrated_database: Callable[[str], str]) -> None:
    with TestClient(build_sifo(sifo_settings(migrated_database("sifo"), "127.0.0.1:1", migrate=False))) as client:
        ready = client.get("/readyz", headers={"X-Request-ID": "probe-42"})
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] == "ok"
        assert ready.json()["checks"]["kafka"].startswith("failed")
        assert ready.headers["x-request-id"] == "probe-42"
