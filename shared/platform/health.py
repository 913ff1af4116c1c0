"""Liveness and readiness: `/healthz` says the process runs, `/readyz` that its dependencies answer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from kafka import KafkaAdminClient
from sqlalchemy import Engine

from shared.platform.database import database_reachable

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReadinessCheck:
    name: str
    probe: Callable[[], None]


def database_check(engine: Engine) -> ReadinessCheck:
    return ReadinessCheck("database", lambda: database_reachable(engine))


def kafka_reachable(bootstrap_servers: str, timeout_ms: int = 3000) -> None:
    """Raise unless the Kafka cluster answers a metadata request with at least one broker."""
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap_servers,
        request_timeout_ms=timeout_ms,
        bootstrap_timeout_ms=timeout_ms,  # else an unreachable broker holds the probe for 30 s
        client_id="readiness-probe",
    )
    try:
        cluster = admin.describe_cluster()
        if not cluster.get("brokers"):
            raise RuntimeError("no broker in the cluster metadata")
    finally:
        admin.close()


def kafka_check(bootstrap_servers: str) -> ReadinessCheck:
    return ReadinessCheck("kafka", lambda: kafka_reachable(bootstrap_servers))


def run_checks(checks: list[ReadinessCheck]) -> dict[str, str]:
    results: dict[str, str] = {}
    for check in checks:
        try:
            check.probe()
            results[check.name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready", reported by name
            logger.warning("readiness check %s failed: %s", check.name, exc)
            results[check.name] = f"failed: {type(exc).__name__}: {exc}"
    return results
