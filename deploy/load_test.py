"""Mixed load against a running local stack (`make run`): reads, loan submissions and repayments.

``python -m deploy.load_test --seconds 300 --clients 8`` sets up one financier with a drawing
right and a pool of disbursed loans through the public API, then runs `clients` threads for
`seconds`, each choosing at random (fixed seed) between reading (70 %), submitting a loan
(20 %) and recording a repayment (10 %). Every request carries a fresh Idempotency-Key. It
prints, per kind of request, the count, throughput and p50/p99 latency, and every error; it
exits 1 when any request failed.

The tokens are signed with the development secret, as the stack started by `make run` expects.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from shared.platform.auth import Role, issue_token
from shared.platform.settings import SERVICE_AUDIENCES, ServiceSettings

Action = Callable[[httpx.Client], httpx.Response]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, response: httpx.Response | None, error: str | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error is not None:
                self.errors.append(f"{kind}: {error}")
            elif response is not None and response.status_code >= 400:
                self.errors.append(f"{kind}: {response.status_code} {response.text[:200]}")


def enterprise_number(n: int) -> str:
    digits = f"0{3_000_000 + n:07d}"
    return f"{digits}{97 - int(digits) % 97:02d}"


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Idempotency-Key": f"load-{uuid.uuid4()}"}


def ok(client: httpx.Client, method: str, url: str, token: str, body: Any = None, status: int = 200) -> Any:
    response = client.request(method, url, json=body, headers=headers(token))
    if response.status_code != status:
        raise SystemExit(f"set-up failed: {method} {url} -> {response.status_code} {response.text[:300]}")
    return response.json()


def loan_body(financier_id: str, n: int, today: date) -> dict[str, Any]:
    return {
        "financier_id": financier_id,
        "borrower": {
            "enterprise_number": enterprise_number(n),
            "name": f"Maatwerkbedrijf {n}",
            "target_group_vte": "8.00",
        },
        "loan_type": "investment",
        "total_credit": "60000.00",
        "sifo_share": "40000.00",
        "terms": {"start_date": today.isoformat(), "periods": 60},
        "rating": "satisfactory",
        "collateral": "normal",
    }


def set_up(sifo_url: str, manager: str, approver: str, backoffice: str, loans: int) -> tuple[str, list[str]]:
    today = date.today()
    with httpx.Client(base_url=sifo_url, timeout=60) as client:
        financier = ok(
            client,
            "POST",
            "/financiers",
            manager,
            {
                # A number of its own per run, so the stack can be loaded again without a conflict.
                "enterprise_number": enterprise_number(100_000 + int(time.time()) % 800_000),
                "name": "Load test financier",
                "iban": "BE68539007547034",
                "recognised_from": (today - timedelta(days=30)).isoformat(),
            },
            201,
        )
        ok(
            client,
            "POST",
            f"/financiers/{financier['id']}/drawing-rights",
            manager,
            {
                "fund_year": today.year,
                "amount": "5000000.00",
                "valid_from": (today - timedelta(days=30)).isoformat(),
                "valid_until": (today + timedelta(days=365)).isoformat(),
            },
            201,
        )
        pool = []
        for n in range(loans):
            loan = ok(client, "POST", "/loans", manager, loan_body(financier["id"], 900_000 + n, today), 201)
            ok(client, "POST", f"/loans/{loan['id']}/approval", approver, {})
            decision = ok(
                client,
                "POST",
                f"/loans/{loan['id']}/disbursement",
                backoffice,
                {"disbursed_on": today.isoformat()},
                201,
            )
            ok(client, "POST", f"/decisions/{decision['id']}/approval", approver)
            pool.append(str(loan["id"]))
        return str(financier["id"]), pool


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--loans", type=int, default=10, help="disbursed loans that receive repayments")
    parser.add_argument("--sifo", default="http://127.0.0.1:8101")
    parser.add_argument("--portfolio", default="http://127.0.0.1:8104")
    args = parser.parse_args(argv)

    settings = ServiceSettings()

    def token(subject: str, role: Role) -> str:
        return issue_token(settings, subject, [role], audience=SERVICE_AUDIENCES, lifetime=timedelta(hours=2))

    manager, approver = (
        token("load-manager@pmv.example", Role.FUND_MANAGER),
        token("load-approver@pmv.example", Role.APPROVER),
    )
    backoffice, auditor = (
        token("load-backoffice@pmv.example", Role.BACKOFFICE),
        token("load-auditor@pmv.example", Role.AUDITOR),
    )
    financier_id, pool = set_up(args.sifo, manager, approver, backoffice, args.loans)
    today = date.today().isoformat()
    counter = iter(range(10**9))
    counter_lock = threading.Lock()

    def next_number() -> int:
        with counter_lock:
            return next(counter)

    reads: list[tuple[str, str, str]] = [
        ("read", f"{args.sifo}/loans?limit=20", manager),
        ("read", f"{args.sifo}/loans/{{loan}}", manager),
        ("read", f"{args.sifo}/loans/{{loan}}/position", manager),
        ("read", f"{args.sifo}/financiers", manager),
        ("read", f"{args.portfolio}/financiers", auditor),
    ]
    tally = Tally()
    deadline = time.monotonic() + args.seconds

    def worker(seed: int) -> None:
        chooser = random.Random(seed)  # noqa: S311 - a reproducible mix of requests, not a secret
        with httpx.Client(timeout=60) as client:
            while time.monotonic() < deadline:
                roll = chooser.random()
                loan = chooser.choice(pool)
                if roll < 0.7:
                    kind, url, bearer = chooser.choice(reads)
                    method, body, url = "GET", None, url.format(loan=loan)
                elif roll < 0.9:
                    kind, bearer, method = "submit", manager, "POST"
                    url = f"{args.sifo}/loans"
                    body = loan_body(financier_id, next_number(), date.today())
                else:
                    kind, bearer, method = "repay", backoffice, "POST"
                    url = f"{args.sifo}/loans/{loan}/repayments"
                    body = {"received_on": today, "amount": "1.00"}
                started = time.perf_counter()
                try:
                    response = client.request(method, url, json=body, headers=headers(bearer))
                    tally.record(kind, time.perf_counter() - started, response, None)
                except httpx.HTTPError as exc:
                    tally.record(kind, time.perf_counter() - started, None, f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(args.clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    print(f"{args.clients} clients for {elapsed:.0f} s against {args.sifo} and {args.portfolio}")
    print(f"{'kind':<8}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for kind in ("read", "submit", "repay"):
        samples = sorted(tally.latencies.get(kind, []))
        if not samples:
            continue
        p50 = statistics.median(samples) * 1000
        p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1000
        print(f"{kind:<8}{len(samples):>10}{len(samples) / elapsed:>9.1f}{p50:>9.0f}{p99:>9.0f}")
    total = sum(len(samples) for samples in tally.latencies.values())
    print(f"{'all':<8}{total:>10}{total / elapsed:>9.1f}")
    print(f"errors: {len(tally.errors)}")
    for error in tally.errors[:20]:
        print(f"  {error}")
    return 1 if tally.errors else 0


if __name__ == "__main__":
    sys.exit(main())
