"""Benchmark: a day's due run and overdue run on a SIFO book of 100k loans of 240 monthly installments.

The book is the generated one of `bench.portfolio` (its payers: on time, late, short, stopping),
every loan of 240 installments, stored in SIFO's own (migrated) PostgreSQL database as its
services keep it: the loan rows, every repayment as a history entry, and each loan's collection
cursor where yesterday's due run left it (the next due date after yesterday's window). Installments
past were not asked for, so the loans the day looks at also catch up on what their payers left
unpaid: a heavier day than a steady one.

The runs are SIFO's own recorded jobs (`run_daily`), for the day after the book's date: the due run
(payment requests, invitations and their events), then the overdue run (follow-ups, reminders and
default proposals). The runs value the loans of each chunk together with the vectorised engine and
replay only the loans it cannot hold. Against them, what the per-loan path spends on replays alone:
each looked-at loan replayed through the servicing core, as the runs did before (a sample of those
loans, timed and extrapolated), and as the core replayed a history before that, each entry
recorded onto the loan so far (`LiveLoan.record` replays all entries before it).

    python -m bench.operations [--loans 100000] [--sample 40]
"""

from __future__ import annotations

import argparse
import os
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import psycopg
from sqlalchemy import create_engine
from sqlmodel import Session, col, select

from bench.amortisation import loan_terms
from bench.infrastructure import BENCH_SECRET, postgres
from bench.portfolio import AS_OF, Book, generated_book
from bench.summary import Figure
from shared.amortisation.batch import build_batch
from shared.amortisation.live_loan import LiveLoan
from shared.amortisation.servicing_history import HistoryEntry, replay
from shared.loan_operations import due_run, overdue_run
from shared.loan_operations.jobs import run_daily
from shared.platform import migrations

from services.sifo.app import MIGRATIONS_DIR, SifoSettings, operations
from services.sifo.models import SifoPaymentRequest

DAY = AS_OF + timedelta(days=1)
PERIODS = 240
FINANCIER = str(uuid.UUID(int=1 << 64))
BORROWER = "0403170701"
STORED_AT = datetime(2026, 9, 30, 18, tzinfo=UTC)
LOAN_COLUMNS = (
    "id, financier_id, borrower_enterprise_number, borrower_name, target_group_vte, loan_type, total_credit, "
    "sifo_share, annual_rate, periods, frequency, method, day_count, grace_periods, grace_kind, "
    "installment_multiple, start_date, rating, collateral, base_rate, margin, reference_rate, discount_rate, gge, "
    "gge_on, gge_reference_rate, gge_discount_rate, status, submitted_on, submitted_by, submitted_at, updated_at, "
    "disbursed_on"
)


def loan_id(index: int) -> str:
    return str(uuid.UUID(int=index + 1))


def store(url: str, book: Book) -> int:
    """The book in SIFO's tables with COPY; returns the number of history entries."""
    loans = len(book.terms.principal)
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO sifo_financier (id, enterprise_number, name, iban, recognised_from, status, created_at, "
                "created_by, updated_at) VALUES (%s, '0123456749', 'Sociale Investeerder', 'BE71096123456769', "
                "'2010-01-01', 'recognised', %s, 'bench', %s)",
                (FINANCIER, STORED_AT, STORED_AT),
            )
            cursor.execute(
                "INSERT INTO sifo_borrower (enterprise_number, name) VALUES (%s, 'Maatwerkbedrijf')", (BORROWER,)
            )
            with cursor.copy(f"COPY sifo_loan ({LOAN_COLUMNS}) FROM STDIN") as copy:
                for index in range(loans):
                    copy.write_row(_loan_row(book, index))
            entry_columns = 'loan_id, kind, "on", amount, mode, recorded_by, recorded_at'
            with cursor.copy(f"COPY sifo_loan_event ({entry_columns}) FROM STDIN") as copy:
                for loan, on, cents in zip(
                    book.repayments.loan.tolist(),
                    book.repayments.on.astype("datetime64[D]").tolist(),
                    book.repayments.amount.tolist(),
                    strict=True,
                ):
                    amount = Decimal(cents).scaleb(-2)
                    copy.write_row((loan_id(loan), "repayment", on, amount, "reduce_installment", "bench", STORED_AT))
            with cursor.copy("COPY sifo_collection_cursor (loan_id, next_due_on, seen_entry_id) FROM STDIN") as copy:
                for index, next_due in enumerate(_next_due_after_yesterdays_window(book)):
                    copy.write_row((loan_id(index), next_due, 0))
            cursor.execute(
                "UPDATE sifo_collection_cursor AS c SET seen_entry_id = e.last FROM (SELECT loan_id, max(id) AS last "
                "FROM sifo_loan_event GROUP BY loan_id) AS e WHERE e.loan_id = c.loan_id"
            )
        connection.commit()
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return len(book.repayments)


def _loan_row(book: Book, index: int) -> tuple[object, ...]:
    terms = loan_terms(book.terms, index)
    rate = Decimal("0.035")
    return (
        loan_id(index), FINANCIER, BORROWER, f"Maatwerkbedrijf {index}", Decimal("12.50"), "investment",
        terms.principal * 2, terms.principal, terms.annual_rate, terms.periods, terms.frequency.value,
        terms.method.value, terms.day_count.value, terms.grace_periods, terms.grace_kind.value,
        terms.installment_multiple, terms.start_date, "satisfactory", "normal", rate, Decimal("0.01"), rate,
        Decimal("0.03"), Decimal("0.00"), terms.start_date, rate, Decimal("0.03"), "disbursed", terms.start_date,
        "bench", STORED_AT, STORED_AT, terms.start_date,
    )  # fmt: skip


def _next_due_after_yesterdays_window(book: Book) -> list[date | None]:
    """Where yesterday's due run left each loan: its first due date after yesterday's window."""
    window = SifoSettings.model_fields["collection_window_days"].default
    yesterdays_end = np.datetime64(AS_OF) + np.timedelta64(window, "D")
    schedule = build_batch(book.terms, workers=2)
    row = np.arange(schedule.due_date.shape[1])[None, :]
    later = (schedule.due_date > yesterdays_end) & (row < schedule.periods[:, None])
    first = later.argmax(axis=1)
    next_due = schedule.due_date[np.arange(len(first)), first].astype("datetime64[D]").tolist()
    running = np.asarray(later.any(axis=1), dtype=np.bool_)
    return [due if bool(running[index]) else None for index, due in enumerate(next_due)]


def replay_seconds(book: Book, indices: list[int], one_by_one: bool) -> float:
    """The loans' histories replayed and asked what they owe: at once as the core does, or as it did before,
    each event recorded onto the loan so far (`LiveLoan.record` replays all events before it)."""
    policy = SifoSettings().policy.rules.late_interest_policy()
    seconds = 0.0
    for index in indices:
        low, high = np.searchsorted(book.repayments.loan, [index, index + 1])
        history = [
            HistoryEntry("repayment", on, amount=Decimal(cents).scaleb(-2), mode="reduce_installment")
            for on, cents in zip(
                book.repayments.on[low:high].astype("datetime64[D]").tolist(),
                book.repayments.amount[low:high].tolist(),
                strict=True,
            )
        ]
        terms = loan_terms(book.terms, index)
        started = time.perf_counter()
        if one_by_one:
            live = LiveLoan(terms, policy)
            for entry in history:
                live = live.record(entry.engine_event())
        else:
            live = replay(terms, policy, history)[-1].live
        live.installments_owed(DAY)
        seconds += time.perf_counter() - started
    return seconds


def measure(url: str, loans: int, sample: int) -> dict[str, float]:
    migrations.upgrade(MIGRATIONS_DIR, url, "head")
    book = generated_book(loans, periods_from=(PERIODS,))
    started = time.perf_counter()
    entries = store(url, book)
    setup = time.perf_counter() - started
    os.environ.update(SIFO_DATABASE_URL=url, SIFO_JWT_SECRET=BENCH_SECRET, SIFO_LOG_LEVEL="WARNING")
    ops = operations(SifoSettings())
    engine = create_engine(url, pool_size=2)
    started = time.perf_counter()
    due = run_daily(ops, engine, due_run.DUE_RUN, DAY, due_run.run, show_progress=False)
    due_seconds = time.perf_counter() - started
    started = time.perf_counter()
    overdue = run_daily(ops, engine, overdue_run.OVERDUE_RUN, DAY, overdue_run.run, show_progress=False)
    overdue_seconds = time.perf_counter() - started
    with Session(engine) as session:
        looked_at = sorted(
            set(
                session.exec(
                    select(SifoPaymentRequest.loan_id).where(col(SifoPaymentRequest.business_date) == DAY)
                ).all()
            )
        )
    engine.dispose()
    picked = [uuid.UUID(loan).int - 1 for loan in looked_at[:: max(1, len(looked_at) // sample)][:sample]]
    per_loan_before = replay_seconds(book, picked, one_by_one=True) / max(1, len(picked))
    per_loan_now = replay_seconds(book, picked, one_by_one=False) / max(1, len(picked))
    return {
        "entries": entries,
        "setup": setup,
        "due_seconds": due_seconds,
        "due_loans": due.counts.get("loans_looked_at", 0),
        "requests": due.counts.get("invitations", 0) + due.counts.get("direct_debits", 0),
        "overdue_seconds": overdue_seconds,
        "overdue_loans": overdue.counts.get("loans_looked_at", 0),
        "became_overdue": overdue.counts.get("became_overdue", 0),
        "replay_now": per_loan_now,
        "replay_before": per_loan_before,
    }


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loans", type=int, nargs="+", default=[100_000])
    parser.add_argument("--sample", type=int, default=40)
    args = parser.parse_args(argv)
    print(f"the due run and the overdue run of {DAY}: SIFO loans of {PERIODS} monthly installments")
    print(
        f"{'loans':>8s} {'entries':>10s} {'setup s':>8s} | {'due: loans':>10s} {'requests':>8s} {'s':>6s} | "
        f"{'overdue: loans':>14s} {'overdue':>7s} {'s':>6s} | replays alone: {'ms/loan':>7s} {'s':>5s} | "
        f"entry by entry: {'ms/loan':>7s} {'s':>6s}"
    )
    figures = []
    with postgres(durable=False) as cluster:
        for loans in args.loans:
            run = measure(cluster.create_database(f"bench_operations_{loans}"), loans, args.sample)
            # what the per-loan path spends replaying the due run's loans, before it writes anything
            replays = run["due_loans"] * run["replay_now"]
            before = run["due_loans"] * run["replay_before"]
            print(
                f"{loans:8,d} {int(run['entries']):10,d} {run['setup']:8.0f} | {int(run['due_loans']):10,d} "
                f"{int(run['requests']):8,d} {run['due_seconds']:6.1f} | {int(run['overdue_loans']):14,d} "
                f"{int(run['became_overdue']):7,d} {run['overdue_seconds']:6.1f} | "
                f"{run['replay_now'] * 1000:22.1f} {replays:5.0f} | "
                f"{run['replay_before'] * 1000:23.1f} {before:6,.0f}",
                flush=True,
            )
            figures += [
                Figure(
                    f"due run {loans // 1000}k loans",
                    f"{int(run['due_loans']):,} loans looked at, {int(run['requests']):,} payment requests",
                    f"{run['due_seconds']:.1f} s",
                    f"its loans' replays alone: {replays:,.0f} s one by one, {before:,.0f} s entry by entry",
                    "100k loans < 30 s" if loans >= 100_000 else "",
                ),
                Figure(
                    f"overdue run {loans // 1000}k loans",
                    f"{int(run['overdue_loans']):,} loans looked at, {int(run['became_overdue']):,} became overdue",
                    f"{run['overdue_seconds']:.1f} s",
                    "",
                    "100k loans < 30 s" if loans >= 100_000 else "",
                ),
            ]
    return figures


def quick() -> list[Figure]:
    return main(["--loans", "10000", "--sample", "20"])


if __name__ == "__main__":
    main()
