"""One service over HTTP: bearer token, problem documents as exceptions, safe retries, pages.

A POST that creates a record or moves money carries an Idempotency-Key. The client makes one per
call and sends the same key on every retry, so a request that reached the service before the
connection broke is answered again, not applied twice. Retries happen only when nothing can have
gone wrong by repeating: a connection that failed, a 503 (database or register unavailable,
`Retry-After` honoured) or a 502/504 from a proxy. A 4xx is never retried: the service refused
the request and changed nothing.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import httpx

JsonObject = dict[str, Any]
RETRYABLE_STATUSES = frozenset({502, 503, 504})


class ApiError(Exception):
    """A problem document (RFC 9457) the service answered with, readable as it stands."""

    def __init__(self, status: int, problem: Mapping[str, Any]) -> None:
        self.status = status
        self.problem = dict(problem)
        self.title = str(problem.get("title", "HTTP error"))
        self.detail = str(problem.get("detail", ""))
        self.request_id = problem.get("request_id")
        self.errors: list[dict[str, str]] = list(problem.get("errors", []))
        super().__init__(str(self))

    def __str__(self) -> str:
        reference = f" (request {self.request_id})" if self.request_id else ""
        return f"{self.status} {self.title}: {self.detail}{reference}"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    first_wait: float = 0.5
    longest_wait: float = 10.0

    def wait(self, attempt: int, retry_after: str | None) -> float:
        if retry_after is not None and retry_after.isdigit():
            return min(float(retry_after), self.longest_wait)
        return min(self.first_wait * 2.0**attempt, self.longest_wait)


def _query_text(value: Any) -> Any:
    """Dates and times as ISO 8601 (a time without a zone is refused by the API, so it is sent as given)."""
    return value.isoformat() if isinstance(value, date | datetime) else value


@dataclass
class ServiceClient:
    """Calls to one service. `http` may be any `httpx.Client` (a FastAPI TestClient in tests)."""

    base_url: str
    token: str
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30.0))
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    new_key: Callable[[], str] = lambda: str(uuid.uuid4())

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any = None, *, idempotency_key: str | None = None) -> Any:
        """POST with an Idempotency-Key (a new one unless given), the same on every retry."""
        return self.request("POST", path, json=body, idempotency_key=idempotency_key or self.new_key())

    def put(self, path: str, body: Any = None, *, idempotency_key: str | None = None) -> Any:
        return self.request("PUT", path, json=body, idempotency_key=idempotency_key or self.new_key())

    def delete(self, path: str, *, idempotency_key: str | None = None) -> Any:
        return self.request("DELETE", path, idempotency_key=idempotency_key or self.new_key())

    def pages(self, path: str, **params: Any) -> Iterator[JsonObject]:
        """Every item of a list, page after page, following `next_cursor`."""
        cursor: str | None = None
        while True:
            page = self.get(path, **params, **({"cursor": cursor} if cursor else {}))
            yield from page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotency_key: str | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
    ) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        if content_type is not None:
            headers["Content-Type"] = content_type
        query = {key: _query_text(value) for key, value in (params or {}).items() if value is not None}
        url = self.base_url.rstrip("/") + path
        attempt = 0
        while True:
            try:
                response = self.http.request(method, url, params=query, json=json, content=content, headers=headers)
            except httpx.TransportError:
                if attempt + 1 >= self.retry.attempts:
                    raise
                self.sleep(self.retry.wait(attempt, None))
                attempt += 1
                continue
            if response.status_code in RETRYABLE_STATUSES and attempt + 1 < self.retry.attempts:
                self.sleep(self.retry.wait(attempt, response.headers.get("Retry-After")))
                attempt += 1
                continue
            return _answer(response)


def _answer(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        try:
            problem = response.json()
        except ValueError:
            problem = {"title": response.reason_phrase, "detail": response.text[:500]}
        raise ApiError(response.status_code, problem if isinstance(problem, dict) else {"detail": str(problem)})
    if response.status_code == 204 or not response.content:
        return None
    if "json" in response.headers.get("content-type", ""):
        return response.json()
    return response.content
