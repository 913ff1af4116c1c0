"""What every register command needs besides its session: how long a reservation lives, how far ahead grants go."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from shared.contracts.topics import STATE_AID_EVENTS
from shared.eventbus.command import CommandContext
from shared.platform.auth import Role

from services.state_aid.domain.measures import GrantDatePolicy

STAFF = frozenset({Role.BACKOFFICE})


@dataclass(frozen=True)
class RegisterPolicy:
    reservation_lifetime: timedelta = timedelta(hours=24)
    grant_dates: GrantDatePolicy = field(default_factory=GrantDatePolicy)


@dataclass(frozen=True)
class Command(CommandContext):
    topic: str = STATE_AID_EVENTS
    policy: RegisterPolicy = field(default_factory=RegisterPolicy)

    @property
    def is_staff(self) -> bool:
        return self.principal.has_any(STAFF)
