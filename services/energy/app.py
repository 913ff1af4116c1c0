"""Energy wiring: settings, engine, app, relay. Settings are read on first use, never at import."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import SettingsConfigDict
from sqlmodel import Session

from shared.contracts.topics import ENERGY_EVENTS
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

from services.energy.api import router
from services.energy.domain.assessment import EnergyProgramme
from services.energy.service.context import Command
from services.energy.service.operations import energy_operations

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class EnergySettings(ServiceSettings, AidRegisterSettings, OperationsSettings):
    """The programme's published parameters are settings, so a new budget decision needs no release."""

    model_config = SettingsConfigDict(env_prefix="ENERGY_", extra="ignore", frozen=True)

    service_name: str = "energy"
    http_port: int = 8102
    yearly_budget: Decimal = Field(default=Decimal("5000000.00"), gt=0, decimal_places=2)
    budget_article: str = "JB0-1JEC2GB-PA"
    annual_rate: Decimal = Field(default=Decimal("0.01"), ge=0, lt=1)
    term_months: int = Field(default=120, gt=0)
    emission_factor_kg_per_kwh: Decimal = Field(default=Decimal("0.20"), gt=0, lt=2)
    late_interest: LateInterestKind = Field(
        default=LateInterestKind.CONTRACTUAL,
        description="contractual: the loan's rate in force plus late_interest_margin; legal: the Belgian legal rate",
    )
    late_interest_margin: Decimal = Field(default=Decimal("0.02"), ge=0, lt=1)
    max_term_months: int = Field(default=120, gt=0, description="longest term a restructuring may give, from payout")

    @property
    def programme(self) -> EnergyProgramme:
        return EnergyProgramme(
            yearly_budget=self.yearly_budget,
            budget_article=self.budget_article,
            annual_rate=self.annual_rate,
            term_months=self.term_months,
            emission_factor_kg_per_kwh=self.emission_factor_kg_per_kwh,
            late_interest=self.late_interest,
            late_interest_margin=self.late_interest_margin,
            max_term_months=self.max_term_months,
        )


@lru_cache
def get_settings() -> EnergySettings:
    return EnergySettings()


def operations(settings: EnergySettings) -> LenderOperations[Command]:
    """Repayment operations on this service's database, with the commands its jobs run as."""
    aid_client = AidRegisterClient.for_service(settings, settings)
    topic = settings.topic(ENERGY_EVENTS)

    def command(session: Session, principal: Principal) -> Command:
        return Command(
            session=session,
            principal=principal,
            topic=topic,
            programme=settings.programme,
            aid_client=aid_client,
            debtor=settings.debtor,
        )

    return energy_operations(settings, command)


def build_app(settings: EnergySettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.effective_database_url)
    app = create_app(
        title="Energy loans service",
        description="The EUR 5 M yearly budget, calls, applications and cheap loans for PV, heat pumps and solar "
        "boilers in sheltered and social workshops.",
        settings=settings,
        engine=engine,
        routers=[router],
        readiness=[database_check(engine), kafka_check(settings.kafka_bootstrap_servers)],
        state_probes=[outbox_and_dead_letters, job_runs("energy_job_run")],
    )
    app.state.programme = settings.programme
    app.state.aid_register = AidRegisterClient.for_service(settings, settings)
    app.state.operations = operations(settings)
    return app
