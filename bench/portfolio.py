"""Benchmark: a portfolio's balances, accrued interest and arrears on one date, at 10k, 100k and 1M loans.

A generated book: loans paid out over the ten years before the date, 5 to 20 years, annuity and
linear, some with interest-only grace, three day counts, fixed late rates and the collection fee
on half of them. Each loan has a payer: on time (70 %), late by 5 to 45 days (12 %), paying 60 %
from some installment on (10 %) or stopping after some installment (8 %). Every installment paid
up to the date is a repayment in the history (about 50 per loan).

Two ways side by side:

1. `batch_positions.positions_as_of` (vectorised, integer cents), schedules included, and the
   loans it flags replayed with `LiveLoan`;
2. the per-loan loop a user would write over the Decimal path: `LiveLoan(terms, policy,
   repayments).position(date)`, on a sample, extrapolated to all loans.

Prints time, peak memory (numpy's allocations during the recompute, traced) and the growth per
10x, and checks that every sampled loan's figures are equal on both paths.

    python -m bench.portfolio [--loans 10000 100000 1000000] [--decimal-sample 200]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from bench.amortisation import loan_terms
from bench.summary import Figure
from shared.amortisation.batch import BatchTerms, build_batch
from shared.amortisation.batch_positions import (
    BatchLateInterest,
    BatchPositions,
    BatchRepayments,
    positions_as_of,
    summarise,
)
from shared.amortisation.late_interest import LateInterestPolicy
from shared.amortisation.live_loan import LiveLoan
from shared.amortisation.loan_events import Repayment
from shared.amortisation.money import from_cents

AS_OF = date(2026, 9, 30)
GENERATION_CHUNK = 50_000


@dataclass(frozen=True)
class Book:
    terms: BatchTerms
    late: BatchLateInterest
    repayments: BatchRepayments


def generated_book(loans: int, seed: int = 20261130, periods_from: Sequence[int] = (60, 120, 180, 240)) -> Book:
    rng = np.random.default_rng(seed)
    periods = rng.choice(np.array(periods_from, dtype=np.int64), loans)
    with_grace = rng.random(loans) < 0.2
    terms = BatchTerms(
        principal=rng.integers(25_000, 2_000_000, loans, dtype=np.int64) * 100,
        rate=rng.integers(100, 600, loans, dtype=np.int64) * 100,
        periods=periods,
        months=np.ones(loans, dtype=np.int64),
        method=rng.choice(np.array([0, 0, 0, 0, 1], dtype=np.int8), loans),
        day_count=rng.choice(np.array([0, 0, 0, 0, 0, 0, 0, 0, 1, 2], dtype=np.int8), loans),
        grace_periods=np.where(with_grace, rng.integers(6, 13, loans), 0).astype(np.int64),
        capitalised_grace=np.zeros(loans, dtype=np.bool_),
        multiple=np.ones(loans, dtype=np.int64),
        start=np.datetime64(AS_OF) - rng.integers(0, 3650, loans).astype("timedelta64[D]"),
    )
    fixed_late = rng.random(loans) < 0.5
    late = BatchLateInterest(
        rate=np.where(fixed_late, 80_000, terms.rate + 20_000).astype(np.int64),
        collection_fee=np.where(rng.random(loans) < 0.5, 4000, 0).astype(np.int64),
    )
    behaviour = rng.choice(np.arange(4), loans, p=[0.70, 0.12, 0.10, 0.08])
    delay = np.where(behaviour == 1, rng.integers(5, 46, loans), 0)
    turn = rng.integers(1, 121, loans)
    parts = [
        _repayments(terms, slice(low, min(low + GENERATION_CHUNK, loans)), behaviour, delay, turn)
        for low in range(0, loans, GENERATION_CHUNK)
    ]
    repayments = BatchRepayments(
        loan=np.concatenate([part[0] for part in parts]),
        on=np.concatenate([part[1] for part in parts]),
        amount=np.concatenate([part[2] for part in parts]),
    )
    return Book(terms, late, repayments)


def _repayments(
    terms: BatchTerms, part: slice, behaviour: np.ndarray, delay: np.ndarray, turn: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each installment paid by its loan's payer, as (loan, date, cents) rows grouped by loan."""
    chunk = terms.subset(part)
    schedule = build_batch(chunk, workers=1)
    row = np.arange(schedule.interest.shape[1])[None, :]
    paid_on = schedule.due_date + delay[part, None].astype("timedelta64[D]")
    after_turn = row >= turn[part, None]
    held = (row < schedule.periods[:, None]) & (paid_on <= np.datetime64(AS_OF))
    held &= ~((behaviour[part, None] == 3) & after_turn)
    payment = schedule.principal + schedule.interest
    amount = np.where((behaviour[part, None] == 2) & after_turn, payment * 6 // 10, payment)
    held &= amount > 0
    loan, column = np.nonzero(held)
    return loan + part.start, paid_on[loan, column], amount[loan, column]


def recompute(book: Book) -> tuple[BatchPositions, dict[int, dict[str, object]]]:
    """The vectorised positions, and the flagged loans' replayed with `LiveLoan`."""
    positions = positions_as_of(book.terms, book.late, book.repayments, AS_OF)
    replayed = {
        int(index): summarise(live_loan(book, int(index)).position(AS_OF)) for index in np.flatnonzero(positions.replay)
    }
    return positions, replayed


def live_loan(book: Book, index: int) -> LiveLoan:
    low, high = np.searchsorted(book.repayments.loan, [index, index + 1])
    events = tuple(
        Repayment(date.fromisoformat(str(on)), from_cents(int(cents)))
        for on, cents in zip(book.repayments.on[low:high], book.repayments.amount[low:high], strict=True)
    )
    fee = int(book.late.collection_fee[index])
    policy = LateInterestPolicy.contractual(
        Decimal(int(book.late.rate[index])) / 1_000_000, from_cents(fee) if fee else None
    )
    return LiveLoan(loan_terms(book.terms, index), policy, events)


@dataclass(frozen=True)
class Run:
    loans: int
    repayments: int
    seconds: float
    peak_bytes: int
    replayed: int
    decimal_seconds: float
    mismatches: int
    sample: int


def measure(loans: int, sample_size: int) -> Run:
    book = generated_book(loans)
    warm_up = generated_book(1000, seed=1)
    positions_as_of(warm_up.terms, warm_up.late, warm_up.repayments, AS_OF)
    started = time.perf_counter()
    positions, replayed = recompute(book)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    recompute(book)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    sample = np.random.default_rng(7).choice(loans, size=min(sample_size, loans), replace=False)
    mismatches = 0
    decimal_started = time.perf_counter()
    for index in sample:
        expected = summarise(live_loan(book, int(index)).position(AS_OF))
        got = replayed.get(int(index)) or positions.summary(int(index))
        mismatches += expected != got
    decimal_seconds = (time.perf_counter() - decimal_started) * loans / len(sample)
    return Run(loans, len(book.repayments), seconds, peak, len(replayed), decimal_seconds, mismatches, len(sample))


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loans", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--decimal-sample", type=int, default=200)
    args = parser.parse_args(argv)
    runs: list[Run] = []
    print(f"positions on {AS_OF}: generated loans with their repayments")
    print(
        f"{'loans':>10s} {'repayments':>12s} {'seconds':>8s} {'peak MiB':>9s} {'per 10x':>8s} {'replayed':>9s} "
        f"{'Decimal s':>10s} {'ratio':>7s} {'sample':>7s} {'mismatches':>10s}"
    )
    for loans in args.loans:
        run = measure(loans, args.decimal_sample)
        growth = ""
        if runs and run.loans == runs[-1].loans * 10:
            growth = f"{run.seconds / runs[-1].seconds:.1f}x"
        runs.append(run)
        print(
            f"{run.loans:10,d} {run.repayments:12,d} {run.seconds:8.2f} {run.peak_bytes / 2**20:9.0f} {growth:>8s} "
            f"{run.replayed:9,d} {run.decimal_seconds:10,.0f} {run.decimal_seconds / run.seconds:6.0f}x "
            f"{run.sample:7d} {run.mismatches:10d}",
            flush=True,
        )
    if any(run.mismatches for run in runs):
        raise SystemExit("the vectorised positions disagree with LiveLoan")
    figures = []
    for run in runs:
        figures.append(
            Figure(
                f"portfolio {run.loans // 1000}k loans",
                f"positions on a date ({run.repayments:,} repayments)",
                f"{run.seconds:.2f} s, {run.peak_bytes / 2**20:.0f} MiB",
                f"{run.decimal_seconds / run.seconds:.0f}x faster than LiveLoan per loan, "
                f"{run.mismatches} of {run.sample} differ",
                "1M loans < 10 s" if run.loans == 1_000_000 else "",
            )
        )
    return figures


def quick() -> list[Figure]:
    return main(["--loans", "10000", "100000", "--decimal-sample", "100"])


if __name__ == "__main__":
    main()
