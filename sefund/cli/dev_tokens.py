"""Development tokens from the command line, signed the way the services check them.

This is the one part of the command line that is not a client of the API: it signs with the
platform's own code, and refuses to when `ENVIRONMENT=production`.
"""

from __future__ import annotations

import os
from datetime import timedelta

from pydantic import SecretStr

from shared.platform.auth import Role, issue_token
from shared.platform.settings import DEVELOPMENT_JWT_SECRET, SERVICE_AUDIENCES, ServiceSettings


def development_token(subject: str, roles: list[str], financier_id: str | None, hours: float) -> str:
    if os.environ.get("ENVIRONMENT") == "production":
        raise SystemExit("refusing to issue development tokens with ENVIRONMENT=production")
    settings = ServiceSettings(jwt_secret=SecretStr(os.environ.get("JWT_SECRET", DEVELOPMENT_JWT_SECRET)))
    try:
        return issue_token(
            settings,
            subject,
            [Role(role) for role in roles],
            financier_id,
            timedelta(hours=hours),
            audience=list(SERVICE_AUDIENCES),
        )
    except ValueError as error:
        raise SystemExit(str(error)) from None
