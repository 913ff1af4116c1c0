"""SIFO's side of the shared servicing core: its loan rows as accounts, its tables, events and rules.

Every servicing command (repayments, prepayments, defaults, rate resets, restructurings,
write-offs, reversals) is the shared core's; this module only plugs SIFO in and keeps a financier
from touching another financier's loans.
"""

from __future__ import annotations

from sqlmodel import Session

from shared.amortisation.reference_rates import Collateral, Rating
from shared.contracts import sifo as contract
from shared.platform.rules import NotFound
from shared.servicing.events import ServicingEvents
from shared.servicing.sql import Lender, Particulars, RowAccounts, ServicingTables

from services.sifo.models import SifoDecision, SifoLoan, SifoLoanEvent
from services.sifo.service.aid import aid_register
from services.sifo.service.context import Command
from services.sifo.service.loans import terms_of


def particulars(session: Session, loan: SifoLoan) -> Particulars:
    return Particulars(
        terms=terms_of(loan),
        enterprise_number=loan.borrower_enterprise_number,
        rating=Rating(loan.rating),
        collateral=Collateral(loan.collateral),
        disbursed_on=loan.disbursed_on,
        parties={"financier_id": loan.financier_id},
    )


LENDER: Lender[Command] = Lender(
    ServicingTables(entry=SifoLoanEvent, decision=SifoDecision),
    RowAccounts(SifoLoan, particulars),
    ServicingEvents.of_module(contract, contract.SIFO_SOURCE),
    aid_register,
    rules=lambda command: command.policy.rules,
)


def visible(command: Command, loan_id: str) -> None:
    """A financier token learns nothing about other financiers' loans: 404, as for a missing id."""
    loan = command.session.get(SifoLoan, loan_id)
    if loan is None:
        raise NotFound("loan", loan_id)
    command.ensure_visible("loan", loan_id, loan.financier_id)
