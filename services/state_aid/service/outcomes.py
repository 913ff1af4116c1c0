"""Consumer handlers: the lenders' aid outcomes confirm, lower or release reservations.

They run inside the consumer's transaction next to the inbox row that makes them idempotent; the
measure's new state is published through the register's outbox in that same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlmodel import Session

from shared.contracts.energy import EnergyAidOutcomeV1
from shared.contracts.sifo import SifoAidOutcomeV1
from shared.contracts.state_aid import AidOutcome
from shared.eventbus.consumer import Handler
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.registry import parse_payload, type_of
from shared.platform.auth import Principal, Role

from services.state_aid.service import measures
from services.state_aid.service.context import Command

OUTCOME_CONTRACTS: tuple[type[AidOutcome], ...] = (SifoAidOutcomeV1, EnergyAidOutcomeV1)
CONSUMER_PRINCIPAL = Principal(subject="consumer:state_aid", roles=frozenset({Role.JOB}))


def _handler(contract: type[AidOutcome], topic: Callable[[], str]) -> Handler:
    def handle(session: Session, envelope: EventEnvelope) -> None:
        outcome = parse_payload(envelope, contract)
        command = Command(session=session, principal=CONSUMER_PRINCIPAL, topic=topic(), clock=lambda: datetime.now(UTC))
        measures.apply_outcome(command, outcome)

    return handle


def outcome_handlers(topic: Callable[[], str]) -> dict[str, Handler]:
    """Handlers per lender outcome type; `topic` gives the register's physical topic when one runs."""
    return {type_of(contract): _handler(contract, topic) for contract in OUTCOME_CONTRACTS}
