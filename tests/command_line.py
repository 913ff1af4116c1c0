"""The client and the `sefund` command line in tests: calls answered by in-process services, JSON output parsed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from sefund.cli import app as cli
from sefund.client import Energy, Platform, Portfolio, ServiceClient, Sifo, StateAid, Trividend

UNREACHABLE = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(599)))


def platform_over(services: Mapping[str, httpx.Client], token: str) -> Platform:
    """The client of every service, each service's calls sent to `services[name]` (a TestClient)."""

    def over(name: str) -> ServiceClient:
        return ServiceClient("http://testserver", token, services.get(name, UNREACHABLE))

    return Platform(
        sifo=Sifo(over("sifo")),
        energy=Energy(over("energy")),
        trividend=Trividend(over("trividend")),
        state_aid=StateAid(over("state_aid")),
        portfolio=Portfolio(over("portfolio")),
    )


def command_line(monkeypatch: pytest.MonkeyPatch, services: Mapping[str, httpx.Client]) -> CliRunner:
    """A runner whose calls go to the in-process `services`."""
    monkeypatch.setattr(cli, "platform_for", lambda token: platform_over(services, token))
    return CliRunner()


def token_of(headers: Mapping[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def run(runner: CliRunner, headers: Mapping[str, str], *args: str) -> Any:
    """One command with --json, as the person `headers` speaks for; its output parsed."""
    result = runner.invoke(cli.app, ["--token", token_of(headers), "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)
