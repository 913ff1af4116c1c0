"""A typed Python client for the five services (httpx): safe retries, pages, readable errors.

from sefund.client import connect
platform = connect(token, {"sifo": "http://127.0.0.1:8101", "portfolio": "http://127.0.0.1:8104"})
for loan in platform.sifo.list_loans(status="disbursed"):
    ...
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from sefund.client.http import ApiError, JsonObject, RetryPolicy, ServiceClient
from sefund.client.services import EXPORT_IN_PROGRESS, Energy, Portfolio, Sifo, StateAid, Trividend

LOCAL_URLS = {
    "sifo": "http://127.0.0.1:8101",
    "energy": "http://127.0.0.1:8102",
    "trividend": "http://127.0.0.1:8103",
    "portfolio": "http://127.0.0.1:8104",
    "state_aid": "http://127.0.0.1:8105",
}

__all__ = [
    "EXPORT_IN_PROGRESS",
    "LOCAL_URLS",
    "ApiError",
    "Energy",
    "JsonObject",
    "Platform",
    "Portfolio",
    "RetryPolicy",
    "ServiceClient",
    "Sifo",
    "StateAid",
    "Trividend",
    "connect",
]


@dataclass
class Platform:
    sifo: Sifo
    energy: Energy
    trividend: Trividend
    state_aid: StateAid
    portfolio: Portfolio


def connect(token: str, urls: Mapping[str, str] | None = None, *, timeout: float = 30.0) -> Platform:
    """Clients of every service, at `make run`'s addresses unless `urls` names a service's."""
    unknown = set(urls or {}) - set(LOCAL_URLS)
    if unknown:
        raise ValueError(f"unknown services: {', '.join(sorted(unknown))}")
    http = httpx.Client(timeout=timeout)
    where = {**LOCAL_URLS, **(urls or {})}

    def client(name: str) -> ServiceClient:
        return ServiceClient(where[name], token, http)

    return Platform(
        sifo=Sifo(client("sifo")),
        energy=Energy(client("energy")),
        trividend=Trividend(client("trividend")),
        state_aid=StateAid(client("state_aid")),
        portfolio=Portfolio(client("portfolio")),
    )
