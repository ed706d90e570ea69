"""The providers' scope catalogs (scanner/data/scopes_*.json), merged into one read-only lookup:
broad scopes, explicit scope meanings, resource-to-path aliases, SDK calls, provider hosts."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data"


@dataclass(frozen=True)
class SdkCall:
    """An SDK call pattern and the HTTP endpoint it stands for ({0}, {1}: regex groups)."""

    provider: str
    needle: str  # lower-case text a file must hold for the pattern to be tried
    pattern_source: str
    endpoint: str
    method: str  # an HTTP method, or "auto": decided by the operation's name
    host: str | None  # the API host it talks to ("{0}.googleapis.com": from the match)

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compiled(self.pattern_source)


@dataclass(frozen=True)
class Provider:
    """A provider's hosts and the pattern its scope names follow."""

    name: str
    auth_hosts: tuple[str, ...]
    api_hosts: tuple[str, ...]
    scope_pattern_source: str | None

    @property
    def scope_pattern(self) -> re.Pattern[str] | None:
        return None if self.scope_pattern_source is None else _compiled(self.scope_pattern_source)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """A catalog pattern, compiled when first tried: most runs meet few providers' SDKs."""
    return re.compile(pattern)


@dataclass(frozen=True)
class Catalog:
    """Every scope catalog merged: scope meanings, broad scopes, aliases and SDK calls."""

    providers: tuple[Provider, ...]
    # scope -> (why it is broad, the narrower suggestion), and the catalog it comes from
    broad: Mapping[str, tuple[str, str]]
    broad_provider: Mapping[str, str]
    # scope -> (resource, access, provider)
    explicit: Mapping[str, tuple[str, str, str]]
    # scope -> the narrower read scope (when the naming rule cannot derive it)
    read_scope: Mapping[str, str]
    # identity scopes (consumed by the ID token) and scopes no API call can show the use of
    identity: frozenset[str]
    # resource word -> path words that exercise it
    aliases: Mapping[str, frozenset[str]]
    sdk: tuple[SdkCall, ...]
    read_operations: tuple[str, ...]
    scope_providers: Mapping[str, str]
    # Google API words (a per-API host's label or path word) that define no scope narrower
    # than cloud-platform, and API word -> its narrower scopes
    cloud_platform_only: frozenset[str]
    narrower: Mapping[str, tuple[str, ...]]
    # scope -> what it grants (the catalogue's own words)
    grants: Mapping[str, str]
    # scopes over many APIs that each define narrower scopes (Google's cloud-platform)
    umbrella: frozenset[str]
    # scopes that ask for a refresh token (`offline_access`, Salesforce `refresh_token`, X
    # `offline.access`)
    offline: frozenset[str]

    def provider_of_scope(self, scope: str) -> str | None:
        known = self.scope_providers.get(scope)
        if known is not None:
            return known
        for provider in self.providers:
            if provider.scope_pattern is not None and provider.scope_pattern.search(scope):
                return provider.name
        return None

    def provider_of_host(self, host: str | None) -> str | None:
        if not host:
            return None
        for provider in self.providers:
            for known in (*provider.auth_hosts, *provider.api_hosts):
                if host == known or host.endswith("." + known):
                    return provider.name
        return None



@functools.cache
def _catalog_data() -> tuple[tuple[str, dict[str, Any]], ...]:
    """(file stem, parsed JSON) of every catalog file, read once per process (the gate's SDK
    words at start-up and the catalog a scan loads share it; callers only read it)."""
    return tuple((path.stem, json.loads(path.read_text(encoding="utf-8")))
                 for path in sorted(DATA_DIR.glob("scopes_*.json")))


@functools.cache
def sdk_needles() -> tuple[str, ...]:
    """The words a file must hold for an SDK call pattern to be tried: the API-use gate reads
    them at start-up, without compiling the catalog's patterns."""
    return tuple(sorted({sdk["needle"].lower() for _, data in _catalog_data()
                         for sdk in data.get("sdk", ())}))


@functools.cache
def load_catalog() -> Catalog:
    """Every catalog file, read once per process into immutable data."""
    providers: list[Provider] = []
    broad: dict[str, tuple[str, str]] = {}
    broad_provider: dict[str, str] = {}
    explicit: dict[str, tuple[str, str, str]] = {}
    read_scope: dict[str, str] = {}
    identity: set[str] = set()
    aliases: dict[str, set[str]] = {}
    sdk_calls: list[SdkCall] = []
    read_operations: set[str] = set()
    scope_providers: dict[str, str] = {}
    cloud_platform_only: set[str] = set()
    narrower: dict[str, tuple[str, ...]] = {}
    grants: dict[str, str] = {}
    umbrella: set[str] = set()
    offline: set[str] = {"offline_access"}
    for stem, data in _catalog_data():
        name = data.get("provider", stem[len("scopes_"):])
        pattern = data.get("scope_pattern")
        providers.append(Provider(name, tuple(data.get("auth_hosts", ())),
                                  tuple(data.get("api_hosts", ())),
                                  pattern or None))
        api_host = data["api_hosts"][0] if data.get("api_hosts") else None
        for scope, (why, instead) in data.get("broad", {}).items():
            broad[scope] = (why, instead)
            broad_provider[scope] = name
        for scope, meaning in data.get("scopes", {}).items():
            explicit[scope] = (meaning["resource"], meaning["access"], name)
            if "read_scope" in meaning:
                read_scope[scope] = meaning["read_scope"]
            scope_providers.setdefault(scope, name)
            if "grants" in meaning:
                grants[scope] = meaning["grants"]
            if meaning.get("broad") and meaning.get("narrower") and scope not in broad:
                broad[scope] = (f"grants {meaning['grants']}" if "grants" in meaning
                                else "is broader than the integration needs",
                                " or ".join(meaning["narrower"]))
                broad_provider[scope] = name
            # The calls that exercise the scope teach the matcher its resource's path words.
            words = aliases.setdefault(meaning["resource"].lower(), set())
            for call in meaning.get("exercised_by", ()):
                words.update(_call_words(call))
            if meaning.get("identity"):
                identity.add(scope)
            if meaning.get("umbrella"):
                umbrella.add(scope)
        offline.update(data.get("offline", ()))
        cloud_platform_only.update(w.lower() for w in data.get("cloud_platform_only", ()))
        for api, scopes in data.get("narrower", {}).items():
            narrower[api.lower()] = tuple(scopes)
        identity.update(data.get("identity", ()))
        identity.update(data.get("unjudged", ()))
        for resource, words in data.get("resources", {}).items():
            aliases.setdefault(resource.lower(), set()).update(w.lower() for w in words)
        for sdk in data.get("sdk", ()):
            sdk_calls.append(SdkCall(name, sdk["needle"].lower(), sdk["pattern"],
                                     sdk["endpoint"], sdk.get("method", "auto"),
                                     sdk.get("host", api_host)))
        read_operations.update(o.lower() for o in data.get("read_operations", ()))
    return Catalog(
        providers=tuple(providers), broad=MappingProxyType(broad),
        broad_provider=MappingProxyType(broad_provider), explicit=MappingProxyType(explicit),
        read_scope=MappingProxyType(read_scope), identity=frozenset(identity),
        aliases=MappingProxyType({k: frozenset(v) for k, v in aliases.items()}),
        sdk=tuple(sdk_calls), read_operations=tuple(sorted(read_operations)),
        cloud_platform_only=frozenset(cloud_platform_only), narrower=MappingProxyType(narrower),
        grants=MappingProxyType(grants), umbrella=frozenset(umbrella), offline=frozenset(offline),
        scope_providers=MappingProxyType({
            scope: name for scope, name in scope_providers.items()
            if scope not in identity and scope not in offline and _distinctive(scope)}))


# Path tails that name an operation, not the resource it acts on (`/contacts/search`).
_ACTION_WORDS = frozenset({"search", "batch", "query", "list", "get", "create", "update", "delete",
                           "archive", "read", "items", "children", "content", "contents", "status",
                           "summary", "info", "async", "export", "json"})


def _distinctive(scope: str) -> bool:
    """A scope that names its provider by itself: not a plain word (`api`, `email`, `full`)."""
    return any(ch in scope for ch in ":._/")


def _call_words(call: str) -> set[str]:
    """`GET /v1/notifications/recipients`, `host sqladmin.googleapis.com` or an SDK method
    `conversations.inviteShared`: the distinctive word a call of it holds (the last path
    segment or method part that is not a placeholder or a version)."""
    if call.startswith("host "):
        label = call[5:].split(".")[0].lower()
        return {label} if label.isalnum() else set()
    text = call.split(" ", 1)[1] if " " in call else call
    pieces = [w for w in re.split(r"[/.:]", text)
              if w and not w.startswith(("{", "$")) and not re.fullmatch(r"v\d[\w.]*", w)
              and w.lower() not in _ACTION_WORDS]
    return {pieces[-1].lower()} if pieces else set()
