"""Fuzz one service's whole OpenAPI document on PostgreSQL, and report what came back.

Two passes over every operation, sent with a token holding every staff role:

- schemathesis generates `FUZZ_EXAMPLES` requests per operation and generation mode (valid
  data, and data the schema says is invalid). Path parameters named after a seeded record
  (``loan_id``, ...) are replaced by that record's id on every other request, so the
  operations behind them are reached and not only their 404.
- hostile values a generator rarely draws: each path and query parameter, and each field of
  the documented example body in turn, is replaced by a NUL character, a lone surrogate, a
  day in year 9999, an integer past 64 bits and one past 32 bits.

The checks: no 5xx, and every 4xx is an RFC 9457 problem document with a title and a detail.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok
from schemathesis.generation.case import Case
from schemathesis.schemas import APIOperation

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
NOT_FUZZED = frozenset({"/readyz"})
"""Readiness answers 503 by design when a dependency is away; it takes no input to fuzz."""


@dataclass
class FuzzReport:
    service: str
    operations: int = 0
    requests: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def record(self, status: int, failure: str | None) -> None:
        self.requests += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if failure is not None and len(self.failures) < 50:
            self.failures.append(failure)

    def summary(self) -> str:
        spread = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
        return (
            f"{self.service}: {self.requests} requests over {self.operations} operations in {self.seconds:.1f} s "
            f"({spread}); {len(self.failures)} failures"
        )


REPORTS: list[FuzzReport] = []


def _fuzz_operation(
    operation: APIOperation[Any, Any, Any, Any], report: FuzzReport, headers: dict[str, str], known: dict[str, str]
) -> None:
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        _generated(operation, mode, report, headers, known)


def _generated(
    operation: APIOperation[Any, Any, Any, Any],
    mode: GenerationMode,
    report: FuzzReport,
    headers: dict[str, str],
    known: dict[str, str],
) -> None:
    sent = 0

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def send(case: Case[Any]) -> None:
        nonlocal sent
        sent += 1
        if sent % 2 == 0:
            for name in case.path_parameters or {}:
                if name in known:
                    case.path_parameters[name] = known[name]
        response = case.call(headers={**dict(case.headers or {}), **headers})
        try:
            body = response.json()
        except ValueError:
            body = response.text[:300]
        report.record(response.status_code, _problem_failure(case, response.status_code, response.headers, body))

    try:
        send()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        # Nothing in this operation can be made invalid (no parameters, no body): no negative cases.


HOSTILE_TEXT = ("a\x00b", "\ud800")
HOSTILE_NUMBERS = (2**63, 2**31, -1)
HOSTILE_DAY = "9999-12-31"


def _hostile_values(value: Any) -> Iterator[Any]:
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        yield from HOSTILE_NUMBERS
    elif isinstance(value, str):
        yield from HOSTILE_TEXT
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            yield HOSTILE_DAY


def _mutations(document: Any) -> Iterator[tuple[str, Any]]:
    """(field, document with that one field replaced by a hostile value), for every leaf of `document`."""
    if isinstance(document, dict):
        for key, item in document.items():
            for where, changed in _mutations(item):
                yield f"{key}.{where}" if where else str(key), {**document, key: changed}
    elif isinstance(document, list):
        for index, item in enumerate(document):
            for where, changed in _mutations(item):
                yield f"{index}.{where}" if where else str(index), [*document[:index], changed, *document[index + 1 :]]
    else:
        for hostile in _hostile_values(document):
            yield "", hostile


def _url(template: str, names: list[str], known: dict[str, str], replaced: str = "", segment: str = "") -> str:
    url = template
    for name in names:
        url = url.replace("{" + name + "}", segment if name == replaced else known.get(name, "unknown"))
    return url


def _example_body(spec: dict[str, Any], operation: dict[str, Any]) -> Any:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return None
    if "example" in content:
        return content["example"]
    schema = content.get("schema", {})
    reference = schema.get("$ref")
    if reference is not None:
        schema = spec["components"]["schemas"][reference.rsplit("/", 1)[-1]]
    examples = schema.get("examples")
    return examples[0] if examples else None


def _hostile(app: FastAPI, report: FuzzReport, headers: dict[str, str], known: dict[str, str]) -> None:
    spec = app.openapi()
    client = TestClient(app)

    def send(method: str, url: str, where: str, body: Any = None) -> None:
        request_headers = {**headers, "Idempotency-Key": f"fuzz-{uuid.uuid4()}"}
        if body is not None:
            request_headers["Content-Type"] = "application/json"
        content = json.dumps(body).encode() if body is not None else None
        response = client.request(method, url, content=content, headers=request_headers)
        failure = None
        media = response.headers.get("content-type", "")
        if response.status_code >= 500:
            failure = f"{method} {url} {where} -> {response.status_code} {response.text[:300]}"
        elif response.status_code >= 400 and not media.startswith("application/problem+json"):
            failure = f"{method} {url} {where} -> {response.status_code} as {media}"
        report.record(response.status_code, failure)

    for template, item in spec["paths"].items():
        if template in NOT_FUZZED:
            continue
        for method, operation in item.items():
            parameters = operation.get("parameters", [])
            names = [p["name"] for p in parameters if p["in"] == "path"]
            base = _url(template, names, known)
            for name in names:
                for hostile in (*HOSTILE_TEXT, *HOSTILE_NUMBERS):
                    segment = quote(str(hostile).encode("utf-8", "surrogatepass"), safe="")
                    send(method.upper(), _url(template, names, known, name, segment), f"path {name}")
            for parameter in (p for p in parameters if p["in"] == "query"):
                for hostile in (*HOSTILE_TEXT, HOSTILE_DAY, *HOSTILE_NUMBERS):
                    value = quote(str(hostile).encode("utf-8", "surrogatepass"), safe="")
                    send(method.upper(), f"{base}?{parameter['name']}={value}", f"query {parameter['name']}")
            example = _example_body(spec, operation)
            if example is not None:
                for where, body in _mutations(example):
                    send(method.upper(), base, f"body {where}", body=body)


def _problem_failure(case: Case[Any], status: int, headers: Mapping[str, list[str]], body: Any) -> str | None:
    where = f"{case.method} {case.formatted_path} query={case.query} body={case.body!r:.200}"
    if status >= 500:
        return f"{where} -> {status} {body!r:.300}"
    if 400 <= status < 500:
        media = (headers.get("content-type") or [""])[0]
        if not media.startswith("application/problem+json"):
            return f"{where} -> {status} as {media}, not problem+json"
        if not isinstance(body, dict) or not body.get("title") or not body.get("detail"):
            return f"{where} -> {status} problem without title and detail: {body!r:.200}"
    return None


def fuzz(service: str, app: FastAPI, headers: dict[str, str], known_ids: Mapping[str, str] | None = None) -> FuzzReport:
    """Send generated requests to every operation of `app`; the report lists what broke the rules."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    report = FuzzReport(service)
    known = dict(known_ids or {})
    started = time.perf_counter()
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"{service}: the OpenAPI document does not load: {result}"
        operation = result.ok()
        if operation.path not in NOT_FUZZED:
            report.operations += 1
            _fuzz_operation(operation, report, headers, known)
    _hostile(app, report, headers, known)
    report.seconds = time.perf_counter() - started
    REPORTS.append(report)
    return report
