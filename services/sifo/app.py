"""SIFO wiring: settings, engine, app, relay. Settings are read on first use, never at import."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import SettingsConfigDict
from sqlmodel import Session

from shared.contracts.topics import SIFO_EVENTS
from shared.eventbus.backlog_metrics import outbox_and_dead_letters
from shared.loan_operations.lender import LenderOperations
from shared.loan_operations.policy import OperationsSettings
from shared.platform.app_factory import create_app
from shared.platform.auth import Principal
from shared.platform.database import make_engine
from shared.platform.health import database_check, kafka_check
from shared.platform.metrics import job_runs
from shared.platform.settings import ServiceSettings
from shared.servicing.accounts import LateInterestKind
from shared.servicing.aid_register import AidRegisterClient, AidRegisterSettings

from services.sifo.api import router
from services.sifo.domain.loans import SifoPolicy
from services.sifo.service.context import Command
from services.sifo.service.operations import sifo_operations

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class SifoSettings(ServiceSettings, AidRegisterSettings, OperationsSettings):
    """SIFO's settings; the published fund parameters are settings so a policy change needs no release."""

    model_config = SettingsConfigDict(env_prefix="SIFO_", extra="ignore", frozen=True)

    service_name: str = "sifo"
    http_port: int = 8101
    max_sifo_share: Decimal = Field(default=Decimal("350000.00"), gt=0, decimal_places=2)
    max_term_months: int = Field(default=120, gt=0)
    late_interest: LateInterestKind = Field(
        default=LateInterestKind.CONTRACTUAL,
        description="contractual: the loan's rate in force plus late_interest_margin; legal: the Belgian legal rate",
    )
    late_interest_margin: Decimal = Field(default=Decimal("0.02"), ge=0, lt=1)

    @property
    def policy(self) -> SifoPolicy:
        return SifoPolicy(
            max_sifo_share=self.max_sifo_share,
            max_term_months=self.max_term_months,
            late_interest=self.late_interest,
            late_interest_margin=self.late_interest_margin,
        )


@lru_cache
def get_settings() -> SifoSettings:
    return SifoSettings()


def operations(settings: SifoSettings) -> LenderOperations[Command]:
    """Repayment operations on SIFO's database, with the commands its jobs run as."""
    aid_client = AidRegisterClient.for_service(settings, settings)
    topic = settings.topic(SIFO_EVENTS)

    def command(session: Session, principal: Principal) -> Command:
        return Command(
            session=session,
            principal=principal,
            topic=topic,
            policy=settings.policy,
            debtor=settings.debtor,
            aid_client=aid_client,
        )

    return sifo_operations(settings, settings.debtor, command)


def build_app(settings: SifoSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.effective_database_url)
    app = create_app(
        title="SIFO service",
        description="Recognised financiers, drawing rights and SIFO co-financed loans to social enterprises.",
        settings=settings,
        engine=engine,
        routers=[router],
        readiness=[database_check(engine), kafka_check(settings.kafka_bootstrap_servers)],
        state_probes=[outbox_and_dead_letters, job_runs("sifo_job_run")],
    )
    app.state.policy = settings.policy
    app.state.aid_register = AidRegisterClient.for_service(settings, settings)
    app.state.operations = operations(settings)
    return app
