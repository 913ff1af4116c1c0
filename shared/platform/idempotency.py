"""``Idempotency-Key`` for POSTs that create a record or move money: required, scoped, replayed.

Every such POST must carry a key of 1 to 200 visible ASCII characters (PUT and DELETE, which
are idempotent by themselves, may). The key is claimed in the same transaction as the effect,
*before* the effect runs: a row for (caller scope, key) is inserted first. A second request
with the same key, arriving while the first still runs, waits on that row's unique index; when
the first commits, the second finds the stored response and replays it
(``Idempotent-Replayed: true``), and when the first fails, the second runs as if it had come
alone. So twenty identical requests sent at once have one effect and nineteen replays.

- Same key with a different request (method, path or body) is refused with 422.
- Keys are scoped to the caller's normalised subject and, for a financier, its financier id, so
  two clients cannot collide and one cannot read the other's responses.
- Failed requests store nothing: the client may retry them with the same key.
- Keys are kept `idempotency_retention_hours` (24 h at least) and then purged (`purge_expired`).

A transaction that loses a race on a unique index or a serialisation check (two first loans of
one new borrower, two openings of one budget year) is run again from the start, up to
`ATTEMPTS` times; the second run sees the winner's rows and answers as the rules say.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic_core import to_json
from sqlalchemy import Engine, delete
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Field, Session, SQLModel, col

from shared.platform.audit import acting_as
from shared.platform.auth import Principal
from shared.platform.database import transaction
from shared.platform.driver_statements import execute_write
from shared.platform.errors import ProblemError
from shared.platform.event_loop_endpoints import engine_for
from shared.platform.problem_document import PROBLEM_MEDIA_TYPE

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
KEY_PATTERN = r"^[\x21-\x7e]{1,200}$"
_KEY = re.compile(KEY_PATTERN)
ATTEMPTS = 3
_IN_PROGRESS = 0
_RETRIED_SQLSTATES = frozenset({"23505", "40001", "40P01"})

logger = logging.getLogger(__name__)

IdempotencyKey = Annotated[
    str,
    Header(
        alias=IDEMPOTENCY_HEADER,
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        pattern=KEY_PATTERN,
        description="A key of the client's choosing, new for each distinct request; a retry sends the same key "
        "and gets the first answer again. Required.",
        examples=["3f1c2a9e-loan-submission-0001"],
    ),
]
"""The header parameter every POST that creates a record or moves money declares."""

OptionalIdempotencyKey = Annotated[
    str | None,
    Header(
        alias=IDEMPOTENCY_HEADER,
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        pattern=KEY_PATTERN,
        description="Optional on PUT and DELETE, which are idempotent by themselves; a key replays the first answer.",
    ),
]


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


class EncodedJSONResponse(JSONResponse):
    """A JSON answer whose text is already encoded (the stored one), sent without encoding it again."""

    def render(self, content: Any) -> bytes:
        return str(content).encode("utf-8")


Answer = BaseModel | dict[str, Any]
"""What an action answers: its response model, or a JSON object (a problem document, say)."""


def response_text(body: Answer | None) -> str:
    """The answer's JSON as it is stored under its key and sent, byte for byte, the first time and on replays.

    Compact and UTF-8 (not ASCII-escaped). A response model is serialised by pydantic's own
    serializer straight to text, without a dictionary of it first: a loan's answer carries its
    whole schedule, and that detour cost more than the text itself.
    """
    return to_json(body, fallback=str).decode()


class StoredResponse:
    def __init__(self, status_code: int, body: Answer | None, replayed: bool, text: str | None = None) -> None:
        self.status_code = status_code
        self.body = body
        self.replayed = replayed
        self.text = response_text(body) if text is None else text

    def field(self, name: str) -> Any:
        """A top-level field of the answer, whether it is the action's model or a replayed JSON object."""
        if isinstance(self.body, BaseModel):
            return getattr(self.body, name)
        return None if self.body is None else self.body.get(name)


def _replay(record: IdempotencyRecord, fingerprint: str, key: str) -> StoredResponse:
    if record.fingerprint != fingerprint:
        raise ProblemError(
            422,
            "Idempotency key reused",
            f"{IDEMPOTENCY_HEADER} {key!r} was already used with a different request; use a new key",
            "idempotency-key-reused",
        )
    return StoredResponse(
        record.status_code, json.loads(record.response_body), replayed=True, text=record.response_body
    )


def lost_a_race(exc: DBAPIError) -> bool:
    """A unique-index or serialisation conflict with a concurrent transaction: worth running again."""
    if isinstance(exc, IntegrityError) and "UNIQUE constraint failed" in str(exc.orig):
        return True
    return getattr(exc.orig, "sqlstate", None) in _RETRIED_SQLSTATES


def _checked_key(key: str | None, required: bool) -> str | None:
    if key is None:
        if required:
            raise ProblemError(
                400,
                "Idempotency-Key required",
                f"{IDEMPOTENCY_HEADER}: required on this request; send a new key per request and the same key "
                "on a retry",
                "idempotency-key-required",
            )
        return None
    if _KEY.fullmatch(key) is None:
        raise ProblemError(
            422,
            "The request is not valid",
            f"{IDEMPOTENCY_HEADER}: must be 1 to {MAX_KEY_LENGTH} visible ASCII characters",
            "validation",
        )
    return key


_KEYS = IdempotencyRecord.__table__  # type: ignore[attr-defined]
_CLAIM = sa.insert(_KEYS)
_ANSWER = (
    sa.update(_KEYS)
    .where(_KEYS.c.principal == sa.bindparam("scope"), _KEYS.c.key == sa.bindparam("claimed"))
    .values(status_code=sa.bindparam("status"), response_body=sa.bindparam("text"))
)
"""The key's row is bookkeeping, not a decision (it is not audited): plain statements, no unit of work.
Built once with bound parameters: a statement built per request with its values inside costs
about 0.1 ms of CPU more each time (its cache key is computed anew from the values)."""


def _run_keyed(
    engine: Engine, scope: str, key: str, fingerprint: str, action: Callable[[Session], tuple[int, Answer]]
) -> StoredResponse:
    try:
        with transaction(engine) as session:
            # Claims the key; a concurrent request with the same key waits here until this commits.
            execute_write(
                session,
                _CLAIM,
                {
                    "principal": scope,
                    "key": key,
                    "fingerprint": fingerprint,
                    "status_code": _IN_PROGRESS,
                    "response_body": "null",
                    "created_at": datetime.now(UTC),
                },
            )
            status, body = action(session)
            text = response_text(body)
            execute_write(session, _ANSWER, {"scope": scope, "claimed": key, "status": status, "text": text})
        return StoredResponse(status, body, replayed=False, text=text)
    except IntegrityError:
        with Session(engine) as session:
            winner = session.get(IdempotencyRecord, (scope, key))
        if winner is None or winner.status_code == _IN_PROGRESS:
            raise
        return _replay(winner, fingerprint, key)


def run_idempotent(
    engine: Engine,
    scope: str,
    key: str | None,
    fingerprint: str,
    action: Callable[[Session], tuple[int, Answer]],
    *,
    required: bool = True,
) -> StoredResponse:
    """Run `action` in one transaction, storing its response under (scope, key) when a key is given."""
    checked = _checked_key(key, required)
    # No look-up first: claiming the key is the look-up. A key already answered makes the claim
    # fail at once and its answer is replayed; that saves every new request a round trip.
    for attempt in range(1, ATTEMPTS + 1):
        try:
            if checked is None:
                with transaction(engine) as session:
                    status, body = action(session)
                return StoredResponse(status, body, replayed=False)
            return _run_keyed(engine, scope, checked, fingerprint, action)
        except DBAPIError as exc:
            if attempt == ATTEMPTS or not lost_a_race(exc):
                raise
            logger.info("transaction lost a race (%s); running it again (attempt %s)", type(exc.orig).__name__, attempt)
    raise AssertionError("unreachable")


def purge_expired(engine: Engine, retention: timedelta, now: datetime | None = None) -> int:
    """Delete keys older than `retention`; return how many went."""
    cutoff = (now or datetime.now(UTC)) - retention
    with transaction(engine) as session:
        result = session.exec(delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) < cutoff))
        return int(result.rowcount or 0)


def idempotent_response(
    request: Request,
    principal: Principal,
    key: str | None,
    body: BaseModel | None,
    action: Callable[[Session], tuple[int, Answer]],
    location: Callable[[StoredResponse], str] | None = None,
) -> JSONResponse:
    """Run a POST's `action` in one transaction and answer with its stored (or replayed) response.

    An action may answer with a problem document (status >= 400) and still commit, e.g. when the
    request changed state but could not be granted in full; it is sent as problem+json.
    """
    fingerprint = request_fingerprint(
        request.method, request.url.path, body.model_dump(mode="json") if body is not None else None
    )
    with acting_as(principal.subject):
        stored = run_idempotent(
            engine_for(request), principal.scope, key, fingerprint, action, required=request.method == "POST"
        )
    headers = {"Idempotent-Replayed": "true"} if stored.replayed else {}
    if location is not None and stored.status_code < 400:
        headers["Location"] = location(stored)
    media_type = PROBLEM_MEDIA_TYPE if stored.status_code >= 400 else "application/json"
    return EncodedJSONResponse(stored.text, status_code=stored.status_code, headers=headers, media_type=media_type)
