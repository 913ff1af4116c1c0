"""The servicing core's rules, the same tests against the in-memory fake and against PostgreSQL.

Each test works only through units of work (one transaction each) and the shared use cases; the
backends differ in where the loan, its history, its decisions and its aid live.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TypeVar

import pytest

from shared.amortisation.position import PositionStatus
from shared.amortisation.reference_rates import Collateral, Rating
from shared.amortisation.terms import LoanTerms
from shared.platform.rules import Conflict, Forbidden, NotFound, RuleViolation
from shared.servicing import service as core
from shared.servicing.accounts import LoanStatus
from shared.servicing.aid import AidValuation
from shared.servicing.decisions import DecisionStatus
from shared.servicing.entries import EntryKind
from shared.servicing.ports import ServicingUnitOfWork

from tests.servicing.backends import Backend

D = Decimal
T = TypeVar("T")
TERMS = LoanTerms(D("100000.00"), D("0.045"), 120, date(2026, 1, 15))
FIRST_PAYMENT = D("1036.38")
ENTERPRISE = "0200065765"
ALICE, BOB = "alice@pmv.example", "bob@pmv.example"


def open_loan(backend: Backend, terms: LoanTerms = TERMS, enterprise: str = ENTERPRISE) -> str:
    return backend.open_loan(terms, enterprise, Rating.SATISFACTORY, Collateral.NORMAL)


def run(backend: Backend, actor: str, action: Callable[[ServicingUnitOfWork], T]) -> T:
    with backend.unit_of_work(actor) as uow:
        return action(uow)


def view(backend: Backend, loan_id: str, as_of: date) -> core.LoanView:
    return run(backend, BOB, lambda uow: core.view(uow, backend.product, loan_id, as_of))


def repay(backend: Backend, loan_id: str, on: date, amount: Decimal) -> core.Recorded:
    return run(backend, ALICE, lambda uow: core.record_repayment(uow, backend.product, loan_id, on, amount))


def approve(backend: Backend, decision_id: str, actor: str = BOB) -> None:
    run(backend, actor, lambda uow: core.approve(uow, backend.product, decision_id))


def published(backend: Backend) -> list[str]:
    return [kind for kind, _ in backend.published()]


def test_a_payment_two_days_early_pays_that_installment_and_leaves_no_arrears(backend: Backend) -> None:
    loan_id = open_loan(backend)

    recorded = repay(backend, loan_id, date(2026, 2, 13), FIRST_PAYMENT)

    assert (recorded.allocation.interest, recorded.allocation.principal) == (D("375.00"), D("661.38"))
    assert recorded.allocation.prepayment == D("0.00")
    position = view(backend, loan_id, date(2026, 3, 1)).position
    assert position is not None
    assert (position.total_arrears, position.days_past_due, position.late_interest) == (D("0.00"), 0, D("0.00"))
    assert position.status is PositionStatus.CURRENT


def test_paying_the_quoted_payoff_settles_the_loan_and_nothing_more_is_taken(backend: Backend) -> None:
    loan_id = open_loan(backend)
    repay(backend, loan_id, date(2026, 2, 15), FIRST_PAYMENT)
    quoted = view(backend, loan_id, date(2026, 3, 10)).position
    assert quoted is not None

    recorded = repay(backend, loan_id, date(2026, 3, 10), quoted.payoff_amount)

    assert recorded.position.status is PositionStatus.SETTLED
    assert recorded.allocation.excess == D("0.00")
    assert run(backend, BOB, lambda uow: uow.account(loan_id)).status is LoanStatus.SETTLED
    later = view(backend, loan_id, date(2030, 1, 1)).position
    assert later is not None
    assert (later.status, later.payoff_amount, later.total_arrears) == (PositionStatus.SETTLED, D("0.00"), D("0.00"))
    assert published(backend)[-1].endswith(".loan.settled.v1")
    with pytest.raises(Conflict, match="is settled"):
        repay(backend, loan_id, date(2026, 4, 1), D("10.00"))


def test_a_mistyped_date_is_reversed_by_four_eyes_and_the_loan_moves_on(backend: Backend) -> None:
    loan_id = open_loan(backend)
    typo = repay(backend, loan_id, date(2062, 2, 15), FIRST_PAYMENT)
    with pytest.raises(RuleViolation) as blocked:
        repay(backend, loan_id, date(2026, 3, 15), FIRST_PAYMENT)
    assert blocked.value.field == "received_on"

    assert typo.entry.id is not None
    decision = run(
        backend,
        ALICE,
        lambda uow: core.prepare_reversal(uow, backend.product, loan_id, typo.entry.id or 0, "2026 typed as 2062"),
    )
    for same_person in ("Alice@PMV.example", " alice@pmv.example", "alice@pmv.example\u200b"):
        with pytest.raises(Forbidden):
            approve(backend, decision.id, same_person)
    approve(backend, decision.id)

    history = view(backend, loan_id, date(2026, 3, 1))
    assert [entry.kind for entry in history.entries] == [EntryKind.REPAYMENT, EntryKind.REVERSAL]
    assert history.reversed == {typo.entry.id}
    assert history.position is not None
    assert history.position.total_arrears == FIRST_PAYMENT
    repay(backend, loan_id, date(2026, 3, 1), FIRST_PAYMENT)
    with pytest.raises(Conflict, match="already reversed"):
        run(
            backend,
            ALICE,
            lambda uow: core.prepare_reversal(uow, backend.product, loan_id, typo.entry.id or 0, "again"),
        )


def test_only_money_entries_of_the_loan_are_reversed(backend: Backend) -> None:
    loan_id = open_loan(backend)
    with pytest.raises(NotFound):
        run(backend, ALICE, lambda uow: core.prepare_reversal(uow, backend.product, loan_id, 999_999, "no such entry"))
    run(backend, ALICE, lambda uow: core.declare_default(uow, backend.product, loan_id, date(2026, 5, 1), "insolvency"))
    (default,) = view(backend, loan_id, date(2026, 5, 1)).entries
    assert (default.kind, default.recorded_by, default.reason) == (EntryKind.DEFAULT, ALICE, "insolvency")
    with pytest.raises(RuleViolation) as refused:
        run(backend, ALICE, lambda uow: core.prepare_reversal(uow, backend.product, loan_id, default.id or 0, "oops"))
    assert refused.value.field == "entry_id"


def test_reversing_the_payment_that_settled_reopens_the_loan(backend: Backend) -> None:
    loan_id = open_loan(backend)
    quote = view(backend, loan_id, date(2026, 2, 1)).position
    assert quote is not None
    settled = repay(backend, loan_id, date(2026, 2, 1), quote.payoff_amount)
    decision = run(
        backend,
        ALICE,
        lambda uow: core.prepare_reversal(uow, backend.product, loan_id, settled.entry.id or 0, "cheque bounced"),
    )
    approve(backend, decision.id)
    assert run(backend, BOB, lambda uow: uow.account(loan_id)).status is LoanStatus.DISBURSED
    position = view(backend, loan_id, date(2026, 3, 1)).position
    assert position is not None
    assert position.outstanding_principal == D("100000.00")


def test_a_reset_below_the_reference_rate_registers_the_aid_it_creates(backend: Backend) -> None:
    loan_id = open_loan(backend)
    decision = run(
        backend,
        ALICE,
        lambda uow: core.prepare_rate_reset(uow, backend.product, loan_id, date(2026, 6, 1), D("0.00"), "relief"),
    )
    assert backend.aid(loan_id) == []

    approve(backend, decision.id)

    ((measure, gge),) = backend.aid(loan_id)
    assert measure == "rate_reset"
    assert gge > D("10000.00")
    kind, payload = backend.published()[-1]
    assert ".loan.rate_reset." in kind
    assert D(payload["aid"]["gge"]) == gge
    assert payload["aid"]["reference_rate"] == "0.0439"
    assert payload["prepared_by"] == ALICE
    assert payload["approved_by"] == BOB


def test_a_reset_that_would_pass_the_ceiling_is_refused_and_changes_nothing(backend: Backend) -> None:
    loan_id = open_loan(backend)

    def earlier_aid(uow: ServicingUnitOfWork) -> None:
        account = uow.account(loan_id)
        uow.aid.register(
            account, AidValuation(date(2026, 1, 15), D("299000.00"), D("0.0439"), D("0.0319")), "grant", "x"
        )

    run(backend, BOB, earlier_aid)
    decision = run(
        backend,
        ALICE,
        lambda uow: core.prepare_rate_reset(uow, backend.product, loan_id, date(2026, 6, 1), D("0.00"), "relief"),
    )
    events_before = len(backend.published())

    with pytest.raises(Conflict, match="de minimis headroom"):
        approve(backend, decision.id)

    assert run(backend, BOB, lambda uow: uow.decision(decision.id)).status is DecisionStatus.PREPARED
    assert view(backend, loan_id, date(2026, 6, 1)).entries == []
    assert len(backend.published()) == events_before
    assert [measure for measure, _ in backend.aid(loan_id)] == ["grant"]


def test_late_interest_follows_the_rate_in_force(backend: Backend) -> None:
    terms = LoanTerms(D("12000.00"), D("0.01"), 12, date(2026, 1, 15))
    loan_id = open_loan(backend, terms)
    decision = run(
        backend, ALICE, lambda uow: core.prepare_rate_reset(uow, backend.product, loan_id, date(2026, 3, 1), D("0.06"))
    )
    approve(backend, decision.id)
    first = view(backend, loan_id, date(2026, 1, 15)).schedule
    assert first is not None

    position = view(backend, loan_id, date(2026, 3, 15)).position

    # 14 days at 1 % + 2 % before the reset, 14 days at 6 % + 2 % after (margin 0.02, ACT/365)
    owed = first.installments[0].payment
    assert position is not None
    assert position.late_interest == (owed * (D("0.03") * 14 + D("0.08") * 14) / 365).quantize(D("0.01"))


def test_a_decision_is_prepared_once_and_decided_once_by_someone_else(backend: Backend) -> None:
    loan_id = open_loan(backend)
    run(backend, ALICE, lambda uow: core.declare_default(uow, backend.product, loan_id, date(2026, 5, 1), "insolvency"))

    def write_off(uow: ServicingUnitOfWork) -> str:
        return core.prepare_write_off(uow, backend.product, loan_id, date(2026, 6, 1), "no dividend").id

    decision_id = run(backend, ALICE, write_off)
    with pytest.raises(Conflict, match="already prepared"):
        run(backend, ALICE, write_off)
    with pytest.raises(Forbidden):
        run(backend, ALICE, lambda uow: core.reject(uow, decision_id, "changed my mind"))
    rejected = run(backend, BOB, lambda uow: core.reject(uow, decision_id, "recovery still possible"))
    assert (rejected.status, rejected.note) == (DecisionStatus.REJECTED, "recovery still possible")
    with pytest.raises(Conflict, match="already rejected"):
        approve(backend, decision_id)
    assert run(backend, BOB, lambda uow: uow.account(loan_id)).status is LoanStatus.DEFAULTED

    approve(backend, run(backend, ALICE, write_off))
    account = run(backend, BOB, lambda uow: uow.account(loan_id))
    assert account.status is LoanStatus.WRITTEN_OFF
    assert account.written_off_amount is not None
    assert account.written_off_amount > D("100000.00")


def test_a_write_off_needs_a_default_first(backend: Backend) -> None:
    loan_id = open_loan(backend)
    with pytest.raises(Conflict, match="needs it to be defaulted"):
        run(backend, ALICE, lambda uow: core.prepare_write_off(uow, backend.product, loan_id, date(2026, 6, 1), "gone"))


def test_a_restructuring_takes_everything_owed_and_a_committee_beyond_the_term(backend: Backend) -> None:
    loan_id = open_loan(backend)
    owed = view(backend, loan_id, date(2026, 6, 1)).position
    assert owed is not None

    def restructure(principal: Decimal, periods: int, committee: str | None = None) -> str:
        terms = LoanTerms(principal, D("0.01"), periods, date(2026, 6, 1))
        return run(
            backend,
            ALICE,
            lambda uow: core.prepare_restructuring(uow, backend.product, loan_id, date(2026, 6, 1), terms, committee),
        ).id

    with pytest.raises(RuleViolation) as wrong:
        restructure(owed.payoff_amount - D("0.01"), 60)
    assert wrong.value.field == "terms.principal"
    with pytest.raises(RuleViolation) as too_long:
        restructure(owed.payoff_amount, 120)
    assert too_long.value.field == "terms.periods"

    approve(backend, restructure(owed.payoff_amount, 120, "SC-2026-11"))

    after = view(backend, loan_id, date(2026, 6, 1))
    assert after.schedule is not None
    assert after.schedule.installments[0].opening_balance == owed.payoff_amount
    ((measure, gge),) = backend.aid(loan_id)
    assert measure == "restructuring"
    assert gge > 0


def test_an_entry_before_a_restructuring_still_in_force_is_not_reversed(backend: Backend) -> None:
    loan_id = open_loan(backend)
    paid = repay(backend, loan_id, date(2026, 2, 15), FIRST_PAYMENT)
    owed = view(backend, loan_id, date(2026, 3, 1)).position
    assert owed is not None
    terms = LoanTerms(owed.payoff_amount, D("0.04"), 60, date(2026, 3, 1))
    decision = run(
        backend, ALICE, lambda uow: core.prepare_restructuring(uow, backend.product, loan_id, date(2026, 3, 1), terms)
    )
    approve(backend, decision.id)
    with pytest.raises(Conflict, match="before the restructuring"):
        run(backend, ALICE, lambda uow: core.prepare_reversal(uow, backend.product, loan_id, paid.entry.id or 0, "x"))


def test_a_reset_below_the_market_needs_a_reason(backend: Backend) -> None:
    loan_id = open_loan(backend)
    with pytest.raises(RuleViolation) as refused:
        run(
            backend,
            ALICE,
            lambda uow: core.prepare_rate_reset(uow, backend.product, loan_id, date(2026, 6, 1), D("0.02")),
        )
    assert refused.value.field == "reason"
    assert "below the reference rate 0.0439" in refused.value.rule


def test_a_proposed_default_is_decided_by_a_person_and_a_rejected_one_changes_nothing(backend: Backend) -> None:
    loan_id = open_loan(backend)
    job = "job:lender"
    proposed = run(
        backend, job, lambda uow: core.prepare_default(uow, backend.product, loan_id, date(2026, 7, 1), "95 days", 95)
    )
    again = pytest.raises(Conflict)
    with again:
        run(backend, job, lambda uow: core.prepare_default(uow, backend.product, loan_id, date(2026, 7, 2), "96", 96))
    with pytest.raises(Forbidden):
        approve(backend, proposed.id, actor=job)
    run(backend, ALICE, lambda uow: core.reject(uow, proposed.id, "payment plan agreed"))
    assert run(backend, BOB, lambda uow: uow.account(loan_id)).status is LoanStatus.DISBURSED

    second = run(
        backend, job, lambda uow: core.prepare_default(uow, backend.product, loan_id, date(2026, 8, 1), "120 days", 120)
    )
    approve(backend, second.id)
    account = run(backend, BOB, lambda uow: uow.account(loan_id))
    assert (account.status, account.defaulted_on, account.status_reason) == (
        LoanStatus.DEFAULTED,
        date(2026, 8, 1),
        "120 days",
    )
    assert ".loan.defaulted." in published(backend)[-1]


def test_a_returned_collection_reverses_its_repayment_at_once_and_the_installment_is_owed_again(
    backend: Backend,
) -> None:
    loan_id = open_loan(backend)
    collected = repay(backend, loan_id, date(2026, 2, 15), FIRST_PAYMENT)
    assert collected.entry.id is not None
    run(
        backend,
        ALICE,
        lambda uow: core.reverse_returned_payment(
            uow, backend.product, loan_id, collected.entry.id or 0, "returned MD06", date(2026, 2, 19)
        ),
    )
    position = view(backend, loan_id, date(2026, 2, 19)).position
    assert position is not None
    assert position.total_arrears == FIRST_PAYMENT
    with pytest.raises(Conflict, match="already reversed"):
        run(
            backend,
            ALICE,
            lambda uow: core.reverse_returned_payment(
                uow, backend.product, loan_id, collected.entry.id or 0, "again", date(2026, 2, 20)
            ),
        )
    assert ".loan.entry_reversed." in published(backend)[-1]
