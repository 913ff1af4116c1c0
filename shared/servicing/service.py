"""Servicing use cases: one function per command, each run inside the caller's unit of work.

Money received (repayments, prepayments) and defaults are recorded at once. Changes of terms
(rate resets, restructurings), write-offs and reversals of mistaken entries are four-eyes
decisions: prepared with their figures checked, executed only when another person approves, and
checked again then against the loan as it is at that moment. Decisions only a service can execute
(a disbursement, a cancellation) are prepared through `prepare_decision` and executed by the
handler the service passes to `approve`.

A change that makes the loan cheaper than the market creates state aid (see `aid`); it is
registered in the same transaction, and refused with nothing changed when the ceiling would be
passed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TypeVar

from dateutil.relativedelta import relativedelta

from shared.amortisation.allocation import Allocation
from shared.amortisation.day_counts import installment_due_date
from shared.amortisation.errors import InvalidTerms
from shared.amortisation.live_loan import LiveLoan
from shared.amortisation.loan_events import LoanEvent, Prepayment, PrepaymentMode, RateReset, Repayment
from shared.amortisation.position import LoanPosition, PositionStatus
from shared.amortisation.reference_rates import quote
from shared.amortisation.schedule import Schedule, build_schedule
from shared.amortisation.servicing_history import Segment, record_latest, request_field, segment_on
from shared.amortisation.terms import LoanTerms
from shared.platform.rules import Conflict, NotFound, RuleViolation, required_text
from shared.servicing.accounts import IN_SERVICE, LoanAccount, LoanStatus, ProductRules
from shared.servicing.aid import AidValuation, aid_of_change, remaining_terms
from shared.servicing.decisions import (
    Decision,
    DecisionKind,
    DecisionRequest,
    DefaultRequest,
    RateResetRequest,
    RestructuringRequest,
    ReversalRequest,
    WriteOffRequest,
    kind_of,
)
from shared.servicing.entries import (
    REVERSIBLE,
    EntryKind,
    LedgerEntry,
    effective,
    last_replayed_date,
    reversed_ids,
    segments_of,
    servicing_status,
)
from shared.servicing.events import ServicingEvents
from shared.servicing.ports import ServicingUnitOfWork

DecisionHandler = Callable[[Decision], None]


@dataclass(frozen=True)
class Product:
    """A lending product as the core needs it: its rules and the event types it publishes."""

    rules: ProductRules
    events: ServicingEvents


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class LoanState:
    """A loan with its history, replayed."""

    account: LoanAccount
    entries: list[LedgerEntry]
    segments: list[Segment]

    @property
    def latest(self) -> Segment:
        return self.segments[-1]


def load(uow: ServicingUnitOfWork, product: Product, loan_id: str, *, lock: bool = False) -> LoanState:
    account = uow.account(loan_id, lock=lock)
    entries = uow.entries(loan_id)
    try:
        return LoanState(account, entries, _replay(product, account, entries))
    except InvalidTerms as exc:
        # Terms stored before a rule the engine now enforces (a level payment that never amortises).
        raise Conflict(
            f"loan {loan_id} cannot be replayed under the current rules ({exc}); its terms need a restructuring "
            "prepared from its figures by hand"
        ) from None


def _replay(
    product: Product, account: LoanAccount, entries: list[LedgerEntry], leaving_out: int | None = None
) -> list[Segment]:
    return segments_of(account.terms, product.rules.late_interest_policy(), entries, leaving_out)


def position_on(state: LoanState, day: date, field: str) -> LoanPosition:
    """The loan at the end of `day`; an engine refusal (a date before disbursement) names `field`."""
    try:
        return segment_on(state.segments, day).live.position(day)
    except InvalidTerms as exc:
        raise RuleViolation(field, exc.rule) from None


@dataclass(frozen=True)
class LoanView:
    account: LoanAccount
    as_of: date
    position: LoanPosition | None
    schedule: Schedule | None
    allocations: tuple[Allocation, ...]
    entries: list[LedgerEntry]

    @property
    def reversed(self) -> set[int]:
        return reversed_ids(self.entries)


def view(uow: ServicingUnitOfWork, product: Product, loan_id: str, as_of: date) -> LoanView:
    """The loan as of a date: position, schedule and payments (none before it is disbursed), and its history."""
    state = load(uow, product, loan_id)
    account = state.account
    if account.disbursed_on is None or as_of < account.disbursed_on:
        return LoanView(account, as_of, None, None, (), state.entries)
    live = segment_on(state.segments, as_of).live
    return LoanView(
        account, as_of, position_on(state, as_of, "as_of"), live.schedule(as_of), live.allocations(as_of), state.entries
    )


# --------------------------------------------------------------------------- money received


@dataclass(frozen=True)
class Recorded:
    account: LoanAccount
    entry: LedgerEntry
    allocation: Allocation
    position: LoanPosition
    live: LiveLoan
    """The loan under its latest terms with the money recorded, for questions about it (what each
    installment still owes) without another replay of its history."""


MoneyEvent = TypeVar("MoneyEvent", Repayment, Prepayment)


def _money(make: Callable[[], MoneyEvent]) -> MoneyEvent:
    """The event, or the engine's refusal of its amount (not positive, more than cents) naming ``amount``."""
    try:
        return make()
    except InvalidTerms as exc:
        raise RuleViolation("amount", exc.rule) from None


def _record(state: LoanState, event: LoanEvent, date_field: str) -> LiveLoan:
    """The loan under its latest terms with `event` recorded; the engine's refusal names the request's field."""
    try:
        return record_latest(state.segments, event)
    except InvalidTerms as exc:
        raise RuleViolation(request_field(exc.field, date_field), exc.rule) from None


def _store_money(
    uow: ServicingUnitOfWork, product: Product, state: LoanState, event: Repayment | Prepayment
) -> Recorded:
    live = _record(state, event, "received_on")
    entry = uow.add_entry(state.account.id, LedgerEntry.of_event(event, uow.actor, uow.now))
    allocation = live.allocations()[-1]
    position = live.position(event.on)
    account = state.account
    if isinstance(event, Repayment):
        uow.publish(account.id, product.events.source, product.events.repayment(account, entry, allocation, position))
    else:
        uow.publish(account.id, product.events.source, product.events.prepayment(account, entry, position))
    if position.status is PositionStatus.SETTLED:
        account.status = LoanStatus.SETTLED
        account.settled_on = event.on
        uow.save(account)
        uow.publish(account.id, product.events.source, product.events.settlement(account, event.on, entry))
    return Recorded(account, entry, allocation, position, live)


def record_repayment(
    uow: ServicingUnitOfWork,
    product: Product,
    loan_id: str,
    received_on: date,
    amount: Decimal,
    surplus_mode: PrepaymentMode = PrepaymentMode.REDUCE_INSTALLMENT,
) -> Recorded:
    """Money received: paying the quoted payoff amount on its date settles the loan."""
    state = load(uow, product, loan_id, lock=True)
    state.account.ensure_status(IN_SERVICE, "a repayment")
    return _store_money(uow, product, state, _money(lambda: Repayment(received_on, amount, surplus_mode)))


def record_prepayment(
    uow: ServicingUnitOfWork,
    product: Product,
    loan_id: str,
    received_on: date,
    amount: Decimal,
    mode: PrepaymentMode = PrepaymentMode.REDUCE_INSTALLMENT,
) -> Recorded:
    state = load(uow, product, loan_id, lock=True)
    state.account.ensure_status((LoanStatus.DISBURSED,), "a prepayment")
    return _store_money(uow, product, state, _money(lambda: Prepayment(received_on, amount, mode)))


def declare_default(
    uow: ServicingUnitOfWork, product: Product, loan_id: str, defaulted_on: date, reason: str
) -> LoanAccount:
    return _default(uow, product, loan_id, defaulted_on, reason, uow.actor)


def prepare_default(
    uow: ServicingUnitOfWork, product: Product, loan_id: str, defaulted_on: date, reason: str, days_past_due: int
) -> Decision:
    """Propose a default for a person to decide (the overdue run does, past its threshold)."""
    state = load(uow, product, loan_id, lock=True)
    state.account.ensure_status((LoanStatus.DISBURSED,), "a default")
    position_on(state, defaulted_on, "defaulted_on")
    return prepare_decision(uow, loan_id, DefaultRequest(defaulted_on, required_text("reason", reason), days_past_due))


def _default(
    uow: ServicingUnitOfWork, product: Product, loan_id: str, defaulted_on: date, reason: str, declared_by: str
) -> LoanAccount:
    state = load(uow, product, loan_id, lock=True)
    account = state.account
    account.ensure_status((LoanStatus.DISBURSED,), "a default")
    reason = required_text("reason", reason)
    if account.disbursed_on is not None and defaulted_on < account.disbursed_on:
        raise RuleViolation(
            "defaulted_on", f"{defaulted_on.isoformat()} is before the disbursement on {account.disbursed_on}"
        )
    position = position_on(state, defaulted_on, "defaulted_on")
    uow.add_entry(account.id, LedgerEntry(EntryKind.DEFAULT, defaulted_on, uow.actor, uow.now, reason=reason))
    account.status = LoanStatus.DEFAULTED
    account.defaulted_on = defaulted_on
    account.status_reason = reason
    uow.save(account)
    uow.publish(
        account.id, product.events.source, product.events.default(account, position.outstanding_principal, declared_by)
    )
    return account


# --------------------------------------------------------------------------- preparing decisions


def prepare_decision(uow: ServicingUnitOfWork, loan_id: str, request: DecisionRequest) -> Decision:
    """Store a decision awaiting another person's approval; one per loan and kind (and entry) at a time."""
    for pending in uow.pending(loan_id, kind_of(request)):
        if pending.same_subject(request):
            raise Conflict(
                f"a {pending.action} of loan {loan_id} is already prepared and awaits a decision "
                f"(decision {pending.id})",
                decision_id=pending.id,
            )
    decision = Decision.prepare(loan_id, request, uow.actor, uow.now)
    uow.add_decision(decision)
    return decision


def prepare_rate_reset(
    uow: ServicingUnitOfWork,
    product: Product,
    loan_id: str,
    effective_on: date,
    annual_rate: Decimal,
    reason: str | None = None,
) -> Decision:
    state = load(uow, product, loan_id, lock=True)
    request = RateResetRequest(effective_on, annual_rate, (reason or "").strip() or None)
    _check_reset(state, request)
    return prepare_decision(uow, loan_id, request)


def _check_reset(state: LoanState, request: RateResetRequest) -> LiveLoan:
    """The loan takes the reset; a rate below the market (the reference rate in force then) needs a reason."""
    account = state.account
    account.ensure_status(IN_SERVICE, "a rate reset")
    try:
        event = RateReset(request.effective_on, request.annual_rate)
        reference = quote(request.effective_on, account.rating, account.collateral).reference_rate
    except InvalidTerms as exc:
        raise RuleViolation("effective_on" if exc.field == "date" else exc.field, exc.rule) from None
    if request.annual_rate < reference and request.reason is None:
        raise RuleViolation(
            "reason",
            f"is required: annual_rate {request.annual_rate} is below the reference rate {reference.normalize()} in "
            f"force on {request.effective_on.isoformat()}, so the reset is state aid",
        )
    return _record(state, event, "effective_on")


def requested_terms(values: Mapping[str, object], prefix: str = "terms") -> LoanTerms:
    """Loan terms from a request's fields whose schedule the engine can build.

    The engine's refusal names ``terms.<field>`` (422, nothing stored).
    """
    try:
        terms = LoanTerms(**values)  # type: ignore[arg-type]
        build_schedule(terms)
    except InvalidTerms as exc:
        raise RuleViolation(f"{prefix}.{exc.field}", exc.rule) from None
    return terms


def prepare_restructuring(
    uow: ServicingUnitOfWork,
    product: Product,
    loan_id: str,
    effective_on: date,
    terms: LoanTerms,
    committee_reference: str | None = None,
    reason: str | None = None,
) -> Decision:
    state = load(uow, product, loan_id, lock=True)
    request = RestructuringRequest(
        effective_on, terms, (committee_reference or "").strip() or None, (reason or "").strip() or None
    )
    _check_restructuring(product.rules, state, request)
    return prepare_decision(uow, loan_id, request)


def _check_restructuring(rules: ProductRules, state: LoanState, request: RestructuringRequest) -> LoanPosition:
    account = state.account
    account.ensure_status(IN_SERVICE, "a restructuring")
    on, terms = request.effective_on, request.terms
    if terms.start_date != on:
        raise RuleViolation("terms.start_date", f"must equal effective_on {on.isoformat()}")
    last = last_replayed_date(state.entries)
    if last is not None and on < last:
        raise RuleViolation(
            "effective_on", f"{on.isoformat()} is before the last recorded entry on {last}; record in order"
        )
    if on < state.latest.starts_on:
        raise RuleViolation(
            "effective_on", f"{on.isoformat()} is before the loan's current terms start ({state.latest.starts_on})"
        )
    position = position_on(state, on, "effective_on")
    if terms.principal != position.payoff_amount:
        raise RuleViolation(
            "terms.principal",
            f"{terms.principal} must equal everything owed on {on.isoformat()}: {position.payoff_amount}",
        )
    first_start = account.disbursed_on or account.terms.start_date
    last_due = installment_due_date(terms, terms.periods)
    span = relativedelta(last_due, first_start)
    months = span.years * 12 + span.months + (1 if span.days else 0)
    if months > rules.max_term_months and request.committee_reference is None:
        raise RuleViolation(
            "terms.periods",
            f"the loan would run {months} months from {first_start.isoformat()} to {last_due.isoformat()}, more than "
            f"the {rules.name} maximum of {rules.max_term_months} months; a longer term needs the committee's "
            "approval (committee_reference)",
        )
    return position


def prepare_write_off(
    uow: ServicingUnitOfWork, product: Product, loan_id: str, written_off_on: date, reason: str
) -> Decision:
    state = load(uow, product, loan_id, lock=True)
    request = WriteOffRequest(written_off_on, required_text("reason", reason))
    _check_write_off(state, request)
    return prepare_decision(uow, loan_id, request)


def _check_write_off(state: LoanState, request: WriteOffRequest) -> LoanPosition:
    account = state.account
    account.ensure_status((LoanStatus.DEFAULTED,), "a write-off")
    if account.defaulted_on is not None and request.written_off_on < account.defaulted_on:
        raise RuleViolation(
            "written_off_on", f"{request.written_off_on.isoformat()} is before the default on {account.defaulted_on}"
        )
    return position_on(state, request.written_off_on, "written_off_on")


def prepare_reversal(uow: ServicingUnitOfWork, product: Product, loan_id: str, entry_id: int, reason: str) -> Decision:
    state = load(uow, product, loan_id, lock=True)
    entry = _reversible(product, state, entry_id)
    request = ReversalRequest(entry_id, required_text("reason", reason), entry.kind.value, entry.on, entry.amount)
    return prepare_decision(uow, loan_id, request)


def _reversible(product: Product, state: LoanState, entry_id: int) -> LedgerEntry:
    state.account.ensure_status((*IN_SERVICE, LoanStatus.SETTLED), "a reversal")
    entry = next((entry for entry in state.entries if entry.id == entry_id), None)
    if entry is None:
        raise NotFound(f"history entry of loan {state.account.id}", str(entry_id))
    if entry.kind not in REVERSIBLE:
        raise RuleViolation(
            "entry_id", f"entry {entry_id} is a {entry.kind.value}; only repayments and prepayments are reversed"
        )
    if entry_id in reversed_ids(state.entries):
        raise Conflict(f"entry {entry_id} of loan {state.account.id} is already reversed")
    later = [
        other
        for other in effective(state.entries)
        if other.kind is EntryKind.RESTRUCTURE and other.id is not None and entry.id is not None and other.id > entry.id
    ]
    if later:
        raise Conflict(
            f"entry {entry_id} was recorded before the restructuring of {later[0].on.isoformat()}, whose principal "
            "took everything owed that day; reversing it would change nothing the loan now owes"
        )
    try:
        _replay(product, state.account, state.entries, leaving_out=entry_id)
    except InvalidTerms as exc:
        raise Conflict(
            f"without entry {entry_id} the later history no longer holds ({exc}); reverse the later entries first"
        ) from None
    return entry


# --------------------------------------------------------------------------- deciding


def approve(
    uow: ServicingUnitOfWork,
    product: Product,
    decision_id: str,
    handlers: Mapping[DecisionKind, DecisionHandler] | None = None,
) -> Decision:
    """Execute a prepared decision; its preparer may not approve it. Everything is checked again first."""
    decision = uow.decision(decision_id, lock=True)
    decision.approve(uow.actor, uow.now)
    request = decision.request
    if isinstance(request, RateResetRequest):
        _reset(uow, product, decision, request)
    elif isinstance(request, RestructuringRequest):
        _restructure(uow, product, decision, request)
    elif isinstance(request, WriteOffRequest):
        _write_off(uow, product, decision, request)
    elif isinstance(request, ReversalRequest):
        _reverse(uow, product, decision, request)
    elif isinstance(request, DefaultRequest):
        _default(uow, product, decision.loan_id, request.defaulted_on, request.reason, uow.actor)
    else:
        handler = (handlers or {}).get(decision.kind)
        if handler is None:
            raise Conflict(f"a {decision.action} decision cannot be executed by this service")
        handler(decision)
    uow.save_decision(decision)
    return decision


def reject(uow: ServicingUnitOfWork, decision_id: str, reason: str | None = None) -> Decision:
    """Refuse a prepared decision (nothing happens); as with approval, not by its preparer."""
    decision = uow.decision(decision_id, lock=True)
    decision.reject(uow.actor, uow.now, reason)
    uow.save_decision(decision)
    return decision


def supersede_pending(uow: ServicingUnitOfWork, loan_id: str, by: Decision) -> None:
    """Close every other pending decision on a loan that `by` made moot (a cancelled loan pays nothing out)."""
    for kind in DecisionKind:
        for pending in uow.pending(loan_id, kind):
            if pending.id != by.id:
                pending.supersede(uow.actor, uow.now, f"superseded by the {by.action} decision {by.id}")
                uow.save_decision(pending)


def _register_aid(
    uow: ServicingUnitOfWork, account: LoanAccount, valuation: AidValuation, measure: str, source: str
) -> None:
    if valuation.gge > 0:
        uow.aid.register(account, valuation, measure, source)


def _valuation(before: LoanTerms | None, after: LoanTerms | None, state: LoanState, on: date) -> AidValuation:
    try:
        return aid_of_change(before, after, on, state.account.rating, state.account.collateral)
    except InvalidTerms as exc:
        raise RuleViolation("effective_on", f"the aid of this change cannot be valued: {exc.rule}") from None


def _remaining(live: LiveLoan, on: date, principal: Decimal, rate: Decimal) -> LoanTerms | None:
    try:
        return remaining_terms(live, on, principal, rate)
    except InvalidTerms as exc:
        raise RuleViolation("effective_on", f"the remaining schedule cannot be valued: {exc.rule}") from None


def _reset(uow: ServicingUnitOfWork, product: Product, decision: Decision, request: RateResetRequest) -> None:
    state = load(uow, product, decision.loan_id, lock=True)
    after = _check_reset(state, request)
    on = request.effective_on
    before = state.latest.live
    position = before.position(on)
    valuation = _valuation(
        _remaining(before, on, position.principal_not_yet_due, position.annual_rate),
        _remaining(after, on, position.principal_not_yet_due, request.annual_rate),
        state,
        on,
    )
    _register_aid(uow, state.account, valuation, "rate_reset", decision.id)
    entry = uow.add_entry(
        state.account.id,
        LedgerEntry(
            EntryKind.RATE_RESET,
            on,
            uow.actor,
            uow.now,
            annual_rate=request.annual_rate,
            decision_id=decision.id,
            reason=request.reason,
        ),
    )
    uow.publish(
        state.account.id, product.events.source, product.events.reset(state.account, entry, valuation, decision)
    )


def _restructure(uow: ServicingUnitOfWork, product: Product, decision: Decision, request: RestructuringRequest) -> None:
    state = load(uow, product, decision.loan_id, lock=True)
    position = _check_restructuring(product.rules, state, request)
    on = request.effective_on
    before = _remaining(state.latest.live, on, request.terms.principal, position.annual_rate)
    valuation = _valuation(before, request.terms, state, on)
    account = state.account
    _register_aid(uow, account, valuation, "restructuring", decision.id)
    entry = uow.add_entry(
        account.id,
        LedgerEntry(
            EntryKind.RESTRUCTURE,
            on,
            uow.actor,
            uow.now,
            terms=request.terms,
            decision_id=decision.id,
            reason=request.reason,
        ),
    )
    account.status = LoanStatus.DISBURSED
    uow.save(account)
    uow.publish(
        account.id,
        product.events.source,
        product.events.restructuring(account, entry, valuation, decision, request.committee_reference),
    )


def _write_off(uow: ServicingUnitOfWork, product: Product, decision: Decision, request: WriteOffRequest) -> None:
    state = load(uow, product, decision.loan_id, lock=True)
    position = _check_write_off(state, request)
    account = state.account
    uow.add_entry(
        account.id,
        LedgerEntry(
            EntryKind.WRITE_OFF,
            request.written_off_on,
            uow.actor,
            uow.now,
            amount=position.payoff_amount,
            decision_id=decision.id,
            reason=request.reason,
        ),
    )
    account.status = LoanStatus.WRITTEN_OFF
    account.written_off_on = request.written_off_on
    account.written_off_amount = position.payoff_amount
    account.status_reason = request.reason
    uow.save(account)
    uow.publish(account.id, product.events.source, product.events.write_off(account, decision))


def _reverse(uow: ServicingUnitOfWork, product: Product, decision: Decision, request: ReversalRequest) -> None:
    assert decision.decided_by is not None
    _record_reversal(
        uow, product, decision.loan_id, request.entry_id, request.reason, decision.id, decision.prepared_by, uow.today
    )


def reverse_returned_payment(
    uow: ServicingUnitOfWork, product: Product, loan_id: str, entry_id: int, reason: str, returned_on: date
) -> None:
    """Undo a repayment whose money the bank took back (a returned direct debit, an R-transaction).

    The bank's return is a fact, not a choice, so no second person decides it: the reversal is
    recorded at once, by whoever imported the statement, on the day the return was booked; the
    same checks as a decided reversal apply (a refusal leaves the line for a person to review).
    """
    _record_reversal(uow, product, loan_id, entry_id, required_text("reason", reason), None, uow.actor, returned_on)


def _record_reversal(
    uow: ServicingUnitOfWork,
    product: Product,
    loan_id: str,
    entry_id: int,
    reason: str,
    decision_id: str | None,
    prepared_by: str,
    on: date,
) -> None:
    state = load(uow, product, loan_id, lock=True)
    entry = _reversible(product, state, entry_id)
    account = state.account
    reversal = uow.add_entry(
        account.id,
        LedgerEntry(
            EntryKind.REVERSAL,
            on,
            uow.actor,
            uow.now,
            reverses=entry.id,
            decision_id=decision_id,
            reason=reason,
        ),
    )
    after = replace(state, entries=[*state.entries, reversal])
    after = replace(after, segments=_replay(product, account, after.entries))
    settled_on = account.settled_on if account.status is LoanStatus.SETTLED else None
    if settled_on is not None and position_on(after, settled_on, "entry_id").status is not PositionStatus.SETTLED:
        account.status = servicing_status(after.entries)
        account.settled_on = None
        uow.save(account)
    as_of = max(uow.today, account.disbursed_on or uow.today)
    position = position_on(after, as_of, "entry_id")
    uow.publish(
        account.id,
        product.events.source,
        product.events.reversal(account, entry, reversal, prepared_by, uow.actor, position),
    )
