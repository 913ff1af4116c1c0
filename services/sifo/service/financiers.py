"""Recognised financiers: register, suspend, end; read with tenancy."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from shared.platform.list_window import ListWindow
from shared.platform.rules import Conflict, NotFound, required_text

from services.sifo import events
from services.sifo.domain.financiers import FinancierRegistration, FinancierStanding, FinancierStatus, RecognitionPeriod
from services.sifo.models import SifoFinancier
from services.sifo.service.context import Command, get_for_update


class StandingColumns(Protocol):
    """What a standing is made of: a financier object, or a row with its four columns."""

    @property
    def status(self) -> str: ...
    @property
    def recognised_from(self) -> date: ...
    @property
    def recognised_until(self) -> date | None: ...
    @property
    def suspended_from(self) -> date | None: ...


def standing(financier: StandingColumns) -> FinancierStanding:
    return FinancierStanding(
        status=FinancierStatus(financier.status),
        recognition=RecognitionPeriod(financier.recognised_from, financier.recognised_until),
        suspended_from=financier.suspended_from,
    )


def register_financier(command: Command, registration: FinancierRegistration) -> SifoFinancier:
    session = command.session
    duplicate = session.exec(
        select(SifoFinancier).where(SifoFinancier.enterprise_number == registration.enterprise_number)
    ).first()
    if duplicate is not None:
        raise Conflict(
            f"enterprise_number {registration.enterprise_number} is already registered as financier {duplicate.id}",
            financier_id=duplicate.id,
        )
    financier = SifoFinancier(
        id=str(uuid.uuid4()),
        enterprise_number=registration.enterprise_number,
        name=registration.name.strip(),
        iban=registration.iban,
        recognised_from=registration.recognition.start,
        recognised_until=registration.recognition.end,
        status=FinancierStatus.RECOGNISED.value,
        created_at=command.now,
        created_by=command.actor,
    )
    session.add(financier)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"enterprise_number {registration.enterprise_number} is already registered") from None
    command.publish(events.financier_recognised(financier))
    return financier


def suspend_financier(command: Command, financier_id: str, suspended_from: date, reason: str) -> SifoFinancier:
    financier = get_for_update(command.session, SifoFinancier, financier_id, "financier")
    if financier.status == FinancierStatus.ENDED.value:
        raise Conflict(f"financier {financier_id} has ended its recognition and cannot be suspended")
    if financier.status == FinancierStatus.SUSPENDED.value:
        raise Conflict(
            f"financier {financier_id} is already suspended from {financier.suspended_from}; a second suspension "
            "would replace that day, so it is refused (the audit trail keeps every suspension)"
        )
    required_text("reason", reason)
    financier.status = FinancierStatus.SUSPENDED.value
    financier.suspended_from = suspended_from
    financier.status_reason = reason.strip()
    command.session.add(financier)
    command.publish(events.financier_suspended(financier, reason.strip()))
    return financier


def end_recognition(command: Command, financier_id: str, ended_on: date, reason: str) -> SifoFinancier:
    financier = get_for_update(command.session, SifoFinancier, financier_id, "financier")
    if financier.status == FinancierStatus.ENDED.value:
        raise Conflict(f"financier {financier_id} already ended its recognition on {financier.recognised_until}")
    required_text("reason", reason)
    period = standing(financier).ended_on(ended_on)
    financier.recognised_until = period.end
    financier.status = FinancierStatus.ENDED.value
    financier.status_reason = reason.strip()
    command.session.add(financier)
    command.publish(events.financier_ended(financier, reason.strip()))
    return financier


def visible_financier(command: Command, financier_id: str) -> SifoFinancier:
    financier = command.session.get(SifoFinancier, financier_id)
    if financier is None:
        raise NotFound("financier", financier_id)
    command.ensure_visible("financier", financier_id, financier.id)
    return financier


def list_visible_financiers(command: Command, window: ListWindow) -> list[SifoFinancier]:
    query = select(SifoFinancier)
    if not command.sees_all:
        query = query.where(SifoFinancier.id == command.principal.financier_id)
    query = window.select(
        query, created=col(SifoFinancier.created_at), updated=col(SifoFinancier.updated_at), key=col(SifoFinancier.id)
    )
    return list(command.session.exec(query).all())
