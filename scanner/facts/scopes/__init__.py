"""Scope facts and their extractors: where OAuth scopes are requested (code, config, URLs) and
the module constants they may come through; the API calls code makes and refresh-token use."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.facts.base import Extractor, Fact, Gate
from scanner.facts.scopes.calls import CALL_HINTS, api_uses, handles_refresh_tokens
from scanner.facts.scopes.catalog import load_catalog, sdk_needles
from scanner.facts.scopes.code import POSITIONAL_SCOPES, SCOPE_KEYS, CodeScopes
from scanner.facts.scopes.model import (
    ApiUse,
    ClientBinding,
    ClientMethodCall,
    Concat,
    Join,
    Lit,
    Ref,
    RefreshTokenUse,
    ScopeConstant,
    ScopeList,
    ScopeRequest,
    ScopeValue,
    SubscribedEvent,
    Unknown,
)
from scanner.model.document import CONFIG_KINDS, JS_KINDS, Document, FileKind

__all__ = ["ApiUse", "ApiUseExtractor", "ClientBinding", "ClientCallExtractor", "ClientMethodCall", "Concat", "Join", "Lit", "Ref", "RefreshTokenUse",
           "ScopeConstant", "ScopeExtractor", "ScopeList", "ScopeRequest", "ScopeValue", "SubscribedEvent",
           "Unknown"]

CODE_KINDS = frozenset({FileKind.PYTHON, *JS_KINDS})
# The fast path of the scope gate: every request and every constant named like scopes has a
# scope key or name ending in `scope(s)` where a value is given to it: a keyword, a dict or
# config key (quoted, or `key:` with its value on the line or below), a pair or
# `append("scope", x)`, an assignment (`SCOPES += [...]`), a JS shorthand property; or Google's
# `access_type`, or a client taking scopes positionally. A Python block's colon after a word and
# a blank (`with push_scope() as scope:`, `if scope:`) is none of these. A quoted name is a key
# of the code model's (`SCOPE_KEYS`, exactly: `"scope"`, `'oauth_scopes'`) or, with its colon or
# equals sign, of a JSON, YAML or TOML file; a value (`"KZG_Scope",`) or a label after a word and
# a blank (`"KZG Scope":`, `"invalid scope"`) is neither. Each branch starts with a literal (a
# branch that starts at every line is slow).
SCOPE_PATTERN = "|".join((
    r"scopes?(?:" + "|".join(sorted(rf"(?<=[\"'`]{key.lower()})" for key in SCOPE_KEYS))
    + r")[\"'`]",
    r"scopes?(?<![a-z0-9_$] scope)(?<![a-z0-9_$] scopes)[\"'`][ \t]*[:=]",
    r"scopes?(?:\s*\+?=|\s*[,}]|\s*:(?![ \t]*[\r\n]))",
    r"scope(?<![a-z0-9_$] scope)\s*:", r"scopes(?<![a-z0-9_$] scopes)\s*:",
    r"access_?type",
    *POSITIONAL_SCOPES))
_THIRD_PARTY_DIRS = ("/node_modules/", "/vendor/", "/third_party/", "/bower_components/")


def is_third_party(document: Document) -> bool:
    """Vendored, minified and built code (`Document.is_vendored`): not the project's own OAuth
    configuration or API calls."""
    lowered = "/" + document.path.lower()
    # `is_vendored` before `is_bundle`: a build directory is told by its path, a bundle by
    # splitting its text into lines (megabytes of a wheel's built JavaScript).
    return lowered.endswith((".min.js", ".bundle.js")) or any(d in lowered for d in _THIRD_PARTY_DIRS) \
        or document.is_vendored or document.is_bundle


class ScopeExtractor(Extractor):
    """Scope requests and scope-holding constants. The gate admits files holding the word (or a
    positional client call, or Google's `access_type`); a module read because a request imports
    from it is read whole."""

    name = "scopes"
    produces = (ScopeRequest, ScopeConstant)
    # A client taking scopes positionally is a request without the word. Plain text files
    # (translation catalogues, notes, source maps) hold prose, not requests: code, configuration
    # and documentation (Markdown, HTML) are read.
    gate = Gate(kinds=frozenset(FileKind) - {FileKind.TEXT},
                words=("scope", "access_type", "accesstype", *POSITIONAL_SCOPES),
                pattern=SCOPE_PATTERN, bundles=False)  # `is_third_party`: nothing found there

    def extract(self, document: Document) -> Iterator[Fact]:
        if is_third_party(document):
            return
        # Without the gate's words a file requests nothing: it is read for its constants only
        # (a module a request imports from, or, in a diff scan, the rest of the work tree).
        requests = document.has_any(self.gate.words)
        if document.kind in CODE_KINDS:
            module = document.code
            if module is not None:
                reader = CodeScopes(document, module)
                yield from reader.read_constants()
                if requests:
                    yield from reader.read_requests()
        if not requests:
            return
        from scanner.facts.scopes.text import config_scope_requests, url_scope_requests

        if document.kind in CONFIG_KINDS:
            yield from config_scope_requests(document)
        yield from url_scope_requests(document)


class ApiUseExtractor(Extractor):
    """The HTTP calls and refresh-token handling of code files."""

    name = "api-use"
    produces = (ApiUse, RefreshTokenUse)
    evidence_only = True  # calls that exercise a scope requested elsewhere
    gate = Gate(kinds=CODE_KINDS,
                words=(*CALL_HINTS, *sdk_needles(), "refresh"))

    def extract(self, document: Document) -> Iterator[Fact]:
        if is_third_party(document):
            return
        if handles_refresh_tokens(document):
            yield RefreshTokenUse((1, 1, 1, 1))
        if document.has_any(CALL_HINTS) or document.has_any(sdk_needles()):
            yield from api_uses(document, load_catalog())


class ClientCallExtractor(Extractor):
    """Calls through client libraries (`client.get_devices()`): read only on demand, for the
    files of an integration package whose scopes are judged, never in a scan's pass over files."""

    name = "client-calls"
    produces = (ClientBinding, ClientMethodCall, SubscribedEvent)
    evidence_only = True
    # The scan's pass never admits a file; the project step asks for these facts by name.
    gate = Gate(kinds=CODE_KINDS, on_demand=True)

    def extract(self, document: Document) -> Iterator[Fact]:
        if is_third_party(document):
            return
        from scanner.facts.scopes.clients import client_calls

        yield from client_calls(document)
