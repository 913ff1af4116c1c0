"""Framework-free exceptions that domain and service code raise when a rule says no.

The HTTP layer renders them as RFC 9457 problem documents (see `errors.py`); a domain module
can raise them without importing FastAPI.
"""

from __future__ import annotations

from typing import Any


class RuleViolation(Exception):
    """Input breaks a business rule; the caller can fix it by changing `field` (HTTP 422)."""

    status = 422
    title = "A business rule was violated"

    def __init__(self, field: str, rule: str, **extensions: Any) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule
        self.extensions = extensions

    @property
    def detail(self) -> str:
        return f"{self.field}: {self.rule}"


class NotFound(Exception):
    """The thing does not exist, or the caller may not know that it exists (HTTP 404)."""

    status = 404
    title = "Not found"

    def __init__(self, what: str, identifier: str) -> None:
        super().__init__(f"{what} {identifier} not found")
        self.detail = f"{what} {identifier} not found"


class Conflict(Exception):
    """The request is valid but the current state forbids it, e.g. not enough headroom (HTTP 409)."""

    status = 409
    title = "Conflict with the current state"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class Forbidden(Exception):
    """The caller is known but this action is not theirs to take, e.g. the four-eyes rule (HTTP 403)."""

    status = 403
    title = "Forbidden"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Unavailable(Exception):
    """A service this request depends on does not answer; nothing was changed (HTTP 503)."""

    status = 503
    title = "A service this request needs is unavailable"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


def required_text(field: str, value: str) -> str:
    """`value` without surrounding white space; a blank one is refused (a reason, a name) naming `field`."""
    if not value.strip():
        raise RuleViolation(field, "must not be blank")
    return value.strip()
