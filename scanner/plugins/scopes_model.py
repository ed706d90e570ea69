"""The scope family's picklable facts (scope requests, symbolic values, API calls) and the
resolution of symbolic values (constants, imports, joins, concatenation) into positioned scopes."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Union

# Scope strings are space-delimited (RFC 6749 section 3.3); Slack and some others use commas.
_TOKEN = re.compile(r"[^\s,]+")
_MAX_DEPTH = 12

# `scope` values of other worlds: dependency scopes (Maven, Gradle, CycloneDX SBOMs), DI and
# variable scopes, pytest fixtures, installer scopes. A request made only of these is not OAuth.
NOT_OAUTH_SCOPES = frozenset({
    "required", "optional", "excluded", "compile", "test", "provided", "runtime", "system", "import",
    "process", "user", "machine", "global", "local", "session", "request", "application", "singleton",
    "prototype", "module", "function", "class", "package", "public", "private", "internal",
    "protected", "transient", "scoped", "thread", "instance", "project", "workspace", "folder", "host", "link", "site",
})


@dataclass(frozen=True)
class Span:
    """Where a literal or request sits: 1-based positions, and the source lines it covers
    (so findings in another module get a snippet without re-reading the file)."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    lines: tuple[str, ...] = ()

    @property
    def line_text(self) -> str:
        return self.lines[0] if self.lines else ""


@dataclass(frozen=True)
class Lit:
    """A constant string."""

    text: str
    span: Span


@dataclass(frozen=True)
class Seq:
    """A list, tuple or set literal (or a JS array)."""

    items: tuple[Value, ...]
    span: Span


@dataclass(frozen=True)
class Ref:
    """A name to resolve: a module constant, or (dotted) a name imported from another module."""

    name: str
    span: Span


@dataclass(frozen=True)
class Join:
    """`sep.join(seq)` / `seq.join(sep)`."""

    sep: str
    seq: Value
    span: Span


@dataclass(frozen=True)
class Concat:
    """`a + b`, f-strings and template strings: strings or lists, decided when resolved."""

    parts: tuple[Value, ...]
    span: Span


@dataclass(frozen=True)
class Unknown:
    """Anything not statically known (a call result, an environment lookup, a parameter)."""

    span: Span


Value = Union[Lit, Seq, Ref, Join, Concat, Unknown]  # noqa: UP007 (a runtime alias)


@dataclass(frozen=True)
class ScopeRequest:
    """One place where scopes are requested: the scopes (symbolic until resolved), where they came
    from (`origin`, e.g. "OAuth2Session(scope=)"), the token/authorize URL when known, the span."""

    value: Value
    origin: str
    provider_url: str | None
    span: Span


@dataclass(frozen=True)
class ApiCall:
    """An HTTP call the code makes: method ("GET", "POST", ..., or "*" when unknown), URL path
    segments (placeholders as "{}"), the host when the URL names one, and where it is."""

    method: str
    segments: tuple[str, ...]
    host: str | None
    path: str
    line: int


@dataclass
class FileFacts:
    """What one file contributes: scope requests, module constants and imports (for resolution),
    API calls, and whether it handles refresh tokens."""

    path: str
    requests: list[ScopeRequest] = field(default_factory=list)
    constants: dict[str, Value] = field(default_factory=dict)
    # local name -> (absolute module, attribute or None for `import module`).
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    calls: list[ApiCall] = field(default_factory=list)
    refresh_tokens: bool = False
    # Only part of the file was asked for (diff, hook, history): the scan does not see every call.
    partial: bool = False


# -- resolution -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """Part of a resolved string: known text with the literal it came from, or an unknown gap."""

    text: str
    source: Lit | None
    known: bool = True


@dataclass
class RStr:
    pieces: list[Piece]


@dataclass
class RList:
    items: list[RStr]
    complete: bool = True


@dataclass
class RUnknown:
    pass


Resolved = Union[RStr, RList, RUnknown]  # noqa: UP007 (a runtime alias)


@dataclass(frozen=True)
class ScopeToken:
    """One requested scope with the position of its text."""

    text: str
    span: Span


@dataclass
class ResolvedScopes:
    tokens: list[ScopeToken]
    complete: bool
    # Length of the space-joined scope string (of its known part when incomplete).
    length: int
    # The span to report a whole-list finding at (the list literal when there is one).
    anchor: Span


Lookup = Callable[[str, str], "tuple[str, Value] | None"]


class Resolver:
    """Resolves symbolic values; `lookup(path, name)` finds a constant (path, value) by a name
    seen in `path`, following imports across modules."""

    def __init__(self, lookup: Lookup) -> None:
        self._lookup = lookup
        # (path, name) of every constant a resolution went through.
        self.visited: set[tuple[str, str]] = set()

    def lookup(self, path: str, name: str) -> tuple[str, Value] | None:
        found = self._lookup(path, name)
        if found is not None:
            self.visited.add((found[0], name.split(".")[-1]))
        return found

    def resolve(self, value: Value, path: str, depth: int = 0) -> Resolved:
        if depth > _MAX_DEPTH:
            return RUnknown()
        if isinstance(value, Lit):
            return RStr([Piece(value.text, value)])
        if isinstance(value, Seq):
            items: list[RStr] = []
            complete = True
            for item in value.items:
                resolved = self.resolve(item, path, depth + 1)
                if isinstance(resolved, RStr):
                    items.append(resolved)
                elif isinstance(resolved, RList):
                    items.extend(resolved.items)
                    complete = complete and resolved.complete
                else:
                    complete = False
            return RList(items, complete)
        if isinstance(value, Ref):
            found = self.lookup(path, value.name)
            if found is None:
                return RUnknown()
            return self.resolve(found[1], found[0], depth + 1)
        if isinstance(value, Join):
            seq = self.resolve(value.seq, path, depth + 1)
            if isinstance(seq, RStr):  # joining a string joins its characters: not a scope list
                return RUnknown()
            if isinstance(seq, RUnknown):
                return RStr([Piece("", None, known=False)])
            pieces: list[Piece] = []
            for index, element in enumerate(seq.items):
                if index:
                    pieces.append(Piece(value.sep, None))
                pieces.extend(element.pieces)
            if not seq.complete:
                pieces.append(Piece("", None, known=False))
            return RStr(pieces)
        if isinstance(value, Concat):
            parts = [self.resolve(part, path, depth + 1) for part in value.parts]
            if any(isinstance(p, RList) for p in parts):
                merged = RList([], True)
                for part in parts:
                    if isinstance(part, RList):
                        merged.items.extend(part.items)
                        merged.complete = merged.complete and part.complete
                    else:
                        merged.complete = False
                return merged
            joined: list[Piece] = []
            for part in parts:
                joined.extend(part.pieces if isinstance(part, RStr) else [Piece("", None, known=False)])
            return RStr(joined)
        return RUnknown()

    def anchor(self, value: Value, path: str, depth: int = 0) -> Span:
        """The literal that holds the whole scope list, following references and joins."""
        if depth <= _MAX_DEPTH:
            if isinstance(value, Ref):
                found = self.lookup(path, value.name)
                if found is not None:
                    return self.anchor(found[1], found[0], depth + 1)
            elif isinstance(value, Join):
                return self.anchor(value.seq, path, depth + 1)
        return value.span

    def scopes(self, request: ScopeRequest) -> ResolvedScopes:
        resolved = self.resolve(request.value, request.span.path)
        anchor = self.anchor(request.value, request.span.path)
        if isinstance(resolved, RUnknown):
            return ResolvedScopes([], False, 0, anchor)
        if isinstance(resolved, RStr):
            tokens, complete = _string_tokens(resolved.pieces)
        else:
            tokens, complete = [], resolved.complete
            for item in resolved.items:
                item_tokens, item_complete = _string_tokens(item.pieces)
                tokens.extend(item_tokens)
                complete = complete and item_complete
        tokens = [t for t in tokens if not t.text.startswith(("/", "./"))]
        length = len(" ".join(t.text for t in tokens))
        return ResolvedScopes(tokens, complete, length, anchor)


def _string_tokens(pieces: list[Piece]) -> tuple[list[ScopeToken], bool]:
    """Split a resolved string into scope tokens; a token touching an unknown part is dropped."""
    tokens: list[ScopeToken] = []
    complete = True
    # Flatten into characters tagged with their piece, with None marking an unknown gap.
    text_parts: list[tuple[str, Piece | None]] = []
    for piece in pieces:
        if piece.known:
            text_parts.append((piece.text, piece))
        else:
            complete = False
            text_parts.append(("\0", None))
    buffer: list[tuple[str, Piece | None]] = []

    def flush() -> None:
        if not buffer:
            return
        if any(owner is None for _, owner in buffer):
            buffer.clear()
            return
        text = "".join(ch for ch, _ in buffer)
        owner = next((o for _, o in buffer if o is not None and o.source is not None), None)
        source = owner.source if owner is not None else None
        if source is not None:
            tokens.append(ScopeToken(text, source.span))
        buffer.clear()

    for text, owner in text_parts:
        if owner is None:
            buffer.append(("\0", None))
            continue
        for char in text:
            if char.isspace() or char == ",":
                flush()
            else:
                buffer.append((char, owner))
    flush()
    return _refine_columns(tokens), complete


def _refine_columns(tokens: list[ScopeToken]) -> list[ScopeToken]:
    """Point each token at its own text inside its literal when the literal's lines show it."""
    refined: list[ScopeToken] = []
    cursors: dict[Span, tuple[int, int]] = {}
    for token in tokens:
        span = token.span
        if not span.lines:
            refined.append(token)
            continue
        line_index, column = cursors.get(span, (0, span.column - 1))
        found = None
        while line_index < len(span.lines):
            at = span.lines[line_index].find(token.text, column)
            if at != -1:
                found = (line_index, at)
                break
            line_index, column = line_index + 1, 0
        if found is None:
            refined.append(token)
            continue
        line_index, at = found
        cursors[span] = (line_index, at + len(token.text))
        line = span.line + line_index
        refined.append(ScopeToken(token.text, Span(span.path, line, at + 1, line, at + 1 + len(token.text),
                                                   (span.lines[line_index],))))
    return refined


def tokens_of(text: str) -> list[str]:
    return _TOKEN.findall(text)


def module_names(path: str) -> list[str]:
    """Dotted module names a Python file may be imported as (src/ layouts and sub-roots too)."""
    if not path.endswith(".py"):
        return []
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return [".".join(parts[i:]) for i in range(len(parts)) if parts[i:]]


def build_module_index(paths: Mapping[str, object]) -> dict[str, str]:
    """Dotted module name -> path, preferring the shortest path for a name."""
    index: dict[str, str] = {}
    for path in sorted(paths, key=lambda p: (p.count("/"), p)):
        for name in module_names(path):
            index.setdefault(name, path)
    return index
