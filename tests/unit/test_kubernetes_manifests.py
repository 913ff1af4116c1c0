"""The Kubernetes manifests are valid and run what `make run` runs, on the Kafka and PostgreSQL they describe.

Built-in kinds are checked with kubernetes-validate against the Kubernetes API schemas, strictly
(an unknown field is an error, as `kubectl apply --validate=strict` would say). The operators'
resources (Strimzi `Kafka`, `KafkaNodePool`, `KafkaTopic`; CloudNativePG `Cluster`, `Database`)
are checked against the schemas of the operators' own CRDs, kept in `deploy/kubernetes/schemas`,
made strict the same way.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import kubernetes_validate
import pytest
import yaml

from deploy.stack import SERVICES
from shared.contracts.topics import ALL_TOPICS

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "deploy/kubernetes"
KUBERNETES_VERSION = "1.32.0"


def _kustomization() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text())
    return loaded


def _resources() -> list[dict[str, Any]]:
    documents = []
    for name in _kustomization()["resources"]:
        documents += [document for document in yaml.safe_load_all((MANIFESTS / name).read_text()) if document]
    return documents


def _strict(schema: Any) -> Any:
    """A CRD schema that refuses unknown fields where the CRD lists the fields (Kubernetes would prune them)."""
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    strict = {key: _strict(value) for key, value in schema.items()}
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        strict["additionalProperties"] = False
    return strict


@cache
def _custom_validators() -> dict[tuple[str, str], Any]:
    validators = {}
    for path in (MANIFESTS / "schemas").glob("*.json"):
        crd = json.loads(path.read_text())
        kind = (f"{crd['group']}/{crd['version']}", crd["kind"])
        validators[kind] = jsonschema_rs.validator_for(_strict(crd["schema"]))
    return validators


def _errors(document: dict[str, Any]) -> list[str]:
    key = (document.get("apiVersion", ""), document.get("kind", ""))
    custom = _custom_validators().get(key)
    if custom is not None:
        return [f"{'/'.join(map(str, error.instance_path))}: {error.message}" for error in custom.iter_errors(document)]
    try:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        return [str(error).splitlines()[0]]
    return []


def _named(kind: str) -> dict[str, dict[str, Any]]:
    return {document["metadata"]["name"]: document for document in _resources() if document["kind"] == kind}


def test_every_manifest_is_valid_for_its_kind() -> None:
    documents = _resources()
    assert {document["kind"] for document in documents} >= {"Deployment", "StatefulSet", "CronJob", "Kafka", "Cluster"}
    problems = {
        f"{document['kind']}/{document['metadata']['name']}": errors
        for document in documents
        if (errors := _errors(document))
    }
    assert problems == {}


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("Deployment", "replica", 2),
        ("KafkaTopic", "partition", 6),
        ("Cluster", "instance", 3),
    ],
)
def test_a_misspelt_field_is_caught(kind: str, field: str, value: Any) -> None:
    document = copy.deepcopy(next(iter(_named(kind).values())))
    document["spec"][field] = value
    assert _errors(document)


def test_every_process_of_the_local_stack_runs_with_probes_and_its_migration_first() -> None:
    deployments, statefulsets, cronjobs = _named("Deployment"), _named("StatefulSet"), _named("CronJob")
    for service in SERVICES:
        name = service.name.replace("_", "-")
        module = f"services.{service.name}"
        api = deployments[f"{name}-api"]["spec"]["template"]["spec"]
        [container] = api["containers"]
        assert container["args"] == ["python", "-m", module, "api"]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert [init["args"] for init in api["initContainers"]] == [["python", "-m", module, "migrate"]]
        relay = deployments[f"{name}-relay"]
        assert relay["spec"]["replicas"] == 1, "one relay per service keeps each key's events in order"
        assert relay["spec"]["strategy"]["type"] == "Recreate"
        if "consume" in service.commands:
            consumer = statefulsets[f"{name}-consumer"]["spec"]["template"]["spec"]["containers"][0]
            assert consumer["args"] == ["python", "-m", module, "consume"]
            instance = next(item for item in consumer["env"] if item["name"].endswith("_CONSUMER_INSTANCE_ID"))
            assert instance["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name", "a stable id per pod"
        if "scheduler" in service.commands:
            job = cronjobs[f"{name}-scheduler"]["spec"]
            assert job["timeZone"] == "Europe/Brussels"
            assert job["concurrencyPolicy"] == "Forbid"
            [container] = job["jobTemplate"]["spec"]["template"]["spec"]["containers"]
            assert container["args"] == ["python", "-m", module, "scheduler", "--once"]


def test_every_service_has_its_database_and_every_topic_is_declared() -> None:
    databases = {document["spec"]["name"] for document in _named("Database").values()}
    assert databases == {service.name for service in SERVICES}
    topics = {document["spec"]["topicName"]: document["spec"] for document in _named("KafkaTopic").values()}
    assert set(topics) == set(ALL_TOPICS)
    consumers = max(document["spec"]["replicas"] for document in _named("StatefulSet").values())
    assert all(spec["partitions"] >= consumers for spec in topics.values()), "a consumer without a partition idles"


def _references(node: Any, kind: str) -> list[str]:
    """Names under every `kind` key (configMapRef, secretKeyRef) anywhere in `node`."""
    if isinstance(node, list):
        return [name for item in node for name in _references(item, kind)]
    if not isinstance(node, dict):
        return []
    found = [str(node[kind]["name"])] if isinstance(node.get(kind), dict) else []
    return found + [name for value in node.values() for name in _references(value, kind)]


def test_configuration_and_secrets_named_by_the_pods_are_provided_or_documented() -> None:
    documents = _resources()
    assert set(_references(documents, "configMapRef")) <= set(_named("ConfigMap"))
    secrets = set(_references(documents, "secretKeyRef"))
    assert secrets == {"platform-secrets", "funds-db-app"}
    guide = (ROOT / "docs/deployment.md").read_text()
    assert "platform-secrets" in guide, "the secret the operator creates by hand is described"
    assert "funds-db-app" in guide, "the secret CloudNativePG creates is named"
