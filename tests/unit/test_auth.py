from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from pydantic import SecretStr

from shared.platform.auth import Principal, Role, decode_token, issue_token
from shared.platform.errors import ProblemError
from shared.platform.settings import ServiceSettings

SECRET = "a" * 40
SETTINGS = ServiceSettings(jwt_secret=SecretStr(SECRET), service_name="sifo")
FINANCIER = "0b6e4c36-6a4e-4d8f-9d43-3c1ad1b4b0f1"


def signed(**overrides: Any) -> str:
    """A token with valid claims for SETTINGS, some replaced (None removes a claim)."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": "alice@pmv.example",
        "roles": ["fund_manager"],
        "iss": SETTINGS.jwt_issuer,
        "aud": "sifo",
        "iat": now,
        "exp": now + timedelta(hours=1),
    }
    claims.update(overrides)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, SECRET, algorithm="HS256")


def refused(token: str, match: str) -> None:
    with pytest.raises(ProblemError, match=match) as caught:
        decode_token(SETTINGS, token)
    assert caught.value.status == 401


def test_token_round_trip_carries_roles_and_financier_scope() -> None:
    token = issue_token(SETTINGS, "bank@hefboom.example", [Role.FINANCIER], financier_id=FINANCIER.upper())
    principal = decode_token(SETTINGS, token)
    assert principal.subject == "bank@hefboom.example"
    assert principal.roles == frozenset({Role.FINANCIER})
    assert principal.financier_id == FINANCIER
    assert principal.scope == f"bank@hefboom.example#financier:{FINANCIER}"


def test_expired_and_foreign_tokens_are_refused() -> None:
    refused(issue_token(SETTINGS, "a", [Role.AUDITOR], lifetime=timedelta(seconds=-1)), "expired")
    refused(issue_token(ServiceSettings(jwt_secret=SecretStr("b" * 40)), "a", [Role.AUDITOR]), "Signature")


def test_each_service_accepts_only_its_own_audience() -> None:
    refused(signed(aud="portfolio"), r"(?i)audience")
    refused(signed(aud=None), "aud")
    assert decode_token(SETTINGS, signed(aud=["portfolio", "sifo"])).subject == "alice@pmv.example"
    energy = ServiceSettings(jwt_secret=SecretStr(SECRET), service_name="energy")
    with pytest.raises(ProblemError, match=r"(?i)audience"):
        decode_token(energy, issue_token(SETTINGS, "a", [Role.AUDITOR]))
    assert decode_token(energy, issue_token(SETTINGS, "a", [Role.AUDITOR], audience=["energy"])).subject == "a"


def test_financier_role_needs_a_financier_id() -> None:
    with pytest.raises(ValueError, match="financier_id"):
        issue_token(SETTINGS, "a", [Role.FINANCIER])
    refused(signed(roles=["financier"]), "financier_id claim")


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"roles": 5}, "roles: must be a non-empty list"),
        ({"roles": "fund_manager"}, "roles: must be a non-empty list"),
        ({"roles": []}, "roles: must be a non-empty list"),
        ({"roles": [["fund_manager"]]}, "roles: must be a non-empty list"),
        ({"roles": ["fund_manager", "root"]}, "'root' not among"),
        ({"roles": ["financier"], "financier_id": ["x"]}, "financier_id: must be a UUID string"),
        ({"roles": ["financier"], "financier_id": "f-1"}, "is not a UUID"),
        ({"sub": ""}, "sub"),
        ({"sub": " \u200b "}, "sub: must not be blank"),
        ({"sub": "a\x00b"}, "control"),
        ({"sub": "x" * 151}, "at most 150"),
        ({"sub": 5}, r"(?i)subject"),
        ({"iat": None}, "iat"),
        ({"iat": "yesterday"}, "iat"),
        ({"iat": [1]}, "iat"),
        ({"exp": datetime.now(UTC) + timedelta(days=36500)}, "lifetime"),
        ({"iat": datetime.now(UTC) + timedelta(hours=1), "exp": datetime.now(UTC) + timedelta(hours=2)}, "iat"),
    ],
)
def test_claims_of_the_wrong_type_or_range_are_refused_with_401(overrides: dict[str, Any], match: str) -> None:
    refused(signed(**overrides), match)


def test_lifetime_maximum_is_a_setting() -> None:
    long_lived = signed(exp=datetime.now(UTC) + timedelta(hours=20))
    refused(long_lived, "exceeds the maximum of 12 h")
    relaxed = ServiceSettings(jwt_secret=SecretStr(SECRET), service_name="sifo", jwt_max_lifetime_hours=24)
    assert decode_token(relaxed, long_lived).subject == "alice@pmv.example"


@pytest.mark.parametrize(
    "spelling", ["Alice@PMV.example", " alice@pmv.example", "alice@pmv.example\u200b", "\uff41lice@pmv.example"]
)
def test_one_person_has_one_subject_however_the_token_spells_it(spelling: str) -> None:
    assert decode_token(SETTINGS, signed(sub=spelling)).subject == "alice@pmv.example"
    assert Principal(subject=spelling).subject == "alice@pmv.example"


def test_numeric_strings_for_iat_and_exp_are_compared_as_numbers() -> None:
    now = int(datetime.now(UTC).timestamp())
    assert decode_token(SETTINGS, signed(iat=str(now - 10), exp=str(now + 60))).subject == "alice@pmv.example"
    refused(signed(iat=str(now - 10), exp=str(now + 100 * 3600)), "lifetime")
