"""Consumer handlers: the lenders' aid outcomes confirm, lower or release reservations; carried measures land.

They run inside the consumer's transaction next to the inbox row that makes them idempotent; the
measure's new state is published through the register's outbox in that same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlmodel import Session

from shared.contracts.energy import EnergyAidCarriedV1, EnergyAidOutcomeV1
from shared.contracts.sifo import SifoAidCarriedV1, SifoAidOutcomeV1
from shared.contracts.state_aid import AidCarried, AidOutcome, Instrument
from shared.contracts.trividend import TrividendAidOutcomeV1
from shared.eventbus.consumer import Handler
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.registry import parse_payload, type_of
from shared.platform.auth import Principal, Role

from services.state_aid.service import measures
from services.state_aid.service.context import Command

OUTCOME_CONTRACTS: tuple[type[AidOutcome], ...] = (SifoAidOutcomeV1, EnergyAidOutcomeV1, TrividendAidOutcomeV1)
CARRIED_CONTRACTS: tuple[tuple[type[AidCarried], Instrument], ...] = (
    (SifoAidCarriedV1, Instrument.SIFO),
    (EnergyAidCarriedV1, Instrument.ENERGY),
)
CONSUMER_PRINCIPAL = Principal(subject="consumer:state_aid", roles=frozenset({Role.JOB}))


def _command(session: Session, topic: Callable[[], str]) -> Command:
    return Command(session=session, principal=CONSUMER_PRINCIPAL, topic=topic(), clock=lambda: datetime.now(UTC))


def _outcome_handler(contract: type[AidOutcome], topic: Callable[[], str]) -> Handler:
    def handle(session: Session, envelope: EventEnvelope) -> None:
        measures.apply_outcome(_command(session, topic), parse_payload(envelope, contract))

    return handle


def _carried_handler(contract: type[AidCarried], instrument: Instrument, topic: Callable[[], str]) -> Handler:
    def handle(session: Session, envelope: EventEnvelope) -> None:
        measures.record_carried(_command(session, topic), instrument, parse_payload(envelope, contract))

    return handle


def outcome_handlers(topic: Callable[[], str]) -> dict[str, Handler]:
    """Handlers per lender event type; `topic` gives the register's physical topic when one runs."""
    handlers = {type_of(contract): _outcome_handler(contract, topic) for contract in OUTCOME_CONTRACTS}
    for contract, instrument in CARRIED_CONTRACTS:
        handlers[type_of(contract)] = _carried_handler(contract, instrument, topic)
    return handlers
