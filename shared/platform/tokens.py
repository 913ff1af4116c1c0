"""Issue development tokens: ``python -m shared.platform.tokens --role fund_manager --subject alice``.

Tokens are signed with ``--secret`` or the development secret; the command refuses to run when
``ENVIRONMENT=production`` so it cannot mint tokens for a live system.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta

from pydantic import SecretStr

from shared.platform.auth import Role, issue_token
from shared.platform.settings import DEVELOPMENT_JWT_SECRET, SERVICE_AUDIENCES, ServiceSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subject", required=True, help="who the token speaks for, e.g. an e-mail address")
    parser.add_argument("--role", action="append", required=True, choices=[role.value for role in Role])
    parser.add_argument("--financier-id", help="required with --role financier")
    parser.add_argument("--hours", type=float, default=8.0, help="lifetime; services refuse more than 12 h by default")
    parser.add_argument(
        "--audience",
        action="append",
        choices=SERVICE_AUDIENCES,
        help="a service the token is for (repeatable); every service when left out",
    )
    parser.add_argument("--secret", default=os.environ.get("JWT_SECRET", DEVELOPMENT_JWT_SECRET))
    args = parser.parse_args(argv)
    if os.environ.get("ENVIRONMENT") == "production":
        print("refusing to issue development tokens with ENVIRONMENT=production", file=sys.stderr)
        return 2
    settings = ServiceSettings(jwt_secret=SecretStr(args.secret))
    try:
        token = issue_token(
            settings,
            args.subject,
            [Role(role) for role in args.role],
            args.financier_id,
            timedelta(hours=args.hours),
            audience=args.audience or list(SERVICE_AUDIENCES),
        )
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(token)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
