"""Versioned event types and their payload models, in one table.

Contracts register their payloads with `@event_type("sifo.financier.recognised.v1", topic=...)`; producers
and consumers look payload models up here, and the schema export walks it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from pydantic import BaseModel

from shared.eventbus.envelope import EventEnvelope

Payload = TypeVar("Payload", bound=BaseModel)

_PAYLOADS: dict[str, type[BaseModel]] = {}
_TYPES: dict[type[BaseModel], str] = {}
_TOPICS: dict[str, str] = {}


def event_type(name: str, *, topic: str) -> Callable[[type[Payload]], type[Payload]]:
    """Register a payload model as the data of event type `name`, published on logical `topic`."""

    def register(model: type[Payload]) -> type[Payload]:
        existing = _PAYLOADS.get(name)
        if existing is not None and existing is not model:
            raise ValueError(f"event type {name} is already registered to {existing.__qualname__}")
        _PAYLOADS[name] = model
        _TYPES[model] = name
        _TOPICS[name] = topic
        return model

    return register


def type_of(model: type[BaseModel]) -> str:
    try:
        return _TYPES[model]
    except KeyError:
        raise KeyError(f"{model.__qualname__} is not a registered event payload") from None


def registered() -> dict[str, type[BaseModel]]:
    return dict(sorted(_PAYLOADS.items()))


def topic_of(name: str) -> str:
    return _TOPICS[name]


def types_on(topics: Iterable[str]) -> frozenset[str]:
    """Every event type registered on one of the logical `topics`."""
    wanted = set(topics)
    return frozenset(name for name, topic in _TOPICS.items() if topic in wanted)


def envelope_for(payload: BaseModel, *, source: str, subject: str) -> EventEnvelope:
    return EventEnvelope.wrap(source=source, subject=subject, payload=payload, event_type=type_of(type(payload)))


def parse_payload(envelope: EventEnvelope, model: type[Payload]) -> Payload:
    """Validate an envelope's data against the model registered for its type."""
    expected = type_of(model)
    if envelope.type != expected:
        raise ValueError(f"type: expected {expected}, got {envelope.type}")
    return model.model_validate(envelope.data)
