"""SIFO's /metrics: requests per route template, the outbox backlog and job runs, read from PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from prometheus_client.parser import text_string_to_metric_families

from services.sifo.jobs import JOBS
from tests.integration.sifo.conftest import Sifo

pytestmark = pytest.mark.integration


def samples(sifo: Sifo) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = sifo.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_count_requests_by_route_template_and_read_the_backlog(sifo: Sifo) -> None:
    financier = sifo.financier()
    sifo.ok("GET", f"/financiers/{financier['id']}", sifo.manager)
    sifo.ok("GET", f"/financiers/{financier['id']}", sifo.manager)
    assert sifo.client.get("/financiers/00000000-0000-0000-0000-000000000000", headers=sifo.manager).status_code == 404
    JOBS["due-run"](sifo.settings, date(2026, 3, 2))
    seen = samples(sifo)
    route = "/financiers/{financier_id}"
    assert seen[("http_requests_total", (("method", "GET"), ("route", route), ("status", "200")))] == 2
    assert seen[("http_requests_total", (("method", "GET"), ("route", route), ("status", "404")))] == 1
    assert seen[("http_requests_total", (("method", "POST"), ("route", "/financiers"), ("status", "201")))] == 1
    assert seen[("http_request_duration_seconds_count", (("method", "GET"), ("route", route)))] == 3
    assert seen[("outbox_pending", ())] >= 1
    assert seen[("outbox_oldest_pending_age_seconds", ())] >= 0
    assert seen[("outbox_set_aside", ())] == 0
    assert seen[("dead_letters_parked", ())] == 0
    assert seen[("job_runs", (("job", "due-run"), ("status", "completed")))] == 1
    assert seen[("metrics_probe_failures", ())] == 0
    assert not any("00000000" in str(labels) for _, labels in seen)
