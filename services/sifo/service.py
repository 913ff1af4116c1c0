"""SIFO use cases: one function per command; the caller owns the transaction.

Each command writes its rows and its outbox events in the session it is given, so both commit
or neither does.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from shared.contracts.topics import SIFO_EVENTS
from shared.eventbus import outbox
from shared.platform.auth import Principal, Role
from shared.platform.rules import Conflict, NotFound

from services.sifo import events
from services.sifo.domain import FinancierRegistration
from services.sifo.models import SifoFinancier


def register_financier(
    session: Session, registration: FinancierRegistration, actor: str, topic_prefix: str = ""
) -> SifoFinancier:
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
        created_at=datetime.now(UTC),
        created_by=actor,
    )
    session.add(financier)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"enterprise_number {registration.enterprise_number} is already registered") from None
    outbox.append(session, topic_prefix + SIFO_EVENTS, events.financier_recognised(financier))
    return financier


SEES_ALL_FINANCIERS = frozenset({Role.FUND_MANAGER, Role.APPROVER, Role.BACKOFFICE, Role.AUDITOR})


def visible_financier(session: Session, financier_id: str, principal: Principal) -> SifoFinancier:
    """A financier token sees only its own financier; for others' 'not found' is the whole answer."""
    financier = session.get(SifoFinancier, financier_id)
    if financier is None or not (principal.has_any(SEES_ALL_FINANCIERS) or principal.financier_id == financier_id):
        raise NotFound("financier", financier_id)
    return financier


def list_visible_financiers(session: Session, principal: Principal, limit: int, offset: int) -> list[SifoFinancier]:
    query = select(SifoFinancier).order_by(col(SifoFinancier.created_at), col(SifoFinancier.id))
    if not principal.has_any(SEES_ALL_FINANCIERS):
        query = query.where(SifoFinancier.id == principal.financier_id)
    return list(session.exec(query.offset(offset).limit(limit)).all())
