"""A closed-loop load generator: `clients` concurrent requests for `seconds`, each sent as soon as the last returned.

Latencies are measured per request on the client (connection kept alive, as a service client
would), so they include the server's queueing when every worker is busy.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

Request = Callable[[int], tuple[str, str, dict[str, str], Any]]
"""The n-th request: method, path, headers, JSON body (None for none)."""


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


async def _drive(base_url: str, request: Request, clients: int, seconds: float, expect: int) -> LoadResult:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    counter = iter(range(10**9))
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:

        async def one_client() -> None:
            while time.perf_counter() < deadline:
                method, path, headers, body = request(next(counter))
                started = time.perf_counter()
                response = await client.request(method, path, headers=headers, json=body)
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] += 1
                if response.status_code != expect:
                    raise RuntimeError(f"{method} {path} answered {response.status_code}: {response.text[:300]}")

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return LoadResult(len(latencies), elapsed, cuts[49] * 1000, cuts[98] * 1000, dict(statuses))


def closed_loop(base_url: str, request: Request, *, clients: int, seconds: float, expect: int) -> LoadResult:
    return asyncio.run(_drive(base_url, request, clients, seconds, expect))
