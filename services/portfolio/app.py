"""Portfolio wiring: settings, engine, app, consumer. Settings are read on first use."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI
from pydantic_settings import SettingsConfigDict

from shared.eventbus.service_commands import ConsumerSpec
from shared.platform.app_factory import create_app
from shared.platform.database import make_engine
from shared.platform.health import database_check, kafka_check
from shared.platform.settings import ServiceSettings

from services.portfolio import service
from services.portfolio.api import router
from services.portfolio.events import CONSUMED_TOPICS, CONSUMER_GROUP, FINANCIER_RECOGNISED

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
CONSUMER = ConsumerSpec(
    group_id=CONSUMER_GROUP,
    topics=CONSUMED_TOPICS,
    handlers={FINANCIER_RECOGNISED: service.apply_financier_recognised},
)


class PortfolioSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PORTFOLIO_", extra="ignore", frozen=True)

    service_name: str = "portfolio"
    http_port: int = 8104


@lru_cache
def get_settings() -> PortfolioSettings:
    return PortfolioSettings()


def build_app(settings: PortfolioSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.effective_database_url)
    return create_app(
        title="Portfolio service",
        description="Consolidated book of every instrument and the quarterly exports.",
        settings=settings,
        engine=engine,
        routers=[router],
        readiness=[database_check(engine), kafka_check(settings.kafka_bootstrap_servers)],
    )
