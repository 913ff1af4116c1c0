"""The stack `make run` starts (`python -m deploy.stack run`) on the test server and broker; `sefund` against it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from deploy.stack import SERVICES, ready

from tests.e2e.processes import ROOT
from tests.support import TEST_SECRET

SEFUND = Path(sys.executable).parent / "sefund"


@dataclass(frozen=True)
class RunningStack:
    urls: dict[str, str]
    log: Path


def _stack_environment(server_url: str, kafka: str, prefix: str, var: Path, ports: dict[str, int]) -> dict[str, str]:
    names = tuple(f"{service.name.upper()}_" for service in SERVICES)
    env = {key: value for key, value in os.environ.items() if not key.startswith(names)}
    env.update(
        {
            "DATABASE_URL": server_url,
            "STACK_DATABASE_PREFIX": prefix,
            "KAFKA_BOOTSTRAP_SERVERS": kafka,
            "STACK_VAR": str(var),
            "DEMO": "0",
            "STATE_AID_HTTP_PORT": str(ports["state_aid"]),
        }
    )
    for service in SERVICES:
        upper = service.name.upper()
        env.update(
            {
                f"{upper}_ENVIRONMENT": "test",
                f"{upper}_HTTP_PORT": str(ports[service.name]),
                f"{upper}_TOPIC_PREFIX": prefix,
                f"{upper}_JWT_SECRET": TEST_SECRET,
                f"{upper}_RELAY_IDLE_SECONDS": "0.05",
                f"{upper}_LOG_FORMAT": "text",
            }
        )
        if "scheduler" in service.commands:
            # The day's runs start at once at any hour: at 06:00 (the default) a stack started
            # before dawn would run nothing until then, and the walkthroughs wait for a run.
            env[f"{upper}_SCHEDULER_TIME"] = "00:00"
    return env


def distinct_free_ports(names: list[str]) -> dict[str, int]:
    """A free port per name, all probed at once so none is handed out twice."""
    probes = []
    try:
        for _ in names:
            probe = socket.socket()
            probe.bind(("127.0.0.1", 0))
            probes.append(probe)
        return {name: int(probe.getsockname()[1]) for name, probe in zip(names, probes, strict=True)}
    finally:
        for probe in probes:
            probe.close()


def _drop_databases(server_url: str, prefix: str) -> None:
    admin = make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        for service in SERVICES:
            connection.execute(f'DROP DATABASE IF EXISTS "{prefix}{service.name}" WITH (FORCE)')


@contextmanager
def running_stack(server_url: str, kafka: str, var: Path, timeout: float = 180.0) -> Iterator[RunningStack]:
    """The supervisor with every service's processes, until every API is ready; stopped with SIGTERM afterwards."""
    prefix = f"walk_{uuid.uuid4().hex[:8]}_"
    ports = distinct_free_ports([service.name for service in SERVICES])
    log = var / "stack.log"
    var.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "deploy.stack", "run"],
            cwd=ROOT,
            env=_stack_environment(server_url, kafka, prefix, var, ports),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stack = RunningStack({name: f"http://127.0.0.1:{port}" for name, port in ports.items()}, log)
    try:
        deadline = time.monotonic() + timeout
        for name, url in stack.urls.items():
            while not ready(url):
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
                assert supervisor.poll() is None, f"the stack exited:\n{tail}"
                assert time.monotonic() < deadline, f"{name} not ready after {timeout:.0f} s:\n{tail}"
                time.sleep(0.5)
        yield stack
    finally:
        supervisor.send_signal(signal.SIGTERM)
        try:
            supervisor.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(supervisor.pid, signal.SIGKILL)  # the supervisor and every process it started
            supervisor.wait(timeout=10)
        _drop_databases(server_url, prefix)


@dataclass(frozen=True)
class CommandLine:
    """The installed `sefund` command, run as a separate process against the running stack."""

    stack: RunningStack
    workdir: Path

    def environment(self, token: str | None) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("SEFUND_")}
        env.update({f"SEFUND_{name.upper()}_URL": url for name, url in self.stack.urls.items()})
        env["JWT_SECRET"] = TEST_SECRET
        env["COLUMNS"] = "200"
        if token is not None:
            env["SEFUND_TOKEN"] = token
        return env

    def run(self, token: str | None, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SEFUND), *args],
            cwd=self.workdir,
            env=self.environment(token),
            capture_output=True,
            text=True,
            timeout=120,
        )

    def ok(self, token: str | None, *args: str) -> str:
        done = self.run(token, *args)
        assert done.returncode == 0, f"sefund {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
        return done.stdout

    def json(self, token: str, *args: str) -> Any:
        """One command with --json; its output parsed."""
        return json.loads(self.ok(token, "--json", *args))

    def token(self, subject: str, role: str, *extra: str) -> str:
        return self.ok(None, "token", "--subject", subject, "--role", role, *extra).strip()

    def file(self, name: str, body: object) -> str:
        path = self.workdir / name
        path.write_text(json.dumps(body))
        return str(path)
