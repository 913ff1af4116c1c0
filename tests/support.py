"""Helpers the integration and end-to-end tests share: migrated databases, settings, tokens, waiting."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr
from sqlalchemy import Engine, func
from sqlmodel import Session, SQLModel, select

from shared.eventbus.relay import OutboxRelay, kafka_producer_factory
from shared.platform import migrations
from shared.platform.auth import Role, issue_token
from shared.platform.idempotency import IDEMPOTENCY_HEADER
from shared.platform.settings import ServiceSettings

from services.energy.app import MIGRATIONS_DIR as ENERGY_MIGRATIONS
from services.energy.app import EnergySettings
from services.portfolio.app import MIGRATIONS_DIR as PORTFOLIO_MIGRATIONS
from services.portfolio.app import PortfolioSettings
from services.sifo.app import MIGRATIONS_DIR as SIFO_MIGRATIONS
from services.sifo.app import SifoSettings
from services.state_aid.app import MIGRATIONS_DIR as STATE_AID_MIGRATIONS
from services.state_aid.app import StateAidSettings
from services.trividend.app import MIGRATIONS_DIR as TRIVIDEND_MIGRATIONS
from services.trividend.app import TrividendSettings

TEST_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"
T = TypeVar("T")
C = TypeVar("C", bound=httpx.Client)


Settings = TypeVar("Settings", bound=ServiceSettings)


def migrated_settings(
    kind: type[Settings],
    migrations_dir: Path | None,
    database_url: str,
    kafka: str,
    topic_prefix: str,
    **extra: Any,
) -> Settings:
    """Test settings of a service; its database is migrated to head first unless `migrations_dir` is None
    (a database copied from the migrated template already is)."""
    if migrations_dir is not None:
        migrations.upgrade(migrations_dir, database_url)
    return kind(
        environment="test",
        database_url=database_url,
        kafka_bootstrap_servers=kafka,
        topic_prefix=topic_prefix,
        jwt_secret=SecretStr(TEST_SECRET),
        **extra,
    )


# Where the lenders find the state-aid register when a test starts none: nothing listens there.
NO_REGISTER = "http://127.0.0.1:1"


def sifo_settings(
    database_url: str,
    kafka: str = "127.0.0.1:1",
    topic_prefix: str = "",
    *,
    migrate: bool = True,
    state_aid_url: str = NO_REGISTER,
) -> SifoSettings:
    return migrated_settings(
        SifoSettings,
        SIFO_MIGRATIONS if migrate else None,
        database_url,
        kafka,
        topic_prefix,
        state_aid_url=state_aid_url,
    )


def energy_settings(
    database_url: str,
    kafka: str = "127.0.0.1:1",
    topic_prefix: str = "",
    *,
    migrate: bool = True,
    state_aid_url: str = NO_REGISTER,
) -> EnergySettings:
    return migrated_settings(
        EnergySettings,
        ENERGY_MIGRATIONS if migrate else None,
        database_url,
        kafka,
        topic_prefix,
        state_aid_url=state_aid_url,
    )


def state_aid_settings(
    database_url: str, kafka: str = "127.0.0.1:1", topic_prefix: str = "", *, migrate: bool = True
) -> StateAidSettings:
    return migrated_settings(
        StateAidSettings, STATE_AID_MIGRATIONS if migrate else None, database_url, kafka, topic_prefix
    )


def portfolio_settings(
    database_url: str, kafka: str = "127.0.0.1:1", topic_prefix: str = "", *, migrate: bool = True
) -> PortfolioSettings:
    return migrated_settings(
        PortfolioSettings, PORTFOLIO_MIGRATIONS if migrate else None, database_url, kafka, topic_prefix
    )


def trividend_settings(
    database_url: str,
    kafka: str = "127.0.0.1:1",
    topic_prefix: str = "",
    *,
    migrate: bool = True,
    state_aid_url: str = NO_REGISTER,
) -> TrividendSettings:
    return migrated_settings(
        TrividendSettings,
        TRIVIDEND_MIGRATIONS if migrate else None,
        database_url,
        kafka,
        topic_prefix,
        state_aid_url=state_aid_url,
    )


def sends_idempotency_keys(client: C) -> C:
    """Give every POST that carries no Idempotency-Key a fresh one, as a well-behaved API client does.

    The services require the key; tests that are about the key itself send their own.
    """

    def add_key(request: httpx.Request) -> None:
        if request.method == "POST" and IDEMPOTENCY_HEADER not in request.headers:
            request.headers[IDEMPOTENCY_HEADER] = f"test-{uuid.uuid4()}"

    client.event_hooks["request"].append(add_key)
    return client


def bearer(settings: ServiceSettings, subject: str, *roles: Role, financier_id: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(settings, subject, list(roles), financier_id)}"}


def count(engine: Engine, model: type[SQLModel]) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def wait_for(condition: Callable[[], T], timeout: float, what: str, interval: float = 0.2) -> T:
    """Poll `condition` until it returns something truthy; fail naming `what` on timeout."""
    deadline = time.monotonic() + timeout
    last: T = condition()
    while not last:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what} (last value {last!r})")
        time.sleep(interval)
        last = condition()
    return last


VALID_FINANCIER = {
    "enterprise_number": "0403.170.701",
    "name": "Hefboom cvba",
    "iban": "BE68 5390 0754 7034",
    "recognised_from": "2026-01-01",
    "recognised_until": "2030-12-31",
}


def enterprise_number(n: int) -> str:
    """The n-th valid Belgian enterprise number (0 + 7 digits + mod-97 check digits)."""
    base = 2_000_000 + n
    digits = f"0{base:07d}"
    check = 97 - int(digits) % 97
    return f"{digits}{check:02d}"


def drain_outbox(engine: Engine, bootstrap_servers: str) -> None:
    """Relay everything in a service's outbox to the broker."""
    relay = OutboxRelay(engine, kafka_producer_factory(bootstrap_servers, "test-relay"))
    wait_for(lambda: relay.publish_batch() == 0, 60, "the outbox to drain")
    relay._discard_producer()


def every_item(client: Any, url: str, headers: dict[str, str]) -> list[Any]:
    """Every item of a paged list, following `next_cursor` page after page, as a client would."""
    items: list[Any] = []
    cursor: str | None = None
    while True:
        page_url = url if cursor is None else f"{url}{'&' if '?' in url else '?'}cursor={cursor}"
        response = client.get(page_url, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"items", "next_cursor"}, page
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
