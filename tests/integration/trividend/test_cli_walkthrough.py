"""The Trividend walk-through of docs/walkthroughs.md through the `sefund` command line, on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sefund.cli import app as cli

from tests.command_line import command_line, run, token_of
from tests.integration.trividend.conftest import Trividend

pytestmark = pytest.mark.integration


def test_an_investee_is_registered_and_the_committee_approves_a_participation_through_the_cli(
    trividend: Trividend, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sefund: CliRunner = command_line(monkeypatch, {"trividend": trividend.client})
    investee_file = tmp_path / "investee.json"
    investee_file.write_text(
        json.dumps(
            {
                "enterprise_number": "0403.170.701",
                "name": "De Ateliers cv",
                "legal_form": "cooperative",
                "sector": "circular economy",
            }
        )
    )
    investee = run(sefund, trividend.manager, "investees", "register", str(investee_file), "--key", "inv-1")
    proposal_file = tmp_path / "proposal.json"
    proposal_file.write_text(
        json.dumps(
            {"investee_id": investee["id"], "instrument": "equity", "amount": "150000.00", "rationale": "growth plan"}
        )
    )
    proposal = run(sefund, trividend.manager, "participations", "propose", str(proposal_file))
    assert proposal["status"] == "proposed"
    refused = sefund.invoke(
        cli.app, ["--token", token_of(trividend.manager), "participations", "approve", proposal["id"]]
    )
    assert refused.exit_code == 1, "a fund manager is not the committee"
    approved = run(
        sefund, trividend.committee, "participations", "approve", proposal["id"], "--reason", "committee 12/3"
    )
    assert approved["status"] == "approved"
    [listed] = run(sefund, trividend.auditor, "participations", "proposals", "--status", "approved")
    assert listed["id"] == proposal["id"]
    participation = run(sefund, trividend.auditor, "participations", "show", proposal["id"])
    assert (participation["committed"], participation["status"]) == ("150000.00", "open")
