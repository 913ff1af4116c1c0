"""Events the portfolio publishes on ``portfolio.events``."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.topics import PORTFOLIO_EVENTS
from shared.eventbus.registry import event_type

PORTFOLIO_SOURCE = "/services/portfolio"


class Contract(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ExportedFileV1(Contract):
    name: str = Field(examples=["loans.csv"])
    media_type: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    rows: int | None = Field(default=None, description="data rows (tables), none for a chart or the workbook")
    bytes: int


@event_type("portfolio.export.ready.v1", topic=PORTFOLIO_EVENTS)
class ExportReadyV1(Contract):
    """A quarterly export is ready to download (keyed by the quarter).

    `cut_off` is the quarter's knowledge cut-off: for each ``topic:partition`` the portfolio reads,
    the first offset its exports of the quarter do not count. Every export of the quarter, and one
    made after a replay of the topics, counts the same events and gives the same files.
    """

    export_id: str
    quarter: str = Field(pattern=r"^[0-9]{4}Q[1-4]$", examples=["2026Q3"])
    as_of: date
    cut_off: dict[str, int] = Field(examples=[{"sifo.events:0": 1843, "energy.events:0": 977}])
    cut_off_fixed_at: datetime = Field(description="when the first export of the quarter fixed the cut-off")
    requested_by: str
    files: list[ExportedFileV1]
