"""Services served inside this process, on a business clock that can be set.

The demo's year of history is made this way before the stack's processes start, and the tests
serve the state-aid register this way: `ThreadedServer` runs an app under uvicorn on a loopback
port in a thread, so other services reach it over real HTTP, and `BusinessClock` is the one
clock of every service in the process (approvals and runs are dated by the server).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from datetime import time as clock_time
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlmodel import Session

from shared.loan_operations.lender import LenderOperations
from shared.platform.auth import Principal


@dataclass
class BusinessClock:
    """Real time until a test sets a day; then 10:00 UTC (11:00 or 12:00 in Brussels) of that day."""

    moment: datetime | None = None

    def __call__(self) -> datetime:
        return self.moment or datetime.now(UTC)

    def set_day(self, day: date | str) -> None:
        when = date.fromisoformat(day) if isinstance(day, str) else day
        self.moment = datetime.combine(when, clock_time(10), tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ThreadedServer:
    """uvicorn in a thread on a loopback port; `stop`, then `start` again on the same port (a service back up)."""

    def __init__(self, app: FastAPI, port: int | None = None) -> None:
        self.app = app
        self.port = port or free_port()
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_config=None, access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn-test-server", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(timeout=30)
        self.server = None
        self.thread = None


def on_clock(ops: LenderOperations[Any], clock: Callable[[], datetime]) -> LenderOperations[Any]:
    """A lender's repayment operations whose commands all run on `clock`."""
    base = ops.command

    def command(session: Session, principal: Principal) -> Any:
        return replace(base(session, principal), clock=clock)

    return replace(ops, command=command)
