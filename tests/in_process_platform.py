"""The client in tests: each service's calls answered by an in-process service (a TestClient)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from sefund.client import Energy, Platform, Portfolio, ServiceClient, Sifo, StateAid, Trividend

UNREACHABLE = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(599)))


def platform_over(services: Mapping[str, httpx.Client], token: str) -> Platform:
    """The client of every service, each service's calls sent to `services[name]` (an in-process client)."""

    def over(name: str) -> ServiceClient:
        return ServiceClient("http://testserver", token, services.get(name, UNREACHABLE))

    return Platform(
        sifo=Sifo(over("sifo")),
        energy=Energy(over("energy")),
        trividend=Trividend(over("trividend")),
        state_aid=StateAid(over("state_aid")),
        portfolio=Portfolio(over("portfolio")),
    )
