"""Loans: submit (priced at the reference rate, with schedule and aid shown), approve, reject, read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.reference_rates import Collateral, RateQuote, Rating, quote
from shared.amortisation.schedule import Schedule, build_schedule
from shared.amortisation.state_aid import GgeResult, gross_grant_equivalent
from shared.amortisation.terms import DayCount, Frequency, GraceKind, LoanTerms, Method
from shared.platform.direct_inserts import insert_new
from shared.platform.external_ids import ensure_unused
from shared.platform.list_window import ListWindow
from shared.platform.rules import Conflict, NotFound, RuleViolation, required_text
from shared.servicing.aid import AidValuation
from shared.servicing.four_eyes import ensure_four_eyes

from services.sifo import events
from services.sifo.domain.drawing_rights import DrawingRightStatus
from services.sifo.domain.loans import LoanRequest, LoanStatus, LoanType, Pricing, ensure_status
from services.sifo.models import SifoBorrower, SifoDrawingRight, SifoFinancier, SifoLoan
from services.sifo.service.aid import GRANT, aid_register
from services.sifo.service.context import Command, get_for_update
from services.sifo.service.drawing_rights import apply_balance, balance_of
from services.sifo.service.financiers import standing


@dataclass(frozen=True)
class RepaymentPlan:
    """The terms a submitter chooses; principal and rate follow from the share and the pricing."""

    start_date: date
    periods: int
    frequency: Frequency
    method: Method
    day_count: DayCount
    grace_periods: int
    grace_kind: GraceKind
    installment_multiple: Decimal
    first_due_date: date | None = None


@dataclass(frozen=True)
class LoanSubmission:
    financier_id: str
    borrower_enterprise_number: str
    borrower_name: str
    target_group_vte: Decimal
    loan_type: LoanType
    total_credit: Decimal
    sifo_share: Decimal
    plan: RepaymentPlan
    rating: Rating
    collateral: Collateral
    override_rate: Decimal | None
    override_reason: str | None
    committee_reference: str | None
    submitted_on: date
    external_id: str | None = None
    borrower_external_id: str | None = None


def terms_of(loan: SifoLoan) -> LoanTerms:
    return LoanTerms(
        principal=loan.sifo_share,
        annual_rate=loan.annual_rate,
        periods=loan.periods,
        start_date=loan.start_date,
        frequency=Frequency(loan.frequency),
        method=Method(loan.method),
        day_count=DayCount(loan.day_count),
        grace_periods=loan.grace_periods,
        grace_kind=GraceKind(loan.grace_kind),
        installment_multiple=loan.installment_multiple,
        first_due_date=loan.first_due_date,
    )


def _set_aid(loan: SifoLoan, on: date, result: GgeResult) -> None:
    loan.gge = result.gge
    loan.gge_on = on
    loan.gge_reference_rate = result.reference_rate
    loan.gge_discount_rate = result.discount_rate


def _terms(submission: LoanSubmission, rate: Decimal) -> tuple[LoanTerms, Schedule]:
    """The submitted terms and their schedule; the engine's refusal names the request's field."""
    plan = submission.plan
    try:
        terms = LoanTerms(
            principal=submission.sifo_share,
            annual_rate=rate,
            periods=plan.periods,
            start_date=plan.start_date,
            frequency=plan.frequency,
            method=plan.method,
            day_count=plan.day_count,
            grace_periods=plan.grace_periods,
            grace_kind=plan.grace_kind,
            installment_multiple=plan.installment_multiple,
            first_due_date=plan.first_due_date,
        )
        return terms, build_schedule(terms)
    except InvalidTerms as exc:
        raise RuleViolation(
            "rate_override.rate" if exc.field == "annual_rate" else f"terms.{exc.field}", exc.rule
        ) from None


_FINANCIERS = SifoFinancier.__table__  # type: ignore[attr-defined]
_BORROWERS = SifoBorrower.__table__  # type: ignore[attr-defined]
_PARTIES = (
    sa.select(
        _FINANCIERS.c.status,
        _FINANCIERS.c.recognised_from,
        _FINANCIERS.c.recognised_until,
        _FINANCIERS.c.suspended_from,
        _BORROWERS.c.enterprise_number.label("known_borrower"),
        _BORROWERS.c.external_id.label("borrower_external_id"),
    )
    .select_from(_FINANCIERS.outerjoin(_BORROWERS, _BORROWERS.c.enterprise_number == sa.bindparam("enterprise_number")))
    .where(_FINANCIERS.c.id == sa.bindparam("financier_id"))
)
"""What a submission reads before it decides, in one round trip: the financier's standing, and
whether the borrower is known and by which back-office key. Plain columns: loading the financier
and the borrower as ORM objects cost more CPU than the rest of the read."""


def submit(command: Command, submission: LoanSubmission) -> tuple[SifoLoan, Schedule]:
    session = command.session
    parties = (
        session.connection()
        .execute(
            _PARTIES,
            {"financier_id": submission.financier_id, "enterprise_number": submission.borrower_enterprise_number},
        )
        .first()
    )
    if parties is None or not command.sees_financier(submission.financier_id):
        raise NotFound("financier", submission.financier_id)
    standing(parties).ensure_may_draw(submission.submitted_on, "submitted_on")
    if submission.plan.start_date < submission.submitted_on:
        raise RuleViolation(
            "terms.start_date",
            f"{submission.plan.start_date.isoformat()} is before the submission date "
            f"{submission.submitted_on.isoformat()}",
        )
    rate_quote = _quote(submission.submitted_on, submission.rating, submission.collateral)
    pricing = Pricing.decide(rate_quote, submission.override_rate, submission.override_reason)
    terms, schedule = _terms(submission, pricing.applied_rate)
    LoanRequest(submission.total_credit, submission.sifo_share, terms, submission.committee_reference).check(
        command.policy
    )
    valued = gross_grant_equivalent(
        terms, submission.submitted_on, submission.rating, submission.collateral, schedule=schedule
    )

    _ensure_external_ids_free(command, submission, had_key=parties.borrower_external_id)
    _record_borrower(
        session, submission, known=parties.known_borrower is not None, had_key=parties.borrower_external_id
    )
    loan = insert_new(  # audited as a flush would be
        session,
        SifoLoan,
        id=str(uuid.uuid4()),
        external_id=submission.external_id,
        financier_id=submission.financier_id,
        borrower_enterprise_number=submission.borrower_enterprise_number,
        borrower_name=submission.borrower_name,
        target_group_vte=submission.target_group_vte,
        loan_type=submission.loan_type.value,
        total_credit=submission.total_credit,
        sifo_share=submission.sifo_share,
        annual_rate=pricing.applied_rate,
        periods=terms.periods,
        frequency=terms.frequency.value,
        method=terms.method.value,
        day_count=terms.day_count.value,
        grace_periods=terms.grace_periods,
        grace_kind=terms.grace_kind.value,
        installment_multiple=terms.installment_multiple,
        start_date=terms.start_date,
        first_due_date=terms.first_due_date,
        rating=submission.rating.value,
        collateral=submission.collateral.value,
        base_rate=rate_quote.base_rate,
        margin=rate_quote.margin,
        reference_rate=rate_quote.reference_rate,
        discount_rate=rate_quote.discount_rate,
        rate_override_reason=pricing.override_reason,
        committee_reference=(submission.committee_reference or "").strip() or None,
        gge=valued.gge,
        gge_on=submission.submitted_on,
        gge_reference_rate=valued.reference_rate,
        gge_discount_rate=valued.discount_rate,
        status=LoanStatus.SUBMITTED.value,
        submitted_on=submission.submitted_on,
        submitted_by=command.actor,
        submitted_at=command.now,
    )
    command.publish_now(events.loan_submitted(loan, terms))
    return loan, schedule


def _record_borrower(session: Session, submission: LoanSubmission, known: bool, had_key: str | None) -> None:
    """Register a new borrower, or give a known one the back-office key it lacked.

    Only a borrower that changes is loaded as an object (its change is audited), which a
    submission for a known borrower seldom needs.
    """
    number = submission.borrower_enterprise_number
    if not known:
        insert_new(
            session,
            SifoBorrower,
            enterprise_number=number,
            name=submission.borrower_name,
            external_id=submission.borrower_external_id,
        )
    elif had_key is None and submission.borrower_external_id is not None:
        borrower = session.get_one(SifoBorrower, number)
        borrower.external_id = submission.borrower_external_id
        session.add(borrower)


def approve(command: Command, loan_id: str, drawing_right_id: str | None) -> SifoLoan:
    """Approve a submitted loan on today's business date: the grant date of its aid is the server's, never the caller's.

    The drawing right is reserved first; the aid is reserved in the state-aid register last, so a
    refusal here leaves nothing behind there. The grant outcome leaves with the approval or not at all.
    """
    session = command.session
    approved_on = command.today
    loan = get_for_update(session, SifoLoan, loan_id, "loan")
    ensure_status(LoanStatus(loan.status), (LoanStatus.SUBMITTED,), "approval", loan_id)
    ensure_four_eyes(loan.submitted_by, command.actor, "loan submission")
    if approved_on < loan.submitted_on:
        raise RuleViolation(
            "submitted_on",
            f"{loan.submitted_on.isoformat()} is after today's business date {approved_on.isoformat()}; "
            "the loan can be approved from that day",
        )
    financier = session.get(SifoFinancier, loan.financier_id)
    assert financier is not None
    standing(financier).ensure_may_draw(approved_on, "approved_on")

    terms = terms_of(loan)
    try:
        valued = gross_grant_equivalent(terms, approved_on, Rating(loan.rating), Collateral(loan.collateral))
    except InvalidTerms as exc:
        raise RuleViolation("approved_on", exc.rule) from None
    right = _reserve_on_a_right(command, loan, approved_on, drawing_right_id)
    register = aid_register(command)
    reserved = register.reserve(loan.borrower_enterprise_number, loan.id, AidValuation.of(approved_on, valued), GRANT)
    _set_aid(loan, approved_on, valued)
    loan.status = LoanStatus.APPROVED.value
    loan.approved_by = command.actor
    loan.approved_on = approved_on
    loan.drawing_right_id = right.id
    session.add(loan)
    command.publish(events.loan_approved(loan, terms))
    if reserved is not None:
        register.granted(loan.id, GRANT)
    return loan


def _reserve_on_a_right(
    command: Command, loan: SifoLoan, approved_on: date, drawing_right_id: str | None
) -> SifoDrawingRight:
    query = (
        select(SifoDrawingRight)
        .where(
            SifoDrawingRight.financier_id == loan.financier_id,
            SifoDrawingRight.status == DrawingRightStatus.OPEN.value,
            col(SifoDrawingRight.valid_from) <= approved_on,
            col(SifoDrawingRight.valid_until) >= approved_on,
        )
        .order_by(col(SifoDrawingRight.id))
        .with_for_update()
    )
    if drawing_right_id is not None:
        query = query.where(SifoDrawingRight.id == drawing_right_id)
    rights = sorted(command.session.exec(query).all(), key=lambda right: (right.valid_until, right.id))
    if not rights:
        which = f"drawing right {drawing_right_id}" if drawing_right_id else "no drawing right"
        raise Conflict(
            f"{which} of financier {loan.financier_id} is open and valid on {approved_on.isoformat()}",
            requested=str(loan.sifo_share),
        )
    fitting = [right for right in rights if balance_of(right).available >= loan.sifo_share]
    chosen = fitting[0] if fitting else max(rights, key=lambda right: balance_of(right).available)
    apply_balance(chosen, balance_of(chosen).reserve(loan.sifo_share, chosen.id))
    command.session.add(chosen)
    return chosen


def reject(command: Command, loan_id: str, rejected_on: date, reason: str) -> SifoLoan:
    loan = get_for_update(command.session, SifoLoan, loan_id, "loan")
    ensure_status(LoanStatus(loan.status), (LoanStatus.SUBMITTED,), "rejection", loan_id)
    ensure_four_eyes(loan.submitted_by, command.actor, "loan submission")
    required_text("reason", reason)
    loan.status = LoanStatus.REJECTED.value
    loan.status_reason = reason.strip()
    command.session.add(loan)
    command.publish(events.loan_rejected(loan, rejected_on))
    return loan


def visible_loan(command: Command, loan_id: str) -> SifoLoan:
    loan = command.session.get(SifoLoan, loan_id)
    if loan is None:
        raise NotFound("loan", loan_id)
    command.ensure_visible("loan", loan_id, loan.financier_id)
    return loan


def _ensure_external_ids_free(command: Command, submission: LoanSubmission, had_key: str | None) -> None:
    """A back-office key names one loan and one borrower; the other record is not named (it may not be the
    caller's to see). `had_key` is the borrower's key as the submission read it (None for a new one)."""
    session = command.session
    ensure_unused(session, SifoLoan, submission.external_id, "loan", reveal=False)
    if submission.borrower_external_id is not None:
        holder = session.exec(
            select(SifoBorrower.enterprise_number).where(SifoBorrower.external_id == submission.borrower_external_id)
        ).first()
        if holder is not None and holder != submission.borrower_enterprise_number:
            raise Conflict(f"borrower.external_id {submission.borrower_external_id!r} already names another borrower")
        if had_key not in (None, submission.borrower_external_id):
            raise Conflict(
                f"borrower.external_id {submission.borrower_external_id!r} differs from the borrower's "
                f"{had_key!r}; an external id is never changed"
            )


@dataclass(frozen=True)
class LoanFilter:
    status: LoanStatus | None = None
    external_id: str | None = None
    financier_id: str | None = None
    enterprise_number: str | None = None


def list_visible_loans(command: Command, having: LoanFilter, window: ListWindow) -> list[SifoLoan]:
    query = select(SifoLoan)
    if not command.sees_all:
        query = query.where(SifoLoan.financier_id == command.principal.financier_id)
    if having.status is not None:
        query = query.where(SifoLoan.status == having.status.value)
    if having.external_id is not None:
        query = query.where(SifoLoan.external_id == having.external_id)
    if having.financier_id is not None:
        query = query.where(SifoLoan.financier_id == having.financier_id)
    if having.enterprise_number is not None:
        query = query.where(SifoLoan.borrower_enterprise_number == having.enterprise_number)
    query = window.select(
        query, created=col(SifoLoan.submitted_at), updated=col(SifoLoan.updated_at), key=col(SifoLoan.id)
    )
    return list(command.session.exec(query).all())


def _quote(on: date, rating: Rating, collateral: Collateral) -> RateQuote:
    try:
        return quote(on, rating, collateral)
    except InvalidTerms as exc:
        raise RuleViolation("submitted_on", exc.rule) from None
