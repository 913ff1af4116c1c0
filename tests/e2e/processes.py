"""Run the services as separate operating-system processes, the way `make run` does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support import TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]


def service_environment(prefix: str, database_url: str, kafka: str, topic_prefix: str, port: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SIFO_", "PORTFOLIO_"))}
    env.update(
        {
            f"{prefix}_ENVIRONMENT": "test",
            f"{prefix}_DATABASE_URL": database_url,
            f"{prefix}_KAFKA_BOOTSTRAP_SERVERS": kafka,
            f"{prefix}_TOPIC_PREFIX": topic_prefix,
            f"{prefix}_JWT_SECRET": TEST_SECRET,
            f"{prefix}_HTTP_PORT": str(port),
            f"{prefix}_RELAY_IDLE_SECONDS": "0.05",
        }
    )
    return env


class ServiceProcess:
    """One `python -m services.<name> <command>` process with its output in a log file."""

    def __init__(self, module: str, command: str, env: dict[str, str], log_dir: Path) -> None:
        self.module = module
        self.command = command
        self.env = env
        self.log_path = log_dir / f"{module.rsplit('.', 1)[-1]}-{command}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServiceProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module, self.command], cwd=ROOT, env=self.env, stdout=log, stderr=log
        )
        log.close()
        return self

    def kill(self) -> None:
        """SIGKILL: no clean-up, no flush, as if the machine lost the process."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def migrate(module: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", module, "migrate"], cwd=ROOT, env=env, check=True, timeout=120)


def wait_http(base_url: str, process: ServiceProcess, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive():
            raise AssertionError(f"{process.module} {process.command} died:\n{process.log_tail()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base_url} did not answer in {timeout}s:\n{process.log_tail()}")


@contextmanager
def running(*processes: ServiceProcess) -> Iterator[tuple[ServiceProcess, ...]]:
    for process in processes:
        process.start()
    try:
        yield processes
    finally:
        for process in processes:
            process.stop()


@contextmanager
def stopped_at_exit(process: ServiceProcess) -> Iterator[ServiceProcess]:
    """For a process the test starts and kills itself: whatever happens, it does not outlive the test."""
    try:
        yield process
    finally:
        process.stop()
