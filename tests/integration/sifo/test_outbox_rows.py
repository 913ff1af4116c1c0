"""Outbox rows in PostgreSQL: inserted at once or at the flush, a transaction's events keep their order and its fate."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from shared.eventbus import outbox
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.tables import OutboxMessage
from shared.platform.database import transaction

from tests.integration.sifo.conftest import Sifo

pytestmark = pytest.mark.integration

TOPIC = "outbox-rows-test"


def event(name: str) -> EventEnvelope:
    return EventEnvelope(source="/tests", subject="loan-o", type="sifo.test.outbox.v1", data={"name": name})


def staged(sifo: Sifo) -> list[str]:
    with Session(sifo.engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.topic == TOPIC).order_by(col(OutboxMessage.seq)))
        return [EventEnvelope.model_validate_json(row.envelope).data["name"] for row in rows]


def test_events_inserted_at_once_or_at_the_flush_leave_in_the_order_they_were_published(sifo: Sifo) -> None:
    with transaction(sifo.engine) as session:
        outbox.append(session, TOPIC, event("first"))
        outbox.append(session, TOPIC, event("second"))
        outbox.append_now(session, TOPIC, event("third"))
        outbox.append(session, TOPIC, event("fourth"))
        outbox.append_now(session, TOPIC, event("fifth"))
    assert staged(sifo) == ["first", "second", "third", "fourth", "fifth"]


def test_an_event_inserted_at_once_goes_with_its_savepoint_or_transaction(sifo: Sifo) -> None:
    with Session(sifo.engine) as session:
        outbox.append_now(session, TOPIC, event("rolled back"))
        session.rollback()
    with transaction(sifo.engine) as session:
        with session.begin_nested() as savepoint:
            outbox.append_now(session, TOPIC, event("refused line"))
            savepoint.rollback()
        outbox.append_now(session, TOPIC, event("kept"))
    assert staged(sifo) == ["kept"]
