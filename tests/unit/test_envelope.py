from datetime import date

import pytest
from pydantic import ValidationError

from shared.contracts.sifo import FinancierRecognisedV1
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.registry import envelope_for, parse_payload, registered, topic_of


def _payload() -> FinancierRecognisedV1:
    return FinancierRecognisedV1(
        financier_id="f-1",
        enterprise_number="0403170701",
        name="Hefboom",
        iban="BE68539007547034",
        recognised_from=date(2026, 1, 1),
    )


def test_envelope_round_trips_through_bytes_with_cloudevents_attributes() -> None:
    envelope = envelope_for(_payload(), source="/services/sifo", subject="f-1")
    again = EventEnvelope.from_bytes(envelope.to_bytes())
    assert again == envelope
    assert again.specversion == "1.0"
    assert again.type == "sifo.financier.recognised.v1"
    assert again.datacontenttype == "application/json"
    assert again.data["recognised_from"] == "2026-01-01"
    assert parse_payload(again, FinancierRecognisedV1) == _payload()


def test_event_types_must_be_versioned() -> None:
    with pytest.raises(ValidationError, match="type"):
        EventEnvelope(source="/s", subject="x", type="sifo.financier.recognised", data={})


def test_registry_knows_the_topic_of_every_type() -> None:
    assert "sifo.financier.recognised.v1" in registered()
    assert topic_of("sifo.financier.recognised.v1") == "sifo.events"


def test_parse_payload_refuses_another_type() -> None:
    envelope = EventEnvelope(source="/s", subject="x", type="sifo.other.v1", data={})
    with pytest.raises(ValueError, match=r"expected sifo\.financier\.recognised\.v1"):
        parse_payload(envelope, FinancierRecognisedV1)
