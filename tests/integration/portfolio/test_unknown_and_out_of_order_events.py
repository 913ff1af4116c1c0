"""Events the book cannot use yet are parked, never marked processed, and replayed after an upgrade;
duplicates and events out of order change nothing. Real PostgreSQL, real broker, the consumer's own path."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from kafka import KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord
from sqlmodel import Session, select

from shared.contracts.topics import SIFO_EVENTS
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.service_commands import ConsumerSpec
from shared.eventbus.tables import DeadLetter, InboxRecord

from services.portfolio.app import CONSUMER
from services.portfolio.models import PortfolioFinancier
from tests.integration.live import published
from tests.integration.sifo.conftest import Sifo, loan_body
from tests.portfolio_book import Portfolio, start_portfolio
from tests.support import count, enterprise_number, portfolio_settings

pytestmark = pytest.mark.integration


def produce(portfolio: Portfolio, topic: str, envelope: EventEnvelope) -> None:
    producer = KafkaProducer(bootstrap_servers=portfolio.settings.kafka_bootstrap_servers)
    try:
        producer.send(portfolio.settings.topic(topic), key=envelope.subject.encode(), value=envelope.to_bytes()).get(30)
    finally:
        producer.close()


def recognised_v2(financier_id: str) -> EventEnvelope:
    """A financier event of a version this build has no handler for (an upgraded SIFO would publish it)."""
    return EventEnvelope(
        source="/services/sifo",
        type="sifo.financier.recognised.v2",
        subject=financier_id,
        data={
            "financier_id": financier_id,
            "enterprise_number": "0403170701",
            "legal_name": "Hefboom cvba",
            "iban": "BE68539007547034",
            "recognised_from": "2026-01-01",
            "recognised_until": None,
        },
    )


def apply_recognised_v2(session: Session, envelope: EventEnvelope) -> None:
    """The handler an upgraded portfolio brings for v2 (`name` became `legal_name`)."""
    data = envelope.data
    session.add(
        PortfolioFinancier(
            financier_id=data["financier_id"],
            enterprise_number=data["enterprise_number"],
            name=data["legal_name"],
            recognised_from=date.fromisoformat(data["recognised_from"]),
            source_event_id=envelope.id,
            source_event_time=envelope.time,
        )
    )


def test_a_v2_without_handler_is_parked_then_replayed_once_a_handler_exists(portfolio: Portfolio) -> None:
    event = recognised_v2("9b1f3c55-8f7e-4a53-9d38-1b2f0e6a7c10")
    produce(portfolio, SIFO_EVENTS, event)
    assert portfolio.catch_up() == 1

    assert count(portfolio.engine, InboxRecord) == 0, "an event without handler must not be marked processed"
    [parked] = portfolio.items("/admin/parked-events", portfolio.backoffice)
    assert (parked["event_id"], parked["event_type"]) == (event.id, "sifo.financier.recognised.v2")
    assert "no handler for event type sifo.financier.recognised.v2" in parked["error"]

    nothing_new = portfolio.ok("POST", "/admin/parked-events/replay", portfolio.backoffice, {})
    assert nothing_new["applied"] == []
    assert list(nothing_new["still_parked"]) == [str(parked["id"])]
    assert portfolio.client.get("/admin/parked-events", headers=portfolio.auditor).status_code == 403

    # The upgrade: a handler for v2 is deployed, and the parked event is replayed through it.
    upgraded = ConsumerSpec(
        group_id=CONSUMER.group_id,
        topics=CONSUMER.topics,
        handlers={**CONSUMER.handlers, "sifo.financier.recognised.v2": apply_recognised_v2},
        ignored=CONSUMER.ignored,
    )
    portfolio.app.state.consumer = upgraded
    replayed = portfolio.ok("POST", "/admin/parked-events/replay", portfolio.backoffice, {"ids": [parked["id"]]})
    assert replayed == {"applied": [parked["id"]], "already_applied": [], "still_parked": {}}
    assert portfolio.items("/admin/parked-events", portfolio.backoffice) == []
    [financier] = portfolio.items("/financiers", portfolio.manager)
    assert financier["name"] == "Hefboom cvba"

    again = portfolio.ok("POST", "/admin/parked-events/replay", portfolio.backoffice, {"ids": [parked["id"]]})
    assert again == {"applied": [], "already_applied": [], "still_parked": {}}
    # The same event delivered once more (a redelivery) is a duplicate: no second row, no new parking.
    produce(portfolio, SIFO_EVENTS, event)
    portfolio.catch_up()
    assert count(portfolio.engine, PortfolioFinancier) == 1
    with Session(portfolio.engine) as session:
        letters = session.exec(select(DeadLetter)).all()
    assert [letter.replayed_at is not None for letter in letters] == [True]


def records(envelopes: list[EventEnvelope], topic: str) -> list[ConsumerRecord]:
    return [
        ConsumerRecord(
            topic=topic,
            partition=0,
            leader_epoch=-1,
            offset=offset,
            timestamp=0,
            timestamp_type=0,
            key=envelope.subject.encode(),
            value=envelope.to_bytes(),
            headers=[],
            checksum=None,
            serialized_key_size=-1,
            serialized_value_size=-1,
            serialized_header_size=-1,
        )
        for offset, envelope in enumerate(envelopes)
    ]


def positions(portfolio: Portfolio, day: str) -> Any:
    return portfolio.items(f"/positions?on={day}", portfolio.manager)


def test_duplicates_and_events_out_of_order_change_nothing(
    sifo: Sifo, portfolio: Portfolio, migrated_database: Callable[[str], str]
) -> None:
    sifo.on("2026-02-02")
    financier = sifo.financier(recognised_from="2025-01-01")
    sifo.drawing_right(financier["id"])
    body = loan_body(
        financier["id"],
        borrower={"enterprise_number": enterprise_number(40), "name": "Atelier vzw", "target_group_vte": "5.00"},
    )
    body.update(terms={"start_date": "2026-03-01", "periods": 60}, submitted_on="2026-02-02")
    loan = sifo.ok("POST", "/loans", sifo.manager, body, 201)
    sifo.ok("POST", f"/loans/{loan['id']}/approval", sifo.approver, {})
    sifo.on("2026-03-01")
    decision = sifo.ok(
        "POST", f"/loans/{loan['id']}/disbursement", sifo.backoffice, {"disbursed_on": "2026-03-01"}, 201
    )
    sifo.ok("POST", f"/decisions/{decision['id']}/approval", sifo.approver)
    schedule = sifo.ok("GET", f"/loans/{loan['id']}/position?as_of=2026-03-01", sifo.manager)["schedule"]
    for row in schedule[:2]:
        sifo.on(row["due_date"])
        sifo.ok(
            "POST",
            f"/loans/{loan['id']}/repayments",
            sifo.backoffice,
            {"received_on": row["due_date"], "amount": row["payment"]},
            201,
        )
    sifo.on("2026-05-20")
    sifo.ok(
        "POST",
        f"/loans/{loan['id']}/prepayments",
        sifo.backoffice,
        {"received_on": "2026-05-20", "amount": "10000.00", "mode": "reduce_term"},
        201,
    )

    portfolio.catch_up([sifo.engine])
    in_order = positions(portfolio, "2026-08-31")
    lender = sifo.ok("GET", f"/loans/{loan['id']}/position?as_of=2026-08-31", sifo.manager)["position"]
    [line] = in_order
    assert (line["outstanding_principal"], line["arrears"]["total"]) == (
        lender["outstanding_principal"],
        lender["total_arrears"],
    )

    # Every event again (a producer that resent its outbox): nothing changes.
    envelopes = published(sifo.engine, sifo.settings.kafka_bootstrap_servers, sifo.settings.topic(SIFO_EVENTS))
    for envelope in envelopes:
        produce(portfolio, SIFO_EVENTS, envelope)
    assert portfolio.catch_up() == len(envelopes)
    assert positions(portfolio, "2026-08-31") == in_order

    # The same events in reverse order into an empty book: the repayments arrive before their loan.
    reversed_book, client = start_portfolio(
        portfolio_settings(migrated_database("portfolio"), migrate=False), portfolio.app.state.clock
    )
    try:
        consumer = reversed_book.consumer()
        backwards = list(reversed(envelopes))
        repayments = [envelope for envelope in backwards if envelope.type.startswith("sifo.loan.repayment_recorded")]
        before_payout = backwards[: backwards.index(next(e for e in backwards if e.type == "sifo.loan.disbursed.v2"))]
        for record in records(before_payout, "sifo.events"):
            assert consumer.process(record)
        assert repayments
        assert all(envelope in before_payout for envelope in repayments)
        assert positions(reversed_book, "2026-08-31") == [], "a loan whose payout has not arrived waits"
        for record in records(backwards, "sifo.events"):
            assert consumer.process(record)
        assert positions(reversed_book, "2026-08-31") == in_order
    finally:
        client.__exit__(None, None, None)
        reversed_book.engine.dispose()
