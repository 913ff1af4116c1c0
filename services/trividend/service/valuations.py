"""Valuations per participation per quarter, prepared by one person and approved by another; closed quarters."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from shared.platform.database import get_for_update
from shared.platform.quarters import Quarter
from shared.platform.rules import Conflict, NotFound, RuleViolation, required_text
from shared.servicing.four_eyes import ensure_four_eyes

from services.trividend import events
from services.trividend.domain.decisions import DecisionStatus
from services.trividend.domain.holdings import holding
from services.trividend.domain.valuations import ApprovedValuation, Method
from services.trividend.models import TrividendClosedQuarter, TrividendValuation
from services.trividend.service.context import Command
from services.trividend.service.equity import movement_facts, movements, participation
from services.trividend.service.investees import investee


def _closed(command: Command, quarter: Quarter) -> bool:
    """Closing a quarter closes every earlier one too: the book up to its end is final."""
    closed = command.session.exec(select(TrividendClosedQuarter.quarter)).all()
    return any(Quarter.parse(text) >= quarter for text in closed)


def prepare_valuation(
    command: Command,
    participation_id: str,
    quarter_text: str,
    fair_value: Decimal,
    method: Method,
    rationale: str,
    reason: str | None,
    corrects: str | None,
) -> TrividendValuation:
    """A valuation at a quarter's last day; a closed quarter is refused, a correction needs its reason."""
    quarter = Quarter.parse(quarter_text)
    row = participation(command, participation_id, lock=True)
    if _closed(command, quarter):
        raise RuleViolation(
            "quarter", f"{quarter} is closed; a correction is a new valuation in an open quarter, with a reason"
        )
    if quarter.first_day > command.today:
        raise RuleViolation("quarter", f"{quarter} has not begun (today is {command.today})")
    if quarter.last_day < row.opened_on:
        raise RuleViolation("quarter", f"{quarter} ended before the participation opened on {row.opened_on}")
    held = holding(movement_facts(movements(command, participation_id)), quarter.last_day).shares_held
    if held == 0:
        raise RuleViolation("quarter", f"participation {participation_id} holds no shares on {quarter.last_day}")
    replaced = current_valuation(command, participation_id, quarter)
    corrected = None
    if corrects is not None:
        corrected = command.session.get(TrividendValuation, corrects)
        if corrected is None or corrected.participation_id != participation_id:
            raise RuleViolation("corrects", f"{corrects} is not a valuation of participation {participation_id}")
        if corrected.status != DecisionStatus.APPROVED.value:
            raise RuleViolation(
                "corrects", f"valuation {corrects} is {corrected.status}; only an approved one is corrected"
            )
    if (replaced is not None or corrected is not None) and not (reason and reason.strip()):
        raise RuleViolation("reason", "a valuation that replaces or corrects an approved one must say why")
    valuation = TrividendValuation(
        id=str(uuid.uuid4()),
        participation_id=participation_id,
        quarter=str(quarter),
        as_of=quarter.last_day,
        fair_value=fair_value,
        method=method.value,
        rationale=required_text("rationale", rationale),
        reason=reason.strip() if reason and reason.strip() else None,
        corrects=corrected.id if corrected is not None else (replaced.id if replaced is not None else None),
        status=DecisionStatus.PREPARED.value,
        prepared_by=command.actor,
        prepared_at=command.now,
    )
    command.session.add(valuation)
    command.session.flush()
    return valuation


def current_valuation(command: Command, participation_id: str, quarter: Quarter) -> TrividendValuation | None:
    query = (
        select(TrividendValuation)
        .where(
            TrividendValuation.participation_id == participation_id,
            TrividendValuation.quarter == str(quarter),
            TrividendValuation.status == DecisionStatus.APPROVED.value,
        )
        .order_by(col(TrividendValuation.decided_at).desc(), col(TrividendValuation.id).desc())
    )
    return command.session.exec(query).first()


def decide_valuation(command: Command, valuation_id: str, approve: bool, reason: str | None) -> TrividendValuation:
    valuation = get_for_update(command.session, TrividendValuation, valuation_id, "valuation")
    if valuation.status != DecisionStatus.PREPARED.value:
        raise Conflict(f"valuation {valuation_id} is already {valuation.status}")
    ensure_four_eyes(valuation.prepared_by, command.actor, "valuation", "approve" if approve else "reject")
    if approve and _closed(command, Quarter.parse(valuation.quarter)):
        raise Conflict(f"quarter {valuation.quarter} was closed since this valuation was prepared; prepare it again")
    if approve and not valuation.reason:
        replaced = current_valuation(command, valuation.participation_id, Quarter.parse(valuation.quarter))
        if replaced is not None:
            raise Conflict(
                f"valuation {replaced.id} of {valuation.quarter} was approved since this one was prepared; "
                "prepare it again with the reason it replaces that one"
            )
    valuation.decided_by = command.actor
    valuation.decided_at = command.now
    if not approve:
        valuation.status = DecisionStatus.REJECTED.value
        valuation.reason = required_text("reason", reason or "")
        command.session.add(valuation)
        return valuation
    valuation.status = DecisionStatus.APPROVED.value
    command.session.add(valuation)
    command.session.flush()
    row = participation(command, valuation.participation_id)
    command.publish(events.valuation_approved(investee(command, row.investee_id), valuation))
    return valuation


def close_quarter(command: Command, quarter_text: str) -> TrividendClosedQuarter:
    """Close an ended quarter, and with it every earlier one; refused while a valuation of any of them waits."""
    quarter = Quarter.parse(quarter_text)
    if quarter.last_day >= command.today:
        raise RuleViolation("quarter", f"{quarter} ends on {quarter.last_day}; it can be closed from the day after")
    if _closed(command, quarter):
        raise Conflict(f"quarter {quarter} is already closed")
    prepared = command.session.exec(
        select(TrividendValuation.id, TrividendValuation.quarter).where(
            TrividendValuation.status == DecisionStatus.PREPARED.value
        )
    ).all()
    waiting = sorted(valuation_id for valuation_id, text in prepared if Quarter.parse(text) <= quarter)
    if waiting:
        raise Conflict(
            f"valuations {', '.join(sorted(waiting))} of {quarter} wait for a decision", waiting=sorted(waiting)
        )
    row = TrividendClosedQuarter(quarter=str(quarter), closed_by=command.actor, closed_at=command.now)
    command.session.add(row)
    try:
        command.session.flush()
    except IntegrityError:
        raise Conflict(f"quarter {quarter} is already closed") from None
    return row


def valuation(command: Command, valuation_id: str) -> TrividendValuation:
    row = command.session.get(TrividendValuation, valuation_id)
    if row is None:
        raise NotFound("valuation", valuation_id)
    return row


def valuations(command: Command, participation_id: str) -> list[TrividendValuation]:
    query = select(TrividendValuation).where(TrividendValuation.participation_id == participation_id)
    order = (col(TrividendValuation.prepared_at), col(TrividendValuation.quarter), col(TrividendValuation.id))
    return list(command.session.exec(query.order_by(*order)).all())


def approved_valuations(command: Command, participation_id: str) -> list[ApprovedValuation]:
    """Approved valuations in the order they were approved (a later one of a quarter replaces an earlier one)."""
    rows = [row for row in valuations(command, participation_id) if row.status == DecisionStatus.APPROVED.value]
    rows.sort(key=lambda row: (row.decided_at, row.id))
    return [ApprovedValuation(row.as_of, row.fair_value, index) for index, row in enumerate(rows)]
