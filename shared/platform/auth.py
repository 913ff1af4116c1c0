"""JWT bearer authentication and role checks.

Tokens are HS256-signed with the service's `jwt_secret` and carry ``sub``, ``roles`` and, for the
``financier`` role, the ``financier_id`` the caller is scoped to.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.platform.errors import ProblemError
from shared.platform.settings import ServiceSettings


class Role(enum.StrEnum):
    FUND_MANAGER = "fund_manager"
    APPROVER = "approver"
    BACKOFFICE = "backoffice"
    AUDITOR = "auditor"
    JOB = "job"
    FINANCIER = "financier"
    SERVICE = "service"


@dataclass(frozen=True)
class Principal:
    """Who is calling, as proven by the token."""

    subject: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    financier_id: str | None = None

    def has_any(self, roles: frozenset[Role]) -> bool:
        return bool(self.roles & roles)


def issue_token(
    settings: ServiceSettings,
    subject: str,
    roles: list[Role],
    financier_id: str | None = None,
    lifetime: timedelta = timedelta(hours=8),
) -> str:
    if Role.FINANCIER in roles and not financier_id:
        raise ValueError("financier_id: required for the financier role")
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": subject,
        "roles": [role.value for role in roles],
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + lifetime,
    }
    if financier_id:
        claims["financier_id"] = financier_id
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


def decode_token(settings: ServiceSettings, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=["HS256"],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["sub", "exp", "roles"]},
        )
    except jwt.PyJWTError as exc:
        raise ProblemError(401, "Not authenticated", f"bearer token: {exc}", "unauthenticated") from exc
    try:
        roles = frozenset(Role(value) for value in claims["roles"])
    except ValueError as exc:
        raise ProblemError(401, "Not authenticated", f"bearer token roles: {exc}", "unauthenticated") from exc
    financier_id = claims.get("financier_id")
    if Role.FINANCIER in roles and not financier_id:
        raise ProblemError(
            401, "Not authenticated", "bearer token: the financier role needs a financier_id claim", "unauthenticated"
        )
    return Principal(subject=str(claims["sub"]), roles=roles, financier_id=financier_id)


_bearer = HTTPBearer(auto_error=False)


def authenticated(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> Principal:
    if credentials is None:
        raise ProblemError(401, "Not authenticated", "Authorization: a bearer token is required", "unauthenticated")
    settings: ServiceSettings = request.app.state.settings
    return decode_token(settings, credentials.credentials)


def require_roles(*roles: Role) -> Callable[..., Principal]:
    """FastAPI dependency: the caller must hold at least one of `roles`."""
    wanted = frozenset(roles)

    def dependency(principal: Principal = Depends(authenticated)) -> Principal:
        if not principal.has_any(wanted):
            names = ", ".join(sorted(role.value for role in wanted))
            raise ProblemError(403, "Forbidden", f"roles: this action needs one of {names}", "forbidden")
        return principal

    return dependency
