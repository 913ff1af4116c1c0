"""The state-aid register as the energy programme uses it: reservations dated today, outcomes in its outbox."""

from __future__ import annotations

from shared.contracts.state_aid import Instrument
from shared.servicing.aid_register import RemoteAidRegister
from shared.servicing.sql import carry_legacy_aid

from services.energy import events
from services.energy.models import EnergyAidMeasure, EnergyApplication
from services.energy.service.context import Command

GRANT = "grant"
GONE = ("cancelled", "rejected")


def aid_register(command: Command) -> RemoteAidRegister:
    return RemoteAidRegister.of(command, Instrument.ENERGY, events.aid_outcome)


def carry_former_register(command: Command) -> int:
    """Publish the programme's own aid measures from before the state-aid register, once."""
    return carry_legacy_aid(
        command.session,
        EnergyAidMeasure,
        Instrument.ENERGY,
        EnergyApplication,
        GONE,
        lambda application_id, carried: command.publish(events.aid_carried(application_id, carried)),
    )
