"""What the benchmarks run against: a throwaway PostgreSQL server and the services as real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

from deploy.postgres.cluster import PostgresCluster, throwaway_cluster

ROOT = Path(__file__).resolve().parents[1]
BENCH_SECRET = "bench-secret-" + "0123456789abcdef" * 3


@contextmanager
def postgres(*, durable: bool = True) -> Iterator[PostgresCluster]:
    """A PostgreSQL server of its own, with production's durability unless told otherwise; removed afterwards."""
    with throwaway_cluster("sef-bench-", durable=durable) as cluster:
        yield cluster


@contextmanager
def process(
    argv: list[str], env: Mapping[str, str], health_url: str | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A process with `env` added to this one's, its output discarded; waited for at `health_url`; stopped after."""
    started = subprocess.Popen(
        argv, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        if health_url is not None:
            wait_until_up(health_url, started)
        yield started
    finally:
        started.terminate()
        try:
            started.wait(timeout=30)
        except subprocess.TimeoutExpired:
            started.kill()
            started.wait(timeout=10)


def wait_until_up(url: str, started: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if started.poll() is not None:
            error = started.stderr.read().decode(errors="replace") if started.stderr else ""
            raise RuntimeError(f"{started.args!r} exited with {started.returncode}:\n{error[-2000:]}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def service(name: str, command: str) -> list[str]:
    return [sys.executable, "-m", f"services.{name}", command]


def migrate(name: str, env: Mapping[str, str]) -> None:
    subprocess.run(service(name, "migrate"), cwd=ROOT, env={**os.environ, **env}, check=True, timeout=300)
