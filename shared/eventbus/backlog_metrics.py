"""What the event bus holds back, as Prometheus gauges read from the service database on each scrape."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import Engine, text


def outbox_and_dead_letters(engine: Engine) -> Iterator[Metric]:
    """Backlog, age of the oldest pending row, set-aside rows, and parked dead letters."""
    with engine.connect() as connection:
        pending, oldest, set_aside = connection.execute(
            text(
                "SELECT count(*) FILTER (WHERE failed_at IS NULL), min(created_at) FILTER (WHERE failed_at IS NULL), "
                "count(*) FILTER (WHERE failed_at IS NOT NULL) FROM eventbus_outbox WHERE published_at IS NULL"
            )
        ).one()
        parked = connection.execute(
            text("SELECT count(*) FROM eventbus_dead_letter WHERE replayed_at IS NULL")
        ).scalar_one()
    yield GaugeMetricFamily("outbox_pending", "Outbox rows not yet published", value=int(pending))
    age = 0.0
    if oldest is not None:
        oldest_at = oldest if isinstance(oldest, datetime) else datetime.fromisoformat(str(oldest))
        if oldest_at.tzinfo is None:
            oldest_at = oldest_at.replace(tzinfo=UTC)
        age = max((datetime.now(UTC) - oldest_at).total_seconds(), 0.0)
    yield GaugeMetricFamily("outbox_oldest_pending_age_seconds", "Age of the oldest unpublished outbox row", value=age)
    yield GaugeMetricFamily("outbox_set_aside", "Outbox rows set aside after repeated failures", value=int(set_aside))
    yield GaugeMetricFamily("dead_letters_parked", "Consumed events parked for a person", value=int(parked))
