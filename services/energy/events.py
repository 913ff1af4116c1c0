"""What the energy service publishes: contract payloads (shared.contracts.energy) built from its rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from shared.amortisation.terms import LoanTerms
from shared.contracts import energy as contract
from shared.contracts.state_aid import AidCarried, AidOutcome
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.registry import envelope_for
from shared.platform.business_date import business_date
from shared.servicing.aid import AidValuation, valuation_of
from shared.servicing.decisions import CancellationRequest, Decision
from shared.servicing.events import aid_payload, terms_payload

from services.energy.models import EnergyApplicant, EnergyApplication, EnergyBudgetYear, EnergyInstallation, EnergyLoan


def _wrap(payload: BaseModel, subject: str) -> EventEnvelope:
    return envelope_for(payload, source=contract.ENERGY_SOURCE, subject=subject)


def installations_payload(rows: list[EnergyInstallation]) -> list[contract.InstallationV1]:
    return [
        contract.InstallationV1(
            technology=row.technology,
            capacity=row.capacity,
            unit=row.unit,
            investment_cost=row.investment_cost,
            yearly_production_kwh=row.yearly_production_kwh,
            yearly_savings_eur=row.yearly_savings_eur,
        )
        for row in rows
    ]


def _application(
    application: EnergyApplication, applicant: EnergyApplicant, year: int, rows: list[EnergyInstallation]
) -> dict[str, object]:
    return {
        "application_id": application.id,
        "call_id": application.call_id,
        "budget_year": year,
        "applicant_id": applicant.id,
        "enterprise_number": applicant.enterprise_number,
        "workshop_type": applicant.workshop_type,
        "site_id": application.site_id,
        "requested_amount": application.requested_amount,
        "installations": installations_payload(rows),
        "gge": application.gge,
    }


def submitted(
    application: EnergyApplication, applicant: EnergyApplicant, year: int, rows: list[EnergyInstallation]
) -> EventEnvelope:
    payload = contract.ApplicationSubmittedV1(
        **_application(application, applicant, year, rows),
        submitted_on=business_date(application.submitted_at),
    )
    return _wrap(payload, application.id)


def approved(
    application: EnergyApplication, applicant: EnergyApplicant, year: int, rows: list[EnergyInstallation]
) -> EventEnvelope:
    assert application.decided_on is not None
    assert application.committed_amount is not None
    fields = _application(application, applicant, year, rows)
    del fields["gge"]
    payload = contract.ApplicationApprovedV2(
        **fields,
        aid=aid_payload(valuation_of(application)),
        approved_on=application.decided_on,
        committed_amount=application.committed_amount,
        approved_by=application.decided_by or "",
    )
    return _wrap(payload, application.id)


def wait_listed(application: EnergyApplication, year: int, available: Decimal) -> EventEnvelope:
    payload = contract.ApplicationWaitListedV1(
        application_id=application.id,
        budget_year=year,
        requested_amount=application.requested_amount,
        available=available,
    )
    return _wrap(payload, application.id)


def rejected(application: EnergyApplication, on: date) -> EventEnvelope:
    payload = contract.ApplicationRejectedV1(
        application_id=application.id, rejected_on=on, reason=application.reason or ""
    )
    return _wrap(payload, application.id)


def budget_year_opened(row: EnergyBudgetYear) -> EventEnvelope:
    payload = contract.BudgetYearOpenedV1(
        budget_year=row.year,
        envelope=row.envelope,
        budget_article=row.budget_article,
        opened_on=business_date(row.created_at),
        opened_by=row.created_by,
    )
    return _wrap(payload, str(row.year))


def budget_committed(
    year: int, application_id: str, amount: Decimal, committed: Decimal, available: Decimal
) -> EventEnvelope:
    payload = contract.BudgetCommittedV1(
        budget_year=year, application_id=application_id, amount=amount, committed_total=committed, available=available
    )
    return _wrap(payload, str(year))


def budget_released(year: int, application_id: str, amount: Decimal, available: Decimal, reason: str) -> EventEnvelope:
    payload = contract.BudgetReleasedV1(
        budget_year=year, application_id=application_id, amount=amount, available=available, reason=reason
    )
    return _wrap(payload, str(year))


def disbursed(
    loan: EnergyLoan,
    applicant: EnergyApplicant,
    terms: LoanTerms,
    rows: list[EnergyInstallation],
    aid: AidValuation,
    co2: Decimal,
    other_account_reason: str | None,
) -> EventEnvelope:
    payload = contract.EnergyLoanDisbursedV2(
        loan_id=loan.id,
        budget_year=loan.budget_year,
        enterprise_number=applicant.enterprise_number,
        amount=loan.principal,
        delivery_date=loan.delivery_date,
        iban=loan.iban,
        other_account_reason=other_account_reason,
        terms=terms_payload(terms),
        installations=installations_payload(rows),
        aid=aid_payload(aid),
        co2_avoided_tonnes_per_year=co2,
    )
    return _wrap(payload, loan.id)


def cancelled(
    application: EnergyApplication, year: int, request: CancellationRequest, decision: Decision, released: Decimal
) -> EventEnvelope:
    assert decision.decided_by is not None
    payload = contract.ApplicationCancelledV1(
        application_id=application.id,
        budget_year=year,
        cancelled_on=request.cancelled_on,
        released=released,
        reason=request.reason,
        prepared_by=decision.prepared_by,
        approved_by=decision.decided_by,
    )
    return _wrap(payload, application.id)


def aid_outcome(application_id: str, outcome: AidOutcome) -> EventEnvelope:
    """The programme granted, lowered or released aid it reserved in the state-aid register (keyed by application)."""
    return _wrap(contract.EnergyAidOutcomeV1(**outcome.model_dump()), application_id)


def aid_carried(loan_id: str, carried: AidCarried) -> EventEnvelope:
    """An aid measure of this service's own former register, carried over to the state-aid register."""
    return _wrap(contract.EnergyAidCarriedV1(**carried.model_dump()), loan_id)
