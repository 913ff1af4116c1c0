"""The demo portfolio loads through the public APIs, and loading it again changes nothing."""

from __future__ import annotations

from datetime import date
from functools import partial

import pytest

from deploy import demo
from deploy.stack import demo_wanted

from tests.in_process_platform import platform_over
from tests.integration.energy.conftest import Energy as EnergyService
from tests.integration.sifo.conftest import Sifo as SifoService
from tests.integration.trividend.conftest import Trividend as TrividendService

pytestmark = pytest.mark.integration

SMALL = demo.DemoSize(financiers=2, sifo_loans=10, applicants=3, energy_loans=6, participations=5)


def test_the_demo_loads_through_the_apis_and_a_second_load_adds_nothing(
    sifo: SifoService, energy: EnergyService, trividend: TrividendService
) -> None:
    today = date(2026, 3, 2)
    sifo.on(today.isoformat())
    services = {"sifo": sifo.client, "energy": energy.client, "trividend": trividend.client}
    who = demo.people(sifo.settings, partial(platform_over, services))
    assert demo.is_empty(who)
    report = demo.load(who, today, SMALL, progress=lambda _line: None)

    assert report.counts["financiers"] == 2
    assert report.counts["drawing rights"] == 6
    assert report.counts["SIFO loans submitted"] == 10
    assert report.counts["SIFO loans approved"] == 9
    assert report.counts["SIFO payouts approved"] == 7
    assert report.counts["energy applications"] == 6
    assert report.counts["energy applications approved"] == 5
    assert report.counts["Trividend participations"] == 4
    assert not demo.is_empty(who)

    loans = list(who.manager.sifo.list_loans())
    assert len(loans) == 10
    assert {loan["status"] for loan in loans} == {"submitted", "approved", "disbursed"}
    assert len(list(who.approver.sifo.decision_inbox(awaiting_me=True))) == 1
    assert len(list(who.manager.energy.list_applications(status="approved"))) == 5
    assert len(list(who.manager.trividend.list_proposals(status="approved"))) == 4

    again = demo.load(who, today, SMALL, progress=lambda _line: None)
    assert again.counts == report.counts, "every write is answered again under its key"
    assert len(list(who.manager.sifo.list_loans())) == 10
    assert len(list(who.manager.trividend.list_proposals())) == 5


def test_the_demo_goes_only_into_the_local_default_databases() -> None:
    assert demo_wanted({})
    assert not demo_wanted({"DEMO": "0"})
    assert not demo_wanted({"DATABASE_URL": "postgresql://db.example/funds"})
