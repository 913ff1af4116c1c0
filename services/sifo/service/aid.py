"""The state-aid register as SIFO uses it: reservations dated today, outcomes in SIFO's outbox."""

from __future__ import annotations

from shared.contracts.state_aid import Instrument
from shared.servicing.aid_register import RemoteAidRegister

from services.sifo import events
from services.sifo.service.context import Command

GRANT = "grant"


def aid_register(command: Command) -> RemoteAidRegister:
    return RemoteAidRegister.of(command, Instrument.SIFO, events.aid_outcome)
