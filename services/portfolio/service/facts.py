"""Consumer handlers (keep each book event as a fact) and reading the facts back as a folded book.

Handlers run inside the consumer's transaction, next to the inbox row that makes them idempotent,
so they only write rows and never commit. A fact is stored as published; its payload is checked
against its contract first, so a malformed event is dead-lettered and never reaches the book.
"""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from shared.contracts.portfolio import ExportReadyV1
from shared.eventbus.consumer import Handler, current_delivery
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.registry import parse_payload, registered
from shared.platform.business_date import as_utc

from services.portfolio.domain.book import Book, Fact, fold
from services.portfolio.events import BOOK_TYPES, EXPORT_READY, FINANCIER_RECOGNISED
from services.portfolio.models import PortfolioEvent
from services.portfolio.service.cutoffs import Cutoff, counts, keep_cutoff
from services.portfolio.service.financiers import apply_financier_recognised


def keep_fact(session: Session, envelope: EventEnvelope) -> None:
    parse_payload(envelope, BOOK_TYPES[envelope.type])
    if session.get(PortfolioEvent, envelope.id) is not None:
        return
    delivery = current_delivery()
    session.add(
        PortfolioEvent(
            event_id=envelope.id,
            event_type=envelope.type,
            subject=envelope.subject,
            known_at=as_utc(envelope.time),
            topic=delivery.topic,
            partition=delivery.partition,
            offset=delivery.offset,
            data=json.dumps(envelope.data, sort_keys=True),
        )
    )


def apply_export_ready(session: Session, envelope: EventEnvelope) -> None:
    """The first export of a quarter fixed its cut-off; a replay restores it from this event."""
    payload = parse_payload(envelope, ExportReadyV1)
    keep_cutoff(session, payload.quarter, payload.cut_off_fixed_at, payload.cut_off)


def keep_financier(session: Session, envelope: EventEnvelope) -> None:
    keep_fact(session, envelope)
    apply_financier_recognised(session, envelope)


def handlers() -> dict[str, Handler]:
    """A handler for every book type, and the export cut-offs."""
    table: dict[str, Handler] = dict.fromkeys(BOOK_TYPES, keep_fact)
    table[FINANCIER_RECOGNISED] = keep_financier
    table[EXPORT_READY] = apply_export_ready
    return table


def load_book(session: Session, cutoff: Cutoff | None = None) -> Book:
    """The book folded from every fact read before `cutoff` (all facts when None)."""
    rows = session.exec(
        select(PortfolioEvent).order_by(col(PortfolioEvent.known_at), col(PortfolioEvent.event_id))
    ).all()
    models = registered()
    return fold(
        Fact(
            event_type=row.event_type,
            event_id=row.event_id,
            known_at=as_utc(row.known_at),
            payload=models[row.event_type].model_validate_json(row.data),
        )
        for row in rows
        if counts(cutoff, row)
    )
