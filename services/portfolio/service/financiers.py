"""The financier list: each recognised financier as last described by SIFO (the newest event wins)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from shared.contracts.sifo import FinancierRecognisedV1
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.registry import parse_payload

from services.portfolio.domain.financiers import FinancierEntry
from services.portfolio.models import PortfolioFinancier


def apply_financier_recognised(session: Session, envelope: EventEnvelope) -> None:
    payload = parse_payload(envelope, FinancierRecognisedV1)
    entry = FinancierEntry(
        financier_id=payload.financier_id,
        enterprise_number=payload.enterprise_number,
        name=payload.name,
        recognised_from=payload.recognised_from,
        recognised_until=payload.recognised_until,
    )
    row = session.get(PortfolioFinancier, entry.financier_id)
    if row is None:
        row = PortfolioFinancier(
            financier_id=entry.financier_id,
            source_event_time=envelope.time,
            source_event_id=envelope.id,
            enterprise_number=entry.enterprise_number,
            name=entry.name,
            recognised_from=entry.recognised_from,
        )
    elif row.source_event_time > envelope.time:
        return
    row.enterprise_number = entry.enterprise_number
    row.name = entry.name
    row.recognised_from = entry.recognised_from
    row.recognised_until = entry.recognised_until
    row.source_event_id = envelope.id
    row.source_event_time = envelope.time
    session.add(row)


def list_financiers(session: Session, limit: int, offset: int) -> list[PortfolioFinancier]:
    query = select(PortfolioFinancier).order_by(col(PortfolioFinancier.name), col(PortfolioFinancier.financier_id))
    return list(session.exec(query.offset(offset).limit(limit)).all())
