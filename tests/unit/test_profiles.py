"""Connection profiles on disk: round trip, file format, no tokens, corrupt files, checks, endpoints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector.core.errors import InsecureUrlError, ValidationError
from inspector.core.profiles import FILE_VERSION, Profile, ProfileStore, check_profile
from inspector.core.regions import LEGACY_RPM, REGIONAL_RPM, REGIONS
from inspector.core.secrets import KeyringStore
from tests.helpers import InMemoryKeyring


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return ProfileStore(tmp_path / "cfg" / "profiles.json")


def test_missing_file_is_no_profiles(store: ProfileStore) -> None:
    assert not store.path.exists()
    assert store.load() == []


def test_default_path_is_under_the_app_config(app_home: Path) -> None:
    assert ProfileStore().path == app_home / "config" / "profiles.json"


def test_upsert_load_get_remove_round_trip(store: ProfileStore) -> None:
    work = store.upsert(Profile("work", "eu"))
    local = store.upsert(Profile("local", "custom", "http://127.0.0.1:8765/", rate_limit_rpm=0))
    assert work == Profile("work", "eu", None, None)
    assert local == Profile("local", "custom", "http://127.0.0.1:8765", 0)
    assert store.load() == [work, local]
    assert store.get("local") == local
    assert store.get("work") == work

    assert store.remove("work") is True
    assert store.load() == [local]
    assert store.remove("work") is False
    assert store.load() == [local]


def test_upsert_replaces_a_profile_of_the_same_name(store: ProfileStore) -> None:
    store.upsert(Profile("a", "us"))
    store.upsert(Profile("b", "jp"))
    store.upsert(Profile("a", "au", rate_limit_rpm=30))
    assert store.load() == [Profile("b", "jp"), Profile("a", "au", None, 30)]


def test_upsert_strips_the_name_and_drops_base_url_for_regions(store: ProfileStore) -> None:
    saved = store.upsert(Profile("  spaced  ", "sg", base_url="https://ignored.example.com"))
    assert saved == Profile("spaced", "sg", None, None)
    assert store.get("spaced") == saved


def test_file_format(store: ProfileStore) -> None:
    store.upsert(Profile("work", "eu", rate_limit_rpm=10))
    data = json.loads(store.path.read_text())
    assert data["version"] == FILE_VERSION == 2
    assert data["profiles"] == [{"name": "work", "region": "eu", "base_url": None, "rate_limit_rpm": 10}]


def test_no_token_is_ever_written(store: ProfileStore) -> None:
    token = "wrk-0123456789abcdef-SECRET"
    store.upsert(Profile("p", "custom", "https://proxy.example.com"))
    store.upsert(Profile("q", "us"))
    store.remove("q")
    text = store.path.read_text()
    assert token not in text
    assert "token" not in text.lower()
    for row in json.loads(text)["profiles"]:
        assert set(row) == {"name", "region", "base_url", "rate_limit_rpm"}
    # and no stray temporary files are left next to it
    assert [p.name for p in store.path.parent.iterdir()] == ["profiles.json"]


def test_get_unknown_names_known_profiles(store: ProfileStore) -> None:
    with pytest.raises(ValidationError) as caught:
        store.get("nope")
    assert "no profile named 'nope'" in caught.value.message
    assert "none yet" in caught.value.hint

    store.upsert(Profile("alpha"))
    store.upsert(Profile("beta"))
    with pytest.raises(ValidationError) as caught:
        store.get("gamma")
    assert "alpha, beta" in caught.value.hint


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"",
        b"\xff\xfe\x00garbage",
        b"[]",
        b'{"version": 1}',
        b'{"version": 1, "profiles": {}}',
        b'{"version": 1, "profiles": [{"region": "us"}]}',
        b'{"version": 1, "profiles": ["work"]}',
        b'{"version": 1, "profiles": [{"name": "x", "region": "mars"}]}',
    ],
)
def test_corrupt_file_names_the_path(store: ProfileStore, content: bytes) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(content)
    with pytest.raises(ValidationError) as caught:
        store.load()
    assert caught.value.where == str(store.path)
    assert str(store.path) in caught.value.message
    assert "cannot be read" in caught.value.message
    assert caught.value.hint


def test_corrupt_file_blocks_upsert_without_overwriting(store: ProfileStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(b"{broken")
    with pytest.raises(ValidationError):
        store.upsert(Profile("new"))
    assert store.path.read_bytes() == b"{broken"


def test_load_tolerates_missing_optional_keys(store: ProfileStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(
        json.dumps({"version": 1, "profiles": [{"name": "bare"}, {"name": "r", "rate_limit_rpm": "x"}]})
    )
    assert store.load() == [Profile("bare", "us", None, None), Profile("r", "us", None, None)]


# --- check_profile --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "   ", "x" * 65, "tab\there", "new\nline", "nul\x00", 5, None])
def test_bad_names_refused(name: object) -> None:
    with pytest.raises(ValidationError) as caught:
        check_profile(Profile(name))  # type: ignore[arg-type]
    assert caught.value.where == "profile name"
    assert "1 to 64 printable characters" in caught.value.message


@pytest.mark.parametrize("name", ["a", "x" * 64, "Work (EU) — prod", "日本"])
def test_good_names_accepted(name: str) -> None:
    assert check_profile(Profile(name)).name == name


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://event-streams.example.com", "plain http is refused"),
        ("https://user:pw@example.com", "user name or password"),
        ("https://example.com/?token=x", "'?' or '#'"),
        ("", "is empty"),
        (None, "is empty"),
    ],
)
def test_insecure_custom_urls_refused(url: str | None, words: str) -> None:
    with pytest.raises(InsecureUrlError) as caught:
        check_profile(Profile("p", "custom", url))
    assert caught.value.where == "profile 'p' base URL"
    assert words in caught.value.message


def test_custom_url_is_normalised() -> None:
    checked = check_profile(Profile(" p ", "custom", "HTTPS://Proxy.Example.com/base/"))
    assert checked == Profile("p", "custom", "https://proxy.example.com/base", None)


def test_unknown_region_refused() -> None:
    with pytest.raises(ValidationError, match="unknown region 'mars'"):
        check_profile(Profile("p", "mars"))


def test_negative_rate_limit_refused_for_a_region() -> None:
    with pytest.raises(ValidationError) as caught:
        check_profile(Profile("p", "us", rate_limit_rpm=-1))
    assert caught.value.where == "rate limit"


def test_refused_profile_is_not_stored(store: ProfileStore) -> None:
    with pytest.raises(InsecureUrlError):
        store.upsert(Profile("p", "custom", "http://example.com"))
    assert store.load() == []
    assert not store.path.exists()


# --- Profile.endpoint -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(set(REGIONS)))
def test_region_endpoint(key: str) -> None:
    assert Profile("p", key).endpoint() is REGIONS[key]


def test_region_endpoint_with_rate_limit_override() -> None:
    endpoint = Profile("p", "legacy", rate_limit_rpm=120).endpoint()
    assert endpoint.rate_limit_rpm == 120
    assert endpoint.legacy is True
    assert endpoint.events_url == REGIONS["legacy"].events_url
    assert REGIONS["legacy"].rate_limit_rpm == LEGACY_RPM  # the shared table is untouched


def test_custom_endpoint() -> None:
    endpoint = Profile("local", "custom", "http://localhost:8765/").endpoint()
    assert endpoint.key == "custom"
    assert endpoint.events_url == endpoint.developer_url == "http://localhost:8765"
    assert endpoint.rate_limit_rpm == REGIONAL_RPM
    assert endpoint.supports_batch is True


def test_custom_endpoint_with_rate_limit() -> None:
    assert Profile("local", "custom", "https://x.example.com", rate_limit_rpm=0).endpoint().rate_limit_rpm == 0


def test_custom_endpoint_without_url() -> None:
    with pytest.raises(ValidationError) as caught:
        Profile("local", "custom").endpoint()
    assert caught.value.where == "profile 'local'"
    assert "has no base URL" in caught.value.message


def test_custom_endpoint_refuses_an_insecure_url_from_the_file() -> None:
    with pytest.raises(InsecureUrlError):
        Profile("local", "custom", "http://example.com").endpoint()


def test_account_names_the_profile_and_its_address() -> None:
    assert Profile("work").account == "profile:work@https://event-streams.workato.com"
    assert Profile("work", "eu").account != Profile("work").account  # moved: the old token does not follow
    assert Profile("work", "custom", "http://127.0.0.1:9300").account == "profile:work@http://127.0.0.1:9300"
    assert Profile("work", "custom", "not a url").account == "profile:work@custom:not a url"  # hand-edited file
    assert Profile("work").legacy_account == "profile:work"


def test_a_token_kept_by_an_earlier_build_is_moved_to_the_new_account() -> None:
    backend = InMemoryKeyring()
    store = KeyringStore(backend)
    profile = Profile("work")
    store.set(profile.legacy_account, "tok-1")
    assert store.get_moving(profile.account, profile.legacy_account) == "tok-1"
    assert backend.items == {("topic-inspector", profile.account): "tok-1"}
    assert store.get_moving(profile.account, profile.legacy_account) == "tok-1"  # read from its new place


# ----- the other services ---------------------------------------------------------------------------------------
ENV = "3F2504E0-4F89-41D3-9A0C-0305E82C3301"


def test_service_profiles_round_trip_with_their_fields(store: ProfileStore) -> None:
    store.upsert(Profile("Q", "custom", "https://qala.example.com", service="qala", environment_id=ENV))
    store.upsert(Profile("B", "custom", "https://api.boomi.example.com", service="boomi", account_id="acct_1"))
    store.upsert(Profile("M", "custom", "https://msg.example.com", service="messaging", workflow_container=True))
    store.upsert(Profile("W", "eu"))
    loaded = {p.name: p for p in store.load()}
    assert loaded["Q"].environment_id == ENV.lower()
    assert loaded["Q"].capabilities == {"publish_events", "session_tokens"}
    assert loaded["B"].capabilities == {"manage_subscriptions"}
    assert loaded["M"].capabilities == {"watch_messages", "post_messages"}
    assert loaded["W"].capabilities == {"consume", "publish", "publish_batch", "list_topics"}
    rows = {row["name"]: row for row in json.loads(store.path.read_text())["profiles"]}
    assert "service" not in rows["W"]  # a Workato profile is written as before
    assert rows["B"]["service"] == "boomi"


@pytest.mark.parametrize(
    ("profile", "words"),
    [
        (Profile("Q", "custom", "https://q.example.com", service="qala"), "is not a GUID"),
        (
            Profile("Q", "custom", "https://q.example.com", service="qala", environment_id="prod"),
            "'prod' is not a GUID",
        ),
        (Profile("B", "custom", "https://b.example.com", service="boomi"), "is not an account id"),
        (Profile("B", "custom", "https://b.example.com", service="boomi", account_id="a/b"), "is not an account id"),
        (Profile("M", "eu", service="messaging"), "needs a base URL"),
        (Profile("M", "custom", "http://msg.example.com", service="messaging"), "plain http is refused"),
        (Profile("X", "custom", "https://x.example.com", service="kafka"), "'kafka' is not a service"),
    ],
)
def test_service_profiles_are_checked(profile: Profile, words: str) -> None:
    with pytest.raises(ValidationError) as refused:
        check_profile(profile)
    assert words in refused.value.message


def test_fields_of_another_service_are_dropped() -> None:
    checked = check_profile(
        Profile("B", "custom", "https://b.example.com", service="boomi", account_id="a1", environment_id=ENV)
    )
    assert checked.environment_id is None
    assert checked.account_id == "a1"


def test_an_unknown_service_in_the_file_is_said(store: ProfileStore) -> None:
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text(json.dumps({"version": 1, "profiles": [{"name": "x", "region": "custom", "service": "mq"}]}))
    with pytest.raises(ValidationError) as refused:
        store.load()
    assert "unknown service 'mq'" in refused.value.message
