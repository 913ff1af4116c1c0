"""API throughput: SIFO loan submission and loan reads against a one-row ceiling, with one and two uvicorn workers.

Each scenario runs `--clients` closed-loop clients for `--seconds` against real uvicorn
processes on a PostgreSQL server of its own (production durability: fsync on):

- `POST /loans`: a 120-month loan priced, scheduled, valued for state aid, stored with its
  outbox event and its idempotency record; the answer carries the whole schedule;
- `GET /loans/{id}`: one of the loans just submitted;
- the ceiling (`bench/ceiling.py`): a minimal FastAPI endpoint that writes one row, written both
  ways a FastAPI user would write it (a `def` on worker threads, an `async def` on the event loop).

Submission and ceilings run under the same worker count, and the ratio of the submission's
throughput to the higher of the two ceilings is the figure to watch. Beside it, the server's
CPU per request (all its processes, read from /proc around the measured run): the figure a
change to the code moves, less noisy than the throughput on a machine the load generator
shares. Each run follows a warm-up of the same load. The load generator shares the machine's
two cores with the servers.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from dateutil.relativedelta import relativedelta
from pydantic import SecretStr

from bench.infrastructure import BENCH_SECRET, migrate, postgres, process, service
from bench.load import LoadResult, closed_loop
from bench.process_cpu import tree_cpu_seconds
from bench.summary import Figure
from deploy.in_process import free_port
from shared.platform.auth import Role, issue_token
from shared.platform.settings import ServiceSettings

WARM_UP = 3.0
"""Seconds of load before each measured run: every worker is up and its pool and caches are warm."""


@dataclass(frozen=True)
class Measured:
    """A load's result and what the server (all its processes) spent on it, in CPU ms per request."""

    result: LoadResult
    server_cpu_ms: float


@dataclass(frozen=True)
class Row:
    scenario: str
    workers: int
    measured: Measured
    ceiling: LoadResult | None = None

    @property
    def result(self) -> LoadResult:
        return self.measured.result


def measure(server: subprocess.Popen[bytes], load: Callable[[], LoadResult]) -> Measured:
    before = tree_cpu_seconds(server.pid)
    result = load()
    return Measured(result, 1000 * (tree_cpu_seconds(server.pid) - before) / max(result.requests, 1))


def enterprise_number(n: int) -> str:
    digits = f"0{4_000_000 + n:07d}"
    return f"{digits}{97 - int(digits) % 97:02d}"


def sifo_environment(database_url: str, port: int, workers: int) -> dict[str, str]:
    return {
        "SIFO_DATABASE_URL": database_url,
        "SIFO_HTTP_PORT": str(port),
        "SIFO_HTTP_WORKERS": str(workers),
        "SIFO_JWT_SECRET": BENCH_SECRET,
        "SIFO_LOG_LEVEL": "WARNING",
        "SIFO_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
    }


def prepare(base_url: str, token: str) -> str:
    """A financier with a drawing right, through the API; its id."""
    auth = {"Authorization": f"Bearer {token}"}
    financier = httpx.post(
        f"{base_url}/financiers",
        headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
        json={
            "enterprise_number": "0403.170.701",
            "name": "Bench",
            "iban": "BE68539007547034",
            "recognised_from": "2020-01-01",
        },
    )
    financier.raise_for_status()
    return str(financier.json()["id"])


@dataclass(frozen=True)
class Submissions:
    """The n-th loan submission: one of a thousand borrowers, a fresh Idempotency-Key each time."""

    financier_id: str
    start: str
    auth: dict[str, str]

    def __call__(self, n: int) -> tuple[str, str, dict[str, str], Any]:
        body = {
            "financier_id": self.financier_id,
            "borrower": {
                "enterprise_number": enterprise_number(n % 1000),
                "name": f"Borrower {n % 1000}",
                "target_group_vte": "5.00",
            },
            "loan_type": "investment",
            "total_credit": "300000.00",
            "sifo_share": "200000.00",
            "terms": {"start_date": self.start, "periods": 120},
            "rating": "satisfactory",
            "collateral": "normal",
        }
        return "POST", "/loans", {**self.auth, "Idempotency-Key": str(uuid.uuid4())}, body


@dataclass(frozen=True)
class Reads:
    loan_ids: list[str]
    auth: dict[str, str]

    def __call__(self, n: int) -> tuple[str, str, dict[str, str], Any]:
        return "GET", f"/loans/{self.loan_ids[n % len(self.loan_ids)]}", self.auth, None


def sifo_scenarios(
    database_url: str, workers: int, token: str, clients: int, seconds: float
) -> tuple[Measured, Measured]:
    env = sifo_environment(database_url, free_port(), workers)
    migrate("sifo", env)
    base = f"http://127.0.0.1:{env['SIFO_HTTP_PORT']}"
    auth = {"Authorization": f"Bearer {token}"}
    start = (date.today().replace(day=1) + relativedelta(months=1)).isoformat()
    with process(service("sifo", "api"), env, f"{base}/healthz") as server:
        submissions = Submissions(prepare(base, token), start, auth)
        closed_loop(base, submissions, clients=clients, seconds=WARM_UP, expect=201)
        submit = measure(server, lambda: closed_loop(base, submissions, clients=clients, seconds=seconds, expect=201))
        with httpx.Client(base_url=base, headers=auth) as client:
            loan_ids = [loan["id"] for loan in client.get("/loans", params={"limit": 500}).json()["items"]]
        reads = Reads(loan_ids, auth)
        read = measure(server, lambda: closed_loop(base, reads, clients=clients, seconds=seconds, expect=200))
    return submit, read


def ceiling_scenario(database_url: str, workers: int, clients: int, seconds: float, flavour: str) -> Measured:
    port = free_port()
    argv = [sys.executable, "-m", "bench.ceiling", str(port), str(workers), flavour]
    base = f"http://127.0.0.1:{port}"
    with process(argv, {"CEILING_DATABASE_URL": database_url}, f"{base}/docs") as server:
        closed_loop(base, write_one_row, clients=clients, seconds=WARM_UP, expect=201)
        return measure(server, lambda: closed_loop(base, write_one_row, clients=clients, seconds=seconds, expect=201))


def write_one_row(n: int) -> tuple[str, str, dict[str, str], Any]:
    return "POST", "/rows", {}, {"n": n}


CEILINGS = {"threads": "ceiling: POST one row, def", "loop": "ceiling: POST one row, async"}


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)

    settings = ServiceSettings(jwt_secret=SecretStr(BENCH_SECRET))
    token = issue_token(settings, "bench@pmv.example", [Role.FUND_MANAGER], audience=("sifo",))
    rows: list[Row] = []
    with postgres() as cluster:
        for workers in args.workers:
            submit, read = sifo_scenarios(
                cluster.create_database(f"bench_sifo_{workers}"), workers, token, args.clients, args.seconds
            )
            ceilings = {
                flavour: ceiling_scenario(
                    cluster.create_database(f"bench_ceiling_{flavour}_{workers}"),
                    workers,
                    args.clients,
                    args.seconds,
                    flavour,
                )
                for flavour in CEILINGS
            }
            ceiling = max((measured.result for measured in ceilings.values()), key=lambda result: result.per_second)
            rows += [
                Row("POST /loans (120 months)", workers, submit, ceiling),
                Row("GET /loans/{id}", workers, read, ceiling),
                *(Row(CEILINGS[flavour], workers, measured) for flavour, measured in ceilings.items()),
            ]
    print(f"{args.clients} closed-loop clients, {args.seconds:.0f} s per scenario, PostgreSQL with fsync")
    print(
        f"{'scenario':30s} {'workers':>7s} {'req/s':>8s} {'p50 ms':>7s} {'p99 ms':>7s} {'of ceiling':>10s} "
        f"{'server CPU ms/req':>17s}"
    )
    for row in rows:
        share = f"{row.result.per_second / row.ceiling.per_second:10.0%}" if row.ceiling else f"{'':10s}"
        print(
            f"{row.scenario:30s} {row.workers:7d} {row.result.per_second:8.0f} "
            f"{row.result.p50_ms:7.1f} {row.result.p99_ms:7.1f} {share} {row.measured.server_cpu_ms:17.2f}"
        )
    figures = []
    for row in rows:
        if row.ceiling is None:
            continue
        figures.append(
            Figure(
                f"API, {row.workers} worker{'s' if row.workers > 1 else ''}",
                row.scenario,
                f"{row.result.per_second:.0f} req/s (p50 {row.result.p50_ms:.0f} ms, p99 {row.result.p99_ms:.0f} ms), "
                f"{row.measured.server_cpu_ms:.1f} ms CPU",
                f"{row.result.per_second / row.ceiling.per_second:.0%} of the one-row ceiling "
                f"({row.ceiling.per_second:.0f} req/s, the higher of def and async)",
                ">= 40 % of the ceiling" if row.scenario.startswith("POST") else "",
            )
        )
    return figures


def quick() -> list[Figure]:
    return main(["--seconds", "8"])


if __name__ == "__main__":
    main()
