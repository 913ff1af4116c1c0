"""Consumer handlers (keep each book event as a fact) and reading the facts back as a folded book.

Handlers run inside the consumer's transaction, next to the inbox row that makes them idempotent,
so they only write rows and never commit. A fact is stored as published; its payload is checked
against its contract first, so a malformed event is dead-lettered and never reaches the book.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlmodel import Session, col

from shared.contracts import loan_servicing as servicing
from shared.contracts.portfolio import ExportReadyV1
from shared.eventbus.consumer import Handler, current_delivery
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.registry import parse_payload, registered
from shared.platform.business_date import as_utc

from services.portfolio.domain.book import LENDER_CONTRACTS, Book, Fact, add_repayment, apply
from services.portfolio.domain.loans import Instrument
from services.portfolio.domain.repayment_log import EPOCH, MODES
from services.portfolio.events import BOOK_TYPES, EXPORT_READY, FINANCIER_RECOGNISED
from services.portfolio.models import PortfolioEvent
from services.portfolio.service.cutoffs import Cutoff, counted, keep_cutoff
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


FETCH_ROWS = 10_000
SORT_MEMORY = "256MB"
"""Working memory of the query gathering repayments per loan, so its sort stays in memory."""


def repayment_types() -> dict[str, Instrument]:
    """Every registered repayment event type, with the lender that publishes it."""
    return {
        name: LENDER_CONTRACTS[model.__module__]
        for name, model in registered().items()
        if issubclass(model, servicing.RepaymentRecorded)
    }


def load_book(session: Session, cutoff: Cutoff | None = None) -> Book:
    """The book folded from every fact read before `cutoff` (all facts when None).

    Repayments, most of a book's facts, go straight into their loans' columns: on PostgreSQL
    gathered per loan by the database from the stored JSON, elsewhere read row by row
    (`add_repayment`). Every other fact is streamed, parsed into its contract model and applied.
    The fold does not depend on the order of facts, so the two can be read apart.
    """
    repayments = repayment_types()
    heard_before = counted(cutoff)
    book = Book()
    together = session.get_bind().dialect.name == "postgresql"
    query = sa.select(
        col(PortfolioEvent.event_type),
        col(PortfolioEvent.event_id),
        col(PortfolioEvent.known_at),
        col(PortfolioEvent.data),
    ).where(heard_before)
    if together:
        query = query.where(col(PortfolioEvent.event_type).not_in(repayments))
    models = registered()
    rows = session.execute(
        query.order_by(col(PortfolioEvent.known_at), col(PortfolioEvent.event_id)).execution_options(
            yield_per=FETCH_ROWS
        )
    )
    for row in rows:
        instrument = repayments.get(row.event_type)
        if instrument is not None:
            add_repayment(book, instrument, json.loads(row.data))
            continue
        payload = models[row.event_type].model_validate_json(row.data)
        apply(
            book, Fact(event_type=row.event_type, event_id=row.event_id, known_at=as_utc(row.known_at), payload=payload)
        )
    if together:
        _repayments_per_loan(session, book, repayments, heard_before)
    return book


def _repayments_per_loan(
    session: Session, book: Book, repayments: dict[str, Instrument], heard_before: sa.ColumnElement[bool]
) -> None:
    """Every counted repayment into its loan's columns, gathered per loan by PostgreSQL from the stored JSON.

    Each payload is parsed once (`json_to_record`), and the rows sorted are narrow, so the
    database does in seconds what a row-by-row read does in minutes. Each loan's repayments come
    in the order the book heard them, as the row-by-row fold adds them.
    """
    fields = sa.func.json_to_record(sa.cast(col(PortfolioEvent.data), sa.JSON)).table_valued(
        sa.column("loan_id", sa.Text),
        sa.column("entry_id", sa.BigInteger),
        sa.column("received_on", sa.Date),
        sa.column("amount", sa.Numeric),
        sa.column("surplus_mode", sa.Text),
        sa.column("outstanding_principal", sa.Numeric),
    )
    payload = fields.render_derived(name="payload", with_types=True)
    heard = (
        sa.select(
            payload.c.loan_id,
            payload.c.entry_id,
            sa.type_coerce(payload.c.received_on - sa.cast(EPOCH.isoformat(), sa.Date), sa.Integer).label("day"),
            sa.cast(payload.c.amount * 100, sa.BigInteger).label("cents"),
            sa.case(
                {name: code for code, name in enumerate(MODES) if name is not None},
                value=payload.c.surplus_mode,
                else_=MODES.index(None),
            ).label("mode"),
            sa.cast(payload.c.outstanding_principal * 100, sa.BigInteger).label("reported_cents"),
            col(PortfolioEvent.event_type).label("event_type"),
            col(PortfolioEvent.known_at).label("known_at"),
            col(PortfolioEvent.event_id).label("event_id"),
        )
        .select_from(PortfolioEvent)
        .join(payload, sa.true())
        .where(col(PortfolioEvent.event_type).in_(repayments), heard_before)
        .subquery()
    )

    def in_order(value: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        return sa.func.array_agg(aggregate_order_by(value, heard.c.known_at, heard.c.event_id))

    query = sa.select(
        heard.c.loan_id,
        in_order(heard.c.event_type).label("event_types"),
        in_order(heard.c.entry_id).label("entry_ids"),
        in_order(heard.c.day).label("days"),
        in_order(heard.c.cents).label("cents"),
        in_order(heard.c.mode).label("modes"),
        in_order(heard.c.reported_cents).label("reported_cents"),
    ).group_by(heard.c.loan_id)
    session.execute(sa.text(f"SET LOCAL work_mem = '{SORT_MEMORY}'"))
    for row in session.execute(query.execution_options(yield_per=1000)):
        file = book.loan(row.loan_id, repayments[row.event_types[0]])
        file.repayments.extend(row.entry_ids, row.days, row.cents, row.modes, row.reported_cents)
