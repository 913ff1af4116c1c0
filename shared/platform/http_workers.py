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
import signal
import socket
import threading
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

logger = logging.getLogger(__name__)


def tcp_listener(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind((host, port))
    return listener


def _worker(factory: str, host: str, port: int) -> None:
    listener = tcp_listener(host, port, reuse_port=True)
    config = uvicorn.Config(factory, factory=True, log_config=None, access_log=False)
    uvicorn.Server(config).run(sockets=[listener])


def serve_workers(factory: str, host: str, port: int, count: int) -> None:
    """Run `count` workers of the app `factory` ("module:function") until SIGTERM or SIGINT; restart any that dies."""
    context = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def start() -> BaseProcess:
        worker = context.Process(target=_worker, args=(factory, host, port), daemon=False)
        worker.start()
        return worker

    workers = [start() for _ in range(count)]
    try:
        while not stopping.wait(1.0):
            for index, worker in enumerate(workers):
                if not worker.is_alive():
                    logger.warning("API worker %s exited with %s; starting another", worker.pid, worker.exitcode)
                    workers[index] = start()
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
