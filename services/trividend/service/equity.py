"""Equity: tranches paid in, dividends received, and exits (prepared by one person, approved by another)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlmodel import col, select

from shared.platform.database import get_for_update
from shared.platform.rules import Conflict, NotFound, RuleViolation, required_text
from shared.servicing.four_eyes import ensure_four_eyes

from services.trividend import events
from services.trividend.domain.decisions import DecisionStatus
from services.trividend.domain.holdings import (
    Holding,
    Movement,
    MovementKind,
    check_sale,
    check_tranche,
    cost_of_sale,
    holding,
)
from services.trividend.models import TrividendExit, TrividendMovement, TrividendParticipation
from services.trividend.service.context import Command
from services.trividend.service.investees import investee, share_counts, shares_outstanding_on

OPEN = "open"
EXITED = "exited"


def participation(command: Command, participation_id: str, lock: bool = False) -> TrividendParticipation:
    if lock:
        return get_for_update(command.session, TrividendParticipation, participation_id, "participation")
    row = command.session.get(TrividendParticipation, participation_id)
    if row is None:
        raise NotFound("participation", participation_id)
    return row


def movements(command: Command, participation_id: str) -> list[TrividendMovement]:
    query = select(TrividendMovement).where(TrividendMovement.participation_id == participation_id)
    return list(command.session.exec(query.order_by(col(TrividendMovement.id))).all())


def movement_facts(rows: list[TrividendMovement]) -> list[Movement]:
    return [Movement(MovementKind(row.kind), row.on, row.amount, row.shares, row.id or 0) for row in rows]


def holding_on(command: Command, participation_id: str, on: date) -> Holding:
    return holding(movement_facts(movements(command, participation_id)), on)


def _not_before_opening(row: TrividendParticipation, on: date, field: str, today: date) -> None:
    """Movements are booked once they happened, and never before the committee approved the participation."""
    if on < row.opened_on:
        raise RuleViolation(field, f"{on} is before the committee approved the participation on {row.opened_on}")
    if on > today:
        raise RuleViolation(field, f"{on} is after today ({today}); book a movement once it has happened")


def invest(
    command: Command, participation_id: str, on: date, shares: int, price_per_share: Decimal, amount: Decimal
) -> TrividendMovement:
    """A tranche: `shares` bought at `price_per_share` for `amount`, within the committed amount."""
    row = participation(command, participation_id, lock=True)
    check_tranche(shares, price_per_share, amount)
    _not_before_opening(row, on, "on", command.today)
    if row.status != OPEN:
        raise Conflict(f"participation {participation_id} is {row.status}; no tranche can be paid in")
    existing = movement_facts(movements(command, participation_id))
    invested = sum((item.amount for item in existing if item.kind is MovementKind.TRANCHE), Decimal("0.00"))
    if invested + amount > row.committed:
        raise Conflict(
            f"amount {amount} would bring the invested total to {invested + amount}, "
            f"above the committed {row.committed}",
            committed=str(row.committed),
            invested=str(invested),
        )
    exits = [item.on for item in existing if item.kind is MovementKind.EXIT]
    if exits and on < max(exits):
        raise RuleViolation(
            "on", f"{on} is before the exit of {max(exits)}; a tranche cannot change a sale already made"
        )
    held_after = holding(existing, on).shares_held + shares
    _within_outstanding(command, row.investee_id, existing, on, shares)
    movement = TrividendMovement(
        participation_id=participation_id,
        kind=MovementKind.TRANCHE.value,
        on=on,
        amount=amount,
        shares=shares,
        price_per_share=price_per_share,
        recorded_by=command.actor,
        recorded_at=command.now,
    )
    command.session.add(movement)
    command.session.flush()
    command.publish(events.invested(investee(command, row.investee_id), movement, held_after, invested + amount))
    return movement


def _within_outstanding(command: Command, investee_id: str, existing: list[Movement], on: date, shares: int) -> None:
    """The shares held may not pass the shares outstanding, on the tranche's day or any later reported one."""
    counts = [(row.on, row.shares_outstanding) for row in share_counts(command, investee_id)]
    days = sorted({on, *(day for day, _ in counts if day > on)})
    for day in days:
        outstanding = shares_outstanding_on(command, investee_id, day)
        held = holding(existing, day).shares_held + shares
        if outstanding is not None and held > outstanding:
            raise RuleViolation(
                "shares", f"{held} shares held would exceed the {outstanding} the investee has outstanding on {day}"
            )


def receive_dividend(command: Command, participation_id: str, on: date, amount: Decimal) -> TrividendMovement:
    row = participation(command, participation_id, lock=True)
    _not_before_opening(row, on, "on", command.today)
    if holding_on(command, participation_id, on).shares_held == 0:
        raise RuleViolation("on", f"participation {participation_id} holds no shares on {on}; no dividend is due")
    movement = TrividendMovement(
        participation_id=participation_id,
        kind=MovementKind.DIVIDEND.value,
        on=on,
        amount=amount,
        recorded_by=command.actor,
        recorded_at=command.now,
    )
    command.session.add(movement)
    command.session.flush()
    command.publish(events.dividend_received(investee(command, row.investee_id), movement))
    return movement


def prepare_exit(
    command: Command, participation_id: str, on: date, shares_sold: int, proceeds: Decimal
) -> TrividendExit:
    row = participation(command, participation_id, lock=True)
    _not_before_opening(row, on, "on", command.today)
    check_sale(movement_facts(movements(command, participation_id)), on, shares_sold)
    prepared = TrividendExit(
        id=str(uuid.uuid4()),
        participation_id=participation_id,
        on=on,
        shares_sold=shares_sold,
        proceeds=proceeds,
        status=DecisionStatus.PREPARED.value,
        prepared_by=command.actor,
        prepared_at=command.now,
    )
    command.session.add(prepared)
    command.session.flush()
    return prepared


def decide_exit(command: Command, exit_id: str, approve: bool, reason: str | None) -> TrividendExit:
    """Approve (checked again against the holding as it is now) or reject a prepared exit."""
    prepared = get_for_update(command.session, TrividendExit, exit_id, "exit")
    if prepared.status != DecisionStatus.PREPARED.value:
        raise Conflict(f"exit {exit_id} is already {prepared.status}")
    ensure_four_eyes(prepared.prepared_by, command.actor, "exit", "approve" if approve else "reject")
    row = participation(command, prepared.participation_id, lock=True)
    prepared.decided_by = command.actor
    prepared.decided_at = command.now
    prepared.reason = reason.strip() if reason and reason.strip() else None
    if not approve:
        prepared.reason = required_text("reason", reason or "")
        prepared.status = DecisionStatus.REJECTED.value
        command.session.add(prepared)
        return prepared
    facts = movement_facts(movements(command, row.id))
    before = check_sale(facts, prepared.on, prepared.shares_sold)
    sold_cost = cost_of_sale(before.shares_held, before.cost, prepared.shares_sold)
    movement = TrividendMovement(
        participation_id=row.id,
        kind=MovementKind.EXIT.value,
        on=prepared.on,
        amount=prepared.proceeds,
        shares=prepared.shares_sold,
        cost_of_shares_sold=sold_cost,
        recorded_by=prepared.prepared_by,
        approved_by=command.actor,
        recorded_at=command.now,
    )
    command.session.add(movement)
    command.session.flush()
    remaining = holding(movement_facts(movements(command, row.id)), date.max).shares_held
    if remaining == 0:
        row.status = EXITED
        command.session.add(row)
    prepared.status = DecisionStatus.APPROVED.value
    command.session.add(prepared)
    held_after = holding(movement_facts(movements(command, row.id)), prepared.on).shares_held
    command.publish(events.exited(investee(command, row.investee_id), movement, held_after))
    return prepared


def exits(command: Command, participation_id: str) -> list[TrividendExit]:
    query = select(TrividendExit).where(TrividendExit.participation_id == participation_id)
    return list(command.session.exec(query.order_by(col(TrividendExit.prepared_at), col(TrividendExit.id))).all())
