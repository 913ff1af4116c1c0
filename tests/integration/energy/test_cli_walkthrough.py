"""The energy walk-through of docs/walkthroughs.md through the `sefund` command line, on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.command_line import command_line, run
from tests.integration.energy.conftest import Energy

pytestmark = pytest.mark.integration


def test_the_programme_opens_a_year_and_a_call_and_an_application_is_approved_through_the_cli(
    energy: Energy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sefund: CliRunner = command_line(monkeypatch, {"energy": energy.client})
    energy.on("2026-01-15")
    year = run(sefund, energy.manager, "energy", "open-year", "2026", "--key", "year-2026")
    assert (year["year"], year["envelope"]) == (2026, "5000000.00")
    call_file = tmp_path / "call.json"
    call_file.write_text(json.dumps({"title": "Oproep 2026", "opens_on": "2026-01-15", "closes_on": "2026-10-31"}))
    call = run(sefund, energy.manager, "energy", "open-call", "2026", str(call_file))
    applicant_file = tmp_path / "applicant.json"
    applicant_file.write_text(
        json.dumps(
            {
                "enterprise_number": "0200.065.765",
                "name": "Maatwerkbedrijf Oost vzw",
                "workshop_type": "sheltered",
                "recognition_number": "BW-123",
                "sites": [{"name": "Gent", "address": "Dok Noord 1, 9000 Gent", "yearly_energy_need_kwh": "250000"}],
            }
        )
    )
    applicant = run(sefund, energy.manager, "energy", "register-applicant", str(applicant_file))

    energy.on("2026-03-02")
    application_file = tmp_path / "application.json"
    application_file.write_text(json.dumps(energy.application_body(call, applicant)))
    application = run(sefund, energy.manager, "applications", "submit", str(application_file), "--key", "app-1")
    assert application["status"] == "submitted"
    approved = run(sefund, energy.approver, "applications", "approve", application["id"])
    assert (approved["status"], approved["committed_amount"]) == ("approved", "100000.00")
    [listed] = run(sefund, energy.manager, "applications", "list", "--enterprise-number", "0200065765")
    assert listed["id"] == application["id"]
    assert run(sefund, energy.manager, "applications", "list", "--status", "submitted") == []
