"""What every log line and event of a request carries: its request id and its W3C trace context.

- The request id is taken from ``X-Request-ID`` when it is a plausible id, generated otherwise,
  echoed in the response (also on a 500) and stamped on every log line.
- The trace context follows W3C Trace Context: an incoming ``traceparent`` keeps its trace id
  and this service becomes a new span in it; without one a trace starts here. The outbox puts
  the current ``traceparent`` in each event's envelope, and the consumer that applies the event
  continues the same trace, so one trace id joins the HTTP request to the projection.
- An exception no handler turned into a response is logged here with its traceback and the
  request id, and answered with a problem document naming the same id.
- Logs are JSON lines by default (`LOG_FORMAT=text` for reading by eye).
"""

from __future__ import annotations

import logging
import re
import secrets
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.platform.problem_document import problem_document, send_problem

REQUEST_ID_HEADER = "x-request-id"
TRACEPARENT_HEADER = "traceparent"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")
current_event_id: ContextVar[str] = ContextVar("current_event_id", default="-")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TraceContext:
    """One span of a W3C trace: the trace it belongs to, its own id and the sampling flags."""

    trace_id: str
    span_id: str
    flags: str = "01"

    @property
    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{self.flags}"

    @classmethod
    def parse(cls, value: str | None) -> TraceContext | None:
        """The context a ``traceparent`` value describes, or None when it is absent or malformed."""
        match = _TRACEPARENT.match(value or "")
        if match is None or set(match.group(1)) == {"0"} or set(match.group(2)) == {"0"}:
            return None
        return cls(trace_id=match.group(1), span_id=match.group(2), flags=match.group(3))

    @classmethod
    def start(cls) -> TraceContext:
        return cls(trace_id=secrets.token_hex(16), span_id=secrets.token_hex(8))

    def child(self) -> TraceContext:
        """A new span of the same trace (this process's work on behalf of the caller)."""
        return TraceContext(trace_id=self.trace_id, span_id=secrets.token_hex(8), flags=self.flags)

    @classmethod
    def continuing(cls, traceparent: str | None) -> TraceContext:
        parent = cls.parse(traceparent)
        return parent.child() if parent is not None else cls.start()


current_trace: ContextVar[TraceContext | None] = ContextVar("current_trace", default=None)


def current_traceparent() -> str | None:
    trace = current_trace.get()
    return trace.traceparent if trace is not None else None


class RequestIdLogFilter(logging.Filter):
    """Adds ``request_id``, ``event_id`` and ``trace_id`` to every record so the format can print them."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        record.event_id = current_event_id.get()
        trace = current_trace.get()
        record.trace_id = trace.trace_id if trace is not None else "-"
        return True


LogFormat = Literal["json", "text"]


def configure_logging(service_name: str, level: str = "INFO", log_format: LogFormat = "json") -> None:
    """One log format for every process of every service: JSON lines with the ids, or text."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdLogFilter())
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}{request_id}{event_id}{trace_id}",
                style="{",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                static_fields={"service": service_name},
                timestamp=False,
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter(
                f"%(asctime)s {service_name} %(levelname)s [%(request_id)s %(event_id)s] %(name)s: %(message)s"
            )
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("kafka").setLevel(max(logging.WARNING, logging.getLevelName(level)))


class RequestIdMiddleware:
    """Pure ASGI middleware, so the ids are set before any other middleware or handler logs.

    It is the outermost layer a request passes that can still answer, so it is also where an
    unexpected exception is logged (with its traceback, inside the ``except``) and turned into a
    500 problem document that carries the request id in its body and its ``X-Request-ID``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        incoming = headers.get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        trace = TraceContext.continuing(headers.get(TRACEPARENT_HEADER.encode(), b"").decode("latin-1"))
        request_token = current_request_id.set(request_id)
        trace_token = current_trace.set(trace)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message.setdefault("headers", [])
                message["headers"].append((REQUEST_ID_HEADER.encode(), request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            logger.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await send_problem(
                send_with_id,
                problem_document(
                    500,
                    "Internal error",
                    "The server failed to handle the request; quote the request_id when reporting it",
                    "internal",
                    str(scope.get("path", "")),
                    request_id,
                ),
            )
        finally:
            current_trace.reset(trace_token)
            current_request_id.reset(request_token)
