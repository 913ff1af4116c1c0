"""Performance of a participation and of the fund on a date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import col, select

from shared.amortisation.fair_value import residual_value
from shared.amortisation.returns import Flow
from shared.servicing import service as core
from shared.servicing.entries import EntryKind

from services.trividend.domain.holdings import ZERO, Movement, MovementKind, holding
from services.trividend.domain.performance import Performance, performance
from services.trividend.models import TrividendLoan, TrividendParticipation
from services.trividend.service.context import Command
from services.trividend.service.equity import movement_facts, movements, participation
from services.trividend.service.investees import vte_on
from services.trividend.service.loans import LENDER
from services.trividend.service.valuations import approved_valuations

RECEIVED = (EntryKind.REPAYMENT, EntryKind.PREPAYMENT)


def _flows(facts: list[Movement], on: date) -> list[Flow]:
    flows: list[Flow] = []
    for fact in facts:
        if fact.on > on:
            continue
        flows.append((fact.on, -fact.amount if fact.kind is MovementKind.TRANCHE else fact.amount))
    return flows


def _residual(command: Command, participation_id: str, facts: list[Movement], on: date) -> Decimal:
    """Fair value of the shares held on `on`: per share, the latest valuation's or the latest purchase price."""
    held = holding(facts, on)
    purchases = [(fact.on, fact.amount, fact.shares) for fact in facts if fact.kind is MovementKind.TRANCHE]
    valuations = [
        (valuation.as_of, valuation.fair_value, holding(facts, valuation.as_of).shares_held)
        for valuation in approved_valuations(command, participation_id)
    ]
    return residual_value(held.shares_held, purchases, valuations, on)


def participation_performance(command: Command, participation_id: str, on: date) -> Performance:
    row = participation(command, participation_id)
    facts = movement_facts(movements(command, participation_id))
    held = holding(facts, on)
    return performance(
        on,
        _flows(facts, on),
        _residual(command, participation_id, facts, on),
        held.proceeds,
        held.dividends,
        held.realised_gain,
        vte_on(command, row.investee_id, on),
    )


def _loan_flows(command: Command, loan: TrividendLoan, on: date) -> tuple[list[Flow], Decimal]:
    """A loan's cash flows up to `on` (payout out, money received in) and what it still owes then.

    A converted loan owes nothing after its conversion (its value is the participation's now); a
    written-off one nothing after the write-off.
    """
    if loan.disbursed_on is None or loan.disbursed_on > on:
        return [], ZERO
    flows: list[Flow] = [(loan.disbursed_on, -loan.principal)]
    view = core.view(*LENDER.on(command, loan.id), on)
    gone = view.reversed
    for entry in view.entries:
        if entry.kind in RECEIVED and entry.id not in gone and entry.on <= on and entry.amount:
            flows.append((entry.on, entry.amount))
    closed = [day for day in (loan.converted_on, loan.written_off_on) if day is not None and day <= on]
    if closed or view.position is None:
        return flows, ZERO
    return flows, view.position.outstanding_principal


def fund_performance(command: Command, on: date) -> Performance:
    """Every participation and loan together; VTE counts each investee once (its latest report).

    Loans add their payouts to what was invested, the money they returned to what was realised, and
    the principal they still owe to the residual value. A conversion moves no cash: the shares it
    issued are valued with the participation, and the converted loan no longer counts.
    """
    rows = command.session.exec(select(TrividendParticipation).order_by(col(TrividendParticipation.id))).all()
    loans = command.session.exec(select(TrividendLoan).order_by(col(TrividendLoan.id))).all()
    converted = {loan.id: loan.converted_on for loan in loans if loan.converted_on is not None}
    flows: list[Flow] = []
    fair_value = realised = income = gain = ZERO
    vte: dict[str, Decimal] = {}
    for row in rows:
        facts = movement_facts(movements(command, row.id))
        if not any(fact.on <= on for fact in facts):
            continue
        held = holding(facts, on)
        conversion_day = converted.get(row.id)
        flows.extend(
            flow
            for fact, flow in zip(facts, _flows(facts, date.max), strict=True)
            if flow[0] <= on and not (fact.kind is MovementKind.TRANCHE and fact.on == conversion_day)
        )
        fair_value += _residual(command, row.id, facts, on)
        realised += held.proceeds
        income += held.dividends
        gain += held.realised_gain
        _count_vte(command, vte, row.investee_id, on)
    for loan in loans:
        loan_flows, owed = _loan_flows(command, loan, on)
        if not loan_flows:
            continue
        flows.extend(loan_flows)
        realised += sum((amount for _, amount in loan_flows if amount > 0), ZERO)
        fair_value += owed
        _count_vte(command, vte, loan.investee_id, on)
    total_vte = sum(vte.values(), Decimal("0")) if vte else None
    return performance(on, flows, fair_value, realised, income, gain, total_vte)


def _count_vte(command: Command, vte: dict[str, Decimal], investee_id: str, on: date) -> None:
    reported = vte_on(command, investee_id, on)
    if reported is not None:
        vte[investee_id] = reported
