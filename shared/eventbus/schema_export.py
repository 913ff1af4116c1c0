"""Export every registered event payload as JSON Schema, plus one AsyncAPI 3.0 document.

``python -m shared.eventbus.schema_export --out docs/events shared.contracts.sifo ...``
imports the given contract modules (which register their payloads) and writes
``<type>.schema.json`` per event type and ``asyncapi.json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
from pathlib import Path
from typing import Any

from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.registry import registered, topic_of


def json_schemas() -> dict[str, dict[str, Any]]:
    return {name: model.model_json_schema(mode="serialization") for name, model in registered().items()}


def asyncapi_document(title: str = "Social economy funds events") -> dict[str, Any]:
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for name, model in registered().items():
        topic = topic_of(name)
        message_id = name.replace(".", "_")
        envelope = EventEnvelope.model_json_schema()
        envelope["properties"]["data"] = model.model_json_schema(mode="serialization")
        messages[message_id] = {
            "name": name,
            "title": model.__name__,
            "summary": (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else name,
            "contentType": "application/cloudevents+json",
            "payload": envelope,
            "bindings": {"kafka": {"key": {"type": "string", "description": "aggregate id (envelope subject)"}}},
        }
        channel_id = topic.replace(".", "_")
        channel = channels.setdefault(channel_id, {"address": topic, "messages": {}})
        channel["messages"][message_id] = {"$ref": f"#/components/messages/{message_id}"}
        operations[f"publish_{message_id}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{message_id}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": title, "version": "1.0.0"},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("modules", nargs="+", help="contract modules to import, e.g. shared.contracts.sifo")
    args = parser.parse_args(argv)
    for module in args.modules:
        importlib.import_module(module)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, schema in json_schemas().items():
        (args.out / f"{name}.schema.json").write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    (args.out / "asyncapi.json").write_text(json.dumps(asyncapi_document(), indent=2, sort_keys=True) + "\n")
    print(f"wrote {len(registered())} event schemas and asyncapi.json to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
