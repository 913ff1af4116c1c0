"""The state-aid register as SIFO uses it: reservations dated today, outcomes in SIFO's outbox."""

from __future__ import annotations

from shared.contracts.state_aid import Instrument
from shared.servicing.aid_register import RemoteAidRegister
from shared.servicing.sql import carry_legacy_aid

from services.sifo import events
from services.sifo.domain.loans import LoanStatus
from services.sifo.models import SifoAidMeasure, SifoLoan
from services.sifo.service.context import Command

GRANT = "grant"
GONE = (LoanStatus.CANCELLED.value, LoanStatus.REJECTED.value)


def aid_register(command: Command) -> RemoteAidRegister:
    return RemoteAidRegister.of(command, Instrument.SIFO, events.aid_outcome)


def carry_former_register(command: Command) -> int:
    """Publish SIFO's own aid measures from before the state-aid register, once (see `carry_legacy_aid`)."""
    return carry_legacy_aid(
        command.session,
        SifoAidMeasure,
        Instrument.SIFO,
        SifoLoan,
        GONE,
        lambda loan_id, carried: command.publish(events.aid_carried(loan_id, carried)),
    )
