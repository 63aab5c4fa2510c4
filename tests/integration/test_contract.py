"""The emulator's served OpenAPI document agrees with the seed's contract (the Workato Event Streams Public API).

The seed is ../shared/seeds/000_*: the OpenAPI text, possibly inside a markdown page. For every operation of the
seed the emulator serves the same path and method, the same parameters, request and response fields (names,
types, formats), the same limits, and the same error shape. What the emulator adds is listed below, each with
its reason; anything else that differs fails the test, which prints every difference.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from inspector.emulator.server import EmulatorServer

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

# Operations the emulator serves beyond the Public API: the legacy /api/pubsub paths (the docs: "the legacy
# domain supports /consume and /publish endpoints, with the same request and response formats") and the
# Developer API topic endpoints.
EMULATOR_ONLY_OPERATIONS = {
    ("post", "/api/pubsub/topics/{topic_id}/consume"),
    ("post", "/api/pubsub/topics/{topic_id}/publish"),
    ("get", "/api/event_streams/topics"),
    ("post", "/api/event_streams/topics"),
    ("get", "/api/event_streams/topics/{topic_id}"),
    ("put", "/api/event_streams/topics/{topic_id}"),
    ("delete", "/api/event_streams/topics/{topic_id}"),
    ("put", "/api/event_streams/topics/{topic_id}/purge"),
}
LEGACY_TWINS = {
    "/api/pubsub/topics/{topic_id}/consume": "/api/v1/topics/{topic_id}/consume",
    "/api/pubsub/topics/{topic_id}/publish": "/api/v1/topics/{topic_id}/publish",
}
# Answers the emulator documents that the seed leaves out.
EXTRA_RESPONSES = {
    # An after_message_id that is not in the topic, or a malformed body: the docs say the id "must correspond to
    # a message that exists in the topic", so the refusal exists; the seed only forgets to list it.
    ("consumeMessages", "400"): "consume refuses an unknown after_message_id / malformed body",
}
# Fields the emulator documents that the seed leaves out. The seed's item schema does not forbid extra
# properties, so a client of the seed accepts them.
EXTRA_FIELDS = {
    ("publishBatchMessages", "response 200", "message_ids.*.error"): "why one payload of a batch failed",
}
# Limits the emulator documents that the seed leaves out, with the value.
EXTRA_LIMITS = {
    # An empty batch publishes nothing; the emulator refuses it with 400 and says so in its document.
    ("publishBatchMessages", "request", "payloads", "minItems"): 1,
}
LIMIT_KEYS = ("minimum", "maximum", "minItems", "maxItems", "minLength", "maxLength", "default", "enum")
ONE_MB = 1024 * 1024


# The published OpenAPI text of the Workato Event Streams Public API, kept with the tests so that the contract
# is checked wherever they run; ``test_the_kept_contract_is_the_seeds`` compares it with the seed when present.
CONTRACT = Path(__file__).resolve().parents[1] / "contract" / "workato-event-streams-openapi.yml"


def seed_text() -> str:
    return CONTRACT.read_text(encoding="utf-8")


def test_the_kept_contract_is_the_seeds() -> None:
    found = sorted(SEEDS.glob("000*"))
    if not found:  # a checkout without the seeds beside it: the kept copy is all there is
        return
    assert parse_openapi(found[0].read_text(encoding="utf-8")) == parse_openapi(seed_text())


def parse_openapi(text: str) -> dict[str, Any]:
    """JSON, YAML, markdown with a fenced block, or a page with the YAML from an ``openapi:`` line to the end."""
    stripped = text.strip()
    if stripped.startswith("{"):
        return json.loads(stripped)
    fenced = re.findall(r"```(?:ya?ml|json)?\s*\n(.*?)```", text, flags=re.S)
    candidates = [*fenced, text]
    start = re.search(r"^openapi:", text, flags=re.M)
    if start:
        candidates.append(text[start.start() :])
    for candidate in candidates:
        try:
            document = yaml.safe_load(candidate)
        except yaml.YAMLError:
            continue
        if isinstance(document, dict) and "paths" in document:
            return document
    raise AssertionError("no OpenAPI document with paths found in the seed")


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    return parse_openapi(seed_text())


@pytest.fixture(scope="module")
def served(emulator: EmulatorServer) -> dict[str, Any]:
    response = httpx.get(f"{emulator.url}/openapi.json")
    assert response.status_code == 200
    return response.json()


# --- flattening a document into comparable views ---------------------------------------------------------------


def resolve(document: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


def type_of(node: dict[str, Any]) -> str:
    kind = node.get("type", "any")
    kind = "|".join(kind) if isinstance(kind, list) else kind
    return f"{kind}({node['format']})" if "format" in node else kind


def flatten(document: dict[str, Any], node: Any, prefix: str = "", seen: frozenset[str] = frozenset()) -> dict:
    """{field path: {"type": ..., "required": bool, limits...}}; the root is the path ""."""
    ref = node.get("$ref") if isinstance(node, dict) else None
    if ref in seen:
        return {prefix: {"type": f"recursive {ref}"}}
    seen = seen | {ref} if ref else seen
    node = resolve(document, node)
    out: dict[str, dict[str, Any]] = {prefix: {"type": type_of(node), **{k: node[k] for k in LIMIT_KEYS if k in node}}}
    required = set(node.get("required", []))
    for name, child in node.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        sub = flatten(document, child, path, seen)
        sub[path]["required"] = name in required
        out.update(sub)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out.update(flatten(document, extra, f"{prefix}.*" if prefix else "*", seen))
    elif extra is not None:
        out[prefix]["additionalProperties"] = extra
    if "items" in node:
        out.update(flatten(document, node["items"], f"{prefix}[]", seen))
    return out


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    methods = {"get", "put", "post", "delete", "patch", "head", "options"}
    return {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in methods
    }


def view(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    """Everything of an operation a client depends on, flattened to {section: {key: value}}."""
    parameters = {}
    for raw in operation.get("parameters", []):
        parameter = resolve(document, raw)
        schema = resolve(document, parameter.get("schema", {}))
        parameters[f"{parameter['in']} {parameter['name']}"] = {
            "required": parameter.get("required", False),
            **flatten(document, schema)[""],
        }
    sections: dict[str, dict[str, Any]] = {"parameters": parameters}
    body = resolve(document, operation.get("requestBody"))
    if body:
        sections["request"] = {"(body required)": {"required": body.get("required", False)}}
        sections["request"] |= {
            f"{media} {path}" if media != "application/json" else path: fields
            for media, content in body["content"].items()
            for path, fields in flatten(document, content.get("schema", {})).items()
        }
    for code, raw in operation.get("responses", {}).items():
        response = resolve(document, raw)
        content = response.get("content", {}).get("application/json", {})
        sections[f"response {code}"] = flatten(document, content.get("schema", {})) if content else {}
    return sections


def differences(seed: dict[str, Any], served: dict[str, Any], operation_id: str) -> list[str]:
    """Every difference between two views of one operation, minus the listed emulator additions."""
    out = []
    for section in sorted(set(seed) | set(served)):
        if section not in served:
            out.append(f"{operation_id}: {section} is missing from the emulator's document")
            continue
        if section not in seed:
            code = section.removeprefix("response ")
            if (operation_id, code) not in EXTRA_RESPONSES:
                out.append(f"{operation_id}: {section} is only in the emulator's document")
            continue
        ours, theirs = served[section], seed[section]
        for key in sorted(set(ours) | set(theirs)):
            if key not in ours:
                out.append(f"{operation_id}: {section} field {key!r} {theirs[key]} is missing from the emulator")
                continue
            if key not in theirs:
                if (operation_id, section, key) not in EXTRA_FIELDS:
                    out.append(f"{operation_id}: {section} field {key!r} {ours[key]} is not in the seed")
                continue
            for attribute in sorted(set(ours[key]) | set(theirs[key])):
                mine, seeds = ours[key].get(attribute), theirs[key].get(attribute)
                if mine == seeds:
                    continue
                if EXTRA_LIMITS.get((operation_id, section, key, attribute), object()) == mine and seeds is None:
                    continue
                # A response field the emulator always sends may be marked required where the seed is silent:
                # that promises more, and a client of the seed cannot tell. In a request it would refuse more.
                if attribute == "required" and section.startswith("response") and mine and not seeds:
                    continue
                out.append(f"{operation_id}: {section} field {key!r} {attribute}: seed {seeds!r}, emulator {mine!r}")
    return out


# --- the tests -------------------------------------------------------------------------------------------------


def test_seed_is_the_public_api(seed: dict[str, Any]) -> None:
    assert seed["info"]["title"] == "Workato Event Streams Public API"
    assert len(operations(seed)) == 3, sorted(operations(seed))


def test_same_paths_and_methods(seed: dict[str, Any], served: dict[str, Any]) -> None:
    ours, theirs = set(operations(served)), set(operations(seed))
    missing = sorted(theirs - ours)
    unlisted = sorted(ours - theirs - EMULATOR_ONLY_OPERATIONS)
    stale = sorted(EMULATOR_ONLY_OPERATIONS - ours)
    assert (missing, unlisted, stale) == ([], [], []), (
        f"missing from the emulator: {missing}; emulator-only but not listed as allowed: {unlisted}; "
        f"listed as emulator-only but not served: {stale}"
    )


def test_same_operation_ids(seed: dict[str, Any], served: dict[str, Any]) -> None:
    ours = operations(served)
    wrong = {
        key: (op.get("operationId"), ours[key].get("operationId"))
        for key, op in operations(seed).items()
        if key in ours and op.get("operationId") != ours[key].get("operationId")
    }
    assert not wrong, f"operationId (seed, emulator): {wrong}"


def test_same_fields_types_and_limits(seed: dict[str, Any], served: dict[str, Any]) -> None:
    ours = operations(served)
    problems = []
    for key, operation in sorted(operations(seed).items()):
        if key not in ours:
            problems.append(f"{key} missing")
            continue
        problems += differences(view(seed, operation), view(served, ours[key]), operation["operationId"])
    assert not problems, "the emulator's document differs from the seed:\n" + "\n".join(problems)


def test_legacy_paths_have_the_same_formats(served: dict[str, Any]) -> None:
    ours = operations(served)
    problems = []
    for legacy, current in LEGACY_TWINS.items():
        problems += differences(view(served, ours[("post", current)]), view(served, ours[("post", legacy)]), legacy)
    assert not problems, "\n".join(problems)


def test_security_is_bearer(seed: dict[str, Any], served: dict[str, Any]) -> None:
    assert served["security"] == seed["security"]
    scheme = {k: v for k, v in served["components"]["securitySchemes"]["bearerAuth"].items() if k != "description"}
    assert scheme == {"type": "http", "scheme": "bearer"}


def limits_of(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document["components"]["schemas"]
    consume = flatten(document, schemas["ConsumeRequest"])
    topic_id = resolve(document, document["components"]["parameters"]["TopicId"])
    return {
        "batch publish maxItems": flatten(document, schemas["BatchPublishRequest"])["payloads"].get("maxItems"),
        "consume batch_size": {k: consume["batch_size"].get(k) for k in ("type", "minimum", "maximum")},
        "consume timeout_secs": {k: consume["timeout_secs"].get(k) for k in ("type", "minimum", "maximum", "default")},
        "topic_id": (topic_id["in"], topic_id["required"], type_of(topic_id["schema"])),
        "1 MB payload in the description": "1 MB" in " ".join(document["info"]["description"].split()),
    }


def test_same_limits(seed: dict[str, Any], served: dict[str, Any]) -> None:
    expected = {
        "batch publish maxItems": 100,
        "consume batch_size": {"type": "integer", "minimum": 1, "maximum": 50},
        "consume timeout_secs": {"type": "integer", "minimum": 0, "maximum": 60, "default": 0},
        "topic_id": ("path", True, "integer"),
        "1 MB payload in the description": True,
    }
    assert limits_of(seed) == expected, "the seed itself changed"
    assert limits_of(served) == expected


def test_same_error_shape(seed: dict[str, Any], served: dict[str, Any]) -> None:
    shape = flatten(seed, seed["components"]["schemas"]["ErrorResponse"])
    assert {k: v["type"] for k, v in shape.items()} == {"": "object", "message": "string", "code": "string"}
    strip = {k: {"type": v["type"]} for k, v in shape.items()}
    problems = []
    for (method, path), operation in sorted(operations(served).items()):
        for code, raw in operation["responses"].items():
            if code.startswith(("4", "5")):
                response = resolve(served, raw)
                schema = response["content"]["application/json"]["schema"]
                got = {k: {"type": v["type"]} for k, v in flatten(served, schema).items()}
                if got != strip:
                    problems.append(f"{method.upper()} {path} {code}: {got} != seed {strip}")
    assert not problems, "\n".join(problems)


def error_fields(response: httpx.Response) -> dict[str, str]:
    return {k: type(v).__name__ for k, v in response.json().items()}


def test_live_errors_have_the_seed_shape(emulator: EmulatorServer, topic: int) -> None:
    auth = {"Authorization": f"Bearer {emulator.token}"}
    base = emulator.url
    answers = {
        "401": httpx.post(f"{base}/api/v1/topics/{topic}/consume", json={}),
        "404": httpx.post(f"{base}/api/v1/topics/987654321/consume", json={}, headers=auth),
        "400 batch of 101": httpx.post(
            f"{base}/api/v1/batch/topics/{topic}/publish", json={"payloads": [{}] * 101}, headers=auth
        ),
        "400 batch_size 51": httpx.post(f"{base}/api/v1/topics/{topic}/consume", json={"batch_size": 51}, headers=auth),
        "400 timeout_secs 61": httpx.post(
            f"{base}/api/v1/topics/{topic}/consume", json={"timeout_secs": 61}, headers=auth
        ),
        "400 over 1 MB": httpx.post(
            f"{base}/api/v1/topics/{topic}/publish", json={"x": "a" * ONE_MB}, headers=auth, timeout=30
        ),
    }
    got = {name: (r.status_code, error_fields(r)) for name, r in answers.items()}
    want = {name: (int(name[:3]), {"message": "str", "code": "str"}) for name in answers}
    assert got == want


def test_live_limits_are_inclusive(emulator: EmulatorServer, topic: int) -> None:
    auth = {"Authorization": f"Bearer {emulator.token}"}
    base = emulator.url
    batch = httpx.post(f"{base}/api/v1/batch/topics/{topic}/publish", json={"payloads": [{}] * 100}, headers=auth)
    assert batch.status_code == 200, batch.text
    big = httpx.post(f"{base}/api/v1/topics/{topic}/publish", json={"x": "a" * 1_000_000}, headers=auth, timeout=30)
    assert big.status_code == 200, big.text
    consume = httpx.post(
        f"{base}/api/v1/topics/{topic}/consume", json={"batch_size": 50, "timeout_secs": 0}, headers=auth
    )
    assert consume.status_code == 200, consume.text
    assert len(consume.json()["messages"]) == 50
