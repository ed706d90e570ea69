"""Scope requests read from text: `scope=` in authorize/token URLs of any file, and scope keys of
config files (YAML, TOML, INI, .env; JSON straight from its text). Same facts as the code's."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from urllib.parse import unquote_plus

from scanner.facts.base import Span
from scanner.facts.scopes.code import OFFLINE_REQUEST
from scanner.facts.scopes.model import (
    Lit,
    ScopeList,
    ScopeRequest,
    ScopeValue,
    Unknown,
    span_lines,
)
from scanner.lang.config import ConfigEntry, iter_entries
from scanner.model.document import Document, FileKind

_URL_SCOPE = re.compile(r"https?://[^\s\"'`<>()]*?[?&]scope=(?P<value>[^&\s\"'`<>#)]*)", re.IGNORECASE)
_URL_OFFLINE = re.compile(r"https?://[^\s\"'`<>()]*?[?&](?P<value>access_type=offline)\b")
_PLACEHOLDER = re.compile(r"[{}$<>%]|\\")
# URL escapes that may stand between scopes (decoded before looking for placeholders).
_URL_SEPARATORS = (("%20", " "), ("%2C", ","), ("%2c", ","), ("%3A", ":"), ("%3a", ":"),
                   ("%2F", "/"), ("%2f", "/"))
# `scope`, `scopes`, `*_scopes`, `oauth_scope`/`auth_scope`: not `read_scope`-like fields of other data.
_CONFIG_KEY = re.compile(r"^scopes?$|(?:^|[_.\-])scopes$|o?auth[_.\-]?scopes?$", re.IGNORECASE)
# A key named like scope(s) at a line start (YAML, TOML, INI, .env) or quoted (JSON).
_CONFIG_HINT = re.compile(r"""(?:^[ \t\-]*|["'])[\w.\-]*scopes?["']?\s*[:=]""",
                          re.IGNORECASE | re.MULTILINE)
# `missing_scopes`, `invalid_scope`, `deprecated_scopes`: a message or a list about scopes (a
# translation string, a server's table), not what is requested.
_NOT_A_REQUEST_KEY = re.compile(r"(?:^|[_.\-])(?:missing|invalid|insufficient|deprecated|removed|"
                                r"supported|available|allowed|error|errors|description|help)[_.\-]",
                                re.IGNORECASE)
_JSON_SCOPE_KEY = re.compile(r'"([\w.\-]*scopes?)"\s*:\s*', re.IGNORECASE)
_JSON_URL = re.compile(r'"[\w.\-]*(?:token|auth)[\w.\-]*"\s*:\s*"(https?://[^"]+)"', re.IGNORECASE)
_URL_KEY_WORDS = ("token", "auth", "issuer", "url", "uri", "endpoint")


def _text_span(document: Document, start: int, end: int) -> Span:
    """The span of character offsets `start`..`end` of the document's text."""
    return (*document.position(start), *document.position(end))


def _request(document: Document, value: ScopeValue, origin: str, provider: str | None,
             source: str, span: Span) -> ScopeRequest:
    return ScopeRequest(span, value, origin, provider, source, document.line_text(span[0]),
                        document.changed_lines is not None)


def url_scope_requests(document: Document) -> Iterator[ScopeRequest]:
    """`...?scope=a%20b` in any file, and `access_type=offline` in an authorize URL."""
    if "access_type=offline" in document.text:
        for match in _URL_OFFLINE.finditer(document.text):
            line, column = document.position(match.start("value"))
            span = (line, column, line, column + len(match.group("value")))
            yield _request(document, Lit(OFFLINE_REQUEST, span, (document.line_text(line),),
                                         encoded=True),
                           "access_type= URL parameter", match.group(0).split("?")[0], "url", span)
    if "scope=" not in document.lower:
        return
    for match in _URL_SCOPE.finditer(document.text):
        raw = match.group("value")
        line, column = document.position(match.start("value"))
        span = (line, column, line, column + len(raw))
        value: ScopeValue
        readable = raw
        for escape, char in _URL_SEPARATORS:
            readable = readable.replace(escape, char)
        if _PLACEHOLDER.search(readable):
            value = Unknown(span)
        else:
            decoded = unquote_plus(raw)
            # Scopes point at their own text when the value is not encoded, else at the parameter.
            value = Lit(decoded, span, (document.line_text(line),), encoded=decoded != raw)
        yield _request(document, value, "scope= URL parameter", match.group(0).split("?")[0], "url",
                       span)


def config_scope_requests(document: Document) -> Iterator[ScopeRequest]:
    """Keys named like scope(s) in a config file, with a URL-valued sibling key as provider."""
    if _CONFIG_HINT.search(document.text) is None:
        return  # do not build positioned entries (a YAML compose) for nothing
    if document.kind is FileKind.JSON:
        yield from _json_scope_requests(document)
        return
    entries = list(iter_entries(document))
    for entry in entries:
        if not _CONFIG_KEY.search(entry.key) or _NOT_A_REQUEST_KEY.search(entry.key):
            continue
        origin = ".".join(entry.key_path) or entry.key
        span = (entry.line, entry.column, entry.end_line, entry.end_column)
        value: ScopeValue
        if isinstance(entry.value, str):
            if _PLACEHOLDER.search(entry.value) and ("${" in entry.value or "{{" in entry.value):
                value = Unknown(span)
            else:
                value = Lit(entry.value, span, span_lines(document, span))
        elif isinstance(entry.value, list):
            if entry.items:
                items: tuple[ScopeValue, ...] = tuple(
                    Lit(str(item), (line, column, end_line, end_column),
                        span_lines(document, (line, column, end_line, end_column)))
                    for item, line, column, end_line, end_column in entry.items)
            else:
                items = tuple(Lit(str(item), span, span_lines(document, span)) for item in entry.value
                              if isinstance(item, (str, int)))
            value = ScopeList(items, span, span_lines(document, span))
        else:
            continue
        yield _request(document, value, f"{origin} (config)",
                       _sibling_url(entries, entry.key_path), "config", span)


def _json_scope_requests(document: Document) -> Iterator[ScopeRequest]:
    """Scope keys of a JSON file, read straight from the text (no YAML compose of big files)."""
    text = document.text
    decoder = json.JSONDecoder()
    url = _JSON_URL.search(text)
    provider = url.group(1) if url else None
    for match in _JSON_SCOPE_KEY.finditer(text):
        if not _CONFIG_KEY.search(match.group(1)) or _NOT_A_REQUEST_KEY.search(match.group(1)):
            continue
        try:
            value, end = decoder.raw_decode(text, match.end())
        except (ValueError, RecursionError):
            continue
        span = _text_span(document, match.end(), end)
        origin = f"{match.group(1)} (config)"
        if isinstance(value, str):
            yield _request(document, Lit(value, span, span_lines(document, span)), origin, provider,
                           "config", span)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            items: list[ScopeValue] = []
            cursor = match.end()
            for item in value:
                written = json.dumps(item)
                at = text.find(written, cursor, end)
                if at == -1:
                    at = cursor
                cursor = at + len(written)
                item_span = _text_span(document, at, cursor)
                items.append(Lit(item, item_span, span_lines(document, item_span)))
            yield _request(document, ScopeList(tuple(items), span, span_lines(document, span)), origin,
                           provider, "config", span)


def _sibling_url(entries: Sequence[ConfigEntry], key_path: tuple[str, ...]) -> str | None:
    parent = key_path[:-1]
    for entry in entries:
        path = entry.key_path
        value = entry.value
        if path[:-1] == parent and isinstance(value, str) and value.startswith(("https://", "http://")):
            key = path[-1].lower() if path else ""
            if any(word in key for word in _URL_KEY_WORDS):
                return value
    return None
