"""What every Trividend command needs besides its session: the topic its events go to."""

from __future__ import annotations

from dataclasses import dataclass

from shared.contracts.topics import TRIVIDEND_EVENTS
from shared.eventbus.command import CommandContext


@dataclass(frozen=True)
class Command(CommandContext):
    topic: str = TRIVIDEND_EVENTS
