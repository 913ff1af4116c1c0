"""Trividend wiring: settings, engine, app. Settings are read on first use."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI
from pydantic_settings import SettingsConfigDict

from shared.platform.app_factory import create_app
from shared.platform.database import make_engine
from shared.platform.health import database_check, kafka_check
from shared.platform.settings import ServiceSettings

from services.trividend.api import router

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class TrividendSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TRIVIDEND_", extra="ignore", frozen=True)

    service_name: str = "trividend"
    http_port: int = 8103


@lru_cache
def get_settings() -> TrividendSettings:
    return TrividendSettings()


def build_app(settings: TrividendSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.effective_database_url)
    return create_app(
        title="Trividend service",
        description=(
            "Equity participations in social enterprises: investees, committee decisions, tranches, dividends, "
            "exits, quarterly valuations and fund performance."
        ),
        settings=settings,
        engine=engine,
        routers=[router],
        readiness=[database_check(engine), kafka_check(settings.kafka_bootstrap_servers)],
    )
