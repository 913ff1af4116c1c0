"""Several API worker processes on one port, each with its own listening socket (SO_REUSEPORT).

uvicorn's own workers share one listening socket, and asyncio accepts every waiting connection
at once: with keep-alive clients one worker takes them all and the others stay idle (bench/api.py
measured no gain from a second worker that way). With a socket per worker and SO_REUSEPORT, the
kernel spreads new connections over the workers.

Each socket names TCP as its protocol. asyncio sets TCP_NODELAY only on connections of such
sockets; a socket made as ``socket.socket(family)`` has protocol 0, and every answer then waited
for the client's delayed ACK, about 40 ms (bench/api.py found that too).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn
from uvicorn.importer import import_from_string

from shared.platform.garbage_collection import settle_for_serving
from shared.platform.request_context import LogFormat, configure_logging

logger = logging.getLogger(__name__)


def tcp_listener(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind((host, port))
    return listener


@dataclass(frozen=True)
class Logging:
    """How the supervisor's process logs; each worker (a fresh interpreter) sets up the same."""

    name: str
    level: str
    log_format: LogFormat


def _worker(factory: str, host: str, port: int, logs: Logging, supervisor: int) -> None:
    configure_logging(logs.name, logs.level, logs.log_format)
    threading.Thread(target=_exit_with, args=(supervisor,), name="orphan-watch", daemon=True).start()
    listener = tcp_listener(host, port, reuse_port=True)
    app = import_from_string(factory)()
    settle_for_serving()
    config = uvicorn.Config(app, log_config=None, access_log=False)
    uvicorn.Server(config).run(sockets=[listener])


def _exit_with(supervisor: int) -> None:
    """A worker whose supervisor is gone (killed with SIGKILL) stops too, rather than hold the port."""
    while os.getppid() == supervisor:
        time.sleep(1.0)
    os._exit(0)


QUICK_EXIT_SECONDS = 10.0
GIVE_UP_AFTER = 5
"""A worker that exits within QUICK_EXIT_SECONDS of starting, this many times in a row, stops the service."""


def serve_workers(factory: str, host: str, port: int, count: int, logs: Logging) -> None:
    """Run `count` workers of the app `factory` ("module:function") until SIGTERM or SIGINT; restart any that dies.

    Workers that keep dying at start-up (an import error, a port held by another program) are
    restarted with a growing wait, and after GIVE_UP_AFTER such exits in a row the service exits
    with status 1 so its supervisor (make run, Kubernetes) sees it.
    """
    context = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    started_at: dict[int, float] = {}

    def start() -> BaseProcess:
        worker = context.Process(target=_worker, args=(factory, host, port, logs, os.getpid()), daemon=False)
        worker.start()
        started_at[id(worker)] = time.monotonic()
        return worker

    workers = [start() for _ in range(count)]
    quick_exits = 0
    try:
        while not stopping.wait(1.0):
            for index, worker in enumerate(workers):
                if worker.is_alive():
                    continue
                lived = time.monotonic() - started_at.pop(id(worker), 0.0)
                quick_exits = quick_exits + 1 if lived < QUICK_EXIT_SECONDS else 0
                if quick_exits >= GIVE_UP_AFTER:
                    logger.error("API workers keep exiting at start-up (last status %s); stopping", worker.exitcode)
                    raise SystemExit(1)
                logger.warning("API worker %s exited with %s; starting another", worker.pid, worker.exitcode)
                stopping.wait(min(2.0**quick_exits, 30.0))
                workers[index] = start()
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
