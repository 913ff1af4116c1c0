"""Performance of a participation and of the fund on a date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import col, select

from shared.amortisation.returns import Flow

from services.trividend.domain.holdings import ZERO, Movement, MovementKind, holding
from services.trividend.domain.performance import Performance, performance
from services.trividend.domain.valuations import fair_value_on
from services.trividend.models import TrividendParticipation
from services.trividend.service.context import Command
from services.trividend.service.equity import movement_facts, movements, participation
from services.trividend.service.investees import vte_on
from services.trividend.service.valuations import approved_valuations


def _flows(facts: list[Movement], on: date) -> list[Flow]:
    flows: list[Flow] = []
    for fact in facts:
        if fact.on > on:
            continue
        flows.append((fact.on, -fact.amount if fact.kind is MovementKind.TRANCHE else fact.amount))
    return flows


def _residual(command: Command, participation_id: str, facts: list[Movement], on: date) -> Decimal:
    """Fair value of the shares held on `on`: the latest approved valuation, or their cost when never valued."""
    held = holding(facts, on)
    if held.shares_held == 0:
        return ZERO
    valued = fair_value_on(approved_valuations(command, participation_id), on)
    return held.cost if valued is None else valued


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


def fund_performance(command: Command, on: date) -> Performance:
    """Every participation's flows together; VTE counts each investee once (its latest report)."""
    rows = command.session.exec(select(TrividendParticipation).order_by(col(TrividendParticipation.id))).all()
    flows: list[Flow] = []
    fair_value = realised = income = gain = ZERO
    vte: dict[str, Decimal] = {}
    for row in rows:
        facts = movement_facts(movements(command, row.id))
        if not any(fact.on <= on for fact in facts):
            continue
        held = holding(facts, on)
        flows.extend(_flows(facts, on))
        fair_value += _residual(command, row.id, facts, on)
        realised += held.proceeds
        income += held.dividends
        gain += held.realised_gain
        reported = vte_on(command, row.investee_id, on)
        if reported is not None:
            vte[row.investee_id] = reported
    total_vte = sum(vte.values(), Decimal("0")) if vte else None
    return performance(on, flows, fair_value, realised, income, gain, total_vte)
