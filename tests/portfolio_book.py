"""The portfolio under test: its API on its own database, and its consumer reading the test's topics.

`catch_up` relays the producers' outboxes to the broker and then runs every record of the
consumed topics through the portfolio's own consumer path (`EventConsumer.process`: handler and
inbox row in one transaction), reading assigned partitions so no consumer-group rebalance is waited for.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from kafka import KafkaConsumer
from kafka.structs import TopicPartition
from sqlalchemy import Engine

from shared.eventbus.consumer import EventConsumer
from shared.platform.auth import Role

from services.portfolio.app import CONSUMER, PortfolioSettings, build_app
from tests.state_aid_register import partitions_of
from tests.support import bearer, drain_outbox, every_item, sends_idempotency_keys, wait_for


@dataclass
class Portfolio:
    app: FastAPI
    client: TestClient
    settings: PortfolioSettings
    engine: Engine
    backoffice: dict[str, str]
    auditor: dict[str, str]
    manager: dict[str, str]
    group: str
    positions: dict[TopicPartition, int] = field(default_factory=dict)

    def ok(self, method: str, url: str, headers: dict[str, str], json: Any = None, status: int = 200) -> Any:
        response = self.client.request(method, url, headers=headers, json=json)
        assert response.status_code == status, response.text
        return response.json()

    def items(self, url: str, headers: dict[str, str]) -> list[Any]:
        """Every item of the list at `url`, all pages."""
        return every_item(self.client, url, headers)

    def consumer(self) -> EventConsumer:
        return EventConsumer(
            engine=self.engine,
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            group_id=self.group,
            topics=[self.settings.topic(name) for name in CONSUMER.topics],
            handlers=CONSUMER.handlers,
            ignored=CONSUMER.ignored,
        )

    def catch_up(self, producers: Sequence[Engine] = ()) -> int:
        """Relay `producers` and the portfolio's own outbox, then apply every record not yet read; returns how many."""
        kafka = self.settings.kafka_bootstrap_servers
        for engine in (*producers, self.engine):
            drain_outbox(engine, kafka)
        consumer = self.consumer()
        reader = KafkaConsumer(bootstrap_servers=kafka, enable_auto_commit=False, auto_offset_reset="earliest")
        read = 0
        try:
            partitions = wait_for(lambda: partitions_of(reader, consumer.topics), 60, "the topics' metadata")
            reader.assign(partitions)
            for partition in partitions:
                reader.seek(partition, self.positions.get(partition, 0))
            ends = reader.end_offsets(partitions)
            deadline = time.monotonic() + 120
            while any(reader.position(partition) < ends[partition] for partition in partitions):
                assert time.monotonic() < deadline, "timed out reading the topics"
                for partition, records in reader.poll(timeout_ms=200).items():
                    for record in records:
                        assert consumer.process(record), f"the portfolio could not apply {record.topic}@{record.offset}"
                        read += 1
                    self.positions[partition] = records[-1].offset + 1
        finally:
            reader.close()
        return read


def start_portfolio(settings: PortfolioSettings, clock: Any) -> tuple[Portfolio, TestClient]:
    app = build_app(settings)
    app.state.clock = clock
    client = sends_idempotency_keys(TestClient(app))
    client.__enter__()
    return (
        Portfolio(
            app=app,
            client=client,
            settings=settings,
            engine=app.state.engine,
            backoffice=bearer(settings, "fien@pmv.example", Role.BACKOFFICE),
            auditor=bearer(settings, "guy@audit.example", Role.AUDITOR),
            manager=bearer(settings, "hanne@pmv.example", Role.FUND_MANAGER),
            group=f"{settings.topic_prefix}portfolio",
        ),
        client,
    )
