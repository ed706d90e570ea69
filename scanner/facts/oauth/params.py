"""OAuth protocol parameters given a value (redirect_uri, response_type, grant_type, PKCE, tokens
in query strings) in code and config, and the authorization-code requests they make up."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from scanner.code import ir
from scanner.facts.base import Extractor, Fact, Gate, Span
from scanner.facts.oauth.code import (
    CodeIndex,
    assigned_names,
    code_index,
    dict_key,
    interpolated_tokens,
    names_credential,
    query_params,
    receiver_text,
    scope_has,
    scope_lines,
)
from scanner.facts.oauth.names import normal
from scanner.facts.urls import is_loopback_url
from scanner.model.document import CONFIG_KINDS, JS_KINDS, Document, FileKind

_CODE_KINDS = frozenset({FileKind.PYTHON, *JS_KINDS})
_REDIRECT_KEY = re.compile(r"(?:redirect|callback)ur[il]s?$")
_KEYED = {"codechallengemethod": "code_challenge_method", "codechallenge": "code_challenge",
          "responsetype": "response_type", "granttype": "grant_type"}
_IN_URLS = {"redirect_uri": "redirect_uri", "redirecturi": "redirect_uri",
            "callback_url": "redirect_uri", "accesstoken": "access_token",
            "refreshtoken": "refresh_token", "clientsecret": "client_secret"}
_QUERY_CREDENTIALS = {"accesstoken": "access_token", "refreshtoken": "refresh_token",
                      "clientsecret": "client_secret"}
# Keyword arguments and JS option keys an HTTP client (or a library's own wrapper around one:
# `self.get_json(url, params=...)`) turns into the URL's query string.
_QUERY_KWARGS = frozenset({"params", "query_params"})
_QUERY_OPTIONS = frozenset({"params", "query", "searchParams"})
# Calls whose `params=` are SQL bind parameters, not a query string.
_NOT_URL_CALLS = frozenset({"execute", "executemany", "executescript", "raw", "mogrify", "text"})
_STATE = re.compile(r"(?<!this\.)(?<!self\.)\bstate\b|\bnonce\b", re.IGNORECASE)
_CLIENT_SECRET = re.compile(r"client_*secret")
_PKCE_MARKERS = ("code_challenge", "codechallenge", "pkce")
# Imports that make a file a public client (no secret of its own), first match wins.
_PUBLIC_CLIENT_IMPORTS = (
    ("webbrowser", "a CLI that opens the browser"), ("click", "a CLI"), ("typer", "a CLI"),
    ("argparse", "a CLI"), ("http.server", "a native app with a loopback listener"),
    ("tkinter", "a desktop app"), ("PyQt5", "a desktop app"), ("PyQt6", "a desktop app"),
    ("PySide6", "a desktop app"), ("kivy", "a mobile app"), ("toga", "a desktop/mobile app"),
    ("react-native", "a mobile app"), ("expo", "a mobile app"), ("electron", "a desktop app"),
    ("open", "a CLI"), ("commander", "a CLI"), ("yargs", "a CLI"),
)
# Libraries that send state and PKCE themselves (Python packages and npm packages).
_OAUTH_LIBRARIES = (
    "authlib", "requests_oauthlib", "flask_dance", "social_core", "social_django", "allauth",
    "msal", "google_auth_oauthlib", "oauthlib", "httpx_oauth", "fastapi_sso", "oic",
    "flask_oauthlib", "mozilla_django_oidc", "flask_oidc", "django_auth_adfs",
    "oidc-client", "@auth0/", "@azure/msal", "react-oauth2-code-pkce", "expo-auth-session",
    "angular-oauth2-oidc", "keycloak-js", "next-auth", "@okta/", "openid-client",
    "react-native-app-auth", "passport", "simple-oauth2", "@badgateway/oauth2-client",
    "oauth4webapi", "arctic",
)


@dataclass(frozen=True)
class OAuthParam(Fact):
    """An OAuth parameter given a value. `via` says how: a keyword `argument`, a dict/object
    `entry`, an `assignment`, a `config` key, a `name=value` pair in a `url` or form string,
    an HTTP client's `query` parameters (`params=`, `searchParams.set`), or a `client` class
    that fixes it (LegacyApplicationClient: grant_type=password)."""

    param: str  # redirect_uri, code_challenge(_method), response_type, grant_type, access_token...
    name: str  # as written: OAUTH_REDIRECT_URIS, redirectUri, callback_url
    value: str | None  # the constant value (in a url: as written, up to the next & or #)
    via: str
    value_name: str | None = None  # the dotted name given as the value (`code_verifier`)
    in_query: bool = False  # url: a `?` comes before it (not a form body)
    at_start: bool = False  # url: the string starts with it
    how: str = ""  # query: the API that puts it in the URL (`params=`, `url.searchParams.set`)
    # Set in parameters another party completes: a dict the caller passed in, or a provider
    # definition a library turns into requests (it adds state and PKCE itself).
    handed_on: bool = False
    # Set on a request the code received (`request.code_challenge_method = "plain"`): a server
    # filling in the default of an absent parameter (RFC 7636 §4.3), not a client's choice.
    received: bool = False


@dataclass(frozen=True)
class AuthorizationRequest(Fact):
    """A request for an authorization code: a URL with response_type=code (`url`),
    response_type="code" given as a parameter (`params`), or an OAuth client's
    authorization_url() call (`library`)."""

    how: str
    function: tuple[int, int]  # lines of the function it is built in (module level: the file)
    sends_state: bool  # `state` or `nonce` appears in that function
    public_client: str | None  # "a browser app", "a CLI"...: a client without a secret
    pkce: bool  # the file sends a PKCE code_challenge somewhere
    library: bool  # the file imports an OAuth library that sends state and PKCE itself


class OAuthParamExtractor(Extractor):
    name = "oauth-params"
    produces = (OAuthParam, AuthorizationRequest)
    gate = Gate(
        kinds=_CODE_KINDS | CONFIG_KINDS,
        words=("redirect_uri", "redirecturi", "redirect-uri", "callback_url", "callbackurl",
               "redirect_url", "redirecturl", "code_challenge", "codechallenge", "response_type",
               "responsetype", "grant_type", "granttype", "legacyapplicationclient",
               "authorization_url", "access_token", "refresh_token", "client_secret",
               "accesstoken", "refreshtoken", "clientsecret", "token=", '"token"', "'token'"),
        # Every fact names its parameter; a redirect URI is a fact only when it is http:// (not
        # https), and tokens only in a URL or an HTTP client's query parameters.
        pattern=r"\A(?:(?=[\s\S]*?(?:redirect|callback))(?=[\s\S]*?http(?::|%3a))"
                r"|(?=[\s\S]*?(?:code[_-]*challenge|response[_-]*type|grant[_-]*type"
                r"|legacyapplicationclient|authorization_url"
                r"|(?:access_?token|refresh_?token|client_?secret)=|token=\$?\{|params|query)))",
        vendored=False)

    def extract(self, document: Document) -> Iterator[Fact]:
        if document.kind in CONFIG_KINDS:
            yield from _config_params(document)
            return
        index = code_index(document)
        if index is None:
            return
        params = list(_code_params(document, index))
        yield from (param for param, _ in params)
        yield from _requests(document, index, params)


def _param_of(name: str) -> str | None:
    """The OAuth parameter a key names (`OAUTH_REDIRECT_URI` -> redirect_uri), or None."""
    flat = name.lower().replace("_", "").replace("-", "")
    return "redirect_uri" if _REDIRECT_KEY.search(flat) else _KEYED.get(flat)


def _keyed(document: Document, name: str, value: ir.Expr, via: str,
           handed_on: bool = False) -> Iterator[OAuthParam]:
    """The facts of `name = value` in code when `name` is an OAuth parameter."""
    param = _param_of(name)
    if param is None:
        return
    if param == "redirect_uri":  # only http:// ones say anything; they may come in lists
        for item in value.items if isinstance(value, ir.Seq) else (value,):
            text = ir.string_value(item)
            if _is_http(text):
                yield OAuthParam(document.node_span(item), param, name, text, via)
        return
    yield OAuthParam(document.node_span(value), param, name, ir.string_value(value), via,
                     ir.dotted(value), handed_on=handed_on)


def _is_http(url: str | None) -> bool:
    """A plain http URL (in a query string it may be %-encoded)."""
    return url is not None and url.lstrip().lower().startswith(("http:", "http%3a"))


def _in_text(text: str, span: Span) -> Iterator[OAuthParam]:
    """The parameters of a URL or form string."""
    for found in query_params(text):
        name = found.name.lower()
        if _IN_URLS.get(name) == "redirect_uri" and not _is_http(found.value):
            continue
        yield OAuthParam(span, _IN_URLS.get(name, name), found.name, found.value,
                         "url", None, found.in_query, found.at_start)


def _config_params(document: Document) -> Iterator[OAuthParam]:
    from scanner.lang.config import iter_entries

    for entry in iter_entries(document):
        span = (entry.line, entry.column, entry.end_line, entry.end_column)
        strings = [(entry.value, span)] if isinstance(entry.value, str) else [
            (value, (line, column, end_line, end_column))
            for value, line, column, end_line, end_column in entry.items if isinstance(value, str)]
        param = _param_of(entry.key)
        if param == "redirect_uri":
            yield from (OAuthParam(value_span, param, entry.key, value, "config")
                        for value, value_span in strings if _is_http(value))
        elif param is not None and isinstance(entry.value, str):
            yield OAuthParam(span, param, entry.key, entry.value, "config")
        for value, value_span in strings:
            yield from _in_text(value, value_span)


def _code_params(document: Document, index: CodeIndex) -> Iterator[tuple[OAuthParam, int]]:
    """Every parameter of a code file, with the scope it is set in."""
    language = index.language
    named = _named_dicts(index)
    forwarders: dict[str, tuple[int, str]] = {}  # function -> its parameter sent as `params=`
    for call, scope, _ in index.calls:
        for key, value in call.kwargs:
            for param in _keyed(document, key, value, "argument"):
                yield param, scope
            if key in _QUERY_KWARGS and call.method not in _NOT_URL_CALLS:
                for given in _dicts_of(value, named, scope):
                    for param in _query_keys(document, given, f"{key}=", language):
                        yield param, scope
                forwarded = _forwarded_param(index, scope, value)
                if forwarded is not None:
                    forwarders[forwarded[0]] = forwarded[1]
        if call.method == "LegacyApplicationClient":
            yield OAuthParam(document.node_span(call), "grant_type", call.method, "password",
                             "client"), scope
        elif call.method in {"set", "append"} and call.args:
            receiver = receiver_text(document, call)
            name = ir.string_value(call.args[0])
            if name is not None and receiver.endswith(("searchParams", "query", "params")):
                yield from ((param, scope) for param in _query_key(
                    name, document.node_span(call.args[0]), f"{receiver}.{call.method}"))
    if forwarders:
        yield from _through_forwarders(document, index, named, forwarders)
    definitions = _provider_definitions(index)
    for obj, scope in index.dicts:
        for key_node, value in obj.items:
            entry = dict_key(key_node, language)
            if entry is None:
                continue
            for param in _keyed(document, entry, value, "entry", id(obj) in definitions):
                yield param, scope
            if entry in _QUERY_OPTIONS and isinstance(key_node, ir.Name):
                for given in _dicts_of(value, named, scope):
                    for param in _query_keys(document, given, f"{entry}:", language):
                        yield param, scope
    grant_classes: set[int] | None = None  # both built on the first OAuth-named assignment
    choices: dict[tuple[int, str], set[str]] = {}
    for statement, scope, _ in index.assigns:
        if statement.value is None:
            continue
        for target, written in assigned_names(statement):
            if _param_of(target) is None:
                continue
            if grant_classes is None:
                grant_classes, choices = _grant_class_bodies(index), _choices(index)
            handed_on = id(statement) in grant_classes or _into_argument(index, written, scope) \
                or len(choices.get((scope, normal(target)), ())) > 1
            for param in _keyed(document, target, statement.value, "assignment", handed_on):
                if _onto_received_request(index, written, scope):
                    param = replace(param, received=True)
                yield param, scope
    for string, scope in index.strings:
        span = document.node_span(string)
        for param in _in_text(string.value, span):
            yield param, scope
        if string.parts:
            yield from ((param, scope) for param in _interpolated_tokens(string.value, span))


def _forwarded_param(index: CodeIndex, scope: int,
                     value: ir.Expr) -> tuple[str, tuple[int, str]] | None:
    """`def call_api(backend, data): ... get_json(url, params=data)`: (`call_api`, (1, `data`)),
    the function and the position and name of its parameter that becomes the query string."""
    function = index.functions[scope]
    if function is None or not isinstance(value, ir.Name) or function.expression_body:
        return None
    for position, param in enumerate(function.params):
        if param.name == value.name and param.kind == "normal":
            return function.name, (position - (function.cls is not None), param.name)
    return None


def _through_forwarders(document: Document, index: CodeIndex,
                        named: dict[tuple[int, str], list[ir.Expr]],
                        forwarders: dict[str, tuple[int, str]]) -> Iterator[tuple[OAuthParam, int]]:
    """The query credentials of dicts handed to a function of the file that sends its
    parameter as `params=` (`odnoklassniki_api(self, {"access_token": ...}, ...)`)."""
    for call, scope, _ in index.calls:
        receiver = ir.dotted(call.receiver) if call.receiver is not None else None
        forwarder = forwarders.get(call.method) if receiver in {None, "self", "cls", "this"} \
            else None
        if forwarder is None:
            continue
        position, name = forwarder
        given = call.kwarg(name) or (call.args[position] if 0 <= position < len(call.args) else None)
        if given is None:
            continue
        for found in _dicts_of(given, named, scope):
            for param in _query_keys(document, found, f"{call.method}(...) -> params=",
                                     index.language):
                yield param, scope


def _grant_class_bodies(index: CodeIndex) -> set[int]:
    """The ids of the class-level statements of a grant class (`class PasswordGrant(BaseGrant):
    GRANT_TYPE = "password"`) or of a subclass that fixes the flow for its instances
    (`class LegacyApplicationClient(Client): grant_type = "password"`): an OAuth library
    defining the grant, not a client using it."""
    found: set[int] = set()
    for statement in ir.walk_statements(index.module.body):
        if not isinstance(statement, ir.ClassDef):
            continue
        bases = [ir.dotted(base) or "" for base in statement.cls.bases]
        if any(base not in {"", "object"} for base in bases) or any(
                "grant" in text.lower() for text in (statement.cls.name, *bases)):
            found.update(id(inner) for inner in ir.walk_statements(statement.cls.body))
    return found


# The parameter a server names the authorization or token request it received.
_RECEIVED_REQUEST = frozenset({"request", "req", "oauth_request", "oauthrequest"})


def _onto_received_request(index: CodeIndex, written: ir.Expr, scope: int) -> bool:
    """`request.code_challenge_method = "plain"` where `request` is the function's parameter: an
    authorization server filling in a default on the request it received."""
    function = index.functions[scope]
    target = ir.dotted(written) if isinstance(written, (ir.Name, ir.Attr)) else None
    if function is None or target is None or "." not in target:
        return False
    owner = target.rsplit(".", 1)[0]
    return owner.lower() in _RECEIVED_REQUEST and function.param(owner) is not None


def _choices(index: CodeIndex) -> dict[tuple[int, str], set[str]]:
    """The constant values each name is assigned in a scope: a name given several grant types
    (`grant_type = "password"` in one branch, "client_credentials" in another) is a choice the
    caller's arguments make, not a grant the code uses."""
    values: dict[tuple[int, str], set[str]] = {}
    for statement, scope, _ in index.assigns:
        text = ir.string_value(statement.value)
        if text is not None:
            for target, _ in assigned_names(statement):
                values.setdefault((scope, normal(target)), set()).add(text)
    return values


def _named_dicts(index: CodeIndex) -> dict[tuple[int, str], list[ir.Expr]]:
    """Dicts assigned to a plain name, by (scope, name): `params = {...}` passed on later."""
    named: dict[tuple[int, str], list[ir.Expr]] = {}
    for statement, scope, _ in index.assigns:
        value = statement.value
        if isinstance(value, ir.Dict) or (isinstance(value, ir.Call) and value.callee == "dict"):
            for target in statement.targets:
                if isinstance(target, ir.Name) and "." not in target.name:
                    named.setdefault((scope, target.name), []).append(value)
    return named


def _dicts_of(value: ir.Expr, named: dict[tuple[int, str], list[ir.Expr]],
              scope: int) -> list[ir.Expr]:
    """The dict literals a keyword argument gives: itself, or the ones its name was assigned."""
    if isinstance(value, ir.Name):
        return named.get((scope, value.name), [])
    return [value]


def _into_argument(index: CodeIndex, written: ir.Expr, scope: int) -> bool:
    """`params["response_type"] = "code"` where `params` is the function's own parameter: the
    caller gave the dict (and the rest of the request, state included)."""
    function = index.functions[scope]
    if function is None or not isinstance(written, ir.Index):
        return False
    owner = ir.dotted(written.obj)
    return owner is not None and function.param(owner) is not None


def _provider_definitions(index: CodeIndex) -> set[int]:
    """The ids of `params` objects inside an `authorization: {params: {...}}` entry: a provider
    definition that a library (Auth.js) turns into authorization requests, adding state and
    PKCE itself. Also the dicts an `extra_authorize_data`-style method returns: parameters the
    caller (a base class) adds to the request it builds, with its own state."""
    found: set[int] = set()
    for obj, _ in index.dicts:
        for key_node, value in obj.items:
            if ir.key_text(key_node) == "authorization" and isinstance(value, ir.Dict):
                found.update(id(inner) for inner_key, inner in value.items
                             if ir.key_text(inner_key) == "params" and isinstance(inner, ir.Dict))
    for function in index.functions:
        if function is not None and function.cls is not None and \
                _EXTRA_PARAMS.search(function.name):
            found.update(id(statement.value) for statement in ir.walk_statements(function.body)
                         if isinstance(statement, ir.Return) and isinstance(statement.value, ir.Dict))
    return found


# A method that returns parameters for someone else's request (`extra_authorize_data`,
# `get_additional_params`): the caller builds the request.
_EXTRA_PARAMS = re.compile(r"extra|additional", re.IGNORECASE)


def _query_keys(document: Document, value: ir.Expr, how: str,
                language: str) -> Iterator[OAuthParam]:
    """Credentials among the literal keys of an HTTP client's query parameters."""
    if isinstance(value, ir.Dict):
        for key_node, item in value.items:
            key = dict_key(key_node, language)
            if key is not None and key_node is not None:
                yield from _query_key(key, document.node_span(key_node), how, item)
    elif isinstance(value, ir.Call) and value.callee == "dict":
        for key, item in value.kwargs:
            yield from _query_key(key, document.node_span(item), how, item)


def _query_key(key: str, span: Span, how: str, value: ir.Expr | None = None) -> Iterator[OAuthParam]:
    param = _QUERY_CREDENTIALS.get(normal(key))
    if param is None and normal(key) in _BARE_TOKEN_KEYS and value is not None and \
            names_credential(ir.dotted(value) or _index_key(value)):
        param = "token"  # `{"token": token}`: a pagination token would be named `next_token`
    if param is not None:
        yield OAuthParam(span, param, key, None, "query", how=how)


# Query keys that carry an API token only when the value is named like one.
_BARE_TOKEN_KEYS = frozenset({"token", "authtoken", "apitoken"})


def _interpolated_tokens(text: str, span: Span) -> Iterator[OAuthParam]:
    """A bare `token` query parameter whose interpolated value names a credential
    (`f"{base}/events?token={self._token}"`); the OAuth names are found by `_in_text`."""
    for name, expression in interpolated_tokens(text):
        yield OAuthParam(span, "token", name, "{" + expression + "}", "url", in_query=True)


def _index_key(value: ir.Expr) -> str | None:
    """`entry.data[CONF_TOKEN]` -> `CONF_TOKEN`: a value read under a constant's name."""
    if isinstance(value, ir.Index):
        return ir.dotted(value.key) if value.key is not None else None
    return None




# -- authorization requests ----------------------------------------------------------------------


def _requests(document: Document, index: CodeIndex,
              params: list[tuple[OAuthParam, int]]) -> Iterator[AuthorizationRequest]:
    found: list[tuple[Span, str, int]] = []
    for param, scope in params:
        if param.param != "response_type" or param.value is None or param.handed_on:
            continue
        if param.via == "url" and re.match(r"code\b", param.value, re.IGNORECASE):
            found.append((param.span, "url", scope))
        elif param.via != "url" and "code" in response_types(param.value):
            found.append((param.span, "params", scope))
    for call, scope, _ in index.calls:
        if call.method in {"authorization_url", "create_authorization_url"}:
            found.append((document.node_span(call), "library", scope))
    if not found:
        return
    lower = document.lower
    client = public_client(document, index, params)
    pkce = any(marker in lower for marker in _PKCE_MARKERS)
    library = any(_is_library(module) for module in _imported(document, index))
    for span, how, scope in found:
        sends_state = scope_has(document, index, scope, _STATE)
        yield AuthorizationRequest(span, how, scope_lines(document, index, scope), sends_state,
                                   client, pkce, library)


def response_types(value: str) -> set[str]:
    """`code id_token`, `code+token`, `code%20token` -> the response types asked for."""
    from urllib.parse import unquote_plus

    return set(re.split(r"[\s+,]+", unquote_plus(value).strip().lower())) - {""}


def public_client(document: Document, index: CodeIndex,
                  params: list[tuple[OAuthParam, int]]) -> str | None:
    """What kind of public client (no secret of its own) the file belongs to, or None. Code that
    sends a client secret is a confidential client wherever it sits (a Next.js app's server
    modules live under `app/` or `web/` too; a secret shipped to a browser is SH105's)."""
    if _CLIENT_SECRET.search(document.lower):
        return None
    if document.is_frontend:
        return "a browser app"
    imported = _imported(document, index)
    for module, what in _PUBLIC_CLIENT_IMPORTS:
        if any(name == module or name.startswith((module + ".", module + "/", module + "-"))
               for name in imported):
            return what
    if "process.argv" in document.text:
        return "a CLI"
    if any(param.param == "redirect_uri" and param.via != "url" and param.value is not None
           and is_loopback_url(param.value) for param, _ in params):
        return "a native app with a loopback redirect"
    return None


def _imported(document: Document, index: CodeIndex) -> set[str]:
    """The modules a file imports; `import http.server` keeps its dotted name."""
    modules = set()
    for item in index.module.imports:
        modules.add(item.module)
        if item.name is None and index.language == "python":
            statement = document.utf8[item.start:item.end].decode("utf-8", "surrogateescape")
            modules.update(re.findall(rf"\b{re.escape(item.module)}(?:\.\w+)+", statement))
    return modules


def _is_library(module: str) -> bool:
    for library in _OAUTH_LIBRARIES:
        if module == library or (module.startswith(library) and (
                library.endswith("/") or module[len(library)] in "./-")):
            return True
    return False
