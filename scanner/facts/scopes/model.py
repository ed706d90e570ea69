"""The scope family's facts: where scopes are requested (with their value as written, to be
resolved across modules), module constants that may hold scopes, and the API calls the code makes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from scanner.facts.base import Fact, Span

if TYPE_CHECKING:
    from scanner.model.document import Document

# A literal's lines kept to point at the scopes inside it (a longer literal keeps its first ones).
_MAX_SPAN_LINES = 40


def span_lines(document: Document, span: Span) -> tuple[str, ...]:
    """The source lines a span covers (at most the first 40)."""
    line, _, end_line, _ = span
    return tuple(document.lines[line - 1: min(end_line, line + _MAX_SPAN_LINES)])


class Positions:
    """`Document.position` of a few offsets, counted from the one asked before (a pass over a
    file asks in order): a file with calls is one of hundreds, and the table of every line start
    `Document.position` builds costs more than its few calls. A text with a CR, or whose table
    is built already, is asked through the document."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.text = document.text
        self.counted = "\r" not in self.text and "_line_starts" not in document.__dict__
        self.offset, self.line = 0, 1

    def at(self, offset: int) -> tuple[int, int]:
        if not self.counted:
            return self.document.position(offset)
        text = self.text
        if offset < self.offset:
            self.offset, self.line = 0, 1
        self.line += text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line, offset - text.rfind("\n", 0, offset)


# -- scope values as written ---------------------------------------------------------------------
# Each has its span and, where a finding may land on it (literals, lists, concatenations), the
# source lines it covers: findings in other modules get their snippet without re-reading files.


@dataclass(frozen=True)
class Lit:
    """A constant string and the source lines it covers (to point at each scope inside it);
    `encoded` when the text was decoded (a URL parameter): then scopes point at the whole literal."""

    text: str
    span: Span
    lines: tuple[str, ...] = ()
    encoded: bool = False


@dataclass(frozen=True)
class ScopeList:
    """A list, tuple or set literal, a JS array, or a list in a config file."""

    items: tuple[ScopeValue, ...]
    span: Span
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ref:
    """A name to resolve: a module or class constant (`Client.SCOPES`), or a dotted name
    imported from another module."""

    name: str
    span: Span
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Join:
    """`sep.join(seq)` (Python) / `seq.join(sep)` (JS)."""

    sep: str
    seq: ScopeValue
    span: Span
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Concat:
    """`a + b`, f-strings and template strings: strings or lists, decided when resolved."""

    parts: tuple[ScopeValue, ...]
    span: Span
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unknown:
    """Anything not statically known (a call result, an environment lookup, a parameter)."""

    span: Span
    lines: tuple[str, ...] = ()


ScopeValue = Union[Lit, ScopeList, Ref, Join, Concat, Unknown]  # noqa: UP007 (a runtime alias)


# -- facts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeRequest(Fact):
    """One place where scopes are requested: the value as written (resolved across modules by
    the project step, which also gives the joined length), where the scopes come from (`source`:
    "literal" written in place, "constant" through names, "config", "url", or "scope constant"
    for a SCOPES-like constant no request is seen to use), what requests them (`origin`, e.g.
    "OAuth2Session(scope=)"), and the token/authorize URL when known."""

    value: ScopeValue
    origin: str
    provider_url: str | None
    source: str
    line_text: str
    partial: bool = False  # the scan saw only some lines of the file (diff, hook, history)


@dataclass(frozen=True)
class ScopeConstant(Fact):
    """A module-level (or class-level: `Client.SCOPES`) name bound to a value that may hold
    scopes; requests elsewhere resolve through it."""

    name: str
    value: ScopeValue
    line_text: str
    partial: bool = False


@dataclass(frozen=True)
class ApiUse(Fact):
    """An HTTP call the code makes: method ("GET", "POST", ..., "*" when unknown), URL path
    segments (placeholders as "{}"), the host and its catalogued provider when the URL names one,
    and the resource words of the path (singular, lower-case) that scopes are matched against."""

    method: str
    segments: tuple[str, ...]
    host: str | None
    provider: str | None
    resources: frozenset[str]

    @property
    def access(self) -> str:
        """"read", "write", or "any" when the method is unknown."""
        if self.method in ("*", "CLIENT", "NAMED"):
            return "any"
        return "read" if self.method in ("GET", "HEAD") else "write"


@dataclass(frozen=True)
class RefreshTokenUse(Fact):
    """The file handles refresh tokens (a `refresh_token` grant or key)."""


@dataclass(frozen=True)
class ClientBinding(Fact):
    """A name bound to an instance of a class (`client = SmartThings(...)`, `api: YotoClient`):
    `cls` as written, resolved through the file's imports by the rule."""

    name: str
    cls: str


@dataclass(frozen=True)
class ClientMethodCall(Fact):
    """A method named like an operation called on a name (`client.get_devices(...)`): what a
    client library's caller shows of the resources it reaches."""

    receiver: str
    method: str


@dataclass(frozen=True)
class SubscribedEvent(Fact):
    """An event a webhook subscription asks for (`"events": ["pullrequest:fulfilled"]`): the
    provider sends it only when a scope grants its resource."""

    name: str
