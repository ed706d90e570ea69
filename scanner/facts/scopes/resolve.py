"""Scope requests resolved across the project (constants, imports through the project index,
joins, concatenation, lists) into positioned scopes and their joined length: what the rules judge."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Union
from urllib.parse import urlsplit

from scanner.facts.base import FileFacts, Span
from scanner.facts.scopes.catalog import load_catalog
from scanner.facts.scopes.model import (
    Concat,
    Join,
    Lit,
    Ref,
    ScopeConstant,
    ScopeList,
    ScopeRequest,
    ScopeValue,
)
from scanner.model.document import Document, FileKind, MemoKey
from scanner.project.index import ProjectIndex

_MAX_DEPTH = 12
_MAX_HOPS = 8
_SCOPE_CONSTANT = re.compile(r"^(?:\w*_)?scopes?$", re.IGNORECASE)
# Words in a scope constant's name that say it is not what the code requests: a server's list of
# what it supports, a migration's list of scopes to delete, display tables.
_NOT_REQUESTED_WORDS = frozenset({
    "deprecated", "removed", "legacy", "old", "obsolete", "supported", "available", "allowed",
    "valid", "known", "registered", "reserved", "display", "names", "labels", "choices",
    "descriptions", "tools", "granted", "revoked",
})
# Words no scope is made of: a value holding one is prose (an error message, a UI string).
_PROSE_WORDS = frozenset({
    "an", "the", "to", "of", "and", "or", "is", "are", "be", "not", "please", "you", "your",
    "this", "that", "must", "require", "requires", "with", "for", "in", "on", "have", "has",
    "was", "were", "will", "can", "cannot", "should", "make", "sure", "been", "failed", "missing",
})
# Bases that make a class an enumeration or a choices table: its members are a registry.
_REGISTRY_BASES = ("Enum", "Flag", "Choices")

# `scope` values of other worlds: dependency scopes (Maven, Gradle, CycloneDX SBOMs), DI and
# variable scopes, pytest fixtures, installer scopes. A request made only of these is not OAuth.
NOT_OAUTH_SCOPES = frozenset({
    "required", "optional", "excluded", "compile", "test", "provided", "runtime", "system", "import",
    "process", "user", "machine", "global", "local", "session", "request", "application", "singleton",
    "prototype", "module", "function", "class", "package", "public", "private", "internal",
    "protected", "transient", "scoped", "thread", "instance", "project", "workspace", "folder",
    "host", "link", "site",
})


@dataclass(frozen=True)
class Place:
    """Where something is in the project: a file, a span in it and its first line."""

    path: str
    span: Span
    line_text: str


@dataclass(frozen=True)
class ScopeToken:
    """One requested scope and where its text is."""

    text: str
    place: Place


@dataclass(frozen=True)
class ResolvedRequest:
    """A request with its scopes known statically; `complete` is False when part of the value
    is not (then `length`, the space-joined length, counts the known part). `host` is the
    token/authorize URL's, `provider` the catalogued provider (by that host, else by a scope)."""

    request: ScopeRequest
    place: Place  # the request itself
    tokens: tuple[ScopeToken, ...]
    complete: bool
    length: int
    anchor: Place  # the literal holding the whole list (a whole-list finding goes there)
    host: str | None
    provider: str | None
    # the scopes come from the project's own scope enumeration (`Scope.orders_read`): an
    # authorization server issuing or checking its own scopes
    own_registry: bool = False


@functools.lru_cache(maxsize=16384)  # SH204 asks of every file with calls, rule after rule
def is_test_path(path: str) -> bool:
    return Document(path, "", kind=FileKind.TEXT).context == "test"


# -- resolution --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    """Part of a resolved string: known text with the literal it came from, or an unknown gap."""

    text: str
    source: tuple[str, Lit] | None  # (path, literal)
    known: bool = True


@dataclass
class _Text:
    """A string built from pieces (literals and names), as far as it resolves."""

    pieces: list[_Piece]


@dataclass
class _List:
    """A list of strings, and whether every item was resolved."""

    items: list[_Text]
    complete: bool = True


class _Unknown:
    pass


_Resolved = Union[_Text, _List, _Unknown]  # noqa: UP007 (a runtime alias)


class Resolver:
    """Resolves scope values. Names are looked up in the file's own constants, then through its
    imports with the project index (re-exports and aliases included)."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self.catalog = load_catalog()
        self._constants: dict[str, dict[str, ScopeConstant]] = {}
        # (path, name) of every constant a resolution went through.
        self.visited: set[tuple[str, str]] = set()

    def fork(self) -> Resolver:
        """A resolver sharing the lookups but with its own `visited`."""
        other = Resolver(self.index)
        other._constants = self._constants
        return other

    def constants(self, path: str) -> dict[str, ScopeConstant]:
        found = self._constants.get(path)
        if found is None:
            facts = self.index.load(path, (ScopeConstant,))
            found = {c.name: c for c in facts.of(ScopeConstant)} if facts is not None else {}
            self._constants[path] = found
        return found

    def lookup(self, path: str, name: str, hops: int = 0) -> tuple[str, ScopeConstant] | None:
        if hops > _MAX_HOPS:
            return None
        constant = self.constants(path).get(name)
        if constant is not None:
            self.visited.add((path, constant.name))
            return path, constant
        symbols = self.index.module_of_path(path)
        if symbols is None or symbols.imported(name.partition(".")[0]) is None:
            return None
        module, member = self.index.split(self.index.resolve(symbols, name))
        target = self.index.module(module) if module is not None and member else None
        if target is None or target.path == path:
            return None
        return self.lookup(target.path, member, hops + 1)

    def resolve(self, value: ScopeValue, path: str, depth: int = 0) -> _Resolved:
        if depth > _MAX_DEPTH:
            return _Unknown()
        if isinstance(value, Lit):
            return _Text([_Piece(value.text, (path, value))])
        if isinstance(value, ScopeList):
            items: list[_Text] = []
            complete = True
            for item in value.items:
                if isinstance(item, ScopeList):
                    return _Unknown()  # a list of pairs or rows (a table), not a scope list
                resolved = self.resolve(item, path, depth + 1)
                if isinstance(resolved, _Text):
                    items.append(resolved)
                elif isinstance(resolved, _List):
                    items.extend(resolved.items)
                    complete = complete and resolved.complete
                else:
                    complete = False
            return _List(items, complete)
        if isinstance(value, Ref):
            found = self.lookup(path, value.name)
            if found is None:
                return _Unknown()
            return self.resolve(found[1].value, found[0], depth + 1)
        if isinstance(value, Join):
            seq = self.resolve(value.seq, path, depth + 1)
            if isinstance(seq, _Text):  # joining a string joins its characters: not a scope list
                return _Unknown()
            if isinstance(seq, _Unknown):
                return _Text([_Piece("", None, known=False)])
            pieces: list[_Piece] = []
            for index, element in enumerate(seq.items):
                if index:
                    pieces.append(_Piece(value.sep, None))
                pieces.extend(element.pieces)
            if not seq.complete:
                pieces.append(_Piece("", None, known=False))
            return _Text(pieces)
        if isinstance(value, Concat):
            parts = [self.resolve(part, path, depth + 1) for part in value.parts]
            if any(isinstance(p, _List) for p in parts):
                merged = _List([], True)
                for part in parts:
                    if isinstance(part, _List):
                        merged.items.extend(part.items)
                        merged.complete = merged.complete and part.complete
                    else:
                        merged.complete = False
                return merged
            joined: list[_Piece] = []
            for part in parts:
                joined.extend(part.pieces if isinstance(part, _Text) else [_Piece("", None, known=False)])
            return _Text(joined)
        return _Unknown()

    def anchor(self, value: ScopeValue, path: str, depth: int = 0) -> tuple[str, ScopeValue]:
        """The value (and its file) that holds the whole scope list, through names and joins."""
        if depth <= _MAX_DEPTH:
            if isinstance(value, Ref):
                found = self.lookup(path, value.name)
                if found is not None:
                    return self.anchor(found[1].value, found[0], depth + 1)
            elif isinstance(value, Join):
                return self.anchor(value.seq, path, depth + 1)
        return path, value

    def request(self, path: str, request: ScopeRequest) -> ResolvedRequest:
        place = Place(path, request.span, request.line_text)
        resolved = self.resolve(request.value, path)
        anchor_path, anchor_value = self.anchor(request.value, path)
        anchor = _place(anchor_path, anchor_value) if anchor_path != path or \
            anchor_value is not request.value else place
        host = host_of(request.provider_url)
        if isinstance(resolved, _Unknown):
            return ResolvedRequest(request, place, (), False, 0, anchor, host,
                                   self.catalog.provider_of_host(host))
        if isinstance(resolved, _Text):
            tokens, complete = _string_tokens(resolved.pieces)
        else:
            tokens, complete = [], resolved.complete
            for item in resolved.items:
                item_tokens, item_complete = _string_tokens(item.pieces)
                tokens.extend(item_tokens)
                complete = complete and item_complete
        tokens = [t for t in tokens if not t.text.startswith(("/", "./"))]
        length = len(" ".join(t.text for t in tokens))
        provider = self.catalog.provider_of_host(host) or self._provider_of_scopes(tokens)
        return ResolvedRequest(request, place, tuple(tokens), complete, length, anchor, host,
                               provider)


    def _provider_of_scopes(self, tokens: list[ScopeToken]) -> str | None:
        """The catalogued provider at least half of the request's scopes belong to (`user:read`
        alone is Zoom's and many other APIs' scope: one such scope does not make a request
        Zoom's)."""
        judged = [t.text for t in tokens if t.text not in self.catalog.identity]
        counts: dict[str, int] = {}
        for text in judged:
            found = self.catalog.provider_of_scope(text)
            if found is not None:
                counts[found] = counts.get(found, 0) + 1
        best = max(sorted(counts), key=lambda name: counts[name], default=None)
        return best if best is not None and 2 * counts[best] >= len(judged) else None


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower() if host else None


def _place(path: str, value: ScopeValue) -> Place:
    return Place(path, value.span, value.lines[0] if value.lines else "")


def _string_tokens(pieces: list[_Piece]) -> tuple[list[ScopeToken], bool]:
    """Split a resolved string into scope tokens; a token touching an unknown part is dropped."""
    tokens: list[tuple[str, tuple[str, Lit]]] = []
    complete = True
    buffer: list[tuple[str, _Piece | None]] = []

    def flush() -> None:
        if not buffer:
            return
        if any(owner is None for _, owner in buffer):
            buffer.clear()
            return
        text = "".join(char for char, _ in buffer)
        owner = next((o for _, o in buffer if o is not None and o.source is not None), None)
        if owner is not None and owner.source is not None:
            tokens.append((text, owner.source))
        buffer.clear()

    for piece in pieces:
        if not piece.known:
            complete = False
            buffer.append(("\0", None))
            continue
        for char in piece.text:
            if char.isspace() or char == ",":
                flush()
            else:
                buffer.append((char, piece))
    flush()
    return _positioned(tokens), complete


def _positioned(tokens: list[tuple[str, tuple[str, Lit]]]) -> list[ScopeToken]:
    """Point each token at its own text inside its literal when the literal's lines show it."""
    out: list[ScopeToken] = []
    cursors: dict[tuple[str, Span], tuple[int, int]] = {}
    for text, (path, literal) in tokens:
        span, lines = literal.span, literal.lines
        first = lines[0] if lines else ""
        if not lines or literal.encoded:
            out.append(ScopeToken(text, Place(path, span, first)))
            continue
        key = (path, span)
        line_index, column = cursors.get(key, (0, span[1] - 1))
        found = None
        while line_index < len(lines):
            at = lines[line_index].find(text, column)
            if at != -1:
                found = (line_index, at)
                break
            line_index, column = line_index + 1, 0
        if found is None:
            out.append(ScopeToken(text, Place(path, span, first)))
            continue
        line_index, at = found
        cursors[key] = (line_index, at + len(text))
        line = span[0] + line_index
        out.append(ScopeToken(text, Place(path, (line, at + 1, line, at + 1 + len(text)),
                                          lines[line_index])))
    return out


# -- the requests every rule judges -----------------------------------------------------------


def is_prose(tokens: Sequence[ScopeToken]) -> bool:
    """Words of a sentence (an error message, a translation string), not scopes: a word no
    scope is made of, or a word that ends a sentence."""
    return any(t.text.lower() in _PROSE_WORDS or (t.text[-1] in ".!?" and t.text[:-1].isalpha())
               for t in tokens)


def is_oauth(resolved: ResolvedRequest) -> bool:
    """A request with no known scope, or one scope that is not of another world's `scope`;
    never prose."""
    if not resolved.tokens:
        return True
    if is_prose(resolved.tokens):
        return False
    return any(t.text.lower() not in NOT_OAUTH_SCOPES for t in resolved.tokens)


def _name_words(name: str) -> set[str]:
    """`DEPRECATED_SCOPES` / `deprecatedScopes` -> {"deprecated", "scopes"}."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name.rsplit(".", 1)[-1])
    return {w.lower() for w in re.split(r"[\s_]+", spaced) if w}


def _registry_classes(index: ProjectIndex, path: str) -> set[str]:
    """Names of the module's enumeration classes (`class Scope(StrEnum)`): an authorization
    server's own scope registry."""
    symbols = index.module_of_path(path)
    if symbols is None:
        return set()
    return {cls.qualname.rsplit(".", 1)[-1] for cls in symbols.classes
            if any(base.rsplit(".", 1)[-1].endswith(_REGISTRY_BASES) for base in cls.bases)}


def _through_registry(index: ProjectIndex, visited: set[tuple[str, str]]) -> bool:
    """Did a resolution go through members of an enumeration class?"""
    return any("." in name and name.split(".", 1)[0] in _registry_classes(index, path)
               for path, name in visited)


# The index's memo of `resolved_requests` (by the facts asked about): every scope rule asks.
_RESOLVED = MemoKey[list[tuple[Mapping[str, FileFacts], list["ResolvedRequest"]]]](
    "resolved scope requests")


def resolved_requests(facts: Mapping[str, FileFacts], index: ProjectIndex) -> list[ResolvedRequest]:
    """Every scope request of the scanned (non-test) files with its resolved scopes, plus scope
    constants (`SCOPES = [...]`) that no request uses (passed in a way we do not recognise).
    Resolved once per project step and these facts (each scope rule asks)."""
    known = index.memo(_RESOLVED, list)
    for seen, results in known:
        if seen is facts:
            return list(results)
    results = _resolved_requests(facts, index)
    known.append((facts, results))
    return list(results)


def _resolved_requests(facts: Mapping[str, FileFacts],
                       index: ProjectIndex) -> list[ResolvedRequest]:
    resolver = Resolver(index)
    paths = [path for path in sorted(facts) if not is_test_path(path)]
    results = []
    for path in paths:
        for request in facts[path].of(ScopeRequest):
            own = resolver.fork()
            resolved = own.request(path, request)
            resolver.visited |= own.visited
            if is_oauth(resolved):
                if _through_registry(index, own.visited):
                    resolved = replace(resolved, own_registry=True)
                results.append(resolved)
    candidates: list[tuple[tuple[str, str], ResolvedRequest, set[tuple[str, str]]]] = []
    for path in paths:
        for constant in facts[path].of(ScopeConstant):
            short = constant.name.rsplit(".", 1)[-1]
            key = (path, constant.name)
            if not _SCOPE_CONSTANT.match(short) or key in resolver.visited \
                    or _name_words(short) & _NOT_REQUESTED_WORDS:
                continue
            own = resolver.fork()
            request = ScopeRequest(constant.span, Ref(constant.name, constant.span),
                                   f"{constant.name} constant", None, "scope constant",
                                   constant.line_text, constant.partial)
            candidates.append((key, own.request(path, request), own.visited - {key}))
    used_by_others = {key for *_rest, visited in candidates for key in visited}
    for key, resolved, visited in candidates:
        if key not in used_by_others and resolved.tokens and is_oauth(resolved) \
                and not _through_registry(index, visited):
            results.append(resolved)
    return results
