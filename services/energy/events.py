"""What the energy service publishes: contract payloads (shared.contracts.energy) built from its rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from shared.amortisation.allocation import Allocation
from shared.amortisation.position import LoanPosition
from shared.amortisation.terms import LoanTerms
from shared.contracts import energy as contract
from shared.contracts.loan_terms import LoanTermsV1
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.registry import envelope_for

from services.energy.models import EnergyApplicant, EnergyApplication, EnergyInstallation, EnergyLoan


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


def terms_payload(terms: LoanTerms) -> LoanTermsV1:
    return LoanTermsV1(**terms.to_json())


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
        submitted_on=application.submitted_at.date(),
    )
    return _wrap(payload, application.id)


def approved(
    application: EnergyApplication, applicant: EnergyApplicant, year: int, rows: list[EnergyInstallation]
) -> EventEnvelope:
    assert application.decided_on is not None
    assert application.committed_amount is not None
    payload = contract.ApplicationApprovedV1(
        **_application(application, applicant, year, rows),
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
    gge: Decimal,
    co2: Decimal,
) -> EventEnvelope:
    payload = contract.EnergyLoanDisbursedV1(
        loan_id=loan.id,
        application_id=loan.application_id,
        budget_year=loan.budget_year,
        enterprise_number=applicant.enterprise_number,
        amount=loan.principal,
        delivery_date=loan.delivery_date,
        terms=terms_payload(terms),
        installations=installations_payload(rows),
        gge=gge,
        co2_avoided_tonnes_per_year=co2,
    )
    return _wrap(payload, loan.application_id)


def repayment_recorded(loan: EnergyLoan, allocation: Allocation, position: LoanPosition) -> EventEnvelope:
    payload = contract.EnergyRepaymentRecordedV1(
        loan_id=loan.id,
        application_id=loan.application_id,
        received_on=allocation.on,
        amount=allocation.amount,
        late_interest=allocation.late_interest + allocation.collection_fees,
        interest=allocation.interest,
        principal=allocation.principal,
        prepayment=allocation.prepayment,
        excess=allocation.excess,
        outstanding_principal=position.outstanding_principal,
    )
    return _wrap(payload, loan.application_id)


def prepaid(loan: EnergyLoan, on: date, amount: Decimal, mode: str, position: LoanPosition) -> EventEnvelope:
    payload = contract.EnergyLoanPrepaidV1(
        loan_id=loan.id,
        application_id=loan.application_id,
        received_on=on,
        amount=amount,
        mode=mode,
        outstanding_principal=position.outstanding_principal,
    )
    return _wrap(payload, loan.application_id)


def restructured(loan: EnergyLoan, on: date, terms: LoanTerms, prepared_by: str, approved_by: str) -> EventEnvelope:
    payload = contract.EnergyLoanRestructuredV1(
        loan_id=loan.id,
        application_id=loan.application_id,
        effective_on=on,
        terms=terms_payload(terms),
        prepared_by=prepared_by,
        approved_by=approved_by,
    )
    return _wrap(payload, loan.application_id)


def written_off(loan: EnergyLoan, reason: str, prepared_by: str, approved_by: str) -> EventEnvelope:
    assert loan.written_off_on is not None
    assert loan.written_off_amount is not None
    payload = contract.EnergyLoanWrittenOffV1(
        loan_id=loan.id,
        application_id=loan.application_id,
        written_off_on=loan.written_off_on,
        amount=loan.written_off_amount,
        reason=reason,
        prepared_by=prepared_by,
        approved_by=approved_by,
    )
    return _wrap(payload, loan.application_id)
