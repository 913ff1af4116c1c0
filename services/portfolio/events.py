"""What the portfolio consumes: every producer's topic, the types it folds into the book and those it ignores.

A type on these topics that is neither handled nor ignored (a new version from an upgraded
producer, or a superseded version the book never used) is parked with its reason, to be replayed
once a handler exists (``POST /admin/parked-events/replay``).
"""

from __future__ import annotations

from pydantic import BaseModel

from shared.contracts import energy, sifo, trividend
from shared.contracts.portfolio import ExportReadyV1
from shared.contracts.state_aid import LinkRecordedV1, MeasureRecordedV1
from shared.contracts.topics import ENERGY_EVENTS, PORTFOLIO_EVENTS, SIFO_EVENTS, STATE_AID_EVENTS, TRIVIDEND_EVENTS
from shared.eventbus.registry import type_of

CONSUMER_GROUP = "portfolio"
CONSUMED_TOPICS = (SIFO_EVENTS, ENERGY_EVENTS, TRIVIDEND_EVENTS, STATE_AID_EVENTS, PORTFOLIO_EVENTS)

BOOK_CONTRACTS: tuple[type[BaseModel], ...] = (
    sifo.FinancierRecognisedV1,
    sifo.FinancierSuspendedV1,
    sifo.FinancierEndedV1,
    sifo.DrawingRightAllocatedV1,
    sifo.DrawingRightReallocatedV1,
    sifo.DrawingRightReleasedV1,
    sifo.DrawingRightExpiredV1,
    sifo.LoanApprovedV2,
    sifo.LoanDisbursedV2,
    sifo.LoanCancelledV1,
    sifo.LoanRepaymentRecordedV2,
    sifo.LoanRepaymentRecordedV3,
    sifo.LoanPrepaidV2,
    sifo.LoanRateResetV2,
    sifo.LoanRestructuredV2,
    sifo.LoanDefaultedV2,
    sifo.LoanWrittenOffV1,
    sifo.LoanSettledV1,
    sifo.LoanEntryReversedV1,
    energy.ApplicationApprovedV2,
    energy.ApplicationCancelledV1,
    energy.BudgetYearOpenedV1,
    energy.EnergyLoanDisbursedV2,
    energy.EnergyRepaymentRecordedV2,
    energy.EnergyRepaymentRecordedV3,
    energy.EnergyLoanPrepaidV2,
    energy.EnergyLoanRateResetV1,
    energy.EnergyLoanRestructuredV2,
    energy.EnergyLoanDefaultedV1,
    energy.EnergyLoanWrittenOffV2,
    energy.EnergyLoanSettledV1,
    energy.EnergyLoanEntryReversedV1,
    MeasureRecordedV1,
    trividend.InvesteeRegisteredV1,
    trividend.HeadcountReportedV1,
    trividend.SharesReportedV1,
    trividend.ProposalApprovedV1,
    trividend.EquityInvestedV1,
    trividend.DividendReceivedV1,
    trividend.EquityExitedV1,
    trividend.ValuationApprovedV1,
    trividend.LoanApprovedV1,
    trividend.LoanDisbursedV1,
    trividend.LoanCancelledV1,
    trividend.LoanConvertedV1,
    trividend.TrividendRepaymentRecordedV1,
    trividend.TrividendLoanPrepaidV1,
    trividend.TrividendLoanRateResetV1,
    trividend.TrividendLoanRestructuredV1,
    trividend.TrividendLoanDefaultedV1,
    trividend.TrividendLoanWrittenOffV1,
    trividend.TrividendLoanSettledV1,
    trividend.TrividendLoanEntryReversedV1,
)
"""Contracts the book is folded from: each event of these types is kept as a fact."""

IGNORED_CONTRACTS: tuple[type[BaseModel], ...] = (
    sifo.LoanSubmittedV2,
    sifo.LoanRejectedV1,
    sifo.SifoAidOutcomeV1,
    sifo.SifoAidCarriedV1,
    energy.ApplicationSubmittedV1,
    energy.ApplicationWaitListedV1,
    energy.ApplicationRejectedV1,
    energy.BudgetCommittedV1,
    energy.BudgetReleasedV1,
    energy.EnergyAidOutcomeV1,
    energy.EnergyAidCarriedV1,
    LinkRecordedV1,
    trividend.ProposalRejectedV1,
    trividend.TrividendAidOutcomeV1,
    trividend.KpiReportedV1,
    # Repayment operations: the book derives arrears from the servicing events themselves.
    sifo.LoanPaymentRequestedV1,
    sifo.LoanInstallmentOverdueV1,
    sifo.LoanPaymentReminderDueV1,
    sifo.LoanDefaultProposedV1,
    energy.EnergyLoanPaymentRequestedV1,
    energy.EnergyLoanInstallmentOverdueV1,
    energy.EnergyLoanPaymentReminderDueV1,
    energy.EnergyLoanDefaultProposedV1,
    trividend.TrividendLoanPaymentRequestedV1,
    trividend.TrividendLoanInstallmentOverdueV1,
    trividend.TrividendLoanPaymentReminderDueV1,
    trividend.TrividendLoanDefaultProposedV1,
)
"""Known types with no place in the book: applications before approval; the year's running balance
(the book derives it from the applications' own dated events); and the aid register's inputs (the
register's own measures are what the book shows)."""

BOOK_TYPES = {type_of(contract): contract for contract in BOOK_CONTRACTS}
IGNORED_TYPES = frozenset(type_of(contract) for contract in IGNORED_CONTRACTS)
EXPORT_READY = type_of(ExportReadyV1)
FINANCIER_RECOGNISED = type_of(sifo.FinancierRecognisedV1)
