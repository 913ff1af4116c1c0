"""Drawing rights: allocate per financier and fund year, reallocate, release, expire."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlmodel import col, select

from shared.platform.rules import Conflict, NotFound, RuleViolation

from services.sifo import events
from services.sifo.domain.drawing_rights import (
    DrawingRightBalance,
    DrawingRightStatus,
    ValidityWindow,
    ensure_fund_year,
)
from services.sifo.models import SifoDrawingRight, SifoFinancier
from services.sifo.service.context import Command, get_for_update
from services.sifo.service.financiers import standing


def balance_of(right: SifoDrawingRight) -> DrawingRightBalance:
    return DrawingRightBalance(
        allocated=right.allocated, reserved=right.reserved, drawn=right.drawn, released=right.released
    )


def apply_balance(right: SifoDrawingRight, balance: DrawingRightBalance) -> None:
    right.allocated = balance.allocated
    right.reserved = balance.reserved
    right.drawn = balance.drawn
    right.released = balance.released


def allocate(
    command: Command, financier_id: str, fund_year: int, amount: Decimal, window: ValidityWindow
) -> SifoDrawingRight:
    financier = get_for_update(command.session, SifoFinancier, financier_id, "financier")
    ensure_fund_year(fund_year, window)
    financier_standing = standing(financier)
    financier_standing.ensure_may_draw(window.valid_from, "valid_from")
    recognition = financier_standing.recognition
    if recognition.end is not None and window.valid_until > recognition.end:
        raise RuleViolation(
            "valid_until",
            f"{window.valid_until.isoformat()} is after the end of the financier's recognition "
            f"({recognition.end.isoformat()})",
        )
    balance = DrawingRightBalance(allocated=amount)
    right = SifoDrawingRight(
        id=str(uuid.uuid4()),
        financier_id=financier_id,
        fund_year=fund_year,
        allocated=balance.allocated,
        reserved=balance.reserved,
        drawn=balance.drawn,
        released=balance.released,
        valid_from=window.valid_from,
        valid_until=window.valid_until,
        status=DrawingRightStatus.OPEN.value,
        created_at=command.now,
        created_by=command.actor,
    )
    command.session.add(right)
    command.session.flush()
    command.publish(events.drawing_right_allocated(right))
    return right


def reallocate(command: Command, right_id: str, allocated: Decimal, reason: str) -> SifoDrawingRight:
    right = get_for_update(command.session, SifoDrawingRight, right_id, "drawing right")
    _ensure_open(right)
    previous = right.allocated
    apply_balance(right, balance_of(right).reallocate(allocated))
    command.session.add(right)
    command.publish(events.drawing_right_reallocated(right, previous, reason))
    return right


def release(command: Command, right_id: str, amount: Decimal, reason: str) -> SifoDrawingRight:
    right = get_for_update(command.session, SifoDrawingRight, right_id, "drawing right")
    _ensure_open(right)
    apply_balance(right, balance_of(right).release(amount, right_id))
    command.session.add(right)
    command.publish(events.drawing_right_released(right, amount, reason))
    return right


def expire_rights(command: Command, on: date) -> list[SifoDrawingRight]:
    """Release what is left of every open right whose window ended before `on`.

    Safe to run twice or after a crash: an expired right is no longer open, so a second run
    finds nothing to do. Reserved amounts stay reserved: those loans are approved and may still
    be paid out.
    """
    rights = command.session.exec(
        select(SifoDrawingRight)
        .where(SifoDrawingRight.status == DrawingRightStatus.OPEN.value, col(SifoDrawingRight.valid_until) < on)
        .order_by(col(SifoDrawingRight.id))
        .with_for_update()
    ).all()
    for right in rights:
        balance = balance_of(right)
        left = balance.available
        if left > 0:
            apply_balance(right, balance.release(left, right.id))
        right.status = DrawingRightStatus.EXPIRED.value
        command.session.add(right)
        command.publish(events.drawing_right_expired(right, on, left))
    return list(rights)


def visible_right(command: Command, right_id: str) -> SifoDrawingRight:
    right = command.session.get(SifoDrawingRight, right_id)
    if right is None:
        raise NotFound("drawing right", right_id)
    command.ensure_visible("drawing right", right_id, right.financier_id)
    return right


def list_visible_rights(command: Command, financier_id: str | None, limit: int, offset: int) -> list[SifoDrawingRight]:
    query = select(SifoDrawingRight).order_by(col(SifoDrawingRight.valid_until), col(SifoDrawingRight.id))
    if not command.sees_all:
        query = query.where(SifoDrawingRight.financier_id == command.principal.financier_id)
    if financier_id is not None:
        query = query.where(SifoDrawingRight.financier_id == financier_id)
    return list(command.session.exec(query.offset(offset).limit(limit)).all())


def _ensure_open(right: SifoDrawingRight) -> None:
    if right.status != DrawingRightStatus.OPEN.value:
        raise Conflict(f"drawing right {right.id} is {right.status}")
