"""Language-neutral pieces of the OAuth flow rules: URL classifiers, the key/value and string
sites both parsers produce, and the verdicts that only need those sites (stdlib only)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, unquote_plus, urlsplit

from scanner.plugins.oauth_names import lazy, normal

if TYPE_CHECKING:
    from scanner.parsed import ParsedFile

Span = tuple[int, int, int, int]


@dataclass(frozen=True)
class Hit:
    """One finding before it becomes a Finding: where, what to say, what to fingerprint."""

    rule: str
    span: Span
    message: str
    construct: str | None
    secret: str | None = None


@dataclass(frozen=True)
class KeyValue:
    """`key = value` in any spelling: keyword argument, dict/object entry, assignment, config key.

    `value` is the constant string (None when not constant), `values` the constants of a list,
    `value_name` a dotted name (`code_verifier`, `self.verifier`), `value_bool` a literal bool."""

    key: str
    span: Span
    context: str  # "kwarg", "dict", "assign", "config"
    scope: tuple[int, int]
    value: str | None = None
    values: tuple[tuple[str, Span], ...] = ()
    value_name: str | None = None
    value_bool: bool | None = None
    value_text: str = ""


@dataclass(frozen=True)
class StringSite:
    """A string literal; substitutions of f-strings and template strings are rendered `{expr}`."""

    text: str
    span: Span
    scope: tuple[int, int]


@dataclass
class Sites:
    key_values: list[KeyValue] = field(default_factory=list)
    strings: list[StringSite] = field(default_factory=list)


# -- text markers -------------------------------------------------------------------------------

CREDENTIAL_CONTEXT = lazy(
    r"token|oauth|auth|secret|bearer|passw|api[_./-]?key|\bapi\b|/api|api\.|userinfo|client_id|credential",
    re.IGNORECASE,
)
ENCRYPTION_MARKERS = lazy(
    r"encrypt|fernet|cipher|\bkms\b|seal|keyring|keychain|nacl|aesgcm|crypto|vault|protect",
    re.IGNORECASE,
)
_STATE_WORD = lazy(r"(?<!this\.)(?<!self\.)\bstate\b|\bnonce\b", re.IGNORECASE)
PKCE_MARKERS = ("code_challenge", "codechallenge", "pkce")


def has_state(text: str) -> bool:
    return bool(_STATE_WORD.search(text))


def has_pkce(lower_text: str) -> bool:
    return any(marker in lower_text for marker in PKCE_MARKERS)


# -- URLs ---------------------------------------------------------------------------------------

_PLACEHOLDER_CHARS = set("{}<>$%*[]")
_RESERVED_SUFFIXES = (".localhost", ".example", ".invalid", ".test")
_EXAMPLE_HOSTS = ("example.com", "example.org", "example.net")


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host(url: str) -> str | None:
    """The host of an absolute URL, or None when the host is templated or absent."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if not netloc or _PLACEHOLDER_CHARS & set(netloc.replace("[::1]", "")):
        return None
    host = netloc[1:].split("]", 1)[0] if netloc.startswith("[") else netloc.split(":", 1)[0]
    return host.lower() or None


def insecure_redirect_host(url: str) -> str | None:
    """The host of an `http://` URL that is neither loopback nor a placeholder/reserved name."""
    if not url.strip().lower().startswith("http://"):
        return None
    host = url_host(url)
    if host is None or is_loopback_host(host):
        return None
    if host.endswith(_RESERVED_SUFFIXES) or host in _EXAMPLE_HOSTS or host.endswith(
            tuple("." + h for h in _EXAMPLE_HOSTS)):
        return None
    return host


def is_loopback_url(url: str) -> bool:
    host = url_host(url)
    return host is not None and is_loopback_host(host)


# -- verdicts shared by Python, JS/TS and config --------------------------------------------------

_REDIRECT_KEYS = ("redirecturi", "redirecturis", "redirecturl", "redirecturls", "callbackurl",
                  "callbackuri", "callbackurls")
_REDIRECT_IN_QUERY = lazy(
    r"(?:^|[?&])(?:redirect_uri|redirecturi|callback_url)=(http(?::|%3a)[^&\s\"'#]*)", re.IGNORECASE)
_RESPONSE_TYPE_IN_QUERY = lazy(r"[?&]response_type=([\w%+ ]+)", re.IGNORECASE)
_GRANT_PASSWORD_IN_QUERY = lazy(r"(?:^|[?&])grant_type=password\b", re.IGNORECASE)
_PLAIN_IN_QUERY = lazy(r"(?:^|[?&])code_challenge_method=plain\b", re.IGNORECASE)  # secret-hygiene: ignore[SH402]
_VERIFIER_AS_CHALLENGE = lazy(r"(?:^|[?&])code_challenge=\{([^{}()]*verifier[^{}()]*)\}", re.IGNORECASE)
_CODE_REQUEST_IN_QUERY = lazy(r"(?:^|[?&])response_type=code\b", re.IGNORECASE)
_TOKEN_IN_QUERY = lazy(
    r"[?&](access_token|refresh_token|client_secret|accesstoken|refreshtoken|clientsecret)=([^&#\s\"']*)",
    re.IGNORECASE)


def redirect_hits(sites: Sites) -> Iterator[Hit]:
    for kv in sites.key_values:
        if not normal(kv.key).endswith(_REDIRECT_KEYS):
            continue
        candidates = list(kv.values) or ([(kv.value, kv.span)] if kv.value is not None else [])
        for url, span in candidates:
            host = insecure_redirect_host(url)
            if host:
                yield Hit("SH401", span, f"redirect URI `{kv.key}` uses plain http:// on host "
                          f"`{host}`; only loopback redirects may use http", f"redirect:{url}")
    for string in sites.strings:
        for match in _REDIRECT_IN_QUERY.finditer(string.text):
            url = unquote(match.group(1))
            host = insecure_redirect_host(url)
            if host:
                yield Hit("SH401", string.span, f"authorization request sends redirect_uri over "
                          f"plain http:// to host `{host}`", f"redirect:{url}")


def _response_types(value: str) -> set[str]:
    return set(re.split(r"[\s+,]+", unquote_plus(value).strip().lower())) - {""}


def implicit_grant_hits(sites: Sites) -> Iterator[Hit]:
    for kv in sites.key_values:
        if normal(kv.key) == "responsetype" and kv.value is not None and "token" in _response_types(kv.value):
            yield Hit("SH405", kv.span, f"response_type `{kv.value}` returns the access token in "
                      "the redirect (implicit grant)", f"response_type:{kv.value}")
    for string in sites.strings:
        for match in _RESPONSE_TYPE_IN_QUERY.finditer(string.text):
            if "token" in _response_types(match.group(1)):
                yield Hit("SH405", string.span, "authorization URL asks for response_type "
                          f"`{unquote_plus(match.group(1))}` (implicit grant)",
                          f"response_type:{match.group(1)}")


def password_grant_hits(sites: Sites) -> Iterator[Hit]:
    for kv in sites.key_values:
        if normal(kv.key) == "granttype" and (kv.value or "").strip().lower() == "password":
            yield Hit("SH406", kv.span, "token request uses grant_type=password (resource owner "
                      "password credentials grant)", "grant_type:password")
    for string in sites.strings:
        if _GRANT_PASSWORD_IN_QUERY.search(string.text):
            yield Hit("SH406", string.span, "token request body uses grant_type=password "
                      "(resource owner password credentials grant)", "grant_type:password")


def pkce_plain_hits(sites: Sites) -> Iterator[Hit]:
    for kv in sites.key_values:
        key = normal(kv.key)
        if key == "codechallengemethod" and (kv.value or "").strip().lower() == "plain":
            yield Hit("SH402", kv.span, "PKCE code_challenge_method is `plain`; use S256",
                      "pkce:plain")
        elif key == "codechallenge" and kv.value_name and "verifier" in normal(kv.value_name):
            yield Hit("SH402", kv.span, f"code_challenge is the verifier itself (`{kv.value_name}`); "
                      "send BASE64URL(SHA256(verifier)) with method S256", "pkce:verifier")
    for string in sites.strings:
        if _PLAIN_IN_QUERY.search(string.text):
            yield Hit("SH402", string.span, "authorization URL uses code_challenge_method=plain; "
                      "use S256", "pkce:plain")
        match = _VERIFIER_AS_CHALLENGE.search(string.text)
        if match:
            yield Hit("SH402", string.span, f"code_challenge is the verifier itself "
                      f"(`{match.group(1).strip()}`); send its SHA-256 with method S256",
                      "pkce:verifier")


@dataclass(frozen=True)
class CodeRequest:
    """An authorization request for response_type=code, with the function it is built in."""

    span: Span
    scope: tuple[int, int]
    literal_url: bool


def code_requests(sites: Sites, *, structured: bool) -> list[CodeRequest]:
    """Authorization-code requests: URLs with response_type=code, and (when `structured`)
    dict/object/keyword parameters `response_type="code"`. First one per function."""
    found: dict[tuple[int, int], CodeRequest] = {}
    for string in sites.strings:
        if _CODE_REQUEST_IN_QUERY.search(string.text):
            found.setdefault(string.scope, CodeRequest(string.span, string.scope, True))
    if structured:
        for kv in sites.key_values:
            if (kv.context != "config" and normal(kv.key) == "responsetype"
                    and kv.value is not None and "code" in _response_types(kv.value)):
                request = CodeRequest(kv.span, kv.scope, False)
                current = found.get(kv.scope)
                if current is None or request.span < current.span:
                    found[kv.scope] = request
    return sorted(found.values(), key=lambda r: r.span)


def scope_text(lines: list[str], scope: tuple[int, int]) -> str:
    return "\n".join(lines[scope[0] - 1:scope[1]])


_SCOPE_SEARCHES = "_oauth_scope_searches"


def scope_matches(file: ParsedFile, pattern: Any, scope: tuple[int, int]) -> bool:
    """Whether `pattern` occurs in the text of `scope`, remembered per file: every module-level
    call of a file has the whole file as its scope, and searching it once per call is quadratic."""
    memo: dict[tuple[int, tuple[int, int]], bool] = file.__dict__.setdefault(_SCOPE_SEARCHES, {})
    key = (id(pattern), scope)
    found = memo.get(key)
    if found is None:
        found = memo[key] = bool(pattern.search(scope_text(file.lines, scope)))
    return found


def missing_state_hits(requests: Iterable[CodeRequest], lines: list[str], lower: str) -> Iterator[Hit]:
    if has_pkce(lower):
        return
    stated: dict[tuple[int, int], bool] = {}  # per scope: requests at module level share one
    for request in requests:
        if request.scope not in stated:
            stated[request.scope] = has_state(scope_text(lines, request.scope))
        if not stated[request.scope]:
            yield Hit("SH404", request.span, "authorization request for response_type=code sends "
                      "neither `state` nor a PKCE code_challenge (login CSRF)",
                      None)


def missing_pkce_hits(requests: Iterable[CodeRequest], lower: str, client: str) -> Iterator[Hit]:
    if has_pkce(lower):
        return
    for request in requests:
        yield Hit("SH403", request.span, f"authorization-code request from a public client ({client}) "
                  "without a PKCE code_challenge", None)


def token_in_url_hits(sites: Sites) -> Iterator[Hit]:
    for string in sites.strings:
        text = string.text
        if "?" not in text:
            continue
        for match in _TOKEN_IN_QUERY.finditer(text):
            if match.start() < text.find("?"):
                continue
            name, value = match.group(1), match.group(2)
            literal = value if value and "{" not in value and len(value) >= 8 else None
            yield Hit("SH410", string.span, f"`{name}` is put in a URL query string, where "
                      "logs, proxies and browser history keep it", f"query:{name.lower()}", literal)


def query_parameter_hit(key: str, span: Span, how: str) -> Hit | None:
    flat = normal(key)
    if flat in {"accesstoken", "refreshtoken", "clientsecret"}:
        return Hit("SH410", span, f"`{key}` is sent as a URL query parameter ({how}); send it in "
                   "an Authorization header or the request body", f"query:{flat}")
    return None
