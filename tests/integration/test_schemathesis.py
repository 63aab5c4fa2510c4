"""schemathesis against the emulator's own OpenAPI document: no 5xx, and every answer matches the document.

The document is the one the emulator serves at /openapi.json (checked equal below). All four schemathesis phases
run, each bounded: examples, coverage and fuzzing (``@schema.parametrize()``, max_examples per operation),
stateful (the links schemathesis infers from the document, bounded steps), plus a hand-written publish/consume
state machine that checks what the generic checks cannot: a published message is found by consume.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
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
# Explicit, so that a changed default cannot silently drop a phase; parametrize() runs the first three, the
# state machine below the fourth.
schema.config.phases.update(phases=["examples", "coverage", "fuzzing", "stateful"])


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
    excluded = excluded_checks(case)
    # A case that drops or garbles the Authorization header tests the refusal (401): it is sent as drawn.
    headers = {} if auth_under_test(case) else {"Authorization": f"Bearer {TOKEN}"}
    case.call_and_validate(base_url=fuzz_emulator.url, headers=headers, excluded_checks=excluded)


def excluded_checks(case: schemathesis.Case) -> list:
    return [positive_data_acceptance] if case.operation.definition.raw["operationId"] in SEMANTIC_400 else []


def test_all_phases_are_enabled() -> None:
    phases = schema.config.phases
    assert [
        name for name in ("examples", "coverage", "fuzzing", "stateful") if phases.get_by_name(name=name).enabled
    ] == [
        "examples",
        "coverage",
        "fuzzing",
        "stateful",
    ]


Workflow = schema.as_state_machine()


def test_schemathesis_derives_stateful_links() -> None:
    """The document has no explicit links; schemathesis infers them (createTopic -> publish/consume/...)."""
    names = [name for name in dir(Workflow) if "_200_" in name]
    assert any(name.startswith("POST_api_event_streams_topics___200_") and "publish" in name for name in names), names
    assert any(name.startswith("POST_api_event_streams_topics___200_") and "consume" in name for name in names), names


def test_stateful_phase(fuzz_emulator: EmulatorServer) -> None:
    """The stateful phase: sequences along the inferred links, every response checked (no 5xx, schema match)."""
    reached: set[str] = set()

    class EmulatorWorkflow(Workflow):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
            reached.add(case.operation.label)
            return {"base_url": fuzz_emulator.url, "headers": {"Authorization": f"Bearer {TOKEN}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
            __tracebackhide__ = True
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=excluded_checks(case),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    EmulatorWorkflow.run(
        settings=settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
    # publish and consume are reachable only along links (from a created, listed or fetched topic).
    assert {"POST /api/v1/topics/{topic_id}/publish", "POST /api/v1/topics/{topic_id}/consume"} & reached, reached


STATEFUL_EXAMPLES = 15
PUBLISH = schema["/api/v1/topics/{topic_id}/publish"]["POST"]
PUBLISH_BATCH = schema["/api/v1/batch/topics/{topic_id}/publish"]["POST"]
CONSUME = schema["/api/v1/topics/{topic_id}/consume"]["POST"]
_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20)
_payloads = st.dictionaries(st.text(min_size=1, max_size=10), _scalars, max_size=4)


def test_publish_then_consume_finds_it(emulator: EmulatorServer) -> None:
    """Hand-written stateful sequence over the shared emulator: whatever is published (single or batch) is what
    consume returns, in order, paging with after_message_id; every call also passes all schemathesis checks."""
    assert emulator.store is not None
    store = emulator.store
    auth = {"Authorization": f"Bearer {emulator.token}"}

    class PublishConsume(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.topic_id = store.create_topic(f"stateful-{id(self)}-{len(store.list_topics())}").id
            self.published: list[tuple[str, dict[str, object]]] = []

        def call(self, operation: schemathesis.APIOperation, body: object) -> dict[str, object]:
            case = operation.Case(path_parameters={"topic_id": self.topic_id}, body=body)
            response = case.call_and_validate(base_url=emulator.url, headers=auth)
            assert response.status_code == 200, response.text
            return response.json()

        @rule(payload=_payloads)
        def publish(self, payload: dict[str, object]) -> None:
            answer = self.call(PUBLISH, payload)
            self.published.append((str(answer["message_id"]), payload))

        @rule(payloads=st.lists(_payloads, min_size=1, max_size=5))
        def publish_batch(self, payloads: list[dict[str, object]]) -> None:
            answer = self.call(PUBLISH_BATCH, {"payloads": payloads})
            assert answer["is_partial_error"] is False, answer
            results = answer["message_ids"]
            assert sorted(results, key=int) == [str(i) for i in range(len(payloads))], results
            for index, payload in enumerate(payloads):
                self.published.append((str(results[str(index)]["message_id"]), payload))

        @precondition(lambda self: bool(self.published))
        @rule(data=st.data(), batch_size=st.integers(1, 50))
        def consume_after(self, data: st.DataObject, batch_size: int) -> None:
            index = data.draw(st.integers(0, len(self.published) - 1))
            answer = self.call(CONSUME, {"after_message_id": self.published[index][0], "batch_size": batch_size})
            got = [(m["message_id"], m["payload"]) for m in answer["messages"]]
            assert got == self.published[index + 1 : index + 1 + batch_size]

        @invariant()
        def consume_all_finds_everything(self) -> None:
            got: list[tuple[str, object]] = []
            body: dict[str, object] = {"batch_size": 7}
            while True:
                messages = self.call(CONSUME, body)["messages"]
                if not messages:
                    break
                got += [(m["message_id"], m["payload"]) for m in messages]
                body = {"batch_size": 7, "after_message_id": messages[-1]["message_id"]}
            assert got == self.published

    run_state_machine_as_test(
        PublishConsume,
        settings=settings(
            max_examples=10, stateful_step_count=8, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )


def auth_under_test(case: schemathesis.Case) -> bool:
    data = getattr(getattr(case.meta, "phase", None), "data", None)
    mutations = getattr(data, "mutations", None) or ()
    return getattr(data, "parameter", None) == "Authorization" or any(
        getattr(mutation, "parameter", None) == "Authorization" for mutation in mutations
    )
