"""Whether a scope is used: a scope parses into (resource, access); the repository's API calls
touch resources by their URL path words; user maps name exact endpoints."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scanner.facts.scopes import ApiUse
from scanner.facts.scopes.calls import CLIENT, EVERYTHING, NAMED, normalise_word
from scanner.facts.scopes.catalog import Catalog
from scanner.facts.scopes.clients import OPERATION_WORDS

READ_WORDS = frozenset({"read", "readonly", "read_only", "readbasic", "view", "history", "list", "get"})
WRITE_WORDS = frozenset({"write", "readwrite", "manage", "send", "edit", "create", "delete", "modify",
                         "full", "update", "insert", "upload", "compose", "join", "fullcontrol", "admin"})
# Qualifiers that say nothing about the resource or the access.
_IGNORED_WORDS = frozenset({"all", "shared", "basic", "selected", "public", "own"})
# SmartThings-style single-letter access prefixes: `r:devices:*`, `x:devices:$`, `w:locations:*`.
SHORT_ACCESS = {"r": "read", "l": "read", "w": "write", "x": "write"}
_GOOGLE_PREFIX = re.compile(r"^https://(?:www\.)?googleapis\.com/auth/")
_METHOD = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|\*)\s+(/\S*)$", re.IGNORECASE)
_READ_TWINS = ((r"ReadWrite", "Read"), (r"readwrite", "read"), (r"\bwrite\b", "read"),
               (r"\bWrite\b", "Read"), (r"_write\b", "_read"), (r"\bwrite_", "read_"))


@dataclass(frozen=True)
class ScopeMeaning:
    """What a scope grants: the resource (as written and as path words) and the access level
    ("read", "write", or "any" when the name does not say)."""

    resource: str
    words: frozenset[str]
    access: str
    read_scope: str | None


def _access_of(word: str) -> str | None:
    lower = word.lower()
    head = lower.split(".")[0]
    if lower in READ_WORDS or head in READ_WORDS:
        return "read"
    if lower in WRITE_WORDS or head in WRITE_WORDS:
        return "write"
    return None


def names_resource_and_access(scope: str) -> bool:
    """`r:devices:*` / `read:users:*`: an access level on one resource (the `*` ranges over its
    objects), not a wildcard over a whole API."""
    parts = [p for p in re.split(r"[:.]", scope) if p and p not in ("*", "$")]
    access = [p for p in parts if p.lower() in SHORT_ACCESS or _access_of(p)]
    resources = [p for p in parts if p.lower() not in SHORT_ACCESS and not _access_of(p)
                 and p.lower() not in _IGNORED_WORDS]
    return bool(access) and bool(resources) and not any(p.lower() == "admin" for p in access)


def _read_counterpart(scope: str) -> str | None:
    """`deals.write` -> `deals.read`, `Mail.ReadWrite` -> `Mail.Read`, `write:org` -> `read:org`."""
    for pattern, replacement in _READ_TWINS:
        candidate, count = re.subn(pattern, replacement, scope)
        if count:
            return candidate
    return None


def parse_scope(scope: str, catalog: Catalog) -> ScopeMeaning | None:
    """The meaning of one scope, or None when it names no resource (then nothing is said)."""
    explicit = catalog.explicit.get(scope)
    if explicit is not None:
        resource, access, _provider = explicit
        return ScopeMeaning(resource, _words(resource, catalog), access, catalog.read_scope.get(scope))
    google = _GOOGLE_PREFIX.match(scope)
    if google:
        parts = scope[google.end():].split(".")
        google_access = next((a for a in map(_access_of, parts[1:]) if a), None)
        resource = parts[0]
        if google_access is None:
            # A bare Google API scope grants full access; its `.readonly` twin is the read scope.
            return ScopeMeaning(resource, _words(resource, catalog), "write", scope + ".readonly")
        return ScopeMeaning(resource, _words(resource, catalog), google_access, None)
    if "://" in scope:
        scope = scope.rstrip("/").rsplit("/", 1)[-1]
    if not re.match(r"^[A-Za-z]", scope):
        return None
    match = re.fullmatch(r"(read|write|manage)_(\w+)", scope, re.IGNORECASE)
    if match:
        access = "read" if match.group(1).lower() == "read" else "write"
        resource = match.group(2)
        return ScopeMeaning(resource, _words(resource, catalog), access,
                            _read_counterpart(scope) if access == "write" else None)
    if ":" in scope:
        parts = [p for p in scope.split(":") if p not in ("*", "$")]
        if parts and parts[0].lower() in SHORT_ACCESS:
            resource = next((p for p in parts[1:] if not _access_of(p)), "")
            if not resource:
                return None
            access = SHORT_ACCESS[parts[0].lower()]
            return ScopeMeaning(resource, _words(resource, catalog), access, None)
        access_parts = [p for p in parts if _access_of(p)]
        resource_parts = [p for p in parts if not _access_of(p) and p.lower() not in _IGNORED_WORDS]
        if not resource_parts:
            return None
        dotted = resource_parts[0].split(".")
        resource = dotted[-1] if len(dotted) > 1 else resource_parts[0]
        access = (_access_of(access_parts[0]) or "any") if access_parts else "any"
    else:
        parts = [p for p in scope.split(".") if p and p not in ("*", "$")]
        resource_parts = [p for p in parts if not _access_of(p) and p.lower() not in _IGNORED_WORDS]
        access_found = [a for a in map(_access_of, parts) if a]
        if not resource_parts:
            return None
        resource = resource_parts[-1]
        access = access_found[0] if access_found else "any"
    return ScopeMeaning(resource, _words(resource, catalog), access,
                        _read_counterpart(scope) if access == "write" else None)


def _words(resource: str, catalog: Catalog) -> frozenset[str]:
    key = resource.lower()
    words = {normalise_word(resource)}
    for alias in (key, normalise_word(key)):
        words.update(normalise_word(w) for w in catalog.aliases.get(alias, ()))
    return frozenset(words)


# -- user maps ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """An HTTP method and path (as segments) the code calls."""

    method: str
    segments: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.method} /{'/'.join(self.segments)}"


def parse_endpoint(text: str) -> Endpoint | None:
    match = _METHOD.match(text.strip())
    if not match:
        return None
    segments = tuple(s for s in match.group(2).split("/") if s)
    return Endpoint(match.group(1).upper(), segments)


def _segment_matches(pattern: str, segment: str) -> bool:
    if pattern in {"*", "{}"} or (pattern.startswith("{") and pattern.endswith("}")) or segment == "{}":
        return True
    return pattern.lower() == segment.lower()


def endpoint_matches(endpoint: Endpoint, call: ApiUse) -> bool:
    if endpoint.method != "*" and call.method != "*" and endpoint.method != call.method:
        return False
    pattern, segments = endpoint.segments, call.segments
    if not pattern:
        return True
    for start in range(len(segments) - len(pattern) + 1):
        if all(_segment_matches(p, s) for p, s in zip(pattern, segments[start:start + len(pattern)],
                                                       strict=True)):
            return True
    return False


# -- the verdict -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """Why a scope is not needed; `kind` is "untouched" (no call touches the resource),
    "read-only" (a write scope only read), "mapped" or "offline"."""

    message: str
    kind: str = "untouched"


class CallIndex:
    """A component's calls by the words they touch: a scope is judged against the few calls
    sharing a word with it, not all of them (a large project has thousands)."""

    def __init__(self, calls: Sequence[ApiUse]) -> None:
        self.calls = calls
        self._by_word: dict[str, list[ApiUse]] = {}
        self._named: dict[str, list[ApiUse]] = {}  # calls through a client library, by word
        for call in calls:
            for word in call.resources:
                self._by_word.setdefault(word, []).append(call)
                if call.method == NAMED:
                    self._named.setdefault(word, []).append(call)

    def touching(self, words: frozenset[str]) -> list[ApiUse]:
        return _found(self._by_word, (*sorted(words), EVERYTHING))

    def touching_by_name(self, resource: str) -> list[ApiUse]:
        """Client library calls whose method names the scope's resource in other words: its
        first word (`get_hop()` for `read_hop_connection`: the scope names a part of what the
        call reaches) or two or more of its words in a row (`get_account_summary()` for
        `read_customer_account_summary`)."""
        return _found(self._named, name_words(resource)) if self._named else []


def _found(by_word: Mapping[str, list[ApiUse]], words: Sequence[str]) -> list[ApiUse]:
    found: dict[int, ApiUse] = {}
    for word in words:
        for call in by_word.get(word, ()):
            found.setdefault(id(call), call)
    return list(found.values())


def name_words(resource: str) -> tuple[str, ...]:
    """`save_hop_specific_connection` -> `hop`, `hopspecific`, `specificconnection`,
    `hopspecificconnection`: the first resource word, and every run of two words or more."""
    words = [normalise_word(w) for w in re.split(r"[_\-.:\s]+|(?<=[a-z0-9])(?=[A-Z])", resource) if w]
    while words and (words[0] in OPERATION_WORDS or _access_of(words[0])):
        words = words[1:]
    words = [w for w in words if w not in _IGNORED_WORDS]
    if not words:
        return ()
    runs = ("".join(words[i:j]) for i in range(len(words)) for j in range(i + 2, len(words) + 1))
    return (words[0], *runs)


def judge(scope: str, calls: CallIndex, catalog: Catalog,
          user_map: Mapping[str, Sequence[Endpoint]], refresh_tokens: bool) -> Verdict | None:
    """None when the scope is used (or cannot be judged); else why it is unused or too broad."""
    if scope in catalog.offline:
        if refresh_tokens:
            return None
        return Verdict(f"`{scope}` requests a refresh token, but the code never uses one "
                       "(no `refresh_token` grant or key)", "offline")
    mapped = user_map.get(scope)
    if mapped is not None:
        if any(endpoint_matches(e, c) for e in mapped for c in calls.calls):
            return None
        listed = ", ".join(str(e) for e in mapped)
        return Verdict(f"`{scope}` is never exercised: no API call matches its mapped endpoints ({listed})",
                       "mapped")
    if scope in catalog.identity or scope.lower() in catalog.identity:
        return None
    meaning = parse_scope(scope, catalog)
    if meaning is None:
        return None
    touching = calls.touching(meaning.words) or calls.touching_by_name(meaning.resource)
    if not touching:
        return Verdict(f"`{scope}` is never exercised: no API call touches `{meaning.resource}`")
    # A client's construction (`build("sheets", "v4")`) touches its API but says nothing of access.
    operations = [c for c in touching if c.method != CLIENT]
    if meaning.access == "write" and meaning.read_scope and operations \
            and all(c.access == "read" for c in operations):
        return Verdict(f"`{scope}` grants write access to `{meaning.resource}`, but the code only reads it "
                       f"(GET); request `{meaning.read_scope}` instead", "read-only")
    return None

