"""Events the SIFO service publishes on ``sifo.events``."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.topics import SIFO_EVENTS
from shared.eventbus.registry import event_type

SIFO_SOURCE = "/services/sifo"


@event_type("sifo.financier.recognised.v1", topic=SIFO_EVENTS)
class FinancierRecognisedV1(BaseModel):
    """A recognised financier (erkende financier) was registered; it may receive drawing rights."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    financier_id: str = Field(description="UUID of the financier in the SIFO service")
    enterprise_number: str = Field(pattern=r"^[01][0-9]{9}$", examples=["0403170701"])
    name: str = Field(min_length=1, max_length=200, examples=["Hefboom cvba"])
    iban: str = Field(examples=["BE68539007547034"])
    recognised_from: date
    recognised_until: date | None = None
