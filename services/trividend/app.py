"""Trividend wiring: settings, engine, app. Settings are read on first use."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import SettingsConfigDict
from sqlmodel import Session

from shared.contracts.topics import TRIVIDEND_EVENTS
from shared.eventbus.backlog_metrics import outbox_and_dead_letters
from shared.loan_operations.lender import LenderOperations
from shared.loan_operations.policy import OperationsSettings
from shared.platform.app_factory import create_app
from shared.platform.auth import Principal
from shared.platform.database import make_engine
from shared.platform.health import database_check, kafka_check
from shared.platform.metrics import job_runs
from shared.platform.settings import ServiceSettings
from shared.servicing.accounts import LateInterestKind, ProductRules
from shared.servicing.aid_register import AidRegisterClient, AidRegisterSettings

from services.trividend.api import router
from services.trividend.domain.follow_up import ReportingPolicy
from services.trividend.domain.loans import LoanProduct
from services.trividend.service.context import Command
from services.trividend.service.operations import trividend_operations

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class TrividendSettings(ServiceSettings, AidRegisterSettings, OperationsSettings):
    """The loan products' published parameters are settings: a new policy needs no release."""

    model_config = SettingsConfigDict(env_prefix="TRIVIDEND_", extra="ignore", frozen=True)

    service_name: str = "trividend"
    http_port: int = 8103
    loan_min_rate: Decimal = Field(default=Decimal("0.03"), ge=0, lt=1)
    loan_max_rate: Decimal = Field(default=Decimal("0.07"), ge=0, lt=1)
    loan_min_term_months: int = Field(default=48, gt=0)
    loan_max_term_months: int = Field(default=120, gt=0)
    late_interest: LateInterestKind = Field(
        default=LateInterestKind.CONTRACTUAL,
        description="contractual: the loan's rate in force plus late_interest_margin; legal: the Belgian legal rate",
    )
    late_interest_margin: Decimal = Field(default=Decimal("0.02"), ge=0, lt=1)
    kpi_interval_months: Literal[1, 2, 3, 4, 6, 12] = Field(
        default=6, description="investees report their KPIs per calendar period of this many months"
    )
    kpi_grace_days: int = Field(
        default=60, ge=0, le=366, description="a KPI report is overdue this long after its period"
    )

    @property
    def reporting(self) -> ReportingPolicy:
        return ReportingPolicy(interval_months=self.kpi_interval_months, grace_days=self.kpi_grace_days)

    @property
    def loans(self) -> LoanProduct:
        return LoanProduct(
            rules=ProductRules(
                name="trividend",
                max_term_months=self.loan_max_term_months,
                late_interest=self.late_interest,
                late_interest_margin=self.late_interest_margin,
            ),
            min_rate=self.loan_min_rate,
            max_rate=self.loan_max_rate,
            min_term_months=self.loan_min_term_months,
            max_term_months=self.loan_max_term_months,
        )


@lru_cache
def get_settings() -> TrividendSettings:
    return TrividendSettings()


def operations(settings: TrividendSettings) -> LenderOperations[Command]:
    """Repayment operations on this service's database, with the commands its jobs run as."""
    aid_client = AidRegisterClient.for_service(settings, settings)
    topic = settings.topic(TRIVIDEND_EVENTS)

    def command(session: Session, principal: Principal) -> Command:
        return Command(
            session=session,
            principal=principal,
            topic=topic,
            loans=settings.loans,
            reporting=settings.reporting,
            aid_client=aid_client,
            debtor=settings.debtor,
        )

    return trividend_operations(settings, command)


def build_app(settings: TrividendSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.effective_database_url)
    app = create_app(
        title="Trividend service",
        description=(
            "Equity participations, subordinated and convertible loans in social enterprises: investees, committee "
            "decisions, tranches, dividends, exits, loan servicing, conversion, quarterly valuations and performance."
        ),
        settings=settings,
        engine=engine,
        routers=[router],
        readiness=[database_check(engine), kafka_check(settings.kafka_bootstrap_servers)],
        state_probes=[outbox_and_dead_letters, job_runs("trividend_job_run")],
    )
    app.state.loans = settings.loans
    app.state.reporting = settings.reporting
    app.state.aid_register = AidRegisterClient.for_service(settings, settings)
    app.state.operations = operations(settings)
    return app
