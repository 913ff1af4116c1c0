"""Who may read the book and its exports, and the session a read runs in."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlmodel import Session

from shared.platform.auth import Role
from shared.platform.event_loop_endpoints import engine_for

READERS = (Role.FUND_MANAGER, Role.AUDITOR, Role.BACKOFFICE)
EXPORTERS = (Role.BACKOFFICE, Role.AUDITOR)
OPERATORS = (Role.BACKOFFICE,)


def session_of(request: Request) -> Iterator[Session]:
    with Session(engine_for(request)) as session:
        yield session
