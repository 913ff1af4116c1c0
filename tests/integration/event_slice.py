"""An in-process slice for integration tests: SIFO database + relay -> Kafka -> portfolio consumer."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from kafka import KafkaConsumer
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from shared.contracts.topics import SIFO_EVENTS
from shared.eventbus.consumer import EventConsumer
from shared.eventbus.relay import OutboxRelay
from shared.eventbus.tables import OutboxMessage
from shared.platform.auth import Principal, Role
from shared.platform.database import transaction

from services.portfolio.app import CONSUMER
from services.sifo.domain.financiers import FinancierRegistration, RecognitionPeriod
from services.sifo.service.context import Command
from services.sifo.service.financiers import register_financier
from tests.support import enterprise_number, wait_for


@dataclass
class Slice:
    sifo: Engine
    portfolio: Engine
    relay: OutboxRelay
    kafka: str
    prefix: str

    def consumer(self, group: str = "portfolio") -> EventConsumer:
        return EventConsumer(
            engine=self.portfolio,
            bootstrap_servers=self.kafka,
            group_id=f"{self.prefix}{group}",
            topics=[f"{self.prefix}{name}" for name in CONSUMER.topics],
            handlers=CONSUMER.handlers,
            poll_timeout_ms=200,
        )

    def drain_outbox(self) -> None:
        wait_for(lambda: self.relay.publish_batch() == 0 and self.pending() == 0, 60, "the outbox to drain")

    def pending(self) -> int:
        with Session(self.sifo) as session:
            return len(session.exec(select(OutboxMessage).where(col(OutboxMessage.published_at).is_(None))).all())


def register(engine: Engine, n: int, prefix: str) -> str:
    registration = FinancierRegistration(
        enterprise_number=enterprise_number(n),
        name=f"Financier {n}",
        iban="BE68539007547034",
        recognition=RecognitionPeriod(date(2026, 1, 1)),
    )
    with transaction(engine) as session:
        return register_financier(fund_manager_command(session, prefix), registration).id


def run_consumer_until(consumer: EventConsumer, condition: Callable[[], bool], what: str) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_for(condition, 60, what)
    finally:
        stop.set()
        thread.join(timeout=30)


def topic_messages(kafka: str, topic: str, expected: int) -> list[bytes]:
    reader = KafkaConsumer(
        topic,
        bootstrap_servers=kafka,
        group_id=f"reader-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=3000,
    )
    try:
        values: list[bytes] = []
        for record in reader:
            values.append(record.value)
        return values
    finally:
        reader.close()


def fund_manager_command(session: Session, prefix: str) -> Command:
    """A command as a fund manager would send it, publishing on the test's own topics."""
    return Command(
        session=session, principal=Principal("tester", frozenset({Role.FUND_MANAGER})), topic=prefix + SIFO_EVENTS
    )
