"""SIFO wiring: settings, engine, app, relay. Settings are read on first use, never at import."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI
from pydantic_settings import SettingsConfigDict

from shared.platform.app_factory import create_app
from shared.platform.database import make_engine
from shared.platform.health import database_check, kafka_check
from shared.platform.settings import ServiceSettings

from services.sifo.api import router

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class SifoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SIFO_", extra="ignore", frozen=True)

    service_name: str = "sifo"
    http_port: int = 8101


@lru_cache
def get_settings() -> SifoSettings:
    return SifoSettings()


def build_app(settings: SifoSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.effective_database_url)
    return create_app(
        title="SIFO service",
        description="Recognised financiers, drawing rights and SIFO co-financed loans to social enterprises.",
        settings=settings,
        engine=engine,
        routers=[router],
        readiness=[database_check(engine), kafka_check(settings.kafka_bootstrap_servers)],
    )
