"""Topic creation: one topic per producing service, kept forever so the portfolio can rebuild.

Brokers run with ``auto.create.topics.enable=false``; every process that produces or consumes
calls `ensure_topics` at start-up, which is harmless when the topics exist.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from kafka import KafkaAdminClient
from kafka.errors import TopicAlreadyExistsError


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int = 6
    replication_factor: int = 1
    configs: dict[str, str] = field(
        default_factory=lambda: {
            "retention.ms": "-1",
            "cleanup.policy": "delete",
            "min.insync.replicas": "1",
        }
    )


def ensure_topics(bootstrap_servers: str, specs: Iterable[TopicSpec], timeout_ms: int = 30_000) -> list[str]:
    """Create the missing topics and wait until each has a leader; return the names created."""
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap_servers, request_timeout_ms=timeout_ms, client_id="topic-admin"
    )
    try:
        existing = set(admin.list_topics())
        missing = {spec.name: spec for spec in specs if spec.name not in existing}
        if not missing:
            return []
        request = {
            name: {
                "num_partitions": spec.partitions,
                "replication_factor": spec.replication_factor,
                "configs": spec.configs,
            }
            for name, spec in missing.items()
        }
        with contextlib.suppress(TopicAlreadyExistsError):
            admin.create_topics(request, timeout_ms=timeout_ms, wait_for_metadata=True)
        return sorted(missing)
    finally:
        admin.close()
