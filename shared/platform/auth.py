"""JWT bearer authentication and role checks.

Tokens are HS256-signed with the service's `jwt_secret` and carry ``sub``, ``roles`` and, for the
``financier`` role, the ``financier_id`` the caller is scoped to. Each service accepts only tokens
whose ``aud`` names it, whose lifetime (``exp - iat``) is within its maximum, and whose claims
have the right types: roles from the known set, a financier id that is a UUID string, a subject
that is not blank (see `identity.py` for how subjects are normalised).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.platform.errors import ProblemError
from shared.platform.identity import canonical_financier_id, normalised_subject
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
    """Who is calling, as proven by the token; the subject is kept in its normalised spelling."""

    subject: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    financier_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "subject", normalised_subject(self.subject))
        if self.financier_id is not None:
            object.__setattr__(self, "financier_id", canonical_financier_id(self.financier_id))

    def has_any(self, roles: frozenset[Role]) -> bool:
        return bool(self.roles & roles)

    @property
    def scope(self) -> str:
        """The caller and the tenancy it acts in: what idempotency keys are scoped to."""
        return self.subject if self.financier_id is None else f"{self.subject}#financier:{self.financier_id}"


def _unauthenticated(detail: str) -> ProblemError:
    return ProblemError(401, "Not authenticated", f"bearer token: {detail}", "unauthenticated")


def issue_token(
    settings: ServiceSettings,
    subject: str,
    roles: list[Role],
    financier_id: str | None = None,
    lifetime: timedelta = timedelta(hours=8),
    audience: Sequence[str] | None = None,
) -> str:
    """A signed token for `audience` (by default the service `settings` describe)."""
    if Role.FINANCIER in roles and not financier_id:
        raise ValueError("financier_id: required for the financier role")
    now = datetime.now(UTC)
    audiences = list(audience) if audience is not None else [settings.audience]
    claims: dict[str, object] = {
        "sub": subject,
        "roles": [role.value for role in roles],
        "iss": settings.jwt_issuer,
        "aud": audiences[0] if len(audiences) == 1 else audiences,
        "iat": now,
        "exp": now + lifetime,
    }
    if financier_id:
        claims["financier_id"] = financier_id
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


def decode_token(settings: ServiceSettings, token: str) -> Principal:
    """The principal a token proves; a token checked before is not checked again until it expires."""
    principal, expires = _checked_token(
        token,
        settings.jwt_secret.get_secret_value(),
        settings.audience,
        settings.jwt_issuer,
        settings.jwt_max_lifetime_hours,
    )
    if time.time() >= expires:
        raise _unauthenticated("Signature has expired")
    return principal


@lru_cache(maxsize=4096)
def _checked_token(
    token: str, secret: str, audience: str, issuer: str, max_lifetime_hours: float
) -> tuple[Principal, float]:
    """Signature, audience, issuer, lifetime and claims checked once per token (a refusal is never cached)."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=audience,
            issuer=issuer,
            options={"require": ["sub", "exp", "iat", "roles"]},
        )
    except jwt.PyJWTError as exc:
        raise _unauthenticated(str(exc)) from exc
    try:
        lifetime = int(claims["exp"]) - int(claims["iat"])
    except (TypeError, ValueError):
        raise _unauthenticated("exp and iat: must be numbers of seconds") from None
    if lifetime > max_lifetime_hours * 3600:
        raise _unauthenticated(
            f"lifetime (exp - iat) {lifetime / 3600:.1f} h exceeds the maximum of {max_lifetime_hours:g} h"
        )
    roles_claim = claims["roles"]
    if not isinstance(roles_claim, list) or not roles_claim or not all(isinstance(value, str) for value in roles_claim):
        raise _unauthenticated("roles: must be a non-empty list of role names")
    known = {role.value for role in Role}
    unknown = sorted(value for value in roles_claim if value not in known)
    if unknown:
        raise _unauthenticated(f"roles: {', '.join(repr(value[:40]) for value in unknown)} not among {sorted(known)}")
    roles = frozenset(Role(value) for value in roles_claim)
    financier_claim = claims.get("financier_id")
    if Role.FINANCIER in roles and financier_claim is None:
        raise _unauthenticated("the financier role needs a financier_id claim")
    try:
        return Principal(subject=claims["sub"], roles=roles, financier_id=financier_claim), float(claims["exp"])
    except ValueError as exc:
        raise _unauthenticated(str(exc)) from exc


_bearer = HTTPBearer(auto_error=False)


async def authenticated(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    """The request's principal. `async` though it never waits: FastAPI runs a plain `def` dependency on a
    worker thread, a hand-off per dependency and request that costs more than checking a cached token."""
    if credentials is None:
        raise ProblemError(401, "Not authenticated", "Authorization: a bearer token is required", "unauthenticated")
    settings: ServiceSettings = request.app.state.settings
    return decode_token(settings, credentials.credentials)


def require_roles(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """FastAPI dependency: the caller must hold at least one of `roles`."""
    wanted = frozenset(roles)

    async def dependency(principal: Principal = Depends(authenticated)) -> Principal:
        if not principal.has_any(wanted):
            names = ", ".join(sorted(role.value for role in wanted))
            raise ProblemError(403, "Forbidden", f"roles: this action needs one of {names}", "forbidden")
        return principal

    return dependency
