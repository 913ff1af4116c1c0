"""Where the servicing suite runs: the in-memory fake, and PostgreSQL through SIFO's and energy's adapters.

Each backend opens a disbursed loan its own way (the fake puts an account in memory, the SQL
backends insert the service's rows as a payout would leave them) and hands out units of work, one
transaction each. The tests see only `ServicingUnitOfWork` and the published payloads.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from shared.amortisation.reference_rates import Collateral, Rating
from shared.amortisation.terms import LoanTerms
from shared.eventbus.registry import type_of
from shared.eventbus.tables import OutboxMessage
from shared.platform.auth import Principal, Role
from shared.platform.database import make_engine, transaction
from shared.servicing.accounts import LoanAccount, LoanStatus, ProductRules
from shared.servicing.aid_register import AidRegisterClient
from shared.servicing.fake import InMemoryStore
from shared.servicing.ports import ServicingUnitOfWork
from shared.servicing.service import Product

from services.energy.models import (
    EnergyApplicant,
    EnergyApplication,
    EnergyBudgetYear,
    EnergyCall,
    EnergyLoan,
    EnergySite,
)
from services.energy.service import servicing as energy_servicing
from services.energy.service.context import Command as EnergyCommand
from services.sifo.models import SifoBorrower, SifoFinancier, SifoLoan
from services.sifo.service import servicing as sifo_servicing
from services.sifo.service.context import Command as SifoCommand
from services.state_aid.models import StateAidMeasure
from tests.state_aid_register import StateAid

RULES = ProductRules("test product", max_term_months=120)
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


class Backend(Protocol):
    name: str
    product: Product

    def open_loan(self, terms: LoanTerms, enterprise_number: str, rating: Rating, collateral: Collateral) -> str: ...

    def unit_of_work(self, actor: str) -> AbstractContextManager[ServicingUnitOfWork]: ...

    def published(self) -> list[tuple[str, dict[str, Any]]]:
        """(event type, payload) of every event, in order."""

    def aid(self, loan_id: str) -> list[tuple[str, Decimal]]:
        """(measure, gge) of the loan's aid measures, in order."""


class FakeBackend:
    name = "fake"

    def __init__(self) -> None:
        self.store = InMemoryStore(clock=lambda: NOW)
        self.product = Product(RULES, energy_servicing.LENDER.events)

    def open_loan(self, terms: LoanTerms, enterprise_number: str, rating: Rating, collateral: Collateral) -> str:
        loan_id = str(uuid.uuid4())
        self.store.open(
            LoanAccount(
                id=loan_id,
                status=LoanStatus.DISBURSED,
                terms=terms,
                enterprise_number=enterprise_number,
                rating=rating,
                collateral=collateral,
                disbursed_on=terms.start_date,
            )
        )
        return loan_id

    def unit_of_work(self, actor: str) -> AbstractContextManager[ServicingUnitOfWork]:
        return self.store.unit_of_work(actor)

    def published(self) -> list[tuple[str, dict[str, Any]]]:
        return [
            (type_of(type(event.payload)), event.payload.model_dump(mode="json")) for event in self.store.state.events
        ]

    def aid(self, loan_id: str) -> list[tuple[str, Decimal]]:
        return [(row.measure, row.valuation.gge) for row in self.store.state.aid if row.loan_id == loan_id]


class SqlBackend:
    """Common part of the PostgreSQL backends: transactions, the outbox, the principal."""

    name = "sql"
    product: Product

    def __init__(self, database_url: str, register: StateAid) -> None:
        self.engine: Engine = make_engine(database_url)
        self.register = register
        register.clock.moment = NOW
        self.aid_client = AidRegisterClient(register.url, lambda: register.service["Authorization"].split()[1])

    def close(self) -> None:
        self.aid_client.close()
        self.engine.dispose()

    def aid(self, loan_id: str) -> list[tuple[str, Decimal]]:
        """(measure, gge) of the loan's measures in the register; the measure is the third part of the reference."""
        with Session(self.register.engine) as session:
            rows = session.exec(
                select(StateAidMeasure)
                .where(StateAidMeasure.source_reference == loan_id)
                .order_by(col(StateAidMeasure.created_at))
            ).all()
        return [(row.reference.split(":")[2], row.gge) for row in rows]

    @staticmethod
    def principal(actor: str) -> Principal:
        return Principal(subject=actor, roles=frozenset({Role.FUND_MANAGER, Role.APPROVER, Role.BACKOFFICE}))

    def published(self) -> list[tuple[str, dict[str, Any]]]:
        with Session(self.engine) as session:
            rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.seq))).all()
        result = []
        for row in rows:
            envelope = json.loads(row.envelope)
            result.append((envelope["type"], envelope["data"]))
        return result


class SifoBackend(SqlBackend):
    name = "sifo-postgres"

    def __init__(self, database_url: str, register: StateAid) -> None:
        super().__init__(database_url, register)
        self.product = Product(RULES, sifo_servicing.LENDER.events)
        self.financier_id = str(uuid.uuid4())
        with transaction(self.engine) as session:
            session.add(
                SifoFinancier(
                    id=self.financier_id,
                    enterprise_number="0403170701",
                    name="Hefboom",
                    iban="BE68539007547034",
                    recognised_from=date(2020, 1, 1),
                    created_at=NOW,
                    created_by="test",
                )
            )

    def open_loan(self, terms: LoanTerms, enterprise_number: str, rating: Rating, collateral: Collateral) -> str:
        loan_id = str(uuid.uuid4())
        with transaction(self.engine) as session:
            if session.get(SifoBorrower, enterprise_number) is None:
                session.add(SifoBorrower(enterprise_number=enterprise_number, name="Borrower"))
                session.flush()
            session.add(
                SifoLoan(
                    id=loan_id,
                    financier_id=self.financier_id,
                    borrower_enterprise_number=enterprise_number,
                    borrower_name="Borrower",
                    target_group_vte=Decimal("5.00"),
                    loan_type="investment",
                    total_credit=terms.principal * 2,
                    sifo_share=terms.principal,
                    annual_rate=terms.annual_rate,
                    periods=terms.periods,
                    frequency=terms.frequency.value,
                    method=terms.method.value,
                    day_count=terms.day_count.value,
                    grace_periods=terms.grace_periods,
                    grace_kind=terms.grace_kind.value,
                    installment_multiple=terms.installment_multiple,
                    start_date=terms.start_date,
                    first_due_date=terms.first_due_date,
                    rating=rating.value,
                    collateral=collateral.value,
                    base_rate=Decimal("0.0219"),
                    margin=Decimal("0.022"),
                    reference_rate=Decimal("0.0439"),
                    discount_rate=Decimal("0.0319"),
                    gge=Decimal("0.00"),
                    gge_on=terms.start_date,
                    gge_reference_rate=Decimal("0.0439"),
                    gge_discount_rate=Decimal("0.0319"),
                    status=LoanStatus.DISBURSED.value,
                    submitted_on=terms.start_date,
                    submitted_by="test",
                    submitted_at=NOW,
                    disbursed_on=terms.start_date,
                    disbursement_iban="BE68539007547034",
                )
            )
        return loan_id

    @contextmanager
    def unit_of_work(self, actor: str) -> Iterator[ServicingUnitOfWork]:
        with transaction(self.engine) as session:
            yield sifo_servicing.LENDER.unit_of_work(
                SifoCommand(
                    session=session,
                    principal=self.principal(actor),
                    topic="sifo.events",
                    clock=lambda: NOW,
                    aid_client=self.aid_client,
                )
            )


class EnergyBackend(SqlBackend):
    name = "energy-postgres"

    def __init__(self, database_url: str, register: StateAid) -> None:
        super().__init__(database_url, register)
        self.product = Product(RULES, energy_servicing.LENDER.events)
        self.call_id = str(uuid.uuid4())
        with transaction(self.engine) as session:
            session.add(
                EnergyBudgetYear(
                    year=2026,
                    envelope=Decimal("5000000.00"),
                    committed=Decimal("0.00"),
                    disbursed=Decimal("0.00"),
                    released=Decimal("0.00"),
                    budget_article="JB0-1JEC2GB-PA",
                    created_at=NOW,
                    created_by="test",
                )
            )
            session.flush()
            session.add(
                EnergyCall(
                    id=self.call_id,
                    budget_year=2026,
                    title="Oproep",
                    opens_on=date(2026, 1, 1),
                    closes_on=date(2026, 12, 31),
                    annual_rate=Decimal("0.01"),
                    periods=120,
                    frequency="monthly",
                    created_at=NOW,
                    created_by="test",
                )
            )

    def _applicant(self, session: Session, enterprise_number: str) -> tuple[str, str]:
        applicant = session.exec(
            select(EnergyApplicant).where(EnergyApplicant.enterprise_number == enterprise_number)
        ).first()
        if applicant is not None:
            site = session.exec(select(EnergySite).where(EnergySite.applicant_id == applicant.id)).one()
            return applicant.id, site.id
        applicant_id, site_id = str(uuid.uuid4()), str(uuid.uuid4())
        session.add(
            EnergyApplicant(
                id=applicant_id,
                enterprise_number=enterprise_number,
                name="Maatwerkbedrijf",
                workshop_type="sheltered",
                recognition_number="BW-1",
                created_at=NOW,
                created_by="test",
            )
        )
        session.flush()
        session.add(
            EnergySite(
                id=site_id,
                applicant_id=applicant_id,
                name="Site",
                address="Dok Noord 1, 9000 Gent",
                yearly_energy_need_kwh=Decimal("250000"),
            )
        )
        session.flush()
        return applicant_id, site_id

    def open_loan(self, terms: LoanTerms, enterprise_number: str, rating: Rating, collateral: Collateral) -> str:
        loan_id = str(uuid.uuid4())
        with transaction(self.engine) as session:
            applicant_id, site_id = self._applicant(session, enterprise_number)
            session.add(
                EnergyApplication(
                    id=loan_id,
                    call_id=self.call_id,
                    applicant_id=applicant_id,
                    site_id=site_id,
                    requested_amount=terms.principal,
                    rating=rating.value,
                    collateral=collateral.value,
                    documents="[]",
                    warnings="[]",
                    status="disbursed",
                    gge=Decimal("0.00"),
                    gge_on=terms.start_date,
                    gge_reference_rate=Decimal("0.0439"),
                    gge_discount_rate=Decimal("0.0319"),
                    committed_amount=terms.principal,
                    submitted_at=NOW,
                    submitted_by="test",
                )
            )
            session.flush()
            session.add(
                EnergyLoan(
                    id=loan_id,
                    application_id=loan_id,
                    applicant_id=applicant_id,
                    budget_year=2026,
                    principal=terms.principal,
                    annual_rate=terms.annual_rate,
                    periods=terms.periods,
                    frequency=terms.frequency.value,
                    start_date=terms.start_date,
                    first_due_date=terms.first_due_date,
                    delivery_date=terms.start_date,
                    iban="BE68539007547034",
                    status=LoanStatus.DISBURSED.value,
                    created_at=NOW,
                )
            )
        return loan_id

    @contextmanager
    def unit_of_work(self, actor: str) -> Iterator[ServicingUnitOfWork]:
        with transaction(self.engine) as session:
            yield energy_servicing.LENDER.unit_of_work(
                EnergyCommand(
                    session=session,
                    principal=self.principal(actor),
                    topic="energy.events",
                    clock=lambda: NOW,
                    aid_client=self.aid_client,
                )
            )


BackendFactory = Callable[[], Backend]
