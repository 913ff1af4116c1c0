"""What every SIFO command needs besides its session: the fund policy and the debited account."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.banking.credit_transfers import Debtor
from shared.contracts.topics import SIFO_EVENTS
from shared.eventbus.command import CommandContext
from shared.platform.auth import Role
from shared.platform.database import get_for_update
from shared.platform.rules import NotFound
from shared.servicing.aid_register import AidRegisterClient

from services.sifo.domain.loans import SifoPolicy

SEES_EVERY_FINANCIER = frozenset({Role.FUND_MANAGER, Role.APPROVER, Role.BACKOFFICE, Role.AUDITOR, Role.JOB})

__all__ = ["Command", "get_for_update"]


@dataclass(frozen=True)
class Command(CommandContext):
    topic: str = SIFO_EVENTS
    policy: SifoPolicy = field(default_factory=SifoPolicy)
    debtor: Debtor = field(default_factory=lambda: Debtor("Participatiemaatschappij Vlaanderen", "BE68539007547034"))
    aid_client: AidRegisterClient | None = None

    @property
    def sees_all(self) -> bool:
        return self.principal.has_any(SEES_EVERY_FINANCIER)

    def sees_financier(self, financier_id: str) -> bool:
        return self.sees_all or self.principal.financier_id == financier_id

    def ensure_visible(self, what: str, identifier: str, financier_id: str) -> None:
        """A financier token learns nothing about other financiers' rows: 'not found', like a missing id."""
        if not self.sees_financier(financier_id):
            raise NotFound(what, identifier)
