"""Long-running process helpers: graceful stop on SIGTERM/SIGINT, serving an app with uvicorn."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import uvicorn
from fastapi import FastAPI

from shared.platform.settings import ServiceSettings


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT, for loops that should finish their batch and exit."""
    stop = threading.Event()

    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
    return stop


def serve_http(app: FastAPI, settings: ServiceSettings) -> None:
    uvicorn.run(app, host=settings.http_host, port=settings.http_port, log_config=None, access_log=False)
