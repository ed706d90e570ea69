"""The HTTP calls a code file makes (SDK calls the catalogs know included) and whether it handles
refresh tokens, read from the text: the same for Python and JS, and far cheaper than a parse."""

from __future__ import annotations

import re
from collections.abc import Iterator

from scanner.facts.base import Span
from scanner.facts.scopes.catalog import Catalog
from scanner.facts.scopes.clients import operation_resource
from scanner.facts.scopes.model import ApiUse, ClientMethodCall, Positions, SubscribedEvent
from scanner.lazy import compiled_on_use
from scanner.model.document import Document

# String literals that look like an HTTP URL or an API path (f-string/template bases allowed).
_URL_LITERAL = re.compile(
    r"""(?P<q>["'`])(?=https?://|\$?\{|/)(?P<body>(?:https?://|\{[^{}"'`\n]{1,60}\}/|\$\{[^{}"'`\n]{1,60}\}/|/)"""
    r"""[^"'`\s]{0,300}?)(?P=q)"""
)
_VERB_BEFORE = compiled_on_use(r"""(?:\.|\b)_?(get|post|put|patch|delete|head)\s*\(\s*[fF]?$""", re.IGNORECASE)
_VERB_ARG = compiled_on_use(r"""["'](GET|POST|PUT|PATCH|DELETE|HEAD)["']\s*,\s*[fF]?$""")
_VERB_AFTER = compiled_on_use(r"""^[^\n;]{0,160}?method\s*[:=]\s*["'](get|post|put|patch|delete|head)["']""",
                              re.IGNORECASE)
_CHAINED_VERB = compiled_on_use(r"""^\s*\)\s*\.\s*(get|post|put|patch|delete|update|create)\s*\(""")
_ASSIGNED = compiled_on_use(r"""(?:^|[\s;(,])(?:export\s+)?(?:const\s+|let\s+|var\s+)?"""
                            r"""([A-Za-z_$][\w$]*)\s*(?::\s*[\w\[\]|. ]+)?=\s*[fFrRbB]{0,2}$""")
# What precedes a URL constant's name where a call uses it: `.post(`, `fetch(`, `.request("GET", `,
# `url=`, or the start of an f-string/template inside the call, `f"{` / `` `${ ``.
_USE_BEFORE = compiled_on_use(
    r"""(?:\.|\b)_?(get|post|put|patch|delete|head|fetch|urlopen|request)\s*\(\s*"""
    r"""(?:["'](GET|POST|PUT|PATCH|DELETE|HEAD)["']\s*,\s*)?(?:url\s*=\s*)?(?:[fF]?["'`]\$?\{)?$""",
    re.IGNORECASE,
)
# `github.get("user/emails")`: a relative path passed straight to a verb call (authlib base URLs).
_RELATIVE_CALL = re.compile(r"""\.(get|post|put|patch|delete)\(\s*["']([A-Za-z][\w\-.]*/[^"'\s]*|[a-z][\w\-]*)["']""")
_ROUTE_LITERAL = re.compile(r"""["'`](GET|POST|PUT|PATCH|DELETE) (/[^"'`\s]*)["'`]""")
_HOST = re.compile(r"https?://([^/?#]*)")
_PLACEHOLDERS = compiled_on_use(r"\$\{[^}]*\}|\{[^}]*\}|%s|%\(\w+\)s")
_HAS_LETTER = re.compile(r"[A-Za-z]")
_WORD_SPLIT = re.compile(r"[.:]")
_BEFORE = 300
# Read-only calls sent as POST (search and batch-read endpoints).
_READ_POST_TAIL = frozenset({"search", "query", "read", "batchget", "lookup"})
_GENERIC_HOST_LABELS = frozenset({"www", "api", "oauth2", "accounts", "content"})
_OAUTH_SEGMENTS = frozenset({"token", "authorize", "authorization", "access_token", "revoke", "logout",
                             "devicecode", ".default", "openid-configuration", "jwks", "certs"})
# Text a file must hold for calls to be found: URL or path literals (or f-string and template
# bases), verb calls with relative paths, route strings. Few needles: each is a full scan.
CALL_HINTS = ("http", "\"/", "'/", "`/", "\"{", "'{", "`${", ".get(", ".post(")
# The method of a provider client's construction (`build("drive", "v3")`, `from google.cloud
# import storage`): it touches the API without saying which operations it makes.
CLIENT = "CLIENT"
# The method of a call through a client library, known by its method's name alone
# (`client.get_installed_app()`): it touches what the name says, with unknown access.
NAMED = "NAMED"
# The resource word of a call that may touch any resource (a GraphQL endpoint).
EVERYTHING = "\0any"  # no path segment normalises to it
REFRESH_HINTS = ("refresh_token", "refreshtoken", "auto_refresh", "grant_type=refresh")


def normalise_word(word: str) -> str:
    """A path or resource word compared singular, lower-case, without `_` and `-`."""
    word = word.lower().replace("_", "").replace("-", "")
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def handles_refresh_tokens(document: Document) -> bool:
    return document.has_token("refresh") and document.has_any(REFRESH_HINTS)


def _line_before(text: str, offset: int) -> str:
    """The text before `offset` on its line, at most `_BEFORE` characters of it: the verb or
    assignment a URL belongs to is right before it (and a whole minified line would make every
    search quadratic). A cut line starts with a character no pattern takes as a boundary."""
    start = max(0, offset - _BEFORE)
    line_start = text.rfind("\n", start, offset) + 1
    if line_start:
        return text[line_start:offset]
    return text[start:offset] if start == 0 else "\0" + text[start:offset]


def _split_url(body: str) -> tuple[str | None, tuple[str, ...]]:
    host = None
    match = _HOST.match(body)
    if match:
        host = match.group(1).split("@")[-1].split(":")[0].lower()
        body = body[match.end():]
    body = _PLACEHOLDERS().sub("{}", body)
    body = body.split("?")[0].split("#")[0]
    segments = tuple(s for s in body.split("/") if s)
    if segments and segments[0] == "{}" and host is None:
        segments = segments[1:]
    return host, segments


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
    if method == "UPDATE":
        return "PATCH"
    if method == "CREATE":
        return "POST"
    if method == "POST" and segments and segments[-1].lower().replace("_", "") in _READ_POST_TAIL:
        return "GET"
    return method


def _resources(segments: tuple[str, ...], host: str | None) -> frozenset[str]:
    """The words of a call a scope's resource can match: each path segment and its `.`/`:`
    parts, two adjacent segments as one word (`notifications/recipients` for a
    `notification_recipients` scope), and the API name of a per-API Google host
    (`sqladmin.googleapis.com`)."""
    words: set[str] = set()
    previous = ""
    for segment in segments:
        if segment == "{}":
            previous = ""
            continue
        word = normalise_word(segment)
        words.add(word)
        if previous:
            words.add(previous + word)
        previous = word
        for piece in _WORD_SPLIT.split(segment):
            if piece:
                words.add(normalise_word(piece))
    if any(s.lower() in ("graphql", "graphql.json") for s in segments[-2:]):
        words.add(EVERYTHING)  # a GraphQL endpoint: the query, not the path, names the resources
    if host and host.endswith(".googleapis.com"):
        label = host.split(".")[0]
        if label not in _GENERIC_HOST_LABELS:
            words.add(normalise_word(label))
    return frozenset(words)


class _Calls:
    """Builds the facts of one document's calls."""

    def __init__(self, document: Document, catalog: Catalog) -> None:
        self.document = document
        self.catalog = catalog
        self.positions = Positions(document)

    def use(self, method: str, host: str | None, segments: tuple[str, ...], start: int,
            end: int) -> ApiUse:
        line, column = self.positions.at(start)
        end_line, end_column = self.positions.at(end)
        span: Span = (line, column, end_line, end_column)
        return ApiUse(span, _normalise_method(method, segments), segments, host,
                      self.catalog.provider_of_host(host), _resources(segments, host))


def api_uses(document: Document, catalog: Catalog) -> Iterator[ApiUse]:
    """HTTP calls of a code file, from its text alone."""
    calls = _Calls(document, catalog)
    text = document.text
    # URL constants by name: (host, segments, start, end) of each definition.
    constants: dict[str, list[tuple[str | None, tuple[str, ...], int, int]]] = {}
    for match in _URL_LITERAL.finditer(text):
        body = match.group("body")
        if len(body) < 2 or not _HAS_LETTER.search(body):
            continue
        host, segments = _split_url(body)
        if (not segments and host is None) or _is_oauth_url(host, segments):
            continue
        before = _line_before(text, match.start())
        after = text[match.end(): match.end() + 200]
        method = None
        verb = _VERB_BEFORE().search(before) or _VERB_ARG().search(before)
        if verb:
            method = verb.group(1)
        else:
            chained = _CHAINED_VERB().match(after)
            if chained:
                method = chained.group(1)
            else:
                assigned = _ASSIGNED().search(before)
                if assigned:
                    constants.setdefault(assigned.group(1), []).append(
                        (host, segments, match.start(), match.end()))
                    continue
        if method is None:
            option = _VERB_AFTER().match(after)
            method = option.group(1) if option else (
                "GET" if before.rstrip().endswith(("fetch(", "urlopen(")) else "*")
        yield calls.use(method, host, segments, match.start(), match.end())
    yield from _constant_uses(calls, text, constants)
    for match in _RELATIVE_CALL.finditer(text):
        if "/" not in match.group(2) and not _looks_like_api_word(match.group(2)):
            continue
        host, segments = _split_url(match.group(2))
        yield calls.use(match.group(1), None, segments, match.start(), match.end())
    # Octokit-style "GET /repos/{owner}/{repo}" routes go through a `request(` call.
    if "request(" in text:
        for match in _ROUTE_LITERAL.finditer(text):
            host, segments = _split_url(match.group(2))
            yield calls.use(match.group(1), None, segments, match.start(), match.end())
    yield from _sdk_uses(calls, document, catalog)


def _constant_uses(calls: _Calls, text: str,
                   constants: dict[str, list[tuple[str | None, tuple[str, ...], int, int]]],
                   ) -> Iterator[ApiUse]:
    """Calls through URL constants (`requests.get(PEOPLE_URL)`); a constant no call is seen to
    use counts as a call with an unknown method."""
    used: set[str] = set()
    for name, targets in constants.items():
        # A handful of names per file: plain `find` beats compiling a pattern per file.
        at = text.find(name)
        while at != -1:
            end = at + len(name)
            bounded = (at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "_$.")) and (
                end == len(text) or not (text[end].isalnum() or text[end] in "_$"))
            window = max(0, at - 120)
            use = _USE_BEFORE().search(text, text.rfind("\n", window, at) + 1 or window, at) \
                if bounded else None
            if use is not None:
                verb: str = use.group(2) or use.group(1)
                if verb.lower() in {"fetch", "urlopen", "request"}:
                    option = _VERB_AFTER().match(text, end, end + 200)
                    verb = option.group(1) if option else ("GET" if verb.lower() != "request" else "*")
                used.add(name)
                for host, segments, _start, _end in targets:
                    yield calls.use(verb, host, segments, at, end)
            at = text.find(name, end)
    for name, targets in constants.items():
        if name not in used:
            for host, segments, start, end in targets:
                yield calls.use("*", host, segments, start, end)


def _sdk_uses(calls: _Calls, document: Document, catalog: Catalog) -> Iterator[ApiUse]:
    """SDK calls the catalogs map to endpoints (slack_sdk, googleapiclient, PyGithub ...)."""
    text = document.text
    present: dict[str, bool] = {}
    for sdk in catalog.sdk:
        if sdk.needle not in present:
            present[sdk.needle] = document.has_any((sdk.needle,))  # from the gate's one pass
        if not present[sdk.needle]:
            continue
        for match in sdk.pattern.finditer(text):
            endpoint = sdk.endpoint.format(*[g or "" for g in match.groups()])
            method = sdk.method
            if method == "auto":
                operation = (match.group(match.lastindex or 0) if match.lastindex else "").lower()
                method = "GET" if operation.startswith(catalog.read_operations) else "POST"
            _host, segments = _split_url(endpoint)
            # The SDK talks to its provider's API host (a per-API host named by the call).
            host = sdk.host.format(*[g or "" for g in match.groups()]) if sdk.host else None
            yield calls.use(method, host, segments, match.start(), match.end())


def client_use(call: ClientMethodCall) -> ApiUse:
    """A client library call as an API use: the words its method names after the operation
    (`get_hop_intervals` -> `hop`, `intervals`, `hopintervals`), with unknown access."""
    segments = operation_resource(call.method) or ()
    return ApiUse(call.span, NAMED, segments, None, None, _resources(segments, None))


def event_use(event: SubscribedEvent) -> ApiUse:
    """A webhook event subscribed to as an API use: it touches the resource it names
    (`pullrequest:fulfilled` -> `pullrequest`), with unknown access."""
    segments = tuple(p for p in re.split(r"[:/.]", event.name) if p)
    return ApiUse(event.span, NAMED, segments, None, None, _resources(segments, None))
