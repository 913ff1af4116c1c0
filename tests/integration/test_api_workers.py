"""An API served by several workers: each builds the app and binds the port with its own TCP socket."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable

import httpx
import pytest

from deploy.in_process import free_port
from shared.platform.http_workers import tcp_listener

from tests.e2e.processes import ROOT
from tests.support import wait_for

pytestmark = pytest.mark.integration


def test_each_worker_socket_names_tcp_and_shares_the_port() -> None:
    port = free_port()
    first = tcp_listener("127.0.0.1", port, reuse_port=True)
    second = tcp_listener("127.0.0.1", port, reuse_port=True)
    try:
        assert first.proto == socket.IPPROTO_TCP, "a protocol of 0 leaves TCP_NODELAY off: 40 ms an answer"
        assert second.getsockname() == first.getsockname(), "each worker binds the port itself"
    finally:
        first.close()
        second.close()


def test_two_workers_answer(migrated_database: Callable[[str], str]) -> None:
    port = free_port()
    env = {
        **os.environ,
        "STATE_AID_DATABASE_URL": migrated_database("state_aid"),
        "STATE_AID_HTTP_PORT": str(port),
        "STATE_AID_HTTP_WORKERS": "2",
    }
    server = subprocess.Popen([sys.executable, "-m", "services.state_aid", "api"], cwd=ROOT, env=env)
    try:
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), 60, "the two workers to answer")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            assert all(client.get("/healthz").status_code == 200 for _ in range(20))
        children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) >= 2, "one process per worker under the supervisor"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
