"""SIFO's side of the shared servicing core: its loan rows as accounts, its tables, events and rules.

Every servicing command (repayments, prepayments, defaults, rate resets, restructurings,
write-offs, reversals) is the shared core's; this module only plugs SIFO in and keeps a financier
from touching another financier's loans.
"""

from __future__ import annotations

from sqlmodel import Session

from shared.amortisation.reference_rates import Collateral, Rating
from shared.contracts import sifo as contract
from shared.platform.database import get_for_update
from shared.platform.rules import NotFound
from shared.servicing import service as core
from shared.servicing.accounts import LoanAccount, LoanStatus
from shared.servicing.events import ServicingEvents
from shared.servicing.sql import ServicingTables, SqlAidRegister, SqlServicing

from services.sifo.models import SifoAidMeasure, SifoBorrower, SifoDecision, SifoLoan, SifoLoanEvent
from services.sifo.service.context import Command
from services.sifo.service.loans import terms_of

EVENTS = ServicingEvents(
    source=contract.SIFO_SOURCE,
    repayment_recorded=contract.LoanRepaymentRecordedV2,
    prepaid=contract.LoanPrepaidV2,
    rate_reset=contract.LoanRateResetV2,
    restructured=contract.LoanRestructuredV2,
    defaulted=contract.LoanDefaultedV2,
    written_off=contract.LoanWrittenOffV1,
    settled=contract.LoanSettledV1,
    entry_reversed=contract.LoanEntryReversedV1,
)
TABLES = ServicingTables(entry=SifoLoanEvent, decision=SifoDecision)


def account_of(loan: SifoLoan) -> LoanAccount:
    return LoanAccount(
        id=loan.id,
        status=LoanStatus(loan.status),
        terms=terms_of(loan),
        enterprise_number=loan.borrower_enterprise_number,
        rating=Rating(loan.rating),
        collateral=Collateral(loan.collateral),
        disbursed_on=loan.disbursed_on,
        defaulted_on=loan.defaulted_on,
        settled_on=loan.settled_on,
        written_off_on=loan.written_off_on,
        written_off_amount=loan.written_off_amount,
        status_reason=loan.status_reason,
        parties={"financier_id": loan.financier_id},
    )


class SifoAccounts:
    """SIFO loans as servicing accounts (the `AccountStore` of the shared core)."""

    def load(self, session: Session, loan_id: str, lock: bool) -> LoanAccount:
        loan = get_for_update(session, SifoLoan, loan_id, "loan") if lock else session.get(SifoLoan, loan_id)
        if loan is None:
            raise NotFound("loan", loan_id)
        return account_of(loan)

    def save(self, session: Session, account: LoanAccount) -> None:
        loan = session.get(SifoLoan, account.id)
        assert loan is not None
        loan.status = account.status.value
        loan.defaulted_on = account.defaulted_on
        loan.settled_on = account.settled_on
        loan.written_off_on = account.written_off_on
        loan.written_off_amount = account.written_off_amount
        loan.status_reason = account.status_reason
        session.add(loan)


def lock_borrower(session: Session, enterprise_number: str) -> None:
    """The de minimis check of one undertaking runs under a lock on its borrower row."""
    get_for_update(session, SifoBorrower, enterprise_number, "borrower")


def aid_register(session: Session) -> SqlAidRegister:
    return SqlAidRegister(session, SifoAidMeasure, lock_borrower)


def unit_of_work(command: Command) -> SqlServicing:
    return SqlServicing(command, TABLES, SifoAccounts(), aid_register(command.session))


def product(command: Command) -> core.Product:
    return core.Product(command.policy.rules, EVENTS)


def visible(command: Command, loan_id: str) -> None:
    """A financier token learns nothing about other financiers' loans: 404, as for a missing id."""
    loan = command.session.get(SifoLoan, loan_id)
    if loan is None:
        raise NotFound("loan", loan_id)
    command.ensure_visible("loan", loan_id, loan.financier_id)
