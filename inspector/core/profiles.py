"""Connection profiles: a name, a region or custom base URL. The token is in the keyring, never here."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from inspector.core.errors import InspectorError, ValidationError
from inspector.core.paths import AppPaths, atomic_write
from inspector.core.regions import REGIONAL_RPM, REGIONS, Endpoint, custom_endpoint, normalize_base_url, region

FILE_VERSION = 1
_NAME = re.compile(r"^[^\x00-\x1f\x7f-\x9f]{1,64}$")


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    region: str = "us"  # a key of REGIONS, or "custom"
    base_url: str | None = None  # for "custom"
    rate_limit_rpm: int | None = None  # None = the region's limit

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
        data = {"version": FILE_VERSION, "profiles": [asdict(p) for p in profiles]}
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


def _from_json(row: Any) -> Profile:
    if not isinstance(row, dict) or not isinstance(row.get("name"), str):
        raise ValueError("a profile without a name")
    region_key = str(row.get("region", "us"))
    if region_key != "custom" and region_key not in REGIONS:
        raise ValueError(f"profile {row['name']!r} has unknown region {region_key!r}")
    rpm = row.get("rate_limit_rpm")
    return Profile(row["name"], region_key, row.get("base_url"), rpm if isinstance(rpm, int) else None)
