"""Investees and the figures they report: target-group employees and shares outstanding over time."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from shared.amortisation.reference_rates import latest_on
from shared.platform.database import get_for_update
from shared.platform.external_ids import ensure_unused
from shared.platform.rules import Conflict, NotFound, required_text

from services.trividend import events
from services.trividend.domain.investees import LegalForm
from services.trividend.models import TrividendHeadcount, TrividendInvestee, TrividendShareCount
from services.trividend.service.context import Command


def register_investee(
    command: Command,
    enterprise_number: str,
    name: str,
    legal_form: LegalForm,
    sector: str,
    external_id: str | None = None,
) -> TrividendInvestee:
    existing = command.session.exec(
        select(TrividendInvestee).where(TrividendInvestee.enterprise_number == enterprise_number)
    ).first()
    if existing is not None:
        raise Conflict(f"enterprise {enterprise_number} is already investee {existing.id}", investee_id=existing.id)
    ensure_unused(command.session, TrividendInvestee, external_id, "investee")
    row = TrividendInvestee(
        id=str(uuid.uuid4()),
        external_id=external_id,
        enterprise_number=enterprise_number,
        name=required_text("name", name),
        legal_form=legal_form.value,
        sector=required_text("sector", sector),
        created_at=command.now,
        created_by=command.actor,
    )
    command.session.add(row)
    _flush(command, f"enterprise {enterprise_number} is already an investee")
    command.publish(events.investee_registered(row))
    return row


def _flush(command: Command, conflict: str) -> None:
    try:
        command.session.flush()
    except IntegrityError:
        raise Conflict(conflict) from None


def investee(command: Command, investee_id: str, lock: bool = False) -> TrividendInvestee:
    if lock:
        return get_for_update(command.session, TrividendInvestee, investee_id, "investee")
    row = command.session.get(TrividendInvestee, investee_id)
    if row is None:
        raise NotFound("investee", investee_id)
    return row


def report_headcount(command: Command, investee_id: str, on: date, target_group_vte: Decimal) -> TrividendHeadcount:
    owner = investee(command, investee_id, lock=True)
    row = TrividendHeadcount(
        investee_id=owner.id,
        on=on,
        target_group_vte=target_group_vte,
        recorded_by=command.actor,
        recorded_at=command.now,
    )
    command.session.add(row)
    _flush(command, f"investee {investee_id} already reported its target-group employees for {on}")
    command.publish(events.headcount_reported(owner, row))
    return row


def report_shares(command: Command, investee_id: str, on: date, shares_outstanding: int) -> TrividendShareCount:
    owner = investee(command, investee_id, lock=True)
    row = TrividendShareCount(
        investee_id=owner.id,
        on=on,
        shares_outstanding=shares_outstanding,
        recorded_by=command.actor,
        recorded_at=command.now,
    )
    command.session.add(row)
    _flush(command, f"investee {investee_id} already reported its shares outstanding for {on}")
    command.publish(events.shares_reported(owner, row))
    return row


def headcounts(command: Command, investee_id: str) -> list[TrividendHeadcount]:
    query = select(TrividendHeadcount).where(TrividendHeadcount.investee_id == investee_id)
    return list(command.session.exec(query.order_by(col(TrividendHeadcount.on))).all())


def share_counts(command: Command, investee_id: str) -> list[TrividendShareCount]:
    query = select(TrividendShareCount).where(TrividendShareCount.investee_id == investee_id)
    return list(command.session.exec(query.order_by(col(TrividendShareCount.on))).all())


def vte_on(command: Command, investee_id: str, on: date) -> Decimal | None:
    return latest_on([(row.on, row.target_group_vte) for row in headcounts(command, investee_id)], on)


def shares_outstanding_on(command: Command, investee_id: str, on: date) -> int | None:
    return latest_on([(row.on, row.shares_outstanding) for row in share_counts(command, investee_id)], on)
