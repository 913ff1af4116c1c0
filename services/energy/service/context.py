"""What every energy command needs besides its session: the programme's published parameters."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.banking.credit_transfers import Debtor
from shared.contracts.topics import ENERGY_EVENTS
from shared.eventbus.command import CommandContext
from shared.platform.database import get_for_update
from shared.servicing.aid_register import AidRegisterClient

from services.energy.domain.assessment import EnergyProgramme

__all__ = ["Command", "get_for_update"]


@dataclass(frozen=True)
class Command(CommandContext):
    topic: str = ENERGY_EVENTS
    programme: EnergyProgramme = field(default_factory=EnergyProgramme)
    aid_client: AidRegisterClient | None = None
    debtor: Debtor = field(default_factory=lambda: Debtor("Participatiemaatschappij Vlaanderen", "BE68539007547034"))
