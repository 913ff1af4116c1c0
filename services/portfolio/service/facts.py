"""Consumer handlers (keep each book event as a fact) and reading the facts back as a folded book.

Handlers run inside the consumer's transaction, next to the inbox row that makes them idempotent,
so they only write rows and never commit. A fact is stored as published; its payload is checked
against its contract first, so a malformed event is dead-lettered and never reaches the book.
"""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import groupby
from typing import Any, cast

import numpy as np
import psycopg
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col

from shared.amortisation.money import to_cents
from shared.contracts import loan_servicing as servicing
from shared.contracts.portfolio import ExportReadyV1
from shared.eventbus.consumer import Handler, current_delivery
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.registry import parse_payload, registered
from shared.platform.business_date import as_utc
from shared.platform.process_memory import release_free_memory

from services.portfolio.domain.book import LENDER_CONTRACTS, Book, Fact, apply
from services.portfolio.domain.loans import Instrument
from services.portfolio.domain.repayment_log import EPOCH, EPOCH_ORDINAL, MODES
from services.portfolio.events import BOOK_TYPES, EXPORT_READY, FINANCIER_RECOGNISED
from services.portfolio.models import PortfolioEvent, PortfolioRepayment
from services.portfolio.service.cutoffs import Cutoff, counted, keep_cutoff, read_so_far
from services.portfolio.service.financiers import apply_financier_recognised


def keep_fact(session: Session, envelope: EventEnvelope) -> None:
    payload = parse_payload(envelope, BOOK_TYPES[envelope.type])
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
    if isinstance(payload, servicing.RepaymentRecorded):
        mode = payload.surplus_mode if isinstance(payload, servicing.RepaymentRecordedWithMode) else None
        session.execute(
            sa.insert(PortfolioRepayment).values(
                event_id=envelope.id,
                event_type=envelope.type,
                loan_id=payload.loan_id,
                entry_id=payload.entry_id,
                received_on=payload.received_on,
                cents=to_cents(payload.amount),
                surplus_mode=MODES.index(mode),
                reported_cents=to_cents(payload.outstanding_principal),
                known_at=as_utc(envelope.time),
                topic=delivery.topic,
                partition=delivery.partition,
                offset=delivery.offset,
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


def load_book(session: Session, cutoff: Cutoff | None = None, *, fetch_alongside: bool = False) -> Book:
    """The book folded from every fact read before `cutoff` (all facts when None).

    Repayments, most of a book's facts, are read from their columns (`PortfolioRepayment`) straight
    into their loans' logs; every other fact is streamed, parsed into its contract model and
    applied. The fold does not depend on the order of facts, so the two are read apart.

    With `fetch_alongside` the repayments are read at the same time, on a second connection
    (`_packed_alongside`): for the one large read of an export job, not for requests, where many
    at once holding one connection each and waiting for a second could empty the pool.
    """
    repayments = repayment_types()
    if cutoff is None:
        # The book as read so far, fixed once: the statements below then see the same facts even
        # while the consumer goes on writing.
        cutoff = read_so_far(session)
    heard_before = counted(cutoff, PortfolioRepayment)
    query = _packed_query(repayments, heard_before)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="portfolio-repayments") as pool:
        packed = _packed_alongside(session, pool, query) if fetch_alongside else None
        book = Book()
        _fold_other_facts(session, book, counted(cutoff, PortfolioEvent), repayments)
        if packed is not None:
            rows = packed.result()
            del packed  # the future holds the rows too
            _into_logs(book, repayments, rows)
            del rows
            # The rows were received on the fetching thread, into that thread's allocator arena.
            release_free_memory()
        elif session.get_bind().dialect.name == "postgresql":
            _into_logs(book, repayments, _fetch_packed(session.connection(), query))
        else:
            _repayments_row_by_row(session, book, repayments, heard_before)
    return book


def _fold_other_facts(
    session: Session, book: Book, heard_before: sa.ColumnElement[bool], repayments: dict[str, Instrument]
) -> None:
    """Every counted fact but the repayments, parsed into its contract model and applied, in the order heard."""
    query = (
        sa.select(
            col(PortfolioEvent.event_type),
            col(PortfolioEvent.event_id),
            col(PortfolioEvent.known_at),
            col(PortfolioEvent.data),
        )
        .where(heard_before, col(PortfolioEvent.event_type).not_in(repayments))
        .order_by(col(PortfolioEvent.known_at), col(PortfolioEvent.event_id))
    )
    models = registered()
    for row in session.execute(query.execution_options(yield_per=FETCH_ROWS)):
        payload = models[row.event_type].model_validate_json(row.data)
        apply(
            book, Fact(event_type=row.event_type, event_id=row.event_id, known_at=as_utc(row.known_at), payload=payload)
        )


REPAYMENT_COLUMNS = (
    col(PortfolioRepayment.entry_id),
    col(PortfolioRepayment.received_on),
    col(PortfolioRepayment.cents),
    col(PortfolioRepayment.surplus_mode),
    col(PortfolioRepayment.reported_cents),
)
"""A repayment's columns in the order `RepaymentLog.extend` takes them (it takes the day as days since 1970-01-01)."""
PACKED_REPAYMENT = np.dtype([(f"f{index}", ">i8") for index in range(len(REPAYMENT_COLUMNS))])
"""Those numbers as PostgreSQL packs them: 8-byte big-endian integers, one after the other."""


def _postgresql(expression: sa.ColumnElement[Any]) -> str:
    """An expression as PostgreSQL SQL, its values written in (they are the table's own and integers)."""
    return str(
        expression.compile(
            dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
            compile_kwargs={"literal_binds": True},
        )
    )


PackedRepayments = list[tuple[str, str, bytes]]
"""Per loan: its id, its repayments' event type and the repayments packed (`PACKED_REPAYMENT`)."""


def _packed_query(repayments: dict[str, Instrument], heard_before: sa.ColumnElement[bool]) -> str:
    """One row per loan, its counted repayments packed by PostgreSQL in the order the book heard them.

    The database packs each repayment into five 8-byte big-endian integers (`int8send`) and a
    loan's repayments into one string; numpy reads all loans' strings at once. Integer arrays, or
    a row per repayment, through the driver took seconds per million.
    """
    condition = _postgresql(sa.and_(col(PortfolioRepayment.event_type).in_(repayments), heard_before))
    days = col(PortfolioRepayment.received_on) - sa.literal(EPOCH, sa.Date)
    numbers = (days if column is col(PortfolioRepayment.received_on) else column for column in REPAYMENT_COLUMNS)
    record = " || ".join(f"int8send({_postgresql(sa.cast(number, sa.BigInteger))})" for number in numbers)
    return (
        f"SELECT loan_id, min(event_type), string_agg({record}, ''::bytea ORDER BY known_at, event_id) "  # noqa: S608
        f"FROM portfolio_repayment WHERE {condition} GROUP BY loan_id"
    )


def _fetch_packed(connection: sa.Connection, query: str) -> PackedRepayments:
    """The packed rows of `query`, in binary: the strings arrive as they are, not hex-encoded text twice their size."""
    connection.execute(sa.text(f"SET LOCAL work_mem = '{SORT_MEMORY}'"))
    driver = cast(psycopg.Connection[Any], connection.connection.driver_connection)
    with driver.cursor(binary=True) as cursor:
        return cast(PackedRepayments, cursor.execute(query).fetchall())


def _packed_alongside(session: Session, pool: ThreadPoolExecutor, query: str) -> Future[PackedRepayments] | None:
    """The packed repayments fetched on a connection of their own while this thread folds the other facts.

    PostgreSQL gathers and packs a national book's repayments for seconds, about as long as this
    process takes to parse the other facts, so the two run side by side. It is the same read as on
    the session's connection: under READ COMMITTED every statement sees its own snapshot anyway,
    and the counted repayments lie below a cut-off the consumer had committed. A transaction that
    has itself written (its writes seen by its own connection only), a session bound to one
    connection, or another database reads them afterwards on the session's connection (None).
    """
    bind = session.get_bind()
    if not isinstance(bind, sa.Engine) or bind.dialect.name != "postgresql":
        return None
    if session.execute(sa.text("SELECT pg_current_xact_id_if_assigned()")).scalar() is not None:
        return None

    def fetch() -> PackedRepayments:
        with bind.connect() as connection, connection.begin():
            return _fetch_packed(connection, query)

    return pool.submit(fetch)


def _into_logs(book: Book, repayments: dict[str, Instrument], rows: PackedRepayments) -> None:
    """Each loan's packed repayments into its log, all loans' numbers unpacked by numpy at once."""
    if not rows:
        return
    counts = np.array([len(row[2]) for row in rows], dtype=np.int64) // PACKED_REPAYMENT.itemsize
    starts = np.concatenate(([0], np.cumsum(counts)))
    packed = np.frombuffer(b"".join(row[2] for row in rows), dtype=PACKED_REPAYMENT)
    columns = [packed[f"f{index}"].astype(np.int64) for index in range(len(REPAYMENT_COLUMNS))]
    for index, (loan_id, event_type, *_) in enumerate(rows):
        part = slice(int(starts[index]), int(starts[index + 1]))
        book.loan(loan_id, repayments[event_type]).repayments.extend(*(column[part] for column in columns))


def _repayments_row_by_row(
    session: Session, book: Book, repayments: dict[str, Instrument], heard_before: sa.ColumnElement[bool]
) -> None:
    """The same on other databases (SQLite): rows in loan order, gathered here."""
    query = (
        sa.select(col(PortfolioRepayment.loan_id), col(PortfolioRepayment.event_type), *REPAYMENT_COLUMNS)
        .where(heard_before)
        .order_by(col(PortfolioRepayment.loan_id), col(PortfolioRepayment.known_at), col(PortfolioRepayment.event_id))
    )
    for (loan_id, event_type), rows in groupby(
        session.execute(query.execution_options(yield_per=FETCH_ROWS)), key=lambda row: (row[0], row[1])
    ):
        entry_ids, days, cents, modes, reported_cents = zip(*(row[2:] for row in rows), strict=True)
        book.loan(loan_id, repayments[event_type]).repayments.extend(
            *(
                np.array(column, dtype=np.int64)
                for column in (
                    entry_ids,
                    [day.toordinal() - EPOCH_ORDINAL for day in days],
                    cents,
                    modes,
                    reported_cents,
                )
            )
        )
