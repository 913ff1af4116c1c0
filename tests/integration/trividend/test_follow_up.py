"""Follow-up through the API on PostgreSQL: board seats, support sessions, KPI reports, and the alerts they raise."""

from __future__ import annotations

import pytest

from shared.contracts.topics import TRIVIDEND_EVENTS

from tests.integration.live import published
from tests.integration.trividend.conftest import Trividend

pytestmark = pytest.mark.integration


def test_reports_are_followed_up_and_overdue_or_negative_equity_raise_alerts(trividend: Trividend) -> None:
    trividend.on("2026-01-05")
    investee = trividend.investee(7)
    url = f"/investees/{investee['id']}"
    trividend.on("2026-01-10")
    trividend.participation(investee["id"])

    trividend.ok(
        "POST",
        f"{url}/board-seats",
        trividend.manager,
        {"person": "Ines Peeters", "role": "director", "from_date": "2026-02-01"},
        201,
    )
    trividend.on("2026-03-12")
    trividend.ok(
        "POST",
        f"{url}/support-sessions",
        trividend.manager,
        {"on": "2026-03-12", "kind": "coaching", "hours": "3.50", "topic": "pricing"},
        201,
    )
    future = trividend.client.post(
        f"{url}/support-sessions",
        headers=trividend.manager,
        json={"on": "2026-03-13", "kind": "coaching", "hours": "1.00", "topic": "later"},
    )
    assert future.status_code == 422
    assert "on" in future.json()["detail"]
    trividend.on("2026-04-02")
    followed = trividend.ok(
        "POST",
        f"{url}/support-sessions",
        trividend.manager,
        {"on": "2026-04-02", "kind": "management_support", "hours": "2.00", "topic": "cash-flow plan"},
        201,
    )
    assert (followed["support_hours"], len(followed["board_seats"])) == ("5.50", 1)

    assert trividend.items("/alerts?on=2026-08-29", trividend.auditor) == []
    [overdue] = trividend.items("/alerts?on=2026-08-30", trividend.auditor)
    assert (overdue["kind"], overdue["investee_id"], overdue["since"]) == (
        "kpi_report_overdue",
        investee["id"],
        "2026-06-30",
    )

    trividend.on("2026-09-05")
    kpis = {
        "period_end": "2026-06-30",
        "target_group_vte": "21.50",
        "turnover": "640000.00",
        "result": "-90000.00",
        "equity": "-5000.00",
    }
    trividend.ok("POST", f"{url}/kpi-reports", trividend.backoffice, kpis, 201)
    again = trividend.client.post(f"{url}/kpi-reports", headers=trividend.backoffice, json=kpis)
    assert again.status_code == 409
    odd = trividend.client.post(
        f"{url}/kpi-reports", headers=trividend.backoffice, json={**kpis, "period_end": "2026-06-29"}
    )
    assert odd.status_code == 422
    assert "period_end" in odd.json()["detail"]
    early = trividend.client.post(
        f"{url}/kpi-reports", headers=trividend.backoffice, json={**kpis, "period_end": "2026-12-31"}
    )
    assert early.status_code == 422
    assert "period_end" in early.json()["detail"]
    [negative] = trividend.items("/alerts?on=2026-09-05", trividend.auditor)
    assert (negative["kind"], negative["detail"]) == ("negative_equity", "equity is -5000.00 at 2026-06-30")
    assert [alert["since"] for alert in trividend.items("/alerts?on=2027-03-02", trividend.auditor)] == [
        "2026-12-31",
        "2026-06-30",
    ]

    events = published(
        trividend.engine, trividend.settings.kafka_bootstrap_servers, trividend.settings.topic(TRIVIDEND_EVENTS)
    )
    [reported] = [envelope.data for envelope in events if envelope.type == "trividend.investee.kpi_reported.v1"]
    assert (reported["equity"], reported["target_group_vte"]) == ("-5000.00", "21.50")
