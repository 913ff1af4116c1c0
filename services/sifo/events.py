"""What SIFO publishes: contract payloads built from its rows (contracts live in shared.contracts)."""

from __future__ import annotations

from shared.contracts.sifo import SIFO_SOURCE, FinancierRecognisedV1
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.registry import envelope_for

from services.sifo.models import SifoFinancier


def financier_recognised(financier: SifoFinancier) -> EventEnvelope:
    payload = FinancierRecognisedV1(
        financier_id=financier.id,
        enterprise_number=financier.enterprise_number,
        name=financier.name,
        iban=financier.iban,
        recognised_from=financier.recognised_from,
        recognised_until=financier.recognised_until,
    )
    return envelope_for(payload, source=SIFO_SOURCE, subject=financier.id)
