"""schemathesis against the emulator's own OpenAPI document: no 5xx, and every answer matches the document.

The document is the one the emulator serves at /openapi.json (checked equal below); hypothesis draws a bounded
number of requests per operation from it.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from inspector.emulator.openapi import openapi_document
from inspector.emulator.server import EmulatorConfig, EmulatorServer

TOKEN = "schemathesis-token"
# Where a 400 depends on rules OpenAPI cannot express, a schema-valid request may rightly be refused: a payload
# that breaks the topic's own schema, an after_message_id that is not in the topic, a field list that names a
# field twice.
SEMANTIC_400 = {
    "consumeMessages",
    "publishMessage",
    "publishBatchMessages",
    "legacyConsumeMessages",
    "legacyPublishMessage",
    "createTopic",
    "updateTopic",
}
schema = schemathesis.openapi.from_dict(openapi_document())


@pytest.fixture(scope="module")
def fuzz_emulator() -> Iterator[EmulatorServer]:
    """An emulator of its own: fuzzing deletes and purges topics."""
    # Long polls answer within 0.2 s whatever timeout_secs the fuzzer draws (it may draw 60).
    with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0, token=TOKEN, max_wait_secs=0.2)) as server:
        yield server


def test_served_document_is_the_one_fuzzed(fuzz_emulator: EmulatorServer) -> None:
    served = httpx.get(f"{fuzz_emulator.url}/openapi.json").json()
    assert served == openapi_document(fuzz_emulator.url)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_emulator_matches_its_document(case: schemathesis.Case, fuzz_emulator: EmulatorServer) -> None:
    excluded = [positive_data_acceptance] if case.operation.definition.raw["operationId"] in SEMANTIC_400 else []
    # A case that drops or garbles the Authorization header tests the refusal (401): it is sent as drawn.
    headers = {} if auth_under_test(case) else {"Authorization": f"Bearer {TOKEN}"}
    case.call_and_validate(base_url=fuzz_emulator.url, headers=headers, excluded_checks=excluded)


def auth_under_test(case: schemathesis.Case) -> bool:
    data = getattr(getattr(case.meta, "phase", None), "data", None)
    mutations = getattr(data, "mutations", None) or ()
    return getattr(data, "parameter", None) == "Authorization" or any(
        getattr(mutation, "parameter", None) == "Authorization" for mutation in mutations
    )
