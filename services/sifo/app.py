"""SIFO wiring: settings, engine, app, relay. Settings are read on first use, never at import."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.platform.app_factory import create_app
from shared.platform.database import make_engine
from shared.platform.health import database_check, kafka_check
from shared.platform.identifiers import Iban
from shared.platform.settings import ServiceSettings
from shared.servicing.accounts import LateInterestKind
from shared.servicing.aid_register import AidRegisterClient, AidRegisterSettings

from services.sifo.api import router
from services.sifo.domain.loans import SifoPolicy
from services.sifo.payments import Debtor

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class SifoSettings(ServiceSettings, AidRegisterSettings):
    """SIFO's settings; the published fund parameters are settings so a policy change needs no release."""

    model_config = SettingsConfigDict(env_prefix="SIFO_", extra="ignore", frozen=True)

    service_name: str = "sifo"
    http_port: int = 8101
    debtor_name: str = Field(default="Participatiemaatschappij Vlaanderen", description="account debited by payouts")
    debtor_iban: Iban = "BE68539007547034"
    debtor_bic: str | None = None
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

    @property
    def debtor(self) -> Debtor:
        return Debtor(name=self.debtor_name, iban=self.debtor_iban, bic=self.debtor_bic)


@lru_cache
def get_settings() -> SifoSettings:
    return SifoSettings()


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
    )
    app.state.policy = settings.policy
    app.state.debtor = settings.debtor
    app.state.aid_register = AidRegisterClient.for_service(settings, settings)
    return app
