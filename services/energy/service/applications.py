"""Applications: submit (validated, with plausibility warnings), assess, decide, serve the waiting list."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import col, func, select

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.money import ZERO
from shared.amortisation.reference_rates import Collateral, Rating
from shared.amortisation.state_aid import (
    DEFAULT_DE_MINIMIS,
    AidGrant,
    DeMinimisExceeded,
    Headroom,
)
from shared.amortisation.terms import Frequency, LoanTerms
from shared.platform.external_ids import ensure_unused
from shared.platform.list_window import ListWindow
from shared.platform.rules import Conflict, NotFound, RuleViolation, Unavailable, required_text
from shared.servicing.aid import AidValuation, valuation_of
from shared.servicing.four_eyes import ensure_four_eyes

from services.energy import events
from services.energy.domain.applications import DocumentChecklist, check_application
from services.energy.domain.assessment import Assessment, assess
from services.energy.domain.budget import next_in_line
from services.energy.domain.installations import Installation, Technology, plausibility_warnings
from services.energy.models import (
    EnergyApplicant,
    EnergyApplication,
    EnergyBudgetYear,
    EnergyCall,
    EnergyInstallation,
    EnergySite,
)
from services.energy.service.aid import GRANT, aid_register
from services.energy.service.context import Command, get_for_update
from services.energy.service.programme import apply_balance, balance_of

SUBMITTED = "submitted"
APPROVED = "approved"
WAIT_LISTED = "wait_listed"
REJECTED = "rejected"
DISBURSED = "disbursed"
CANCELLED = "cancelled"
LIVE_REQUESTS = (SUBMITTED, APPROVED, WAIT_LISTED, DISBURSED)


@dataclass(frozen=True)
class ApplicationRequest:
    call_id: str
    applicant_id: str
    site_id: str
    requested_amount: Decimal
    installations: list[Installation]
    documents: list[str]
    rating: Rating
    collateral: Collateral
    submitted_on: date
    external_id: str | None = None


def call_terms(call: EnergyCall, principal: Decimal, start_date: date, first_due_date: date | None = None) -> LoanTerms:
    return LoanTerms(
        principal=principal,
        annual_rate=call.annual_rate,
        periods=call.periods,
        start_date=start_date,
        frequency=Frequency(call.frequency),
        first_due_date=first_due_date,
    )


def installations_of(command: Command, application_id: str) -> list[EnergyInstallation]:
    return list(
        command.session.exec(
            select(EnergyInstallation)
            .where(EnergyInstallation.application_id == application_id)
            .order_by(col(EnergyInstallation.position))
        ).all()
    )


def domain_installations(rows: list[EnergyInstallation]) -> list[Installation]:
    return [
        Installation(
            technology=Technology(row.technology),
            capacity=row.capacity,
            unit=row.unit,
            investment_cost=row.investment_cost,
            yearly_production_kwh=row.yearly_production_kwh,
            yearly_savings_eur=row.yearly_savings_eur,
            seasonal_cop=row.seasonal_cop,
            hot_water_share=row.hot_water_share,
        )
        for row in rows
    ]


def _already_requested(command: Command, call_id: str, column: object, value: str) -> Decimal:
    total = command.session.exec(
        select(func.coalesce(func.sum(EnergyApplication.requested_amount), 0)).where(
            EnergyApplication.call_id == call_id,
            column == value,
            col(EnergyApplication.status).in_(LIVE_REQUESTS),
        )
    ).one()
    return Decimal(total)


def submit(command: Command, request: ApplicationRequest) -> tuple[EnergyApplication, list[EnergyInstallation]]:
    session = command.session
    call = session.get(EnergyCall, request.call_id)
    if call is None:
        raise RuleViolation("call_id", f"{request.call_id} is not a known call")
    if not call.opens_on <= request.submitted_on <= call.closes_on:
        raise RuleViolation(
            "call_id",
            f"the call '{call.title}' is closed on {request.submitted_on.isoformat()} "
            f"(open {call.opens_on.isoformat()} to {call.closes_on.isoformat()})",
        )
    applicant = session.get(EnergyApplicant, request.applicant_id)
    if applicant is None:
        raise RuleViolation("applicant_id", f"{request.applicant_id} is not a known applicant")
    site = session.get(EnergySite, request.site_id)
    if site is None or site.applicant_id != applicant.id:
        raise RuleViolation("site_id", f"{request.site_id} is not a site of applicant {applicant.id}")
    check_application(
        request.requested_amount,
        request.installations,
        site.yearly_energy_need_kwh,
        call.max_per_applicant,
        call.max_per_site,
        _already_requested(command, call.id, EnergyApplication.applicant_id, applicant.id),
        _already_requested(command, call.id, EnergyApplication.site_id, site.id),
    )
    documents = DocumentChecklist.of(request.documents)
    warnings = plausibility_warnings(request.installations)
    terms = call_terms(call, request.requested_amount, request.submitted_on)
    preview = assess(
        terms,
        request.installations,
        request.submitted_on,
        request.rating,
        request.collateral,
        command.programme.emission_factor_kg_per_kwh,
        lambda _gge: _untold_headroom(request.submitted_on),
        applicant.enterprise_number,
    )
    ensure_unused(session, EnergyApplication, request.external_id, "application")
    application = EnergyApplication(
        id=str(uuid.uuid4()),
        external_id=request.external_id,
        call_id=call.id,
        applicant_id=applicant.id,
        site_id=site.id,
        requested_amount=request.requested_amount,
        rating=request.rating.value,
        collateral=request.collateral.value,
        documents=json.dumps(sorted(document.value for document in documents.received)),
        warnings=json.dumps([warning.to_json() for warning in warnings]),
        status=SUBMITTED,
        gge=preview.gge.gge,
        gge_on=request.submitted_on,
        gge_reference_rate=preview.gge.reference_rate,
        gge_discount_rate=preview.gge.discount_rate,
        submitted_at=command.now,
        submitted_by=command.actor,
    )
    session.add(application)
    session.flush()
    rows = [
        EnergyInstallation(
            application_id=application.id,
            position=index,
            technology=installation.technology.value,
            capacity=installation.capacity,
            unit=installation.unit,
            investment_cost=installation.investment_cost,
            yearly_production_kwh=installation.yearly_production_kwh,
            yearly_savings_eur=installation.yearly_savings_eur,
            seasonal_cop=installation.seasonal_cop,
            hot_water_share=installation.hot_water_share,
        )
        for index, installation in enumerate(request.installations)
    ]
    session.add_all(rows)
    session.flush()
    command.publish(events.submitted(application, applicant, call.budget_year, rows))
    return application, rows


def get_application(command: Command, application_id: str) -> EnergyApplication:
    application = command.session.get(EnergyApplication, application_id)
    if application is None:
        raise NotFound("application", application_id)
    return application


def _untold_headroom(on: date) -> Headroom:
    """The ceiling with nothing used: a submission keeps only its GGE, a decision without aid needs no more."""
    ceiling = DEFAULT_DE_MINIMIS.ceiling(on)
    return Headroom(ceiling, ZERO, ceiling, on)


def _headroom(command: Command, enterprise_number: str, on: date) -> Headroom:
    """The register's headroom of the applicant's single undertaking for a grant on `on` (503 when it is down)."""
    if command.aid_client is None:
        raise Unavailable("the state-aid register is not configured for this service", dependency="state_aid")
    figures = command.aid_client.headroom(enterprise_number, on)
    return Headroom(figures.ceiling, figures.used, figures.available, figures.window_end)


def assessment(command: Command, application: EnergyApplication, on: date) -> Assessment:
    """What a decision-maker sees before deciding: schedule, coverage, payback, CO2, aid and headroom."""
    call = command.session.get(EnergyCall, application.call_id)
    applicant = command.session.get(EnergyApplicant, application.applicant_id)
    assert call is not None
    assert applicant is not None
    return _assess(command, application, call, applicant, on, always_ask=True)


def _assess(
    command: Command,
    application: EnergyApplication,
    call: EnergyCall,
    applicant: EnergyApplicant,
    on: date,
    always_ask: bool = False,
) -> Assessment:
    """The assessment on `on`, with the register's headroom.

    A decision on a loan without aid (priced at or above the reference rate) does not need the
    register, so it asks only when the loan carries aid, unless `always_ask` (what a person reads).
    """

    def headroom_for(gge: Decimal) -> Headroom:
        if gge > 0 or always_ask:
            return _headroom(command, applicant.enterprise_number, on)
        return _untold_headroom(on)

    try:
        return assess(
            call_terms(call, application.requested_amount, on),
            domain_installations(installations_of(command, application.id)),
            on,
            Rating(application.rating),
            Collateral(application.collateral),
            command.programme.emission_factor_kg_per_kwh,
            headroom_for,
            applicant.enterprise_number,
        )
    except InvalidTerms as exc:
        raise RuleViolation("on", exc.rule) from None


@dataclass(frozen=True)
class Decision:
    application: EnergyApplication
    committed: bool
    available: Decimal


def approve(command: Command, application_id: str, wait_list_if_short: bool) -> Decision:
    """Approve on today's business date (the grant date of the aid is the server's, never the caller's).

    With budget left, the loan is committed and its aid reserved in the state-aid register in this
    transaction. Without, the application waits (its headroom checked now, its aid reserved and
    dated on the day budget reaches it) or, if the approver does not want to wait, is refused.
    """
    session = command.session
    approved_on = command.today
    application = get_for_update(session, EnergyApplication, application_id, "application")
    if application.status != SUBMITTED:
        raise Conflict(f"application {application_id} is {application.status}; only a submitted one can be approved")
    ensure_four_eyes(application.submitted_by, command.actor, "application")
    DocumentChecklist.of(json.loads(application.documents)).ensure_complete()
    applicant = get_for_update(session, EnergyApplicant, application.applicant_id, "applicant")
    call = session.get(EnergyCall, application.call_id)
    assert call is not None
    result = _assess(command, application, call, applicant, approved_on)
    valuation = AidValuation.of(approved_on, result.gge)
    _ensure_fits(result, valuation)
    year = get_for_update(session, EnergyBudgetYear, call.budget_year, "budget year")
    balance = balance_of(year)
    application.decided_by = command.actor
    application.decided_on = approved_on
    _value(application, valuation)
    if application.requested_amount > balance.available:
        if not wait_list_if_short:
            balance.commit(application.requested_amount, year.year)
        application.status = WAIT_LISTED
        session.add(application)
        command.publish(events.wait_listed(application, year.year, balance.available))
        return Decision(application, committed=False, available=balance.available)
    _commit(command, application, applicant, year, call.budget_year)
    return Decision(application, committed=True, available=balance_of(year).available)


def _ensure_fits(result: Assessment, valuation: AidValuation) -> None:
    """Refuse with the register's figures when the aid does not fit; the register checks again when it reserves."""
    if result.exceeds:
        grant = AidGrant(result.enterprise_number, valuation.grant_date, valuation.gge)
        refusal = DeMinimisExceeded(grant, result.headroom_before, DEFAULT_DE_MINIMIS.window_years)
        raise Conflict(
            refusal.rule,
            ceiling=str(result.headroom_before.ceiling),
            used=str(result.headroom_before.used),
            available=str(result.headroom_before.available),
            gge=str(valuation.gge),
        )


def _value(application: EnergyApplication, valuation: AidValuation) -> None:
    application.gge = valuation.gge
    application.gge_on = valuation.grant_date
    application.gge_reference_rate = valuation.reference_rate
    application.gge_discount_rate = valuation.discount_rate


def _commit(
    command: Command,
    application: EnergyApplication,
    applicant: EnergyApplicant,
    year: EnergyBudgetYear,
    budget_year: int,
) -> None:
    """Commit the budget and reserve the aid (valued on the application) in the register, in this transaction."""
    balance = balance_of(year).commit(application.requested_amount, year.year)
    register = aid_register(command)
    reserved = register.reserve(applicant.enterprise_number, application.id, valuation_of(application), GRANT)
    apply_balance(year, balance)
    command.session.add(year)
    application.status = APPROVED
    application.committed_amount = application.requested_amount
    command.session.add(application)
    rows = installations_of(command, application.id)
    command.publish(events.approved(application, applicant, budget_year, rows))
    command.publish(
        events.budget_committed(
            budget_year, application.id, application.requested_amount, balance.committed, balance.available
        )
    )
    if reserved is not None:
        register.granted(application.id, GRANT)


def reject(command: Command, application_id: str, rejected_on: date, reason: str) -> EnergyApplication:
    application = get_for_update(command.session, EnergyApplication, application_id, "application")
    if application.status not in (SUBMITTED, WAIT_LISTED):
        raise Conflict(f"application {application_id} is {application.status}; it can no longer be rejected")
    ensure_four_eyes(application.submitted_by, command.actor, "application", "decide on")
    required_text("reason", reason)
    application.status = REJECTED
    application.reason = reason.strip()
    application.decided_by = command.actor
    application.decided_on = rejected_on
    command.session.add(application)
    command.publish(events.rejected(application, rejected_on))
    return application


def serve_waiting_list(command: Command, year: EnergyBudgetYear) -> list[EnergyApplication]:
    """Commit released budget to wait-listed applications, in order of submission.

    They were approved by an approver and waited only for money, so their approval stands; but their
    aid is granted today: each is valued again on today's business date and reserved in the register
    under the same ceiling check. Strictly first come, first served (`next_in_line`); one the
    ceiling refuses keeps waiting, and the money goes to the next in line. The caller has locked the
    budget year.
    """
    calls = [call.id for call in command.session.exec(select(EnergyCall).where(EnergyCall.budget_year == year.year))]
    waiting = command.session.exec(
        select(EnergyApplication)
        .where(EnergyApplication.status == WAIT_LISTED, col(EnergyApplication.call_id).in_(calls))
        .order_by(col(EnergyApplication.submitted_at), col(EnergyApplication.id))
        .with_for_update()
    ).all()
    by_id = {application.id: application for application in waiting}
    served = next_in_line(
        [(row.submitted_at, row.id, row.requested_amount) for row in waiting],
        balance_of(year).available,
        lambda application_id: _serve(command, by_id[application_id], year),
    )
    return [by_id[application_id] for application_id in served]


def _serve(command: Command, application: EnergyApplication, year: EnergyBudgetYear) -> bool:
    applicant = get_for_update(command.session, EnergyApplicant, application.applicant_id, "applicant")
    call = command.session.get(EnergyCall, application.call_id)
    assert call is not None
    result = _assess(command, application, call, applicant, command.today)
    if result.exceeds:
        return False
    previous = valuation_of(application)
    _value(application, AidValuation.of(command.today, result.gge))
    try:
        _commit(command, application, applicant, year, year.year)
    except Conflict:
        _value(application, previous)
        return False
    return True


def list_applications(
    command: Command,
    *,
    status: str | None,
    call_id: str | None,
    applicant_id: str | None,
    enterprise_number: str | None,
    window: ListWindow,
    external_id: str | None = None,
) -> list[tuple[EnergyApplication, list[EnergyInstallation]]]:
    """Applications in the window's order, each with its installations (two queries a page)."""
    query = select(EnergyApplication)
    if external_id is not None:
        query = query.where(EnergyApplication.external_id == external_id)
    if status is not None:
        query = query.where(EnergyApplication.status == status)
    if call_id is not None:
        query = query.where(EnergyApplication.call_id == call_id)
    if applicant_id is not None:
        query = query.where(EnergyApplication.applicant_id == applicant_id)
    if enterprise_number is not None:
        query = query.join(EnergyApplicant, col(EnergyApplicant.id) == col(EnergyApplication.applicant_id)).where(
            EnergyApplicant.enterprise_number == enterprise_number
        )
    query = window.select(
        query,
        created=col(EnergyApplication.submitted_at),
        updated=col(EnergyApplication.updated_at),
        key=col(EnergyApplication.id),
    )
    page = list(command.session.exec(query).all())
    installations: dict[str, list[EnergyInstallation]] = {row.id: [] for row in page}
    if page:
        for item in command.session.exec(
            select(EnergyInstallation)
            .where(col(EnergyInstallation.application_id).in_(list(installations)))
            .order_by(col(EnergyInstallation.application_id), col(EnergyInstallation.position))
        ).all():
            installations[item.application_id].append(item)
    return [(row, installations[row.id]) for row in page]
