"""Benchmark: the quarterly export of a large book, from the portfolio's database to its files.

A generated book in the portfolio's own (migrated) PostgreSQL database, as its consumer keeps it:
SIFO loans paid out over the ten years before 2026-09-30 with every installment repaid up to that
day (the payers of `bench.portfolio`: on time, late, short, stopping), and Trividend
participations (an investee, an approved proposal, a tranche paid in, a valuation every quarter).

The facts are stored as at revision 0003 and the database is then upgraded, which fills the
repayment columns from them (timed). The export is the service's own `build_export` for 2026Q3
(eight quarter ends, CSV + XLSX + JSON + charts), run in a fresh process so that its peak memory
(VmHWM, the peak resident set of its own program) is its own.
Against it, the way the book valued loans before: one `LiveLoan` replay per loan and quarter end,
timed on a sample and extrapolated.

    python -m bench.export [--loans 10000 100000] [--participations-per-loan 0.1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from pydantic import BaseModel
from sqlmodel import Session, create_engine

from bench.amortisation import loan_terms
from bench.api import enterprise_number
from bench.infrastructure import BENCH_SECRET, ROOT, migrate, postgres
from bench.portfolio import AS_OF, generated_book
from bench.summary import Figure
from shared.amortisation.money import from_cents
from shared.contracts import sifo, trividend
from shared.contracts.loan_servicing import AidValuationV1
from shared.contracts.loan_terms import LoanTermsV2
from shared.eventbus.registry import topic_of, type_of
from shared.platform import migrations
from shared.platform.quarters import Quarter

from services.portfolio.app import MIGRATIONS_DIR, PortfolioSettings
from services.portfolio.domain.loans import loan_line
from services.portfolio.service.cutoffs import keep_cutoff, read_so_far
from services.portfolio.service.exports import build_export
from services.portfolio.service.facts import load_book

QUARTER = "2026Q3"
RIGHT = "d2b5e8a1-6c3f-4e7d-8a9b-0f1e2d3c4b5a"
FINANCIER = "0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b"
ZERO = Decimal("0.00")
REPAYMENT_TYPE = type_of(sifo.LoanRepaymentRecordedV3)


def book_rows(loans: int, participations: int) -> Iterator[tuple[str, str, dict[str, Any] | BaseModel]]:
    """(event type, subject, payload) of every fact, in the order they were published."""
    yield from _event(
        sifo.DrawingRightAllocatedV1(
            drawing_right_id=RIGHT,
            financier_id=FINANCIER,
            fund_year=2016,
            allocated=Decimal("9000000000.00"),
            valid_from=date(2016, 1, 1),
            valid_until=date(2026, 12, 31),
        ),
        RIGHT,
    )
    book = generated_book(loans)
    offsets = np.searchsorted(book.repayments.loan, np.arange(loans + 1))
    for index in range(loans):
        loan = str(uuid.UUID(int=index + 1))
        terms = loan_terms(book.terms, index)
        snapshot = {
            "loan_id": loan,
            "financier_id": FINANCIER,
            "borrower_enterprise_number": enterprise_number(index),
            "borrower_name": f"Maatwerkbedrijf {index}",
            "target_group_vte": Decimal("12.50"),
            "loan_type": "investment",
            "total_credit": terms.principal * 2,
            "sifo_share": terms.principal,
            "terms": LoanTermsV2(**terms.to_json()),
            "rating": "satisfactory",
            "collateral": "normal",
            "reference_rate": Decimal("0.035"),
            "aid": AidValuationV1(
                grant_date=terms.start_date, gge=ZERO, reference_rate=Decimal("0.035"), discount_rate=Decimal("0.03")
            ),
        }
        yield from _event(
            sifo.LoanApprovedV2(
                **snapshot,
                approved_on=terms.start_date,
                approved_by="bob@pmv.example",
                drawing_right_id=RIGHT,
                reserved=terms.principal,
            ),
            loan,
        )
        yield from _event(
            sifo.LoanDisbursedV2(
                **snapshot,
                disbursed_on=terms.start_date,
                drawing_right_id=RIGHT,
                amount=terms.principal,
                creditor_iban="BE68539007547034",
            ),
            loan,
        )
        low, high = int(offsets[index]), int(offsets[index + 1])
        for entry, (on, cents) in enumerate(
            zip(book.repayments.on[low:high].tolist(), book.repayments.amount[low:high].tolist(), strict=True),
            start=1,
        ):
            yield REPAYMENT_TYPE, loan, _repayment(loan, entry, on, cents)
    for index in range(participations):
        yield from _participation(index)


def _event(payload: BaseModel, subject: str) -> Iterator[tuple[str, str, BaseModel]]:
    yield type_of(type(payload)), subject, payload


def _repayment(loan: str, entry: int, on: date, cents: int) -> dict[str, Any]:
    """A `sifo.LoanRepaymentRecordedV3` as its JSON (built directly: a model per row would dominate the set-up)."""
    return {
        "loan_id": loan,
        "financier_id": FINANCIER,
        "entry_id": entry,
        "received_on": on.isoformat(),
        "amount": str(from_cents(cents)),
        "late_interest": "0.00",
        "collection_fees": "0.00",
        "interest": "0.00",
        "principal": "0.00",
        "prepayment": "0.00",
        "excess": "0.00",
        "outstanding_principal": "0.00",
        "status": "current",
        "surplus_mode": "reduce_installment",
    }


def _participation(index: int) -> Iterator[tuple[str, str, BaseModel]]:
    investee = str(uuid.UUID(int=10**12 + index))
    participation = str(uuid.UUID(int=2 * 10**12 + index))
    number = enterprise_number(10**6 + index)
    invested_on = AS_OF - timedelta(days=200 + index % 2500)
    amount = Decimal(50_000 + index % 200 * 1000)
    yield from _event(
        trividend.InvesteeRegisteredV1(
            investee_id=investee,
            enterprise_number=number,
            name=f"Sociale onderneming {index}",
            legal_form="cooperative",
            sector="circular economy",
        ),
        investee,
    )
    yield from _event(
        trividend.ProposalApprovedV1(
            proposal_id=participation,
            investee_id=investee,
            enterprise_number=number,
            instrument="equity",
            amount=amount,
            approved_on=invested_on,
            proposed_by="alice@trividend.example",
            approved_by="bob@trividend.example",
        ),
        participation,
    )
    yield from _event(
        trividend.EquityInvestedV1(
            participation_id=participation,
            investee_id=investee,
            enterprise_number=number,
            on=invested_on,
            amount=amount,
            shares=1000,
            price_per_share=amount / 1000,
            shares_held=1000,
            invested_total=amount,
        ),
        participation,
    )
    for quarter in Quarter.parse(QUARTER).last(8):
        if quarter.last_day < invested_on:
            continue
        yield from _event(
            trividend.ValuationApprovedV1(
                valuation_id=str(uuid.uuid4()),
                participation_id=participation,
                investee_id=investee,
                enterprise_number=number,
                quarter=str(quarter),
                as_of=quarter.last_day,
                fair_value=amount * Decimal("1.05"),
                method="net_assets",
                rationale="audited accounts",
                prepared_by="alice@trividend.example",
                approved_by="bob@trividend.example",
            ),
            participation,
        )


def load(url: str, loans: int, participations: int) -> int:
    """The book's facts into the portfolio's table, with COPY; the quarter's cut-off fixed after them."""
    published = datetime(2026, 10, 1, 6, tzinfo=UTC)
    offsets: dict[str, int] = {}
    count = 0
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        with connection.cursor() as cursor:
            columns = 'event_id, event_type, subject, known_at, topic, partition, "offset", data'
            with cursor.copy(f"COPY portfolio_event ({columns}) FROM STDIN") as copy:
                for event_type, subject, payload in book_rows(loans, participations):
                    topic = topic_of(event_type)
                    offset = offsets.get(topic, 0)
                    offsets[topic] = offset + 1
                    data = payload.model_dump_json() if isinstance(payload, BaseModel) else json.dumps(payload)
                    known_at = published + timedelta(microseconds=count)
                    copy.write_row(
                        (str(uuid.UUID(int=count + 1)), event_type, subject, known_at, topic, 0, offset, data)
                    )
                    count += 1
        connection.commit()
    engine = create_engine(url)
    with Session(engine) as session:
        keep_cutoff(session, QUARTER, published + timedelta(days=1), read_so_far(session))
        session.commit()
    engine.dispose()
    return count


def child(url: str, sample: int) -> dict[str, float]:
    """Run in a fresh process: the export, timed, with the process's peak memory; and the per-loan path on a sample."""
    settings = PortfolioSettings()
    engine = create_engine(url)
    started = time.perf_counter()
    with Session(engine) as session:
        content = build_export(session, Quarter.parse(QUARTER), settings.book, lambda percent: None)
    seconds = time.perf_counter() - started
    peak = _peak_resident_bytes()
    with Session(engine) as session:
        started = time.perf_counter()
        book = load_book(session, fetch_alongside=True)
        load_seconds = time.perf_counter() - started
    files = sorted(book.loans.values(), key=lambda file: file.loan_id)
    picked = files[:: max(1, len(files) // sample)][:sample]
    started = time.perf_counter()
    for file in picked:
        loan_line(file, AS_OF, settings.book.policies[file.instrument])
    per_loan = (time.perf_counter() - started) / len(picked)
    return {
        "seconds": seconds,
        "peak": peak,
        "load_seconds": load_seconds,
        "replay_seconds": per_loan * len(files) * 8,
        "bytes": sum(len(item.content) for item in content.files),
        "loan_rows": next(item.rows or 0 for item in content.files if item.name == "loans.csv"),
    }


def _peak_resident_bytes() -> int:
    """This process's peak resident memory since it started its program.

    Not `ru_maxrss`: Linux keeps that across exec, so a child started from a large parent would
    report the parent's size. VmHWM belongs to the address space, which exec replaces.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(cluster_url: str, loans: int, participations: int, sample: int) -> dict[str, float]:
    """The facts stored as before the repayment columns existed, the upgrade that fills them, then the export."""
    env = {
        "PORTFOLIO_DATABASE_URL": cluster_url,
        "PORTFOLIO_JWT_SECRET": BENCH_SECRET,
        "PORTFOLIO_LOG_LEVEL": "WARNING",
    }
    migrations.upgrade(MIGRATIONS_DIR, cluster_url, "0003")
    started = time.perf_counter()
    facts = load(cluster_url, loans, participations)
    setup = time.perf_counter() - started
    started = time.perf_counter()
    migrate("portfolio", env)
    upgrade = time.perf_counter() - started
    output = subprocess.run(
        [sys.executable, "-m", "bench.export", "--child", cluster_url, "--decimal-sample", str(sample)],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        text=True,
        timeout=3600,
    ).stdout
    return {**json.loads(output.strip().splitlines()[-1]), "facts": facts, "setup": setup, "upgrade": upgrade}


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loans", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--participations-per-loan", type=float, default=0.1)
    parser.add_argument("--decimal-sample", type=int, default=40)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.decimal_sample)))
        return []
    figures = []
    print(f"quarterly export of {QUARTER} (eight quarter ends): CSV + XLSX + JSON + charts")
    print(
        f"{'loans':>8s} {'particip.':>9s} {'facts':>11s} {'upgrade s':>9s} {'load s':>7s} {'export s':>9s} "
        f"{'peak MiB':>9s} {'files MiB':>9s} {'replay s':>9s} {'ratio':>6s}"
    )
    with postgres(durable=False) as cluster:
        for loans in args.loans:
            participations = int(loans * args.participations_per_loan)
            run = measure(cluster.create_database(f"bench_export_{loans}"), loans, participations, args.decimal_sample)
            print(
                f"{loans:8,d} {participations:9,d} {int(run['facts']):11,d} {run['upgrade']:9.1f} "
                f"{run['load_seconds']:7.1f} {run['seconds']:9.1f} {run['peak'] / 2**20:9.0f} "
                f"{run['bytes'] / 2**20:9.1f} "
                f"{run['replay_seconds']:9,.0f} {run['replay_seconds'] / run['seconds']:5.0f}x",
                flush=True,
            )
            figures.append(
                Figure(
                    f"export {loans // 1000}k loans, {participations // 1000}k participations",
                    f"quarterly export ({int(run['facts']):,} facts)",
                    f"{run['seconds']:.1f} s, {run['peak'] / 2**30:.2f} GiB",
                    f"{run['replay_seconds'] / run['seconds']:.0f}x faster than a replay per loan and quarter",
                    "100k loans < 60 s, < 2 GiB" if loans >= 100_000 else "",
                )
            )
    return figures


def quick() -> list[Figure]:
    return main(["--loans", "10000"])


if __name__ == "__main__":
    main()
