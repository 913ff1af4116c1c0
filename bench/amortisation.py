"""Benchmark: 100,000 loans x 240 monthly periods, mixed options, three ways side by side.

1. the vectorised path (`shared.amortisation.batch`), integer cents, all loans;
2. a per-loan numpy-financial loop (ipmt/ppmt per loan, rounded to cents: what a user would write);
3. the scalar Decimal path (`build_schedule`) on a sample, extrapolated to all loans.

Prints rows per second and the ratios, and checks the cents: the batch must equal the Decimal
path on every sampled row; numpy-financial (float64, no per-period rounding) is compared on the
loans it models exactly (annuity, 30E/360, no grace, cent multiple) and its largest gap reported.

    python bench/amortisation.py [--loans 100000] [--periods 240] [--decimal-sample 300] [--npf-sample 100000]
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date
from decimal import Decimal

import numpy as np
import numpy_financial as npf

from bench.summary import Figure
from shared.amortisation.batch import DAY_COUNTS, METHODS, RATE_SCALE, BatchSchedule, BatchTerms, build_batch
from shared.amortisation.schedule import build_schedule
from shared.amortisation.terms import GraceKind, LoanTerms


def mixed_portfolio(loans: int, periods: int, seed: int = 20261129) -> BatchTerms:
    rng = np.random.default_rng(seed)
    with_grace = rng.random(loans) < 0.3
    return BatchTerms(
        principal=rng.integers(1_000_000, 50_000_000, loans, dtype=np.int64),
        rate=rng.integers(0, 80_000, loans, dtype=np.int64),
        periods=np.full(loans, periods, dtype=np.int64),
        months=np.ones(loans, dtype=np.int64),
        method=rng.choice(np.array([0, 0, 0, 1, 2], dtype=np.int8), loans),
        day_count=rng.integers(0, 4, loans).astype(np.int8),
        grace_periods=np.where(with_grace, rng.integers(1, 13, loans), 0).astype(np.int64),
        capitalised_grace=rng.random(loans) < 0.5,
        multiple=rng.choice(np.array([1, 1, 1, 100], dtype=np.int64), loans),
        start=np.datetime64("2024-01-01") + rng.integers(0, 1096, loans).astype("timedelta64[D]"),
    )


def loan_terms(terms: BatchTerms, index: int) -> LoanTerms:
    return LoanTerms(
        principal=Decimal(int(terms.principal[index])) / 100,
        annual_rate=Decimal(int(terms.rate[index])) / RATE_SCALE,
        periods=int(terms.periods[index]),
        start_date=date.fromisoformat(str(terms.start[index])),
        method=METHODS[int(terms.method[index])],
        day_count=DAY_COUNTS[int(terms.day_count[index])],
        grace_periods=int(terms.grace_periods[index]),
        grace_kind=GraceKind.CAPITALISED if terms.capitalised_grace[index] else GraceKind.INTEREST_ONLY,
        installment_multiple=Decimal(int(terms.multiple[index])) / 100,
    )


def best_of_three(terms: BatchTerms, workers: int | None) -> tuple[float, BatchSchedule]:
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        batch = build_batch(terms, workers=workers)
        timings.append(time.perf_counter() - started)
    return min(timings), batch


def numpy_financial_loop(terms: BatchTerms, count: int) -> tuple[float, dict[int, np.ndarray]]:
    """ipmt/ppmt per loan over its amortising periods, rounded to cents; returns seconds and some interest rows.

    A zero rate is special-cased, as a user must (numpy-financial divides by the rate).
    """
    kept: dict[int, np.ndarray] = {}
    started = time.perf_counter()
    for index in range(count):
        remaining = int(terms.periods[index]) - int(terms.grace_periods[index])
        balance = terms.principal[index] / 100
        rate = terms.rate[index] / RATE_SCALE / 12
        if rate == 0:
            interest = np.zeros(remaining)
            principal = np.full(remaining, np.round(balance * 100 / remaining))
        else:
            per = np.arange(1, remaining + 1)
            interest = np.round(-npf.ipmt(rate, per, remaining, balance) * 100)
            principal = np.round(-npf.ppmt(rate, per, remaining, balance) * 100)
        if index < 2000:
            kept[index] = np.stack([interest, principal])
    return time.perf_counter() - started, kept


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--periods", type=int, default=240)
    parser.add_argument("--decimal-sample", type=int, default=300)
    parser.add_argument("--npf-sample", type=int, default=100_000)
    args = parser.parse_args(argv)
    terms = mixed_portfolio(args.loans, args.periods)
    rows = args.loans * args.periods

    build_batch(mixed_portfolio(1000, args.periods, seed=1))
    batch_seconds, batch = best_of_three(terms, workers=1)
    threaded_seconds, _ = best_of_three(terms, workers=None)

    npf_count = min(args.npf_sample, args.loans)
    npf_seconds, npf_interest = numpy_financial_loop(terms, npf_count)
    npf_seconds_all = npf_seconds * args.loans / npf_count

    sample = np.random.default_rng(7).choice(args.loans, size=args.decimal_sample, replace=False)
    started = time.perf_counter()
    decimal_schedules = [build_schedule(loan_terms(terms, int(index))) for index in sample]
    decimal_seconds = (time.perf_counter() - started) * args.loans / args.decimal_sample

    mismatched_rows = 0
    for index, schedule in zip(sample, decimal_schedules, strict=True):
        expected = [row.to_json() for row in schedule.installments]
        got = batch.installments(int(index))
        mismatched_rows += sum(1 for a, b in zip(expected, got, strict=True) if a != b)

    comparable = [
        index
        for index in npf_interest
        if terms.method[index] == 0
        and terms.day_count[index] == 0
        and terms.grace_periods[index] == 0
        and terms.multiple[index] == 1
    ]
    npf_gap = max(
        (int(np.abs(npf_interest[index][0] - batch.interest[index]).max()) for index in comparable), default=0
    )

    print(f"{args.loans:,} loans x {args.periods} monthly periods = {rows:,} rows, mixed options")
    header = f"{'path':44s} {'seconds':>9s} {'rows/s':>12s} {'vs 1 thread':>12s} {'vs threads':>11s}"
    print(header)
    table = [
        ("vectorised (integer cents), 1 thread", batch_seconds),
        (f"vectorised, {os.cpu_count()} threads (the default)", threaded_seconds),
        (
            f"numpy-financial loop ({npf_count:,} loans{', extrapolated' if npf_count < args.loans else ''})",
            npf_seconds_all,
        ),
        (f"Decimal path ({args.decimal_sample} loans, extrapolated)", decimal_seconds),
    ]
    for label, seconds in table:
        print(
            f"{label:44s} {seconds:9.3f} {rows / seconds:12,.0f} "
            f"{seconds / batch_seconds:11.0f}x {seconds / threaded_seconds:10.0f}x"
        )
    print(
        f"cents: batch == Decimal on {args.decimal_sample * args.periods:,} sampled rows, mismatches: {mismatched_rows}"
    )
    print(
        f"cents: numpy-financial vs batch interest, {len(comparable)} comparable loans, largest gap: {npf_gap} cent(s)"
    )
    if mismatched_rows:
        raise SystemExit("the vectorised path disagrees with the Decimal path")
    name = f"schedules {args.loans // 1000}k x {args.periods}"
    return [
        Figure(
            name,
            "vectorised, 1 thread",
            f"{batch_seconds:.3f} s",
            f"{npf_seconds_all / batch_seconds:.0f}x faster than numpy-financial loop",
            "<= 0.2 s",
        ),
        Figure(
            name,
            f"vectorised, {os.cpu_count()} threads",
            f"{threaded_seconds:.3f} s",
            f"{decimal_seconds / threaded_seconds:.0f}x faster than Decimal path",
            "",
        ),
        Figure(
            name,
            "cents equal to Decimal",
            f"{mismatched_rows} mismatches",
            f"{args.decimal_sample * args.periods:,} rows",
            "0",
        ),
    ]


def quick() -> list[Figure]:
    return main(["--npf-sample", "20000", "--decimal-sample", "200"])


if __name__ == "__main__":
    main()
