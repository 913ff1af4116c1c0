"""The state-aid register as the energy programme uses it: reservations dated today, outcomes in its outbox."""

from __future__ import annotations

from shared.contracts.state_aid import Instrument
from shared.servicing.aid_register import RemoteAidRegister

from services.energy import events
from services.energy.service.context import Command

GRANT = "grant"


def aid_register(command: Command) -> RemoteAidRegister:
    return RemoteAidRegister.of(command, Instrument.ENERGY, events.aid_outcome)
