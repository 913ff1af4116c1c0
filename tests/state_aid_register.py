"""The state-aid register as the lenders meet it in tests: a real uvicorn server on its own database.

`ThreadedServer` serves the register's app on a free local port in a thread; the lenders' settings
point at its URL, so every approval goes over real HTTP. `BusinessClock` is one clock for the
register and the lenders of a test: approvals are dated by the server, so a test that needs a
given business date sets it here once for every service.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from fastapi import FastAPI
from kafka import KafkaConsumer
from kafka.structs import TopicPartition
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from deploy.in_process import BusinessClock, ThreadedServer
from shared.contracts.topics import STATE_AID_EVENTS
from shared.eventbus.consumer import EventConsumer
from shared.eventbus.tables import InboxRecord, OutboxMessage
from shared.platform.auth import Role
from shared.platform.settings import ServiceSettings

from services.state_aid.app import CONSUMED_TOPICS, CONSUMER, CONSUMER_GROUP, StateAidSettings, build_app
from services.state_aid.models import StateAidMeasure
from services.state_aid.service.outcomes import outcome_handlers
from tests.support import bearer, drain_outbox, wait_for


@dataclass
class StateAid:
    app: FastAPI
    server: ThreadedServer
    settings: StateAidSettings
    engine: Engine
    clock: BusinessClock
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def backoffice(self) -> dict[str, str]:
        return self.headers["backoffice"]

    @property
    def auditor(self) -> dict[str, str]:
        return self.headers["auditor"]

    @property
    def service(self) -> dict[str, str]:
        return self.headers["service"]


def start_register(settings: StateAidSettings, clock: BusinessClock) -> StateAid:
    app = build_app(settings)
    app.state.clock = clock
    server = ThreadedServer(app)
    server.start()
    return StateAid(
        app=app,
        server=server,
        settings=settings,
        engine=app.state.engine,
        clock=clock,
        headers={
            "backoffice": bearer(settings, "dana@pmv.example", Role.BACKOFFICE),
            "auditor": bearer(settings, "erik@audit.example", Role.AUDITOR),
            "service": bearer(settings, "service:test", Role.SERVICE),
        },
    )


def stop_register(register: StateAid) -> None:
    register.server.stop()
    register.engine.dispose()


def measures_of(register: StateAid, source_reference: str) -> list[StateAidMeasure]:
    """The register's measures for one loan or application, in the order they were made."""
    with Session(register.engine) as session:
        return list(
            session.exec(
                select(StateAidMeasure)
                .where(StateAidMeasure.source_reference == source_reference)
                .order_by(col(StateAidMeasure.created_at))
            ).all()
        )


def deliver_outcomes(register: StateAid, lenders: Sequence[Engine], kafka: str, prefix: str) -> None:
    """Relay the lenders' outboxes to Kafka and run the register's consumer until it applied every aid outcome."""
    outcome_types = set(outcome_handlers(lambda: "").keys())
    expected = 0
    for engine in lenders:
        drain_outbox(engine, kafka)
        with Session(engine) as session:
            expected += len(
                session.exec(select(OutboxMessage).where(col(OutboxMessage.event_type).in_(outcome_types))).all()
            )

    def applied() -> bool:
        with Session(register.engine) as session:
            rows = session.exec(select(InboxRecord).where(col(InboxRecord.event_type).in_(outcome_types))).all()
        return len(rows) >= expected

    consumer = EventConsumer(
        engine=register.engine,
        bootstrap_servers=kafka,
        group_id=f"{prefix}{CONSUMER_GROUP}",
        topics=[f"{prefix}{name}" for name in CONSUMED_TOPICS],
        handlers=outcome_handlers(lambda: f"{prefix}{STATE_AID_EVENTS}"),
        ignored=CONSUMER.ignored,
    )
    # The records go through the consumer's own apply path (handler + inbox row in one transaction);
    # reading them from assigned partitions avoids waiting for a consumer-group rebalance.
    reader = KafkaConsumer(bootstrap_servers=kafka, enable_auto_commit=False, auto_offset_reset="earliest")
    try:
        partitions = wait_for(lambda: partitions_of(reader, consumer.topics), 60, "the lenders' topics' metadata")
        reader.assign(partitions)
        reader.seek_to_beginning()
        deadline = time.monotonic() + 60
        while not applied():
            assert time.monotonic() < deadline, "timed out waiting for the register to apply the lenders' aid outcomes"
            for records in reader.poll(timeout_ms=200).values():
                for record in records:
                    assert consumer.process(record), f"the register could not apply {record.topic}@{record.offset}"
    finally:
        reader.close()


def partitions_of(reader: KafkaConsumer, topics: Sequence[str]) -> list[TopicPartition]:
    """Every partition of `topics`, or none while the broker has not described one of them yet."""
    found: list[TopicPartition] = []
    for topic in topics:
        numbers = reader.partitions_for_topic(topic)
        if not numbers:
            return []
        found.extend(TopicPartition(topic, number) for number in sorted(numbers))
    return found


class ServedByTheRegister:
    """What a lender's test fixture (SIFO, energy) does with the register it shares."""

    register: StateAid
    engine: Engine
    settings: ServiceSettings

    def on(self, day: str) -> None:
        """Make `day` today's business date for this service and the state-aid register."""
        self.register.clock.set_day(day)

    def deliver_aid(self) -> None:
        """Let the register apply this service's aid outcomes, through Kafka."""
        settings = self.settings
        deliver_outcomes(self.register, [self.engine], settings.kafka_bootstrap_servers, settings.topic_prefix)
