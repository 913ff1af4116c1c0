"""The event envelope: CloudEvents 1.0 attributes plus the JSON payload, structured mode.

`type` is versioned (``sifo.financier.recognised.v1``); `subject` is the aggregate id and is
also the Kafka message key, so one aggregate's events stay in order on one partition.
`traceparent` is the CloudEvents distributed-tracing extension: the W3C trace context of the
request (or event) that caused this event, so a consumer continues the same trace.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.platform.request_context import current_traceparent


class EventEnvelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    source: str = Field(min_length=1, examples=["/services/sifo"])
    type: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+\.v[0-9]+$", examples=["sifo.financier.recognised.v1"])
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str = Field(min_length=1, description="aggregate id; also the Kafka key")
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]
    traceparent: str | None = Field(
        default=None,
        pattern=r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
        description="W3C trace context of the cause; absent for events from before it was carried",
    )

    @classmethod
    def wrap(cls, *, source: str, subject: str, payload: BaseModel, event_type: str) -> EventEnvelope:
        """Build an envelope from a payload model, serialising money and dates as JSON strings."""
        return cls(
            source=source,
            subject=subject,
            type=event_type,
            data=payload.model_dump(mode="json"),
            traceparent=current_traceparent(),
        )

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> EventEnvelope:
        return cls.model_validate_json(raw)
