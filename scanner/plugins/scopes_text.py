"""Cheap, regex-based facts: `scope=` in authorize/token URLs of any file, scope keys of config
files, and the HTTP calls a code file makes (method + URL path), including catalogued SDK calls."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus

from scanner.parsed import FileKind
from scanner.plugins.scopes_model import (
    ApiCall,
    FileFacts,
    Lit,
    ScopeRequest,
    Seq,
    Span,
    Unknown,
    Value,
)

if TYPE_CHECKING:
    from scanner.parsed import ParsedFile
    from scanner.plugins.scopes_catalog import Catalog

_URL_SCOPE = re.compile(r"https?://[^\s\"'`<>()]*?[?&]scope=(?P<value>[^&\s\"'`<>#)]*)", re.IGNORECASE)
# The pieces of _URL_SCOPE, for matching it in one pass (see _url_scopes).
_URL_START = re.compile(r"https?://", re.IGNORECASE)
_URL_STOP = re.compile(r"[\s\"'`<>()]")
_SCOPE_PARAMETER = re.compile(r"[?&]scope=", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"[{}$<>%]|\\")
# `scope`, `scopes`, `*_scopes`, `oauth_scope`/`auth_scope`: not `read_scope`-like fields of other data.
_CONFIG_KEY = re.compile(r"^scopes?$|(?:^|[_.\-])scopes$|o?auth[_.\-]?scopes?$", re.IGNORECASE)

VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
# String literals that look like an HTTP URL or an API path (f-string/template bases allowed).
_URL_LITERAL = re.compile(
    r"""(?P<q>["'`])(?=https?://|\$?\{|/)(?P<body>(?:https?://|\{[^{}"'`\n]{1,60}\}/|\$\{[^{}"'`\n]{1,60}\}/|/)"""
    r"""[^"'`\s]{0,300}?)(?P=q)"""
)
_VERB_BEFORE = re.compile(r"""(?:\.|\b)_?(get|post|put|patch|delete|head)\s*\(\s*[fF]?$""", re.IGNORECASE)
_VERB_ARG = re.compile(r"""["'](GET|POST|PUT|PATCH|DELETE|HEAD)["']\s*,\s*[fF]?$""")
_VERB_AFTER = re.compile(r"""^[^\n;]{0,160}?method\s*[:=]\s*["'](get|post|put|patch|delete|head)["']""",
                         re.IGNORECASE)
_CHAINED_VERB = re.compile(r"""^\s*\)\s*\.\s*(get|post|put|patch|delete|update|create)\s*\(""")
_ASSIGNED = re.compile(r"""(?:^|[\s;(,])(?:export\s+)?(?:const\s+|let\s+|var\s+)?"""
                       r"""([A-Za-z_$][\w$]*)\s*(?::\s*[\w\[\]|. ]+)?=\s*[fFrRbB]{0,2}$""")
# What precedes a URL constant's name where a call uses it: `.post(`, `fetch(`, `.request("GET", `,
# `url=`, or the start of an f-string/template inside the call, `f"{` / `` `${ ``.
_USE_BEFORE = re.compile(
    r"""(?:\.|\b)_?(get|post|put|patch|delete|head|fetch|urlopen|request)\s*\(\s*"""
    r"""(?:["'](GET|POST|PUT|PATCH|DELETE|HEAD)["']\s*,\s*)?(?:url\s*=\s*)?(?:[fF]?["'`]\$?\{)?$""",
    re.IGNORECASE,
)
# `github.get("user/emails")`: a relative path passed straight to a verb call (authlib base URLs).
_RELATIVE_CALL = re.compile(r"""\.(get|post|put|patch|delete)\(\s*["']([A-Za-z][\w\-.]*/[^"'\s]*|[a-z][\w\-]*)["']""")
_ROUTE_LITERAL = re.compile(r"""["'`](GET|POST|PUT|PATCH|DELETE) (/[^"'`\s]*)["'`]""")
# How far back from a URL literal the verb, the assignment or `fetch(` is looked for.
_BEFORE = 512
# Read-only calls sent as POST (search and batch-read endpoints).
_READ_POST_TAIL = frozenset({"search", "query", "read", "batchget", "lookup"})
# Text a file must hold for collect_calls to find anything: URL or path literals (or f-string and
# template bases), verb calls with relative paths, route strings. Few needles: each is a full scan.
CALL_HINTS = ("http", "\"/", "'/", "`/", "\"{", "'{", "`${", ".get(", ".post(")


def url_scope_requests(file: ParsedFile, facts: FileFacts) -> None:
    """`...?scope=a%20b` in any file."""
    if "scope=" not in file.lower:
        return
    for match in _url_scopes(file.text):
        raw = match.group("value")
        start = match.start("value")
        line, column = file.position(start)
        span = Span(file.path, line, column, line, column + len(raw), (file.line_text(line),))
        value: Value
        if _PLACEHOLDER.search(raw.replace("%20", " ").replace("%2C", ",").replace("%2c", ",")
                               .replace("%3A", ":").replace("%3a", ":").replace("%2F", "/")
                               .replace("%2f", "/")):
            value = Unknown(span)
        else:
            decoded = unquote_plus(raw)
            # Point tokens at the raw text when it is not encoded, else at the parameter.
            value = Lit(decoded, span if decoded == raw else Span(file.path, line, column, line,
                                                                  column + len(raw), ()))
        facts.requests.append(ScopeRequest(value, "scope= URL parameter", match.group(0).split("?")[0], span))


# A key named like scope(s) at a line start (YAML, TOML, INI, .env) or quoted (JSON).
_CONFIG_HINT = re.compile(r"""(?:^[ \t\-]*|["'])[\w.\-]*scopes?["']?\s*[:=]""",
                          re.IGNORECASE | re.MULTILINE)


_JSON_SCOPE_KEY = re.compile(r'"([\w.\-]*scopes?)"\s*:\s*', re.IGNORECASE)
_JSON_URL = re.compile(r'"[\w.\-]*(?:token|auth)[\w.\-]*"\s*:\s*"(https?://[^"]+)"', re.IGNORECASE)


def json_scope_requests(file: ParsedFile, facts: FileFacts) -> None:
    """Scope keys of a JSON file, read straight from the text (no YAML compose of big files)."""
    import json

    text = file.text
    decoder = json.JSONDecoder()
    url = _JSON_URL.search(text)
    for match in _JSON_SCOPE_KEY.finditer(text):
        if not _CONFIG_KEY.search(match.group(1)):
            continue
        try:
            value, end = decoder.raw_decode(text, match.end())
        except (ValueError, RecursionError):
            continue
        span = _text_span(file, match.end(), end)
        if isinstance(value, str):
            facts.requests.append(ScopeRequest(Lit(value, span), f"{match.group(1)} (config)",
                                               url.group(1) if url else None, span))
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            items: list[Value] = []
            cursor = match.end()
            for item in value:
                at = text.find(json.dumps(item), cursor, end)
                if at == -1:
                    at = cursor
                cursor = at + len(json.dumps(item))
                items.append(Lit(item, _text_span(file, at, cursor)))
            facts.requests.append(ScopeRequest(Seq(tuple(items), span), f"{match.group(1)} (config)",
                                               url.group(1) if url else None, span))


def _text_span(file: ParsedFile, start: int, end: int) -> Span:
    line, column = file.position(start)
    end_line, end_column = file.position(end)
    return Span(file.path, line, column, end_line, end_column,
                tuple(file.lines[line - 1: min(end_line, line + 40)]))


def config_scope_requests(file: ParsedFile, facts: FileFacts) -> None:
    if _CONFIG_HINT.search(file.text) is None:
        return  # do not build positioned entries (a YAML compose) for nothing
    if file.kind is FileKind.JSON:
        json_scope_requests(file, facts)
        return
    from scanner.lang.config import iter_entries

    entries = list(iter_entries(file))
    sibling_urls = _sibling_urls(entries)
    for entry in entries:
        if not _CONFIG_KEY.search(entry.key):
            continue
        origin = ".".join(entry.key_path) or entry.key
        lines = tuple(file.lines[entry.line - 1: min(entry.end_line, entry.line + 40)])
        span = Span(file.path, entry.line, entry.column, entry.end_line, entry.end_column, lines)
        value: Value
        if isinstance(entry.value, str):
            if _PLACEHOLDER.search(entry.value) and ("${" in entry.value or "{{" in entry.value):
                value = Unknown(span)
            else:
                value = Lit(entry.value, span)
        elif isinstance(entry.value, list):
            if entry.items:
                items: tuple[Value, ...] = tuple(
                    Lit(str(v), Span(file.path, ln, col, eln, ecol,
                                     tuple(file.lines[ln - 1: min(eln, ln + 40)])))
                    for v, ln, col, eln, ecol in entry.items
                )
            else:
                items = tuple(Lit(str(v), span) for v in entry.value if isinstance(v, (str, int)))
            value = Seq(items, span)
        else:
            continue
        facts.requests.append(ScopeRequest(value, f"{origin} (config)",
                                           sibling_urls.get(entry.key_path[:-1]), span))


def _sibling_urls(entries: Sequence[object]) -> dict[tuple[str, ...], str]:
    """Per parent key path, the first token/auth/issuer URL among its children, found in one
    pass (a config file with thousands of scope lists asks for each of them)."""
    urls: dict[tuple[str, ...], str] = {}
    for entry in entries:
        path = getattr(entry, "key_path", ())
        value = getattr(entry, "value", None)
        if path[:-1] not in urls and isinstance(value, str) \
                and value.startswith(("https://", "http://")):
            key = path[-1].lower() if path else ""
            if any(word in key for word in ("token", "auth", "issuer", "url", "uri", "endpoint")):
                urls[path[:-1]] = value
    return urls


# -- API calls ---------------------------------------------------------------------------------


def _url_scopes(text: str) -> Iterator[re.Match[str]]:
    """_URL_SCOPE's matches, as its `finditer` finds them, in one pass. Tried at every `http`,
    its lazy run would read to the end of the URL-like run each time (a line of repeated
    `http://` is quadratic); an attempt with no `scope=` before the run ends means none of the
    later `http` in that run can match either."""
    position = 0
    run_end = -1  # the end of the URL-like run found last: URLs glued together share it
    while True:
        start = _URL_START.search(text, position)
        if start is None:
            return
        if start.end() > run_end:
            stop = _URL_STOP.search(text, start.end())
            run_end = stop.start() if stop else len(text)
        if _SCOPE_PARAMETER.search(text, start.end(), run_end) is None:
            position = run_end
            continue
        match = _URL_SCOPE.match(text, start.start())
        if match is None:  # pragma: no cover - the pieces above are the pattern's
            position = start.start() + 1
            continue
        yield match
        position = match.end()


class _Lines:
    """1-based line of increasing offsets, counting only the newlines since the last one asked."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset, self.line = 0, 1

    def at(self, offset: int) -> int:
        if offset < self.offset:
            self.offset, self.line = 0, 1
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


def _split_url(body: str) -> tuple[str | None, tuple[str, ...]]:
    host = None
    match = re.match(r"https?://([^/?#]*)", body)
    if match:
        host = match.group(1).split("@")[-1].split(":")[0].lower()
        body = body[match.end():]
    body = re.sub(r"\$\{[^}]*\}|\{[^}]*\}|%s|%\(\w+\)s", "{}", body)
    body = body.split("?")[0].split("#")[0]
    segments = tuple(s for s in body.split("/") if s)
    if segments and segments[0] == "{}" and host is None:
        segments = segments[1:]
    return host, segments


_OAUTH_SEGMENTS = frozenset({"token", "authorize", "authorization", "access_token", "revoke", "logout",
                             "devicecode", ".default", "openid-configuration", "jwks", "certs"})


def _is_oauth_url(host: str | None, segments: tuple[str, ...]) -> bool:
    """Token/authorize endpoints and scope URLs are not API calls that exercise a scope."""
    lowered = [s.lower() for s in segments]
    if any(s in _OAUTH_SEGMENTS or s.startswith("oauth") for s in lowered):
        return True
    return bool(host and host.endswith("googleapis.com") and lowered[:1] == ["auth"])


def _looks_like_api_word(word: str) -> bool:
    """`github.get("user")` is an API call; `config.get("timeout")` is not: only words that are
    plural nouns or `user`/`me` count."""
    return word in {"user", "me"} or (word.endswith("s") and len(word) > 3 and "_" not in word)


def _normalise_method(method: str, segments: tuple[str, ...]) -> str:
    method = method.upper()
    if method in {"UPDATE"}:
        return "PATCH"
    if method == "CREATE":
        return "POST"
    if method == "POST" and segments and segments[-1].lower().replace("_", "") in _READ_POST_TAIL:
        return "GET"
    return method


def collect_calls(file: ParsedFile, facts: FileFacts, catalog: Catalog) -> None:
    """HTTP calls of a code file, from its text alone."""
    text = file.text
    lines = _Lines(text)
    constants: dict[str, list[tuple[str | None, tuple[str, ...], int]]] = {}
    used_constants: set[str] = set()
    for match in _URL_LITERAL.finditer(text):
        body = match.group("body")
        if len(body) < 2 or not re.search(r"[A-Za-z]", body):
            continue
        host, segments = _split_url(body)
        if (not segments and host is None) or _is_oauth_url(host, segments):
            continue
        # What leads to the literal on its line, read back a bounded distance: a minified line
        # holds thousands of literals, and slicing from its start each time is quadratic.
        line_start = text.rfind("\n", max(0, match.start() - _BEFORE), match.start()) + 1
        before = text[max(line_start, match.start() - _BEFORE): match.start()]
        after = text[match.end(): match.end() + 200]
        line = lines.at(match.start())
        method = None
        # The three patterns end in `(`, `,` or `=` (then a string prefix): most literals are
        # preceded by none of these and need no search from every position of `before`.
        lead = before.rstrip().rstrip("fFrRbB").rstrip()[-1:]
        verb = (_VERB_BEFORE.search(before) or _VERB_ARG.search(before)) if lead in ("(", ",") \
            else None
        if verb:
            method = verb.group(1)
        else:
            chained = _CHAINED_VERB.match(after)
            if chained:
                method = chained.group(1)
            else:
                assigned = _ASSIGNED.search(before) if lead == "=" else None
                if assigned:
                    constants.setdefault(assigned.group(1), []).append((host, segments, line))
                    continue
        if method is None:
            option = _VERB_AFTER.match(after)
            method = option.group(1) if option else ("GET" if before.rstrip().endswith(("fetch(", "urlopen(")) else "*")
        facts.calls.append(ApiCall(_normalise_method(method, segments), segments, host, file.path, line))
    for name in constants:
        # A handful of names per file: plain `find` beats compiling a pattern per file.
        name_lines = _Lines(text)
        at = text.find(name)
        while at != -1:
            end = at + len(name)
            bounded = (at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "_$.")) and (
                end == len(text) or not (text[end].isalnum() or text[end] in "_$"))
            use = _USE_BEFORE.search(text, max(text.rfind("\n", max(0, at - 120), at) + 1, at - 120),
                                     at) if bounded else None
            if use is not None:
                call_verb: str = use.group(2) or use.group(1)
                if call_verb.lower() in {"fetch", "urlopen", "request"}:
                    verb_option = _VERB_AFTER.match(text, end, end + 200)
                    call_verb = verb_option.group(1) if verb_option else (
                        "GET" if call_verb.lower() != "request" else "*")
                used_constants.add(name)
                line = name_lines.at(at)
                for host, segments, _defined in constants[name]:
                    facts.calls.append(ApiCall(_normalise_method(call_verb, segments), segments, host,
                                               file.path, line))
            at = text.find(name, end)
    for name, targets in constants.items():
        if name not in used_constants:
            for host, segments, line in targets:
                facts.calls.append(ApiCall("*", segments, host, file.path, line))
    for match in _RELATIVE_CALL.finditer(text):
        if "/" not in match.group(2) and not _looks_like_api_word(match.group(2)):
            continue
        host, segments = _split_url(match.group(2))
        line = lines.at(match.start())
        facts.calls.append(ApiCall(_normalise_method(match.group(1), segments), segments, None, file.path, line))
    # Octokit-style "GET /repos/{owner}/{repo}" routes go through a `request(` call.
    routes = _ROUTE_LITERAL.finditer(text) if "request(" in text else iter(())
    for match in routes:
        host, segments = _split_url(match.group(2))
        line = lines.at(match.start())
        facts.calls.append(ApiCall(_normalise_method(match.group(1), segments), segments, None, file.path, line))
    lower = file.lower
    present: dict[str, bool] = {}
    for sdk in catalog.sdk:
        if sdk.needle not in present:
            present[sdk.needle] = sdk.needle in lower
        if not present[sdk.needle]:
            continue
        for match in sdk.pattern.finditer(text):
            endpoint = sdk.endpoint.format(*[g or "" for g in match.groups()])
            method = sdk.method
            if method == "auto":
                operation = (match.group(match.lastindex or 0) if match.lastindex else "").lower()
                method = "GET" if operation.startswith(catalog.read_operations) else "POST"
            host, segments = _split_url(endpoint)
            line = lines.at(match.start())
            facts.calls.append(ApiCall(_normalise_method(method, segments), segments, sdk.host, file.path, line))
