"""Long-running process helpers: graceful stop on SIGTERM/SIGINT, serving an app with uvicorn."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

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


def serve_http(build_app: Callable[[], FastAPI], settings: ServiceSettings) -> None:
    """Serve the app built by `build_app`; with `http_workers` > 1, each worker process builds its own."""
    options: dict[str, Any] = {"host": settings.http_host, "port": settings.http_port, "log_config": None}
    if settings.http_workers == 1:
        uvicorn.run(build_app(), access_log=False, **options)
    else:
        factory = f"{build_app.__module__}:{build_app.__qualname__}"
        uvicorn.run(factory, factory=True, workers=settings.http_workers, access_log=False, **options)
