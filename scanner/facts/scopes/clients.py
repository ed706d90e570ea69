"""Calls through a provider's client library, from the text: names bound to instances of a
class and operation-named methods called on names (`client.get_installed_app(...)`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from scanner.facts.base import Fact
from scanner.facts.scopes.model import ClientBinding, ClientMethodCall, Positions, SubscribedEvent
from scanner.lazy import compiled_on_use
from scanner.model.document import Document

# `client = SmartThings(`, `self._api = await YotoClient.create(`, `client: SmartThings`,
# `const client = new Octo(`: a lower-case name, then an annotation or a constructor call.
_BINDING = compiled_on_use(
    r"(?<![\w$.])(?:self\.|this\.)?_*([a-z][\w$]*)\s*(?::\s*|=\s*(?:await\s+)?(?:new\s+)?)"
    r"([A-Z][\w$]*)\b(?=\s*[(.,)=\]\n|])")
# `client.get_devices(`, `await self._ek_api.post_hop(`, `api.listDevices(`: the receiver's last
# name and a method of two words or more.
_METHOD_CALL = compiled_on_use(
    r"(?<![\w$])_*([a-z][\w$]*)\s*\.\s*([a-z]+(?:_[a-z0-9]+)+|[a-z]+(?:[A-Z][a-z0-9]*)+)\s*\(")
# A webhook subscription's event list: `"events": ["repo:push", "pullrequest:fulfilled"]`,
# `topics=["orders/create"]`.
_EVENT_LIST = compiled_on_use(r"""\b(?:events|topics|event_types|webhook_events)["']?\s*[:=]\s*[\[(]([^\])]{0,2000})[\])]""")
_EVENT_NAME = compiled_on_use(r"""["']([a-z][\w-]*(?:[:/.][\w-]+)+)["']""")
# The first word of a method that calls its provider: an operation on what the rest names.
OPERATION_WORDS = frozenset({
    "get", "list", "fetch", "read", "find", "search", "query", "download", "create", "add", "post",
    "put", "patch", "update", "set", "save", "delete", "remove", "execute", "run", "send", "upload",
    "subscribe", "unsubscribe", "request", "start", "stop", "play", "pause", "write", "import",
    "export", "register", "unregister", "enable", "disable", "cancel", "refresh", "sync",
})
_CAMEL = re.compile(r"[A-Z]?[a-z0-9]+")


def method_words(method: str) -> tuple[str, ...]:
    """`get_installed_app` / `async_get_devices` / `listDevices` -> its words, lower-case."""
    words = method.split("_") if "_" in method else [w.lower() for w in _CAMEL.findall(method)]
    words = [w for w in words if w]
    if words and words[0] in ("async", "a") and len(words) > 1:
        words = words[1:]
    return tuple(words)


def operation_resource(method: str) -> tuple[str, ...] | None:
    """The words a method names after its operation (`get_hop_intervals` -> `hop`,
    `intervals`), or None when it does not start with an operation word."""
    words = method_words(method)
    if len(words) < 2 or words[0] not in OPERATION_WORDS:
        return None
    return words[1:]


def client_calls(document: Document) -> Iterator[Fact]:
    """The bindings to class instances, the operation-named method calls and the webhook events
    subscribed to of a code file."""
    text = document.text
    positions = Positions(document)
    for match in _BINDING().finditer(text):
        yield ClientBinding(_span(positions, match.start(1), match.end(2)), match.group(1), match.group(2))
    for match in _METHOD_CALL().finditer(text):
        if operation_resource(match.group(2)) is not None:
            yield ClientMethodCall(_span(positions, match.start(1), match.end(2)), match.group(1),
                                   match.group(2))
    for events in _EVENT_LIST().finditer(text):
        for match in _EVENT_NAME().finditer(text, events.start(1), events.end(1)):
            yield SubscribedEvent(_span(positions, match.start(1), match.end(1)), match.group(1))


def _span(positions: Positions, start: int, end: int) -> tuple[int, int, int, int]:
    line, column = positions.at(start)
    end_line, end_column = positions.at(end)
    return (line, column, end_line, end_column)
