"""What no request may carry into a service, refused before routing with a problem document.

- A body larger than the limit for its kind: 413. JSON bodies are small (`max_json_bytes`);
  other bodies (a bank statement's XML) may be larger (`max_upload_bytes`). Both the declared
  ``Content-Length`` and the bytes actually sent are checked.
- Text that PostgreSQL or UTF-8 cannot hold: a NUL character, or a lone surrogate (half of a
  UTF-16 pair, ``"\\ud800"`` in JSON), or percent-escapes that are not UTF-8. In the path or
  the query it is a 422 naming ``path`` or the query parameter; in a JSON body, a 422 naming
  the field (``borrower.name``). Control characters are refused in the path and the query too,
  where no id or filter has any.

Without this, such text reached the database and failed there as a 500.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.platform.problem_document import problem_document, send_problem
from shared.platform.request_context import current_request_id

JSON_MEDIA_TYPES = ("application/json", "application/problem+json", "application/merge-patch+json")


class BodyTooLarge(Exception):
    pass


def _unstorable(text: str) -> str | None:
    """Why `text` cannot be stored as text, or None."""
    if "\x00" in text:
        return "must not contain the NUL character"
    if any("\ud800" <= char <= "\udfff" for char in text):
        return "must not contain a lone surrogate (invalid Unicode)"
    return None


def _unfit_for_url(text: str) -> str | None:
    reason = _unstorable(text)
    if reason is None and any(unicodedata.category(char) == "Cc" for char in text):
        reason = "must not contain control characters"
    return reason


def refused_strings(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """(field path, reason) for every key or string in a decoded JSON document that cannot be stored."""
    if isinstance(value, str):
        reason = _unstorable(value)
        if reason is not None:
            yield where or "body", reason
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            reason = _unstorable(key)
            if reason is not None:
                yield path, f"field name {reason}"
            yield from refused_strings(item, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from refused_strings(item, f"{where}.{index}" if where else str(index))


class RequestGuardMiddleware:
    def __init__(self, app: ASGIApp, *, max_json_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_json_bytes = max_json_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))

        async def refuse(status: int, title: str, field: str, rule: str) -> None:
            document = problem_document(
                status,
                title,
                f"{field}: {rule}",
                "validation" if status == 422 else "body-too-large",
                path,
                current_request_id.get(),
                errors=[{"field": field, "rule": rule}],
            )
            await send_problem(send, document)

        raw_path = scope.get("raw_path")
        if raw_path is not None:
            try:
                unquote_to_bytes(bytes(raw_path)).decode("utf-8")
            except UnicodeDecodeError:
                await refuse(422, "The request is not valid", "path", "must be UTF-8")
                return
        reason = _unfit_for_url(path)
        if reason is not None:
            await refuse(422, "The request is not valid", "path", reason)
            return
        query = bytes(scope.get("query_string", b""))
        try:
            pairs = parse_qsl(query.decode("utf-8"), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            await refuse(422, "The request is not valid", "query", "must be UTF-8")
            return
        for name, value in pairs:
            reason = _unfit_for_url(name) or _unfit_for_url(value)
            if reason is not None:
                await refuse(422, "The request is not valid", (_unfit_for_url(name) and "query") or name, reason)
                return

        headers = dict(scope.get("headers", []))
        media_type = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
        is_json = media_type in JSON_MEDIA_TYPES
        limit = self.max_json_bytes if is_json else self.max_upload_bytes
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await refuse(413, "Request body too large", "body", f"{int(declared)} bytes exceed the limit of {limit}")
            return
        if scope.get("method") in {"GET", "HEAD", "OPTIONS"}:
            await self.app(scope, receive, send)
            return
        try:
            body = await _read_body(receive, limit)
        except BodyTooLarge:
            await refuse(413, "Request body too large", "body", f"more than the limit of {limit} bytes")
            return
        if is_json and body:
            try:
                document = json.loads(body)
            except ValueError:
                document = None  # FastAPI answers malformed JSON with its own 422
            for field, rule in refused_strings(document):
                await refuse(422, "The request is not valid", field, rule)
                return
        await self.app(scope, _replaying(body, receive), send)


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
