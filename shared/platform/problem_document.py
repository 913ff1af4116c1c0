"""The RFC 9457 problem document every error answer carries, and how to send one from ASGI middleware.

Handlers answer through `errors.problem_response`; middleware that answers before a request
reaches FastAPI (the request guard, the 500 of the request-id middleware) sends the same
document with `send_problem`.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Send

PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem_document(
    status: int, title: str, detail: str, slug: str, instance: str, request_id: str, **extensions: Any
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "request_id": request_id,
    }
    document.update(extensions)
    return document


async def send_problem(send: Send, document: dict[str, Any]) -> None:
    body = json.dumps(document).encode()
    await send(
        {
            "type": "http.response.start",
            "status": document["status"],
            "headers": [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
