"""Energy's side of the shared servicing core: its loan rows as accounts, its tables, events and rules.

Every servicing command on a paid-out loan (repayments, prepayments, defaults, rate resets,
restructurings, write-offs, reversals) is the shared core's; this module only plugs energy in.
A loan's id is its application's id.
"""

from __future__ import annotations

from sqlmodel import Session

from shared.amortisation.reference_rates import Collateral, Rating
from shared.amortisation.terms import Frequency, LoanTerms
from shared.contracts import energy as contract
from shared.platform.rules import NotFound
from shared.servicing.events import ServicingEvents
from shared.servicing.sql import Lender, Particulars, RowAccounts, ServicingTables

from services.energy.models import EnergyApplicant, EnergyApplication, EnergyDecision, EnergyLoan, EnergyLoanEvent
from services.energy.service.aid import aid_register
from services.energy.service.context import Command


def terms_of(loan: EnergyLoan) -> LoanTerms:
    return LoanTerms(
        principal=loan.principal,
        annual_rate=loan.annual_rate,
        periods=loan.periods,
        start_date=loan.start_date,
        frequency=Frequency(loan.frequency),
        first_due_date=loan.first_due_date,
    )


def particulars(session: Session, loan: EnergyLoan) -> Particulars:
    """Rating and collateral are the application's; the undertaking is the applicant."""
    application = session.get(EnergyApplication, loan.application_id)
    applicant = session.get(EnergyApplicant, loan.applicant_id)
    assert application is not None
    assert applicant is not None
    return Particulars(
        terms=terms_of(loan),
        enterprise_number=applicant.enterprise_number,
        rating=Rating(application.rating),
        collateral=Collateral(application.collateral),
        disbursed_on=loan.start_date,
    )


LENDER: Lender[Command] = Lender(
    ServicingTables(entry=EnergyLoanEvent, decision=EnergyDecision),
    RowAccounts(EnergyLoan, particulars),
    ServicingEvents.of_module(contract, contract.ENERGY_SOURCE),
    aid_register,
    rules=lambda command: command.programme.rules,
)


def loan_of(command: Command, application_id: str) -> EnergyLoan:
    loan = command.session.get(EnergyLoan, application_id)
    if loan is None:
        raise NotFound("loan of application", application_id)
    return loan
