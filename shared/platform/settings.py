"""Settings shared by every service, read from the environment with one prefix per service.

Each service subclasses `ServiceSettings`, sets its own `env_prefix` (``SIFO_``, ``PORTFOLIO_``)
and default database, and exposes a cached `get_settings()`; nothing reads settings at import time.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_JWT_SECRET = "development-only-secret-change-me-0123456789"  # noqa: S105 - refused outside development
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = REPOSITORY_ROOT / "var"

Environment = Literal["development", "test", "production"]
SERVICE_AUDIENCES = ("sifo", "energy", "trividend", "state_aid", "portfolio")
"""Every service's token audience (its service name): what a development token is issued for."""
MINIMUM_SECRET_BITS = 90.0


def estimated_secret_bits(secret: str) -> float:
    """A rough strength estimate: length times the Shannon entropy of the secret's own characters.

    It refuses what a person types instead of generating (one letter repeated, a short word
    repeated), while a generated one (``openssl rand -hex 32``: 64 hex digits, about 250 bits by
    this estimate) passes with a wide margin.
    """
    if not secret:
        return 0.0
    counts = Counter(secret)
    per_char = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    return per_char * len(secret)


class ServiceSettings(BaseSettings):
    """What every service needs: where its database and Kafka are, how tokens are checked."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "service"
    environment: Environment = "development"
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL of this service's own database; empty means the SQLite file var/<service>.db.",
    )
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    topic_prefix: str = Field(default="", description="Prepended to every topic name (test isolation).")
    jwt_secret: SecretStr = SecretStr(DEVELOPMENT_JWT_SECRET)
    jwt_issuer: str = "social-economy-funds"
    jwt_audience: str = Field(default="", description="The audience tokens must name; empty means the service name.")
    jwt_max_lifetime_hours: float = Field(
        default=12.0, gt=0, le=24 * 31, description="Tokens whose exp - iat is longer are refused."
    )
    max_json_bytes: int = Field(default=1024 * 1024, ge=1024, description="Largest JSON request body accepted (413).")
    max_upload_bytes: int = Field(
        default=25 * 1024 * 1024, ge=1024, description="Largest other request body accepted, e.g. a bank statement."
    )
    idempotency_retention_hours: float = Field(
        default=168.0, ge=24, description="How long an Idempotency-Key and its response are kept before purging."
    )
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    http_workers: int = Field(
        default=1, ge=1, le=32, description="uvicorn worker processes of the API; each has its own connection pool"
    )
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = Field(default="json", description="JSON lines, or text for reading by eye.")
    relay_batch_size: int = Field(default=500, ge=1, le=10_000)
    relay_idle_seconds: float = Field(default=0.2, gt=0)
    relay_max_attempts: int = Field(default=10, ge=1)
    outbox_retention_hours: float = Field(default=168.0, ge=0)
    consumer_instance_id: str = Field(
        default="",
        max_length=200,
        description="Static group membership id of this consumer process; empty means <service>-<host name>. "
        "Each consumer process of one group needs its own.",
    )
    consumer_session_timeout_ms: int = Field(
        default=6_000, ge=6_000, le=300_000, description="How long the broker waits for a silent consumer."
    )

    @model_validator(mode="after")
    def _refuse_development_defaults_in_production(self) -> Self:
        if self.environment == "production":
            if self.jwt_secret.get_secret_value() == DEVELOPMENT_JWT_SECRET:
                raise ValueError("jwt_secret: the development secret may not be used in production; set a real secret")
            secret = self.jwt_secret.get_secret_value()
            if len(secret) < 32:
                raise ValueError("jwt_secret: must be at least 32 characters in production")
            if estimated_secret_bits(secret) < MINIMUM_SECRET_BITS:
                raise ValueError(
                    f"jwt_secret: too predictable for production (about {estimated_secret_bits(secret):.0f} bits, "
                    f"at least {MINIMUM_SECRET_BITS:.0f} needed); generate one, e.g. openssl rand -hex 32"
                )
            if self.effective_database_url.startswith("sqlite"):
                raise ValueError("database_url: SQLite is for local runs only; production needs PostgreSQL")
        return self

    @property
    def audience(self) -> str:
        """The ``aud`` this service's tokens must carry."""
        return self.jwt_audience or self.service_name

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{VAR_DIR / (self.service_name + '.db')}"

    def topic(self, name: str) -> str:
        """The physical Kafka topic for a logical topic name such as ``sifo.events``."""
        return f"{self.topic_prefix}{name}"
