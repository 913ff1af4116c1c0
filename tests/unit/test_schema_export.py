import json
from pathlib import Path

from shared.eventbus.schema_export import main


def test_export_writes_a_schema_per_event_and_an_asyncapi_document(tmp_path: Path) -> None:
    assert main(["--out", str(tmp_path), "shared.contracts.sifo"]) == 0
    schema = json.loads((tmp_path / "sifo.financier.recognised.v1.schema.json").read_text())
    assert "enterprise_number" in schema["properties"]
    asyncapi = json.loads((tmp_path / "asyncapi.json").read_text())
    assert asyncapi["asyncapi"] == "3.0.0"
    assert asyncapi["channels"]["sifo_events"]["address"] == "sifo.events"
