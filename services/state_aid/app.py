"""State-aid register wiring: settings, engine, app, consumer. Settings are read on first use."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.contracts.topics import ENERGY_EVENTS, SIFO_EVENTS, STATE_AID_EVENTS, TRIVIDEND_EVENTS
from shared.eventbus.backlog_metrics import outbox_and_dead_letters
from shared.eventbus.registry import types_on
from shared.eventbus.service_commands import ConsumerSpec
from shared.platform.app_factory import create_app
from shared.platform.database import make_engine
from shared.platform.health import database_check, kafka_check
from shared.platform.settings import ServiceSettings

from services.state_aid.api import router
from services.state_aid.domain.measures import GrantDatePolicy
from services.state_aid.service.context import RegisterPolicy
from services.state_aid.service.outcomes import outcome_handlers

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
CONSUMER_GROUP = "state_aid"
CONSUMED_TOPICS = (SIFO_EVENTS, ENERGY_EVENTS, TRIVIDEND_EVENTS)


class StateAidSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STATE_AID_", extra="ignore", frozen=True)

    service_name: str = "state_aid"
    http_port: int = 8105
    reservation_minutes: int = Field(
        default=1440, ge=1, description="a reservation the lender neither grants nor releases stops counting after this"
    )
    future_horizon_days: int = Field(default=1, ge=0, le=31, description="how far after today a grant may be dated")

    @property
    def policy(self) -> RegisterPolicy:
        return RegisterPolicy(
            reservation_lifetime=timedelta(minutes=self.reservation_minutes),
            grant_dates=GrantDatePolicy(future_horizon_days=self.future_horizon_days),
        )


@lru_cache
def get_settings() -> StateAidSettings:
    return StateAidSettings()


HANDLERS = outcome_handlers(lambda: get_settings().topic(STATE_AID_EVENTS))
CONSUMER = ConsumerSpec(
    group_id=CONSUMER_GROUP,
    topics=CONSUMED_TOPICS,
    handlers=HANDLERS,
    ignored=types_on(CONSUMED_TOPICS) - HANDLERS.keys(),
)


def build_app(settings: StateAidSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.effective_database_url)
    app = create_app(
        title="State-aid register",
        description=(
            "One de minimis register for every instrument: reservations checked against every three-year window, "
            "single undertakings with linked enterprises, aid declared from other providers, the auditors' export."
        ),
        settings=settings,
        engine=engine,
        routers=[router],
        readiness=[database_check(engine), kafka_check(settings.kafka_bootstrap_servers)],
        state_probes=[outbox_and_dead_letters, CONSUMER.lag_probe(settings)],
    )
    app.state.policy = settings.policy
    return app
