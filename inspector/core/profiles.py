"""Connection profiles: a name, a region or custom base URL, and how to get there (a proxy, a CA bundle). The
token and the proxy's password are in the keyring, never here."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from inspector.core.errors import InspectorError, ValidationError
from inspector.core.network import NetworkSettings, check_ca_file, check_proxy_url
from inspector.core.paths import AppPaths, atomic_write
from inspector.core.regions import REGIONAL_RPM, REGIONS, Endpoint, custom_endpoint, normalize_base_url, region
from inspector.core.services import POST_MESSAGES, SERVICES

FILE_VERSION = 2  # 2: proxy and ca_bundle (a file of version 1 has neither, and loads as it is)
_NAME = re.compile(r"^[^\x00-\x1f\x7f-\x9f]{1,64}$")


@dataclass(frozen=True)  # no slots: made twice, and the window imports this module before it is shown
class Profile:
    """A saved connection: a service's address (a Workato region or a base URL), its rate limit and network, and
    what its service needs besides. Its token is in the keyring, under ``account``."""

    name: str
    region: str = "us"  # a key of REGIONS, or "custom"
    base_url: str | None = None  # for "custom" (and every service but Workato's)
    rate_limit_rpm: int | None = None  # None = the region's limit
    service: str = "workato"  # a key of inspector.core.services.SERVICES
    environment_id: str | None = None  # Qala: the environment events are published in (a GUID)
    account_id: str | None = None  # Boomi: the account whose subscriptions are managed
    workflow_container: bool = False  # Messaging: the token is a workflow container's (may post messages)
    proxy: str | None = None  # http://[user@]host:port for https base URLs (the password is in the keyring)
    ca_bundle: str | None = None  # a PEM file of CAs trusted besides the OS store and certifi
    archive: bool = True  # keep what its tails receive in the message archive (saved only when off)

    @property
    def network(self) -> NetworkSettings:
        return NetworkSettings(self.proxy, self.ca_bundle)

    @property
    def capabilities(self) -> frozenset[str]:
        """What the profile's service can do (the UI asks for these, not for a vendor)."""
        found = SERVICES[self.service].capabilities
        return found | {POST_MESSAGES} if self.service == "messaging" and self.workflow_container else found

    @property
    def service_label(self) -> str:
        return SERVICES[self.service].label

    def endpoint(self) -> Endpoint:
        if self.region == "custom":
            if not self.base_url:
                raise ValidationError("has no base URL", where=f"profile {self.name!r}")
            rpm = REGIONAL_RPM if self.rate_limit_rpm is None else self.rate_limit_rpm
            return custom_endpoint(self.base_url, rate_limit_rpm=rpm)
        found = region(self.region)
        return replace(found, rate_limit_rpm=self.rate_limit_rpm) if self.rate_limit_rpm is not None else found

    @property
    def account(self) -> str:
        """The keyring account under which this profile's token is stored: by name *and* address, so a profile
        moved to another address does not take the token entered for the old one along."""
        try:
            where = self.endpoint().events_url
        except InspectorError:  # a profile file edited by hand: still one account per name and text given
            where = f"{self.region}:{self.base_url or ''}"
        return f"profile:{self.name}@{where}"

    @property
    def legacy_account(self) -> str:
        """Where earlier builds kept the token, by name alone (moved to ``account`` when first read)."""
        return f"profile:{self.name}"


def check_profile(profile: Profile) -> Profile:
    name = profile.name.strip() if isinstance(profile.name, str) else ""
    if not _NAME.match(name):
        raise ValidationError("must be 1 to 64 printable characters", where="profile name")
    if profile.service not in SERVICES:
        raise ValidationError(
            f"{profile.service!r} is not a service this app knows", where="service", hint=", ".join(SERVICES)
        )
    profile = _check_network(replace(profile, name=name))
    if profile.service != "workato":
        return _check_other_service(profile)
    rpm = profile.rate_limit_rpm
    if rpm is not None and (isinstance(rpm, bool) or not isinstance(rpm, int) or rpm < 0):
        raise ValidationError(
            f"must be a whole number of requests per minute, 0 (off) or more, not {rpm!r}",
            where="rate limit",
            hint="leave it empty for the region's limit (60 requests/min)",
        )
    if profile.region == "custom":
        base = normalize_base_url(profile.base_url or "", where=f"profile {name!r} base URL")
        return replace(profile, name=name, base_url=base)
    region(profile.region)
    return replace(profile, name=name, base_url=None)


def _check_network(profile: Profile) -> Profile:
    """The proxy as http://[user@]host:port (no password: it goes to the keyring), the CA bundle as a readable
    file's absolute path; empty fields as None."""
    where = f"profile {profile.name!r}"
    proxy = (profile.proxy or "").strip()
    ca_bundle = (profile.ca_bundle or "").strip()
    return replace(
        profile,
        proxy=check_proxy_url(proxy, where=f"{where} proxy") if proxy else None,
        ca_bundle=check_ca_file(ca_bundle, where=f"{where} CA bundle") if ca_bundle else None,
    )


def _check_other_service(profile: Profile) -> Profile:
    """Qala, Boomi and the Messaging API have no regions here: a base URL, and what the service needs."""
    if profile.region != "custom" or not profile.base_url:
        raise ValidationError(
            "needs a base URL", where=f"profile {profile.name!r}", hint="the service's address, https://..."
        )
    base = normalize_base_url(profile.base_url, where=f"profile {profile.name!r} base URL")
    environment, account = profile.environment_id, profile.account_id
    # The service's own rule, from its client's module: imported only for a profile of that service (the module
    # loads httpx, and the window reads profiles before it is shown).
    if profile.service == "qala":
        from inspector.core.services.qala import check_environment_id

        environment = check_environment_id(environment or "", where=f"profile {profile.name!r} environment id")
    if profile.service == "boomi":
        from inspector.core.services.boomi import check_account_id

        account = check_account_id(account or "")
    rpm = profile.rate_limit_rpm
    if rpm is not None and (isinstance(rpm, bool) or not isinstance(rpm, int) or rpm < 0):
        raise ValidationError(f"must be 0 (off) or more, not {rpm!r}", where="rate limit")
    return replace(
        profile,
        base_url=base,
        environment_id=environment if profile.service == "qala" else None,
        account_id=account if profile.service == "boomi" else None,
        workflow_container=profile.workflow_container if profile.service == "messaging" else False,
    )


class ProfileStore:
    """Profiles in ``profiles.json`` (versioned, written atomically)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or AppPaths.current().config / "profiles.json"

    def load(self) -> list[Profile]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        try:
            data = json.loads(raw)
            rows = data.get("profiles") if isinstance(data, dict) else None
            if not isinstance(rows, list):
                raise ValueError("no 'profiles' list")
            return [_from_json(row) for row in rows]
        except (ValueError, KeyError, TypeError, RecursionError) as exc:  # RecursionError: JSON nested too deeply
            raise ValidationError(
                f"cannot be read ({exc})",
                where=str(self.path),
                hint="fix or remove the file; profiles can be added again (tokens stay in the keyring)",
            ) from None

    def save(self, profiles: list[Profile]) -> None:
        data = {"version": FILE_VERSION, "profiles": [_to_json(p) for p in profiles]}
        atomic_write(self.path, json.dumps(data, indent=2).encode())

    def get(self, name: str) -> Profile:
        for profile in self.load():
            if profile.name == name:
                return profile
        known = ", ".join(p.name for p in self.load()) or "none yet"
        raise ValidationError(
            f"no profile named {name!r}",
            where="profile",
            hint=f"known profiles: {known}; add one with 'topic-inspector profile add'",
        )

    def upsert(self, profile: Profile) -> Profile:
        profile = check_profile(profile)
        profiles = [p for p in self.load() if p.name != profile.name]
        profiles.append(profile)
        self.save(profiles)
        return profile

    def remove(self, name: str) -> bool:
        profiles = self.load()
        kept = [p for p in profiles if p.name != name]
        if len(kept) == len(profiles):
            return False
        self.save(kept)
        return True


def _to_json(profile: Profile) -> dict[str, Any]:
    """A Workato profile as before; another service's with its service and the fields it uses."""
    row = asdict(profile)
    if profile.service == "workato":
        for key in ("service", "environment_id", "account_id", "workflow_container"):
            del row[key]
    for key in ("proxy", "ca_bundle"):  # kept only when set
        if row[key] is None:
            del row[key]
    if profile.archive:
        del row["archive"]  # on, as a file of before the archive reads
    return row


def _from_json(row: Any) -> Profile:
    if not isinstance(row, dict) or not isinstance(row.get("name"), str):
        raise ValueError("a profile without a name")
    region_key = str(row.get("region", "us"))
    if region_key != "custom" and region_key not in REGIONS:
        raise ValueError(f"profile {row['name']!r} has unknown region {region_key!r}")
    rpm = row.get("rate_limit_rpm")
    service = row.get("service", "workato")
    if not isinstance(service, str) or service not in SERVICES:
        raise ValueError(f"profile {row['name']!r} has unknown service {service!r}")

    def text(key: str) -> str | None:
        value = row.get(key)
        return value if isinstance(value, str) else None

    return Profile(
        row["name"],
        region_key,
        row.get("base_url"),
        rpm if isinstance(rpm, int) else None,
        service=service,
        environment_id=text("environment_id"),
        account_id=text("account_id"),
        workflow_container=row.get("workflow_container") is True,
        proxy=text("proxy"),
        ca_bundle=text("ca_bundle"),
        archive=row.get("archive") is not False,
    )
