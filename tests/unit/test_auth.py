from datetime import timedelta

import pytest
from pydantic import SecretStr

from shared.platform.auth import Role, decode_token, issue_token
from shared.platform.errors import ProblemError
from shared.platform.settings import ServiceSettings

SETTINGS = ServiceSettings(jwt_secret=SecretStr("a" * 40))


def test_token_round_trip_carries_roles_and_financier_scope() -> None:
    token = issue_token(SETTINGS, "bank@hefboom.example", [Role.FINANCIER], financier_id="f-1")
    principal = decode_token(SETTINGS, token)
    assert principal.subject == "bank@hefboom.example"
    assert principal.roles == frozenset({Role.FINANCIER})
    assert principal.financier_id == "f-1"


def test_expired_and_foreign_tokens_are_refused() -> None:
    expired = issue_token(SETTINGS, "a", [Role.AUDITOR], lifetime=timedelta(seconds=-1))
    with pytest.raises(ProblemError, match="expired"):
        decode_token(SETTINGS, expired)
    foreign = issue_token(ServiceSettings(jwt_secret=SecretStr("b" * 40)), "a", [Role.AUDITOR])
    with pytest.raises(ProblemError, match="Signature verification failed"):
        decode_token(SETTINGS, foreign)


def test_financier_role_needs_a_financier_id() -> None:
    with pytest.raises(ValueError, match="financier_id"):
        issue_token(SETTINGS, "a", [Role.FINANCIER])
