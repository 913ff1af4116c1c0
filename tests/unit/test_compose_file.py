"""The compose file parses and runs what `make run` runs: every service's processes, their databases, schedulers."""

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

from deploy.stack import SERVICES

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_every_process_of_the_local_stack_is_in_the_compose_file_with_its_migration_first() -> None:
    services = _compose()["services"]
    for service in SERVICES:
        name = service.name.replace("_", "-")
        assert services[f"{name}-migrate"]["command"] == ["python", "-m", f"services.{service.name}", "migrate"]
        for command in service.commands:
            process = services[f"{name}-{'consumer' if command == 'consume' else command}"]
            assert process["command"] == ["python", "-m", f"services.{service.name}", command]
            assert process["depends_on"][f"{name}-migrate"] == {"condition": "service_completed_successfully"}
            environment = process["environment"]
            assert environment[f"{service.name.upper()}_DATABASE_URL"].endswith(f"/{service.name}")
    lenders = {service.name for service in SERVICES if "scheduler" in service.commands}
    assert lenders == {"sifo", "energy", "trividend"}


def test_dependencies_name_services_that_exist_and_every_database_is_created() -> None:
    services = _compose()["services"]
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"
    created = (ROOT / "deploy/postgres/create-service-databases.sql").read_text()
    for service in SERVICES:
        assert f"CREATE DATABASE {service.name};" in created


def _compose_spec_errors(document: Any) -> list[str]:
    schema = json.loads((ROOT / "deploy/schemas/compose-spec.json").read_text())
    validator = jsonschema_rs.validator_for(schema)
    return [f"{'/'.join(map(str, error.instance_path))}: {error.message}" for error in validator.iter_errors(document)]


def test_the_compose_file_follows_the_compose_specification() -> None:
    assert _compose_spec_errors(_compose()) == []


def test_a_block_pasted_into_depends_on_breaks_the_specification() -> None:
    broken = _compose()
    first = next(iter(broken["services"].values()))
    first["depends_on"] = {"energy-migrate": {"image": "python:3.11", "command": ["python", "-m", "x"]}}
    assert _compose_spec_errors(broken)
