"""Portfolio wiring: settings, engine, app, consumer. Settings are read on first use."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.eventbus.backlog_metrics import outbox_and_dead_letters
from shared.eventbus.registry import types_on
from shared.eventbus.service_commands import ConsumerSpec
from shared.platform.app_factory import create_app
from shared.platform.database import make_engine
from shared.platform.health import database_check, kafka_check
from shared.platform.settings import ServiceSettings
from shared.servicing.accounts import LateInterestKind, late_interest_policy

from services.portfolio.api import router
from services.portfolio.domain.loans import Instrument
from services.portfolio.events import BOOK_TYPES, CONSUMED_TOPICS, CONSUMER_GROUP, IGNORED_TYPES
from services.portfolio.service.book import BookSettings
from services.portfolio.service.facts import handlers

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
CONSUMER = ConsumerSpec(group_id=CONSUMER_GROUP, topics=CONSUMED_TOPICS, handlers=handlers(), ignored=IGNORED_TYPES)


class PortfolioSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PORTFOLIO_", extra="ignore", frozen=True)

    service_name: str = "portfolio"
    http_port: int = 8104
    sifo_late_interest: LateInterestKind = Field(
        default=LateInterestKind.CONTRACTUAL, description="must equal SIFO_LATE_INTEREST: the book replays SIFO's loans"
    )
    sifo_late_interest_margin: Decimal = Field(default=Decimal("0.02"), ge=0, lt=1)
    energy_late_interest: LateInterestKind = Field(
        default=LateInterestKind.CONTRACTUAL, description="must equal ENERGY_LATE_INTEREST"
    )
    energy_late_interest_margin: Decimal = Field(default=Decimal("0.02"), ge=0, lt=1)
    trividend_late_interest: LateInterestKind = LateInterestKind.CONTRACTUAL
    trividend_late_interest_margin: Decimal = Field(default=Decimal("0.02"), ge=0, lt=1)

    @property
    def book(self) -> BookSettings:
        return BookSettings(
            policies={
                Instrument.SIFO: late_interest_policy(self.sifo_late_interest, self.sifo_late_interest_margin),
                Instrument.ENERGY: late_interest_policy(self.energy_late_interest, self.energy_late_interest_margin),
                Instrument.TRIVIDEND: late_interest_policy(
                    self.trividend_late_interest, self.trividend_late_interest_margin
                ),
            }
        )


@lru_cache
def get_settings() -> PortfolioSettings:
    return PortfolioSettings()


def build_app(settings: PortfolioSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.effective_database_url)
    app = create_app(
        title="Portfolio service",
        description="Consolidated book of every instrument on any date, exposure, and the quarterly exports.",
        settings=settings,
        engine=engine,
        routers=[router],
        readiness=[database_check(engine), kafka_check(settings.kafka_bootstrap_servers)],
        state_probes=[outbox_and_dead_letters, CONSUMER.lag_probe(settings)],
    )
    app.state.book_settings = settings.book
    app.state.consumer = CONSUMER
    app.state.consumer_group = CONSUMER.group_for(settings)
    return app


def unhandled_types() -> frozenset[str]:
    """Registered types on the consumed topics that are neither folded nor ignored: they are parked."""
    return types_on(CONSUMED_TOPICS) - BOOK_TYPES.keys() - IGNORED_TYPES - CONSUMER.handlers.keys()
