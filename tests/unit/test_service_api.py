"""The clients on the ServiceClient base: each satisfies the protocol of every capability it claims, takes the
app's ``Limiters`` (one budget per base URL, service and token) or a limiter, and reads its budget from the
endpoint (the Developer API too)."""

from __future__ import annotations

import pytest

from inspector.core.ratelimit import Limiters, RateLimiter
from inspector.core.regions import custom_endpoint, region
from inspector.core.services import CONSUME, PUBLISH, PUBLISH_BATCH
from inspector.core.services.api import (
    ServiceClient,
    SupportsConsume,
    SupportsPublish,
    SupportsPublishBatch,
    SupportsTopics,
    can_publish_batch,
)
from inspector.core.services.boomi import BoomiClient
from inspector.core.services.messaging import MessagingClient
from inspector.core.services.qala import QalaClient
from inspector.core.services.workato import DeveloperApiClient, EventStreamsClient

BASE = "https://event-streams.example.test"
ENVIRONMENT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
PROTOCOLS = {CONSUME: SupportsConsume, PUBLISH: SupportsPublish, PUBLISH_BATCH: SupportsPublishBatch}


async def test_a_workato_client_satisfies_the_protocol_of_each_capability() -> None:
    async with EventStreamsClient(custom_endpoint(BASE), "tok") as client:
        assert isinstance(client, ServiceClient)
        for capability, protocol in PROTOCOLS.items():
            assert capability in client.capabilities
            assert isinstance(client, protocol), capability
        assert can_publish_batch(client)
    async with DeveloperApiClient(custom_endpoint(BASE), "tok") as developer:
        assert isinstance(developer, ServiceClient)
        assert isinstance(developer, SupportsTopics)


async def test_the_legacy_domain_publishes_one_by_one() -> None:
    async with EventStreamsClient(region("legacy"), "tok") as client:
        assert PUBLISH_BATCH not in client.capabilities
        assert not can_publish_batch(client)
        assert isinstance(client, SupportsPublish)


async def test_the_other_services_claim_no_workato_capability() -> None:
    async with (
        QalaClient(BASE, "tok", ENVIRONMENT) as qala,
        BoomiClient(BASE, "tok", "acct-1") as boomi,
        MessagingClient(BASE, "tok") as messaging,
    ):
        for client in (qala, boomi, messaging):
            assert not set(PROTOCOLS) & client.capabilities
            assert not isinstance(client, SupportsConsume)


@pytest.mark.parametrize("rpm", [0, 60, 1000])
async def test_the_developer_api_budget_is_the_endpoints(rpm: int) -> None:
    async with DeveloperApiClient(custom_endpoint(BASE, rate_limit_rpm=rpm), "tok") as developer:
        assert developer.limiter.rpm == rpm
    async with DeveloperApiClient(custom_endpoint(BASE), "tok", rate_limit_rpm=5) as developer:
        assert developer.limiter.rpm == 5


async def test_clients_given_the_apps_limiters_share_one_budget_per_service_and_token(limiters: Limiters) -> None:
    endpoint = custom_endpoint(BASE)
    async with (
        EventStreamsClient(endpoint, "tok", limiter=limiters) as tab,
        EventStreamsClient(endpoint, "tok", limiter=limiters) as publisher,
        EventStreamsClient(endpoint, "other", limiter=limiters) as other_token,
        DeveloperApiClient(endpoint, "tok", limiter=limiters) as developer,
        QalaClient(BASE, "tok", ENVIRONMENT, limiter=limiters) as qala,
        EventStreamsClient(endpoint, "tok") as alone,
    ):
        assert tab.limiter is publisher.limiter
        assert len({id(c.limiter) for c in (tab, other_token, developer, qala, alone)}) == 5
    assert len(limiters.budget_keys()) == 4  # the client alone has a budget of its own


async def test_a_limiter_given_is_used_as_it_is() -> None:
    given = RateLimiter(7)
    async with EventStreamsClient(custom_endpoint(BASE), "tok", limiter=given) as client:
        assert client.limiter is given
