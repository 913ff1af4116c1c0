"""Events the register publishes, built from its rows; keyed by the enterprise number."""

from __future__ import annotations

from shared.contracts.state_aid import (
    STATE_AID_SOURCE,
    Instrument,
    LinkRecordedV1,
    MeasureRecordedV1,
    MeasureStatus,
    ReservationV1,
)
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.registry import envelope_for

from services.state_aid.models import StateAidLink, StateAidMeasure


def reservation_of(row: StateAidMeasure) -> ReservationV1:
    return ReservationV1(**_fields(row))


def _fields(row: StateAidMeasure) -> dict[str, object]:
    return {
        "id": row.id,
        "reference": row.reference,
        "enterprise_number": row.enterprise_number,
        "instrument": Instrument(row.instrument),
        "provider": row.provider,
        "source_reference": row.source_reference,
        "grant_date": row.grant_date,
        "gge": row.gge,
        "reference_rate": row.reference_rate,
        "discount_rate": row.discount_rate,
        "legal_basis": row.legal_basis,
        "status": MeasureStatus(row.status),
        "reserved_until": row.reserved_until,
        "recorded_by": row.recorded_by,
        "reason": row.reason,
    }


def measure_recorded(row: StateAidMeasure) -> EventEnvelope:
    return envelope_for(MeasureRecordedV1(**_fields(row)), source=STATE_AID_SOURCE, subject=row.enterprise_number)


def link_recorded(row: StateAidLink) -> EventEnvelope:
    assert row.id is not None
    payload = LinkRecordedV1(
        link_id=row.id,
        enterprise_number=row.enterprise_number,
        linked_enterprise_number=row.linked_enterprise_number,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        reason=row.reason,
    )
    return envelope_for(payload, source=STATE_AID_SOURCE, subject=row.enterprise_number)
