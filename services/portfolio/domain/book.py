"""The consolidated book: every fact the portfolio has heard, folded into one file per aggregate.

A fact is a consumed event: its payload, when it was published and where it was read. The fold
does not depend on the order facts arrive in: loan movements are ordered by the lender's entry
ids, allocations and measure versions by their effective day and publication order, and a movement
whose loan has not been paid out yet simply waits in its file. Folding the same facts therefore
always gives the same book, which is what makes a replay from the topics reproduce it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from pydantic import BaseModel

from shared.amortisation.money import to_cents
from shared.amortisation.servicing_history import PREPAYMENT, RATE_RESET, RESTRUCTURE
from shared.amortisation.terms import LoanTerms
from shared.contracts import energy, sifo, trividend
from shared.contracts import loan_servicing as servicing
from shared.contracts.loan_terms import LoanTermsV1
from shared.contracts.state_aid import MeasureRecordedV1
from shared.platform.business_date import business_date

from services.portfolio.domain.aid import VersionOrder
from services.portfolio.domain.book_positions import BookColumns
from services.portfolio.domain.budget_years import BudgetYearFile
from services.portfolio.domain.drawing_rights import ChangeOrder, DrawingRightFile
from services.portfolio.domain.loans import Entry, Instrument, LoanFile
from services.portfolio.domain.participations import InvesteeFile, ParticipationFile


@dataclass(frozen=True)
class Fact:
    """One consumed event: its payload and its publication time (the event id breaks ties)."""

    event_type: str
    event_id: str
    known_at: datetime
    payload: BaseModel

    @property
    def known_on(self) -> date:
        return business_date(self.known_at)

    def order(self, effective_on: date) -> ChangeOrder:
        return (effective_on, self.known_at, self.event_id)

    @property
    def version(self) -> VersionOrder:
        return (self.known_at, self.event_id)


@dataclass
class FinancierFile:
    financier_id: str
    enterprise_number: str
    name: str


@dataclass
class Book:
    financiers: dict[str, FinancierFile] = field(default_factory=dict)
    loans: dict[str, LoanFile] = field(default_factory=dict)
    drawing_rights: dict[str, DrawingRightFile] = field(default_factory=dict)
    budget_years: dict[int, BudgetYearFile] = field(default_factory=dict)
    measure_versions: dict[str, tuple[VersionOrder, MeasureRecordedV1]] = field(default_factory=dict)
    investees: dict[str, InvesteeFile] = field(default_factory=dict)
    participations: dict[str, ParticipationFile] = field(default_factory=dict)

    @property
    def measures(self) -> list[MeasureRecordedV1]:
        return [measure for _, measure in self.measure_versions.values()]

    def loans_in_order(self) -> list[LoanFile]:
        """Its loans by instrument and loan id: the order of every list of lines."""
        return sorted(self.loans.values(), key=lambda file: (file.instrument.value, file.loan_id))

    @cached_property
    def columns(self) -> BookColumns:
        """Its loans' terms and repayments as columns for the vectorised engine, built on first use.

        Fold every fact before asking: the columns are not rebuilt when a fact is added later.
        """
        return BookColumns.of(self.loans_in_order())

    def loan(self, loan_id: str, instrument: Instrument) -> LoanFile:
        file = self.loans.get(loan_id)
        if file is None:
            file = self.loans[loan_id] = LoanFile(loan_id, instrument)
        return file

    def right(self, drawing_right_id: str) -> DrawingRightFile:
        return self.drawing_rights.setdefault(drawing_right_id, DrawingRightFile(drawing_right_id))

    def investee(self, investee_id: str) -> InvesteeFile:
        return self.investees.setdefault(investee_id, InvesteeFile(investee_id))

    def participation(self, participation_id: str) -> ParticipationFile:
        return self.participations.setdefault(participation_id, ParticipationFile(participation_id))

    def year(self, budget_year: int) -> BudgetYearFile:
        return self.budget_years.setdefault(budget_year, BudgetYearFile(budget_year))


def fold(facts: Iterable[Fact]) -> Book:
    book = Book()
    for fact in facts:
        apply(book, fact)
    return book


def _terms(terms: LoanTermsV1) -> LoanTerms:
    """The engine's terms, checked by `from_json` field by field (from the parsed values: no JSON round trip)."""
    return LoanTerms.from_json(dict(terms))


LENDER_CONTRACTS = {
    sifo.__name__: Instrument.SIFO,
    energy.__name__: Instrument.ENERGY,
    trividend.__name__: Instrument.TRIVIDEND,
}
"""Each lender registers the shared servicing payloads in its own contract module."""


def _instrument(payload: BaseModel) -> Instrument:
    """The lender a servicing payload comes from."""
    return LENDER_CONTRACTS[type(payload).__module__]


def apply(book: Book, fact: Fact) -> None:
    """Add one fact to the book (a fact of a type the book does not use changes nothing)."""
    payload = fact.payload
    if isinstance(payload, sifo.FinancierRecognisedV1):
        book.financiers[payload.financier_id] = FinancierFile(
            payload.financier_id, payload.enterprise_number, payload.name
        )
    elif isinstance(
        payload, (sifo.DrawingRightAllocatedV1, sifo.DrawingRightReallocatedV1, sifo.DrawingRightReleasedV1)
    ):
        _drawing_right(book, fact, payload)
    elif isinstance(payload, sifo.DrawingRightExpiredV1):
        book.right(payload.drawing_right_id).releases.append((payload.expired_on, payload.released_amount))
    elif isinstance(payload, (sifo.LoanApprovedV2, sifo.LoanDisbursedV2, sifo.LoanCancelledV1)):
        _sifo_loan(book, payload)
    elif isinstance(
        payload, (energy.ApplicationApprovedV2, energy.ApplicationCancelledV1, energy.EnergyLoanDisbursedV2)
    ):
        _energy_loan(book, payload)
    elif isinstance(payload, energy.BudgetYearOpenedV1):
        # A year is in the book from its first day, or from the day it was opened if that was earlier.
        opened = min(payload.opened_on, date(payload.budget_year, 1, 1))
        book.year(payload.budget_year).budgets.append((fact.order(opened), payload.envelope))
    elif isinstance(payload, servicing.ServicingEvent):
        _servicing(book.loan(payload.loan_id, _instrument(payload)), payload, fact.known_at)
    elif isinstance(
        payload,
        trividend.LoanApprovedV1 | trividend.LoanDisbursedV1 | trividend.LoanCancelledV1 | trividend.LoanConvertedV1,
    ):
        _trividend_loan(book, payload)
    elif isinstance(
        payload, trividend.InvesteeRegisteredV1 | trividend.HeadcountReportedV1 | trividend.SharesReportedV1
    ):
        _investee(book, payload)
    elif isinstance(
        payload,
        trividend.ProposalApprovedV1
        | trividend.EquityInvestedV1
        | trividend.DividendReceivedV1
        | trividend.EquityExitedV1
        | trividend.ValuationApprovedV1,
    ):
        _participation(book, fact, payload)
    elif isinstance(payload, MeasureRecordedV1):
        current = book.measure_versions.get(payload.reference)
        if current is None or current[0] < fact.version:
            book.measure_versions[payload.reference] = (fact.version, payload)


def _drawing_right(
    book: Book,
    fact: Fact,
    payload: sifo.DrawingRightAllocatedV1 | sifo.DrawingRightReallocatedV1 | sifo.DrawingRightReleasedV1,
) -> None:
    right = book.right(payload.drawing_right_id)
    right.financier_id = payload.financier_id
    if isinstance(payload, sifo.DrawingRightAllocatedV1):
        right.fund_year = payload.fund_year
        right.valid_from = payload.valid_from
        right.valid_until = payload.valid_until
        # An allocation counts from its validity start, or from the day it was recorded if that was earlier.
        right.allocations.append((fact.order(min(fact.known_on, payload.valid_from)), payload.allocated))
    elif isinstance(payload, sifo.DrawingRightReallocatedV1):
        right.allocations.append((fact.order(fact.known_on), payload.allocated))
    else:
        right.releases.append((fact.known_on, payload.amount))


def _sifo_loan(book: Book, payload: sifo.LoanApprovedV2 | sifo.LoanDisbursedV2 | sifo.LoanCancelledV1) -> None:
    loan = book.loan(payload.loan_id, Instrument.SIFO)
    loan.financier_id = payload.financier_id
    loan.drawing_right_id = payload.drawing_right_id
    if isinstance(payload, sifo.LoanCancelledV1):
        loan.cancelled_on = payload.cancelled_on
        return
    loan.enterprise_number = payload.borrower_enterprise_number
    loan.borrower_name = payload.borrower_name
    loan.target_group_vte = payload.target_group_vte
    if isinstance(payload, sifo.LoanApprovedV2):
        loan.approved_on = payload.approved_on
        loan.committed = payload.reserved
        loan.contract_rate = payload.terms.annual_rate
    else:
        loan.disbursed = payload.amount
        loan.disbursed_on = payload.disbursed_on
        loan.terms = _terms(payload.terms)


def _energy_loan(
    book: Book,
    payload: energy.ApplicationApprovedV2 | energy.ApplicationCancelledV1 | energy.EnergyLoanDisbursedV2,
) -> None:
    if isinstance(payload, energy.ApplicationCancelledV1):
        loan = book.loan(payload.application_id, Instrument.ENERGY)
        loan.cancelled_on = payload.cancelled_on
        loan.budget_year = payload.budget_year
        return
    if isinstance(payload, energy.ApplicationApprovedV2):
        loan = book.loan(payload.application_id, Instrument.ENERGY)
        loan.approved_on = payload.approved_on
        loan.committed = payload.committed_amount
    else:
        loan = book.loan(payload.loan_id, Instrument.ENERGY)
        loan.disbursed = payload.amount
        loan.disbursed_on = payload.terms.start_date
        loan.terms = _terms(payload.terms)
        loan.co2_tonnes_per_year = payload.co2_avoided_tonnes_per_year
    loan.enterprise_number = payload.enterprise_number
    loan.budget_year = payload.budget_year
    loan.installations = tuple(payload.installations)


def _servicing(loan: LoanFile, payload: servicing.ServicingEvent, recorded_at: datetime) -> None:
    if isinstance(payload, servicing.RepaymentRecorded):
        # v2 did not say how a surplus reshaped the schedule; the lenders' default then was reduce_installment.
        mode = payload.surplus_mode if isinstance(payload, servicing.RepaymentRecordedWithMode) else None
        loan.repayments.add(
            payload.entry_id,
            payload.received_on,
            to_cents(payload.amount),
            mode,
            to_cents(payload.outstanding_principal),
        )
        return
    if isinstance(payload, servicing.Prepaid):
        entry = Entry(
            payload.entry_id,
            PREPAYMENT,
            payload.received_on,
            payload.amount,
            payload.mode,
            reported_outstanding=payload.outstanding_principal,
        )
    elif isinstance(payload, servicing.RateReset):
        entry = Entry(payload.entry_id, RATE_RESET, payload.effective_on, annual_rate=payload.annual_rate)
    elif isinstance(payload, servicing.Restructured):
        entry = Entry(
            payload.entry_id, RESTRUCTURE, payload.effective_on, terms=_terms(payload.terms), recorded_at=recorded_at
        )
    elif isinstance(payload, servicing.Defaulted):
        loan.defaults.append((payload.defaulted_on, recorded_at))
        return
    elif isinstance(payload, servicing.WrittenOff):
        loan.written_off = (payload.written_off_on, payload.amount)
        return
    elif isinstance(payload, servicing.EntryReversed):
        loan.reversed.add(payload.entry_id)
        return
    else:
        return
    loan.entries[entry.entry_id] = entry


def _investee(
    book: Book,
    payload: trividend.InvesteeRegisteredV1 | trividend.HeadcountReportedV1 | trividend.SharesReportedV1,
) -> None:
    investee = book.investee(payload.investee_id)
    investee.enterprise_number = payload.enterprise_number
    if isinstance(payload, trividend.InvesteeRegisteredV1):
        investee.name = payload.name
    elif isinstance(payload, trividend.HeadcountReportedV1):
        investee.headcounts.append((payload.on, payload.target_group_vte))
    else:
        investee.share_counts.append((payload.on, payload.shares_outstanding))


def _participation(
    book: Book,
    fact: Fact,
    payload: trividend.ProposalApprovedV1
    | trividend.EquityInvestedV1
    | trividend.DividendReceivedV1
    | trividend.EquityExitedV1
    | trividend.ValuationApprovedV1,
) -> None:
    if isinstance(payload, trividend.ProposalApprovedV1):
        if payload.instrument != "equity":
            return
        file = book.participation(payload.proposal_id)
        file.committed = payload.amount
        file.approved_on = payload.approved_on
    else:
        file = book.participation(payload.participation_id)
    file.investee_id = payload.investee_id
    file.enterprise_number = payload.enterprise_number
    if isinstance(payload, trividend.EquityInvestedV1):
        file.tranches.append((fact.order(payload.on), payload.amount, payload.shares))
    elif isinstance(payload, trividend.DividendReceivedV1):
        file.dividends.append((payload.on, payload.amount))
    elif isinstance(payload, trividend.EquityExitedV1):
        file.exits.append((fact.order(payload.on), payload.proceeds, payload.shares_sold, payload.cost_of_shares_sold))
    elif isinstance(payload, trividend.ValuationApprovedV1):
        current = file.valuations.get(payload.quarter)
        if current is None or current[0] < fact.version:
            file.valuations[payload.quarter] = (fact.version, payload.as_of, payload.fair_value)


def _trividend_loan(
    book: Book,
    payload: trividend.LoanApprovedV1
    | trividend.LoanDisbursedV1
    | trividend.LoanCancelledV1
    | trividend.LoanConvertedV1,
) -> None:
    loan = book.loan(payload.loan_id, Instrument.TRIVIDEND)
    if isinstance(payload, trividend.LoanCancelledV1):
        loan.cancelled_on = payload.cancelled_on
        return
    if isinstance(payload, trividend.LoanConvertedV1):
        # The loan closes into shares; the participation (same id) opens with the converted amount committed.
        loan.converted_on = payload.converted_on
        participation = book.participation(payload.participation_id)
        participation.approved_on = payload.converted_on
        participation.committed = payload.amount
        participation.investee_id = payload.investee_id
        participation.enterprise_number = payload.enterprise_number
        return
    loan.enterprise_number = payload.enterprise_number
    loan.investee_id = payload.investee_id
    if isinstance(payload, trividend.LoanApprovedV1):
        loan.approved_on = payload.approved_on
        loan.committed = payload.amount
        loan.contract_rate = payload.terms.annual_rate
    else:
        loan.disbursed = payload.amount
        loan.disbursed_on = payload.disbursed_on
        loan.terms = _terms(payload.terms)
