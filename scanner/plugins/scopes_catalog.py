"""The providers' scope catalogs (scanner/data/scopes_*.json), merged into one lookup: broad
scopes, explicit scope meanings, resource-to-path aliases, SDK calls, provider hosts."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class SdkCall:
    """An SDK call pattern and the HTTP endpoint it stands for ({0}, {1}: regex groups)."""

    provider: str
    needle: str
    pattern: re.Pattern[str]
    endpoint: str
    method: str
    host: str | None


@dataclass
class Provider:
    name: str
    auth_hosts: tuple[str, ...]
    api_hosts: tuple[str, ...]
    scope_pattern: re.Pattern[str] | None


@dataclass
class Catalog:
    providers: dict[str, Provider] = field(default_factory=dict)
    # scope -> (why it is broad, the narrower suggestion), and the catalog it comes from
    broad: dict[str, tuple[str, str]] = field(default_factory=dict)
    broad_provider: dict[str, str] = field(default_factory=dict)
    # scope -> (resource, access, provider)
    explicit: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    # scope -> the narrower read scope (when the naming rule cannot derive it)
    read_scope: dict[str, str] = field(default_factory=dict)
    identity: set[str] = field(default_factory=set)
    # resource word -> path words that exercise it
    aliases: dict[str, set[str]] = field(default_factory=dict)
    sdk: list[SdkCall] = field(default_factory=list)
    read_operations: tuple[str, ...] = ()
    scope_providers: dict[str, str] = field(default_factory=dict)

    def provider_of_scope(self, scope: str) -> str | None:
        known = self.scope_providers.get(scope)
        if known is not None:
            return known
        for provider in self.providers.values():
            if provider.scope_pattern is not None and provider.scope_pattern.search(scope):
                return provider.name
        return None

    def provider_of_host(self, host: str | None) -> str | None:
        if not host:
            return None
        for provider in self.providers.values():
            for known in (*provider.auth_hosts, *provider.api_hosts):
                if host == known or host.endswith("." + known):
                    return provider.name
        return None

    def sdk_needles(self) -> tuple[str, ...]:
        return tuple(sorted({sdk.needle for sdk in self.sdk}))


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    catalog = Catalog()
    read_operations: set[str] = set()
    for path in sorted(DATA_DIR.glob("scopes_*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        name = data.get("provider", path.stem[len("scopes_"):])
        pattern = data.get("scope_pattern")
        catalog.providers[name] = Provider(
            name, tuple(data.get("auth_hosts", ())), tuple(data.get("api_hosts", ())),
            re.compile(pattern) if pattern else None,
        )
        api_host = data["api_hosts"][0] if data.get("api_hosts") else None
        for scope, (why, instead) in data.get("broad", {}).items():
            catalog.broad[scope] = (why, instead)
            catalog.broad_provider[scope] = name
        for scope, meaning in data.get("scopes", {}).items():
            catalog.explicit[scope] = (meaning["resource"], meaning["access"], name)
            if "read_scope" in meaning:
                catalog.read_scope[scope] = meaning["read_scope"]
            catalog.scope_providers.setdefault(scope, name)
        # Identity scopes (consumed by the ID token) and scopes no API call can show the use of.
        catalog.identity.update(data.get("identity", ()))
        catalog.identity.update(data.get("unjudged", ()))
        for resource, words in data.get("resources", {}).items():
            catalog.aliases.setdefault(resource.lower(), set()).update(w.lower() for w in words)
        for sdk in data.get("sdk", ()):
            catalog.sdk.append(SdkCall(name, sdk["needle"].lower(), re.compile(sdk["pattern"]),
                                       sdk["endpoint"], sdk.get("method", "auto"), api_host))
        read_operations.update(o.lower() for o in data.get("read_operations", ()))
    catalog.read_operations = tuple(sorted(read_operations))
    return catalog
