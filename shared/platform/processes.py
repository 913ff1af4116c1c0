"""Long-running process helpers: graceful stop on SIGTERM/SIGINT, serving an app with uvicorn."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

import uvicorn
from fastapi import FastAPI

from shared.platform.garbage_collection import settle_for_serving
from shared.platform.http_workers import Logging, serve_workers
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
    if settings.http_workers == 1:
        app = build_app()
        settle_for_serving()
        uvicorn.run(app, host=settings.http_host, port=settings.http_port, log_config=None, access_log=False)
        return
    factory = f"{build_app.__module__}:{build_app.__qualname__}"
    logs = Logging(f"{settings.service_name}-api", settings.log_level, settings.log_format)
    serve_workers(factory, settings.http_host, settings.http_port, settings.http_workers, logs)
