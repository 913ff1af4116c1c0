"""The event schemas under docs/events are what the contracts generate (`make schemas` refreshes them)."""

import json
from pathlib import Path

import shared.contracts.energy
import shared.contracts.sifo
import shared.contracts.state_aid
from shared.eventbus.schema_export import asyncapi_document, json_schemas

# importing them registers their payloads
CONTRACTS = (shared.contracts.energy, shared.contracts.sifo, shared.contracts.state_aid)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "events"


def test_committed_event_schemas_are_current() -> None:
    for name, schema in json_schemas().items():
        committed = json.loads((DOCS / f"{name}.schema.json").read_text())
        assert committed == schema, f"docs/events/{name}.schema.json is stale: run make schemas"
    assert json.loads((DOCS / "asyncapi.json").read_text()) == asyncapi_document()
