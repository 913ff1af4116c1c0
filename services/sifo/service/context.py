"""What every SIFO command needs besides its session: who acts, when, under which policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, select

from shared.contracts.topics import SIFO_EVENTS
from shared.eventbus import outbox
from shared.eventbus.envelope import EventEnvelope
from shared.platform.auth import Principal, Role
from shared.platform.rules import NotFound

from services.sifo.domain.loans import SifoPolicy
from services.sifo.payments import Debtor

SEES_EVERY_FINANCIER = frozenset({Role.FUND_MANAGER, Role.APPROVER, Role.BACKOFFICE, Role.AUDITOR, Role.JOB})
Row = TypeVar("Row", bound=SQLModel)


@dataclass(frozen=True)
class Command:
    session: Session
    principal: Principal
    topic_prefix: str = ""
    policy: SifoPolicy = field(default_factory=SifoPolicy)
    debtor: Debtor = field(default_factory=lambda: Debtor("Participatiemaatschappij Vlaanderen", "BE68539007547034"))
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @property
    def actor(self) -> str:
        return self.principal.subject

    @property
    def now(self) -> datetime:
        return self.clock()

    @property
    def today(self) -> date:
        return self.clock().date()

    def publish(self, envelope: EventEnvelope) -> None:
        outbox.append(self.session, self.topic_prefix + SIFO_EVENTS, envelope)

    @property
    def sees_all(self) -> bool:
        return self.principal.has_any(SEES_EVERY_FINANCIER)

    def sees_financier(self, financier_id: str) -> bool:
        return self.sees_all or self.principal.financier_id == financier_id

    def ensure_visible(self, what: str, identifier: str, financier_id: str) -> None:
        """A financier token learns nothing about other financiers' rows: 'not found', like a missing id."""
        if not self.sees_financier(financier_id):
            raise NotFound(what, identifier)


def get_for_update(session: Session, model: type[Row], identifier: Any, what: str) -> Row:
    primary_key = next(iter(model.__table__.primary_key.columns))  # type: ignore[attr-defined]
    row = session.exec(select(model).where(primary_key == identifier).with_for_update()).first()
    if row is None:
        raise NotFound(what, str(identifier))
    return row
