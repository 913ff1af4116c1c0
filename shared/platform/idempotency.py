"""``Idempotency-Key`` for POSTs that create or move money.

The stored response is written in the same transaction as the effect, so a crash either keeps
both or neither. Same key + same request replays the stored response; same key + a different
request is a 422. Keys are scoped to the caller (token subject), so two clients cannot collide.
Failed requests store nothing: the client may retry them with the same key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel

from shared.platform.database import transaction
from shared.platform.errors import PROBLEM_MEDIA_TYPE, ProblemError

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "platform_idempotency_key"

    principal: str = Field(primary_key=True, max_length=200)
    key: str = Field(primary_key=True, max_length=MAX_KEY_LENGTH)
    fingerprint: str = Field(max_length=64)
    status_code: int
    response_body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))


def request_fingerprint(method: str, path: str, body: Any) -> str:
    """Hash of what makes two requests 'the same': method, path and canonical JSON body."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method.upper()} {path}\n{canonical}".encode()).hexdigest()


class StoredResponse:
    def __init__(self, status_code: int, body: Any, replayed: bool) -> None:
        self.status_code = status_code
        self.body = body
        self.replayed = replayed


def _replay(record: IdempotencyRecord, fingerprint: str, key: str) -> StoredResponse:
    if record.fingerprint != fingerprint:
        raise ProblemError(
            422,
            "Idempotency key reused",
            f"{IDEMPOTENCY_HEADER} {key!r} was already used with a different request; use a new key",
            "idempotency-key-reused",
        )
    return StoredResponse(record.status_code, json.loads(record.response_body), replayed=True)


def run_idempotent(
    engine: Engine,
    principal: str,
    key: str | None,
    fingerprint: str,
    action: Callable[[Session], tuple[int, Any]],
) -> StoredResponse:
    """Run `action` in one transaction, storing its response under (principal, key) when a key is given."""
    if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
        raise ProblemError(
            422,
            "The request is not valid",
            f"{IDEMPOTENCY_HEADER}: must be 1 to {MAX_KEY_LENGTH} characters",
            "validation",
        )
    if key is None:
        with transaction(engine) as session:
            status, body = action(session)
        return StoredResponse(status, body, replayed=False)

    with Session(engine) as session:
        existing = session.get(IdempotencyRecord, (principal, key))
        if existing is not None:
            return _replay(existing, fingerprint, key)
    try:
        with transaction(engine) as session:
            status, body = action(session)
            session.add(
                IdempotencyRecord(
                    principal=principal,
                    key=key,
                    fingerprint=fingerprint,
                    status_code=status,
                    response_body=json.dumps(body, default=str),
                    created_at=datetime.now(UTC),
                )
            )
            session.flush()
        return StoredResponse(status, body, replayed=False)
    except IntegrityError:
        with Session(engine) as session:
            winner = session.get(IdempotencyRecord, (principal, key))
        if winner is None:
            raise
        return _replay(winner, fingerprint, key)


def idempotent_response(
    request: Request,
    principal: str,
    key: str | None,
    body: BaseModel | None,
    action: Callable[[Session], tuple[int, Any]],
    location: Callable[[dict[str, Any]], str] | None = None,
) -> JSONResponse:
    """Run a POST's `action` in one transaction and answer with its stored (or replayed) response.

    An action may answer with a problem document (status >= 400) and still commit, e.g. when the
    request changed state but could not be granted in full; it is sent as problem+json.
    """
    fingerprint = request_fingerprint(
        request.method, request.url.path, body.model_dump(mode="json") if body is not None else None
    )
    stored = run_idempotent(request.app.state.engine, principal, key, fingerprint, action)
    headers = {"Idempotent-Replayed": "true"} if stored.replayed else {}
    if location is not None and stored.status_code < 400 and isinstance(stored.body, dict):
        headers["Location"] = location(stored.body)
    media_type = PROBLEM_MEDIA_TYPE if stored.status_code >= 400 else "application/json"
    return JSONResponse(stored.body, status_code=stored.status_code, headers=headers, media_type=media_type)
