import pytest
from pydantic import SecretStr, ValidationError

from shared.platform.settings import DEVELOPMENT_JWT_SECRET, ServiceSettings

from services.sifo.app import SifoSettings

STRONG = "3f9c1e7a5b2d48c0a6e1f7b3d9c2e5a8f1b4d7c0e3a6b9d2"


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="jwt_secret: the development secret"):
        ServiceSettings(environment="production", database_url="postgresql://db/sifo")


def test_production_refuses_a_short_secret() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        ServiceSettings(environment="production", jwt_secret=SecretStr("short"), database_url="postgresql://db/x")


@pytest.mark.parametrize("secret", ["x" * 40, "password" * 4, "abcabcabcabcabcabcabcabcabcabcabcabc"])
def test_production_refuses_a_predictable_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="too predictable"):
        ServiceSettings(environment="production", jwt_secret=SecretStr(secret), database_url="postgresql://db/x")


def test_production_accepts_a_generated_secret() -> None:
    settings = ServiceSettings(environment="production", jwt_secret=SecretStr(STRONG), database_url="postgresql://db/x")
    assert settings.audience == "service"


def test_idempotency_keys_are_kept_at_least_a_day() -> None:
    with pytest.raises(ValidationError, match="idempotency_retention_hours"):
        ServiceSettings(idempotency_retention_hours=23)


def test_production_refuses_sqlite() -> None:
    with pytest.raises(ValidationError, match="database_url: SQLite is for local runs only"):
        ServiceSettings(environment="production", jwt_secret=SecretStr(STRONG))


def test_development_accepts_defaults_and_uses_a_sqlite_file_per_service() -> None:
    settings = SifoSettings()
    assert settings.jwt_secret.get_secret_value() == DEVELOPMENT_JWT_SECRET
    assert settings.effective_database_url.endswith("/var/sifo.db")


def test_each_service_reads_its_own_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIFO_TOPIC_PREFIX", "demo.")
    monkeypatch.setenv("PORTFOLIO_TOPIC_PREFIX", "other.")
    assert SifoSettings().topic("sifo.events") == "demo.sifo.events"
