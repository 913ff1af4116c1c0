"""The context every use case runs in: one session (one transaction), who acts, when, where events go."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlmodel import Session

from shared.eventbus import outbox
from shared.eventbus.envelope import EventEnvelope
from shared.platform.auth import Principal
from shared.platform.business_date import business_date


@dataclass(frozen=True)
class CommandContext:
    session: Session
    principal: Principal
    topic: str
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @property
    def actor(self) -> str:
        return self.principal.subject

    @property
    def now(self) -> datetime:
        return self.clock()

    @property
    def today(self) -> date:
        """The business date (Brussels), not the UTC date."""
        return business_date(self.clock())

    def publish(self, envelope: EventEnvelope) -> None:
        """Stage an event in this transaction's outbox; it is sent only if the transaction commits."""
        outbox.append(self.session, self.topic, envelope)

    def publish_now(self, envelope: EventEnvelope) -> None:
        """Stage an event like `publish`, its outbox row inserted at once rather than at the next flush.

        Cheaper for a transaction's only event; a transaction publishing many keeps `publish`,
        whose rows the flush inserts in batches."""
        outbox.append_now(self.session, self.topic, envelope)
