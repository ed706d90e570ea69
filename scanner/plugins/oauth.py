"""OAuth client flow rules (SH4xx): mistakes from RFC 9700 (OAuth 2.0 Security BCP) visible in
Python, JS/TS and config without running them. A cheap text check gates every structured parse."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from scanner.finding import Category, Finding, Severity
from scanner.parsed import CONFIG_KINDS, JS_KINDS, FileKind, ParsedFile
from scanner.plugins.oauth_names import LazyPattern, is_credential_name, lazy
from scanner.rules import Bad, Good, Rule

if TYPE_CHECKING:
    from scanner.plugins.oauth_common import Hit

SECTION = "oauth"
OPTIONS: dict[str, Any] = {}

_PY = frozenset({FileKind.PYTHON})
_CODE = _PY | JS_KINDS
_CODE_AND_CONFIG = _CODE | CONFIG_KINDS
_ENV_KILL_SWITCH = lazy(
    r"(NODE_TLS_REJECT_UNAUTHORIZED|PYTHONHTTPSVERIFY)[\"'\]]?\s*[=:]\s*[\"']?0\b", re.IGNORECASE)


_CALLBACK_STATE = lazy(
    r"""(?:args|GET|query_params|query|params|form|searchParams|values|get_argument|get_query_argument)\b[^\n]{0,40}["']state["']"""
    r"""|query\.state|state\s*}\s*=|\bstate\s*:\s*(?:str|Optional|Annotated)""")
_CALLBACK_CODE = lazy(
    r"""["']code["']|query\.code|[{,]\s*code\s*[,}]|\bcode\s*:\s*(?:str|Optional|Annotated)""")


_CODE_REQUEST = lazy(r"response_?type[\"'\s:=]{1,6}code\b")  # searched in file.lower
_LIBRARY_CODE_REQUEST = lazy(r"authorization_url\s*\(")
_PY_PUBLIC_CLIENT = lazy(
    r"^\s*(?:import|from)\s+(?:webbrowser|click|typer|argparse|http\.server|tkinter|PyQt[56]|PySide6|"
    r"kivy|toga)\b|redirect_uri[\s\S]{0,80}?(?:localhost|127\.0\.0\.1|\[::1\])", re.MULTILINE | re.IGNORECASE)
_COOKIE_CANDIDATE = lazy(
    r"(?:set_cookie|set_signed_cookie|\.cookie|cookies?\.set)\s*\([\s\S]{0,160}?"
    r"(?:token|jwt|session|sid|auth|bearer|secret)|session_cookie_(?:secure|httponly)[\s\"'\]=:]{1,6}false"
    r"|document\.cookie\s*=")


_CREDENTIAL_WORDS = ("token", "secret", "authoriz", "bearer", "jwt")
_LOG_HINTS = ("log", "print", "console", "raise", "throw", "echo", "write", "debug", "info",
              "warn", "error", "exception", "critical", "fatal", "trace")
_LOG_START = lazy(
    r"(?:\.(?:debug|info|warning|warn|error|exception|critical|fatal|trace)|\b_*log\w*\.\w+|console\.\w+|\bprint|\bpprint|\braise\s+[\w.]+|\bthrow\s+new\s+\w+|\.echo|"
    r"\.write)\s*\(", re.IGNORECASE)
_QUOTED = lazy(r"(['\"`])((?:\\.|(?!\1)[^\\\n])*)\1")
_IDENTIFIER = lazy(r"[A-Za-z_$][\w$]*")


def _keys_and_placeholders(match: re.Match[str]) -> str:
    """A string literal reduced to what may name a credential: a bare key (`"access_token"`)
    or f-string/template placeholders; message text is dropped."""
    body = match.group(2)
    if re.fullmatch(r"[\w-]+", body):
        return " " + body + " "
    return " " + " ".join(re.findall(r"\{([^{}]*)\}", body)) + " "


class _Line(NamedTuple):
    start: int
    text: str


def _lines_around(file: ParsedFile, words: tuple[str, ...], before: int) -> Iterator[_Line]:
    """Each line holding one of the lower-case `words`, and the `before` lines above it, once,
    found with str.find on the whole text instead of splitting it into lines."""
    text, lower = file.text, file.lower
    seen: set[int] = set()
    for word in words:
        index = lower.find(word)
        while index != -1:
            line_start = text.rfind("\n", 0, index) + 1
            starts = [line_start]
            for _ in range(before):
                if starts[-1] == 0:
                    break
                starts.append(text.rfind("\n", 0, starts[-1] - 1) + 1)
            for start in reversed(starts):
                if start not in seen:
                    seen.add(start)
                    end = text.find("\n", start)
                    yield _Line(start, text[start:end if end != -1 else len(text)])
            next_line = text.find("\n", index)
            index = -1 if next_line == -1 else lower.find(word, next_line)


def _call_arguments(text: str, start: int, limit: int = 400) -> str:
    """The text from `start` (just past an opening parenthesis) to its closing one, at most
    `limit` characters; quotes are skipped so `")"` inside a message does not end it."""
    depth, quote, index, end = 1, "", start, min(len(text), start + limit)
    while index < end:
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "'\"`":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                break
        index += 1
    return text[start:index]


_TLS_OFF = lazy(
    r"verify\s*=\s*False|_create_unverified_context|(?<![\w.])rejectUnauthorized\s*:\s*false"
    r"|(?:NODE_TLS_REJECT_UNAUTHORIZED|PYTHONHTTPSVERIFY)[\"'\]]?\s*=\s*[\"']?0")
_TLS_WINDOW = 20


def _has_pkce(file: ParsedFile) -> bool:
    from scanner.plugins.oauth_common import has_pkce

    return has_pkce(file.lower)


# Every keyword of the family holds one of these roots. Most files hold none, and 14 substring
# scans of a file are far cheaper than the ~60 scans its keywords one by one would cost.
KEYWORD_ROOTS = ("token", "secret", "state", "cookie", "redirect", "callback", "challenge",
                 "response", "grant", "legacy", "verif", "storage", "authoriz", "to_json")
_ROOTS_ATTR = "_oauth_keyword_roots"
_FOUND_ATTR = "_oauth_keywords_found"
_root_of: dict[str, str] = {}


def has_family_keyword(file: ParsedFile, keywords: tuple[str, ...]) -> bool:
    """`file.has_any(keywords)`. Without the engine's one-pass index, answered from the family's
    roots (scanned once per file and cached on it): a keyword is searched for only when its root
    is present."""
    if file.keyword_index is not None:
        return file.has_any(keywords)
    roots: frozenset[str] | None = getattr(file, _ROOTS_ATTR, None)
    if roots is None:
        lower = file.lower
        roots = frozenset(root for root in KEYWORD_ROOTS if root in lower)
        setattr(file, _ROOTS_ATTR, roots)
    if not roots:
        return False
    if not _root_of:
        _root_of.update({keyword: next(root for root in KEYWORD_ROOTS if root in keyword)
                         for rule in RULES for keyword in rule.keywords})
    found: dict[str, bool] = file.__dict__.setdefault(_FOUND_ATTR, {})
    for keyword in keywords:
        if _root_of[keyword] not in roots:
            continue
        present = found.get(keyword)
        if present is None:
            present = found[keyword] = keyword in file.lower
        if present:
            return True
    return False


class OAuthRule(Rule):
    """Shared plumbing: a text pre-check, then the Python, JS/TS or config analysis of the file."""

    category = Category.OAUTH
    # A lower-case regex the lower-cased text must match before anything is parsed (None: the
    # keywords are enough). Searching file.lower without IGNORECASE keeps sre's literal fast path.
    precheck: ClassVar[LazyPattern | None] = None

    keyword_gated = True  # applies_to requires one of the keywords

    def applies_to(self, file: ParsedFile) -> bool:
        if self.kinds is not None and file.kind not in self.kinds:
            return False
        return has_family_keyword(file, self.keywords)

    def candidate(self, file: ParsedFile) -> bool:
        """Cheap text test run before any parse; False means the file cannot hold a finding."""
        return self.precheck is None or bool(self.precheck.search(file.lower))

    def check(self, file: ParsedFile) -> Iterable[Finding]:
        # Test code drives flows against fakes on purpose (http redirects, verify=False, logged
        # tokens); it is not a client that users run, and parsing it is most of the family's cost.
        if file.is_test or not self.candidate(file):
            return
        seen: set[tuple[int, int, str]] = set()
        try:
            hits = list(self.hits(file))
        except RecursionError:  # pathological nesting (generated code): skip, say so
            file.notes.append(f"{file.path}: code nested too deeply for rule {self.id}; skipped")
            return
        for hit in hits:
            key = (hit.span[0], hit.span[1], hit.message)
            if key in seen:
                continue
            seen.add(key)
            line, column, end_line, end_column = hit.span
            yield self.finding(file, line=line, column=column, end_line=end_line,
                               end_column=end_column, message=hit.message, secret=hit.secret,
                               construct=hit.construct)

    def hits(self, file: ParsedFile) -> Iterator[Hit]:
        if file.kind is FileKind.PYTHON:
            from scanner.plugins import oauth_prescreen

            if self.id == "SH409":
                yield from oauth_prescreen.settings_hits(file)
            # libcst (import and parse) only when a cheap `ast` pass says the rule may fire.
            if oauth_prescreen.needs_analysis(self.id, file):
                from scanner.plugins import oauth_python

                yield from oauth_python.check(self.id, file)
        elif file.kind in JS_KINDS:
            from scanner.plugins import oauth_js

            yield from oauth_js.check(self.id, file)
        elif file.kind in CONFIG_KINDS:
            yield from config_hits(self.id, file)
        if self.id == "SH407" and file.kind not in _CODE and not _is_test_env(file):
            yield from env_kill_switch_hits(file)


def _is_test_env(file: ParsedFile) -> bool:
    name = file.parts[-1] if file.parts else ""
    return file.is_test or name.endswith((".test", ".testing", ".ci")) or ".test." in name


def env_kill_switch_hits(file: ParsedFile) -> Iterator[Hit]:
    from scanner.plugins.oauth_common import Hit

    for number in file.lines_with(("node_tls_reject_unauthorized", "pythonhttpsverify")):
        text = file.line_text(number)
        if text.lstrip().startswith(("#", "//", ";")):
            continue
        match = _ENV_KILL_SWITCH.search(text)
        if match:
            yield Hit("SH407", (number, match.start() + 1, number, match.end() + 1),
                      f"{match.group(1).upper()}=0 turns off certificate checks for every request "
                      "of the process, token calls included", f"env:{match.group(1).upper()}")


def config_hits(rule: str, file: ParsedFile) -> Iterator[Hit]:
    from scanner.lang.config import iter_entries
    from scanner.plugins import oauth_common as common

    sites = common.Sites()
    whole = (1, max(1, len(file.lines)))
    for entry in iter_entries(file):
        span = (entry.line, entry.column, entry.end_line, entry.end_column)
        value = entry.value if isinstance(entry.value, str) else None
        items = tuple((str(v), (line, col, end_line, end_col))
                      for v, line, col, end_line, end_col in entry.items if isinstance(v, str))
        sites.key_values.append(common.KeyValue(
            key=entry.key, span=span, context="config", scope=whole, value=value, values=items,
            value_bool=entry.value if isinstance(entry.value, bool) else None))
        for text, item_span in ([(value, span)] if value else []) + list(items):
            sites.strings.append(common.StringSite(text, item_span, whole))
    verdicts = {"SH401": common.redirect_hits, "SH402": common.pkce_plain_hits,
                "SH405": common.implicit_grant_hits, "SH406": common.password_grant_hits,
                "SH410": common.token_in_url_hits}
    if rule in verdicts:
        yield from verdicts[rule](sites)


class InsecureRedirectUri(OAuthRule):
    """## What it does
    Finds an OAuth redirect URI that uses plain `http://` on a host that is not loopback. Keys
    checked: `redirect_uri`, `redirectUri`, `callback_url`, `REDIRECT_URIS`...; loopback means
    `localhost`, `127.0.0.0/8` and `[::1]`.

    ## Why is this bad?
    The authorization response carries the authorization code (or, in the implicit grant, the
    access token). Sent over plain http, anyone on the network path can read it and redeem it.
    RFC 9700 forbids http redirect URIs except loopback redirects of native apps. Loopback
    addresses, `*.localhost` and reserved example names (`example.com`, `.test`) are not flagged,
    so development configs that point at your own machine stay quiet.

    ## Example
        REDIRECT_URI = "http://app.acme-corp.io/oauth/callback"

    ## Use instead
        REDIRECT_URI = "https://app.acme-corp.io/oauth/callback"
        # or, for a native app or CLI: "http://127.0.0.1:8765/callback"

    ## References
    - RFC 9700 §2.6 (Other Recommendations: no http redirect URIs except loopback)
    - RFC 9700 §4.1 (Insufficient Redirect URI Validation)
    - RFC 8252 §7.3 (Loopback Interface Redirection)
    """

    id = "SH401"
    name = "insecure-redirect-uri"
    severity = Severity.HIGH
    kinds = _CODE_AND_CONFIG
    cwe = ("CWE-319",)
    keywords = ("redirect_uri", "redirecturi", "redirect-uri", "callback_url", "callbackurl",
                "redirect_url", "redirecturl")
    precheck = lazy(r"(?:redirect|callback)[_-]?ur[il]s?[\s\S]{0,80}?"
                    r"http(?::|%3a)(?://|%2f%2f)(?!localhost|127\.|\[::1\]|\{|\$)")
    examples = (
        Bad('REDIRECT_URI = "http://app.acme-corp.io/oauth/callback"\n'),
        Bad("const config = { redirectUri: 'http://shop.acme-corp.io/callback' };\n",
            path="src/auth.js"),
        Bad("oauth:\n  redirect_uris:\n    - http://portal.acme-corp.io/cb\n", path="config/oauth.yaml"),
        Bad('url = f"{AUTH}?client_id={cid}&redirect_uri=http%3A%2F%2Fapp.acme-corp.io%2Fcb"\n'),  # secret-hygiene: ignore[SH401]
        Good('REDIRECT_URI = "https://app.acme-corp.io/oauth/callback"\n'),
        Good('REDIRECT_URI = "http://localhost:8000/oauth/callback"\n'),
        Good('REDIRECT_URI = "http://127.0.0.1:8765/callback"\n'),
        Good("OAUTH_REDIRECT_URI=http://[::1]:3000/cb\n", path=".env.development"),
        Good('REDIRECT_URI = f"http://{HOST}/oauth/callback"\n'),
        Good('REDIRECT_URI = os.environ["REDIRECT_URI"]\n'),
    )


class PkcePlain(OAuthRule):
    """## What it does
    Finds PKCE that exposes the verifier. That is `code_challenge_method=plain`, or a
    `code_challenge` that is the code verifier itself.

    ## Why is this bad?
    With `plain`, the challenge sent in the front channel equals the verifier, so whoever can
    read the authorization request (browser history, logs, a malicious app on the device) can
    redeem an intercepted code: PKCE protects nothing. S256 is the only method that keeps the
    verifier secret.

    ## Example
        params = {"code_challenge": code_verifier, "code_challenge_method": "plain"}

    ## Use instead
        challenge = base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode()).digest())
        params = {"code_challenge": challenge.rstrip(b"=").decode(), "code_challenge_method": "S256"}

    ## References
    - RFC 9700 §2.1.1 (Authorization Code Grant: S256 is the only method that does not expose the verifier)
    - RFC 9700 §4.5.3.1 (PKCE as countermeasure to code injection)
    - RFC 7636 §4.2 (Client Creates the Code Challenge)
    """

    id = "SH402"
    name = "pkce-plain"
    severity = Severity.HIGH
    kinds = _CODE_AND_CONFIG
    cwe = ("CWE-327",)
    keywords = ("code_challenge", "codechallenge")
    precheck = lazy(
        r"code_?challenge_?method[\"'\s:=]{1,6}plain|code_?challenge[\"'\s:=({$]{1,8}[\w.]*verifier")
    examples = (
        Bad('params = {"code_challenge": code_verifier, "code_challenge_method": "S256"}\n'),
        Bad('params = {"code_challenge": challenge, "code_challenge_method": "plain"}\n'),
        Bad("const q = { code_challenge: verifier, code_challenge_method: 'plain' };\n",
            path="src/login.ts"),
        Bad('url = f"{AUTH}?response_type=code&code_challenge={verifier}&code_challenge_method=S256"\n'),  # secret-hygiene: ignore[SH402]
        Good('params = {"code_challenge": s256(code_verifier), "code_challenge_method": "S256"}\n'),
        Good("const q = { code_challenge: await sha256(verifier), code_challenge_method: 'S256' };\n",
             path="src/login.ts"),
        Good('supported = {"code_challenge_methods_supported": ["S256"]}\n'),
    )


class MissingPkce(OAuthRule):
    """## What it does
    Finds an authorization-code request from a public client without a PKCE code challenge.
    Public clients are browser apps, mobile and desktop apps and CLIs; the request is a
    `response_type=code` URL or parameter set that sends no `code_challenge`.

    ## Why is this bad?
    A public client has no secret, so nothing stops an attacker who intercepts the authorization
    code (a malicious app registered on the same custom scheme, a leaked redirect) from redeeming
    it. PKCE binds the code to the client instance that started the flow. A client is taken as
    public when it is browser code, or Python without a `client_secret` that drives a browser
    (webbrowser, click/argparse CLIs, a loopback listener). Libraries that add PKCE by default
    (oidc-client-ts, MSAL, AppAuth, expo-auth-session, google-auth-oauthlib...) are not flagged.

    ## Example
        import webbrowser
        url = f"{AUTH_URL}?response_type=code&client_id={CLIENT_ID}&state={state}"
        webbrowser.open(url)

    ## Use instead
        url = (f"{AUTH_URL}?response_type=code&client_id={CLIENT_ID}&state={state}"
               f"&code_challenge={challenge}&code_challenge_method=S256")

    ## References
    - RFC 9700 §2.1.1 (Authorization Code Grant: public clients MUST use PKCE)
    - RFC 9700 §4.5 (Authorization Code Injection), §4.5.3.1 (PKCE)
    - RFC 7636 (Proof Key for Code Exchange by OAuth Public Clients)
    """

    id = "SH403"
    name = "missing-pkce"
    severity = Severity.HIGH
    kinds = _CODE
    cwe = ("CWE-345",)
    keywords = ("response_type", "responsetype", "authorization_url")

    def candidate(self, file: ParsedFile) -> bool:
        if _has_pkce(file):
            return False
        if file.kind is FileKind.PYTHON:
            return ("client_secret" not in file.lower and bool(_PY_PUBLIC_CLIENT.search(file.text))
                    and bool(_CODE_REQUEST.search(file.lower) or _LIBRARY_CODE_REQUEST.search(file.lower)))
        return bool(_CODE_REQUEST.search(file.lower))
    examples = (
        Bad('import webbrowser\nurl = f"{AUTH_URL}?response_type=code&client_id={CID}&state={s}"\n'
            "webbrowser.open(url)\n", path="cli.py"),
        Bad("export function login() {\n  const state = crypto.randomUUID();\n"
            "  window.location.href = `${AUTH}?response_type=code&client_id=${ID}&state=${state}`;\n}\n",
            path="src/auth.js"),
        Good('import webbrowser\nurl = f"{AUTH_URL}?response_type=code&client_id={CID}&state={s}'
             '&code_challenge={ch}&code_challenge_method=S256"\nwebbrowser.open(url)\n', path="cli.py"),
        Good('url = f"{AUTH_URL}?response_type=code&client_id={CID}&state={s}"\n'
             'token = exchange(code, client_secret=CLIENT_SECRET)\n', path="web/views.py"),
        Good("import { UserManager } from 'oidc-client-ts';\n"
             "const um = new UserManager({ authority, client_id, response_type: 'code' });\n",
             path="src/auth.js"),
    )

    def hits(self, file: ParsedFile) -> Iterator[Hit]:
        if file.kind in _CODE:
            yield from super().hits(file)


class MissingState(OAuthRule):
    """## What it does
    Finds authorization requests without `state` and callbacks that never check it. A request
    with `response_type=code` is flagged when it sends neither `state` nor a PKCE code challenge
    (nor an OpenID Connect `nonce`); a callback handler is flagged when it reads `code` and
    `state` from the request but never compares `state` with the value it stored.

    ## Why is this bad?
    Without a one-time `state` bound to the user's browser (or PKCE), an attacker can make a
    victim's browser complete the attacker's authorization: login CSRF, account linking to the
    attacker's account. Reading `state` and not checking it is the same hole. Flows run by
    authlib, requests-oauthlib, Flask-Dance or social-auth check `state` themselves and are not
    flagged; neither is a handler that calls `authorize_access_token()` or
    `fetch_token(authorization_response=...)`.

    ## Example
        @app.route("/callback")
        def callback():
            code = request.args.get("code")
            state = request.args.get("state")
            return exchange(code)

    ## Use instead
        @app.route("/callback")
        def callback():
            code = request.args.get("code")
            state = request.args.get("state")
            if not state or not hmac.compare_digest(state, session.pop("oauth_state", "")):
                abort(400)
            return exchange(code)

    ## References
    - RFC 9700 §2.1 (Protecting Redirect-Based Flows: clients MUST prevent CSRF)
    - RFC 9700 §4.7 (Cross-Site Request Forgery), §4.7.1 (Countermeasures)
    - RFC 6749 §10.12 (Cross-Site Request Forgery)
    """

    id = "SH404"
    name = "missing-state"
    severity = Severity.MEDIUM
    kinds = _CODE
    cwe = ("CWE-352",)
    keywords = ("response_type", "responsetype", "state")

    def candidate(self, file: ParsedFile) -> bool:
        """An authorization request without PKCE, or a handler that reads `state` and `code`
        from the request (looked for on the lines naming them only)."""
        if _CODE_REQUEST.search(file.lower) and not _has_pkce(file):
            return True
        return any(_CALLBACK_STATE.search(line.text) for line in _lines_around(file, ("state",), 0)) \
            and any(_CALLBACK_CODE.search(line.text) for line in _lines_around(file, ("code",), 0))

    examples = (
        Bad('AUTH = "https://accounts.acme.io/authorize?response_type=code&client_id=abc"\n'),
        Bad('@app.route("/callback")\ndef callback():\n    code = request.args.get("code")\n'
            '    state = request.args.get("state")\n    return exchange(code)\n'),
        Bad("app.get('/cb', async (req, res) => {\n  const { code, state } = req.query;\n"
            "  res.json(await exchange(code));\n});\n", path="server/routes.js"),
        Good('AUTH = "https://accounts.acme.io/authorize?response_type=code&client_id=abc&state={s}"\n'),
        Good('@app.route("/callback")\ndef callback():\n    code = request.args.get("code")\n'
             '    state = request.args.get("state")\n'
             '    if state != session.pop("oauth_state", None):\n        abort(400)\n'
             '    return exchange(code)\n'),
        Good('@app.route("/callback")\ndef callback():\n    state = request.args.get("state")\n'
             '    code = request.args.get("code")\n    token = oauth.github.authorize_access_token()\n'
             '    return token\n'),
        Good("app.get('/cb', (req, res) => {\n  const { code, state } = req.query;\n"
             "  if (state !== req.session.oauthState) return res.sendStatus(400);\n"
             "  res.json(exchange(code));\n});\n", path="server/routes.js"),
    )


class ImplicitGrant(OAuthRule):
    """## What it does
    Finds authorization requests that use the implicit grant. That is `response_type=token` or
    any response type that includes `token` (`id_token token`, `code token`).

    ## Why is this bad?
    The access token comes back in the URL fragment, where it leaks through browser history,
    Referer headers, open redirectors and injected scripts, and it cannot be sender-constrained.
    RFC 9700 says clients SHOULD NOT use it; use the authorization code flow with PKCE.
    `response_type=id_token` alone (no access token) is not flagged.

    ## Example
        params = {"response_type": "token", "client_id": CLIENT_ID}

    ## Use instead
        params = {"response_type": "code", "client_id": CLIENT_ID,
                  "code_challenge": challenge, "code_challenge_method": "S256"}

    ## References
    - RFC 9700 §2.1.2 (Implicit Grant)
    - RFC 9700 §4.3.2 (Access Token in Browser History)
    """

    id = "SH405"
    name = "implicit-grant"
    severity = Severity.HIGH
    kinds = _CODE_AND_CONFIG
    cwe = ("CWE-598",)
    keywords = ("response_type", "responsetype")
    precheck = lazy(r"response_?type[\"'\s:=]{1,6}[\w\s%+]{0,20}token")
    examples = (
        Bad('params = {"response_type": "token", "client_id": CLIENT_ID}\n'),
        Bad("const url = `${AUTH}?client_id=${id}&response_type=id_token%20token&nonce=${n}`;\n",  # secret-hygiene: ignore[SH405]
            path="src/login.js"),
        Bad("auth:\n  response_type: id_token token\n", path="config/auth.yaml"),
        Good('params = {"response_type": "code", "client_id": CLIENT_ID}\n'),
        Good('params = {"response_type": "id_token", "nonce": nonce}\n'),
        Good('metadata = {"response_types_supported": ["code", "token"]}\n'),
    )


class PasswordGrant(OAuthRule):
    """## What it does
    Finds token requests that use the resource owner password credentials grant. That is
    `grant_type=password` or requests-oauthlib's `LegacyApplicationClient`.

    ## Why is this bad?
    The client sees the user's password, users learn to type it outside the authorization
    server, and the flow cannot do MFA or WebAuthn. RFC 9700 says it MUST NOT be used. Use the
    authorization code flow (with PKCE), or the device flow on input-constrained devices.

    ## Example
        requests.post(TOKEN_URL, data={"grant_type": "password", "username": u, "password": p})

    ## Use instead
        requests.post(TOKEN_URL, data={"grant_type": "authorization_code", "code": code,
                                       "code_verifier": verifier, "redirect_uri": REDIRECT_URI})

    ## References
    - RFC 9700 §2.4 (Resource Owner Password Credentials Grant)
    - RFC 8628 (OAuth 2.0 Device Authorization Grant, for devices without a browser)
    """

    id = "SH406"
    name = "password-grant"
    severity = Severity.HIGH
    kinds = _CODE_AND_CONFIG
    cwe = ("CWE-522",)
    keywords = ("grant_type", "granttype", "legacyapplicationclient")
    precheck = lazy(r"grant_?type[\"'\s:=]{1,6}password|legacyapplicationclient")
    examples = (
        Bad('requests.post(TOKEN_URL, data={"grant_type": "password", "username": u, "password": p})\n'),
        Bad("const body = 'grant_type=password&username=' + user + '&password=' + pw;\n",
            path="src/api.js"),
        Bad("client = LegacyApplicationClient(client_id=CLIENT_ID)\n"),
        Good('requests.post(TOKEN_URL, data={"grant_type": "authorization_code", "code": code})\n'),
        Good('if form["grant_type"] == "password":\n    raise UnsupportedGrant()\n'),
    )


class TlsVerificationDisabled(OAuthRule):
    """## What it does
    Finds TLS certificate verification turned off where credentials are sent. It looks at calls
    that carry credentials or go to token or API URLs: `verify=False` (requests, httpx, OAuth2Session), `session.verify = False`,
    `ssl._create_unverified_context`, `rejectUnauthorized: false`, and the process-wide
    `NODE_TLS_REJECT_UNAUTHORIZED=0` / `PYTHONHTTPSVERIFY=0`.

    ## Why is this bad?
    Without certificate checks, anyone on the network path can impersonate the token endpoint
    or API and collect the client secret, the authorization code, the tokens. Calls to loopback
    URLs and test code talking to a local server are not flagged.

    ## Example
        requests.post(TOKEN_URL, data={"client_secret": SECRET, "code": code}, verify=False)

    ## Use instead
        requests.post(TOKEN_URL, data={"client_secret": SECRET, "code": code},
                      verify="/etc/ssl/certs/corp-ca.pem")  # or simply leave verify on

    ## References
    - RFC 9700 §2.6 (Other Recommendations: end-to-end TLS per BCP 195)
    - RFC 6749 §10.9 (Ensuring Endpoint Authenticity)
    - CWE-295 (Improper Certificate Validation)
    """

    id = "SH407"
    name = "tls-verification-disabled"
    severity = Severity.HIGH
    kinds = _CODE | {FileKind.ENV, FileKind.YAML, FileKind.SHELL, FileKind.DOCKERFILE, FileKind.INI}
    cwe = ("CWE-295",)
    keywords = ("verify=false", "verify = false", "_create_unverified_context",
                "rejectunauthorized", "node_tls_reject_unauthorized", "pythonhttpsverify")

    def candidate(self, file: ParsedFile) -> bool:
        """A literal switch-off with credential words within 20 lines of it."""
        from scanner.plugins.oauth_common import CREDENTIAL_CONTEXT

        if file.kind not in _CODE:
            return True
        looked: set[int] = set()  # a line (or the whole file, 0) searched once, however many hits
        for match in _TLS_OFF.finditer(file.text):
            line, _ = file.position(match.start())
            text = file.line_text(line)
            # A module-level switch affects the whole file; one inside a function, its surroundings.
            where = 0 if not text[:1].isspace() else line
            if where in looked:
                continue
            looked.add(where)
            nearby = file.text if where == 0 else "\n".join(
                file.lines[max(0, line - _TLS_WINDOW):line + _TLS_WINDOW])
            if CREDENTIAL_CONTEXT.search(nearby):
                return True
        return False
    examples = (
        Bad('requests.post(TOKEN_URL, data={"client_secret": SECRET, "code": code}, verify=False)\n'),
        Bad("const agent = new https.Agent({ rejectUnauthorized: false });\n"
            "fetch(tokenUrl, { agent, headers: { Authorization: `Bearer ${token}` } });\n",
            path="server/client.js"),
        Bad("NODE_TLS_REJECT_UNAUTHORIZED=0\n", path=".env"),
        Good('requests.post(TOKEN_URL, data={"client_secret": SECRET, "code": code})\n'),
        Good('requests.get("https://127.0.0.1:8443/token", verify=False)\n'),
        Good('def test_token(server):\n    httpx.post(server.url + "/token", verify=False)\n',
             path="tests/test_client.py"),
        Good('requests.get("https://status.acme.io/health", verify=False)\n'),
    )


class TokenInBrowserStorage(OAuthRule):
    """## What it does
    Finds tokens kept in `localStorage` or `sessionStorage`. That is access, refresh or ID
    tokens written there, or read back from there to build an `Authorization` header.

    ## Why is this bad?
    Web storage is readable by every script on the origin: one XSS, one compromised npm
    dependency or analytics snippet, and the tokens are gone, refresh token included. Keep tokens
    in memory or behind a backend-for-frontend with an HttpOnly session cookie. Storing the PKCE
    verifier, `state`, a nonce or an expiry time is fine and not flagged.

    ## Example
        localStorage.setItem("access_token", data.access_token);

    ## Use instead
        // keep the token in memory (a closure or a state store), or let a BFF hold it
        tokenStore.set(data.access_token);

    ## References
    - RFC 9700 §4.10 (Misuse of Stolen Access Tokens), §4.14 (Refresh Token Protection)
    - OAuth 2.0 for Browser-Based Applications (draft-ietf-oauth-browser-based-apps), token storage
    """

    id = "SH408"
    name = "token-in-browser-storage"
    severity = Severity.MEDIUM
    kinds = JS_KINDS
    cwe = ("CWE-922",)
    keywords = ("localstorage", "sessionstorage")
    precheck = lazy(r"(?:local|session)storage[^\n]{0,120}?(?:token|jwt|auth|session|bearer)"
                          r"|(?:token|jwt|auth|bearer)[^\n]{0,120}?(?:local|session)storage")
    examples = (
        Bad("localStorage.setItem('access_token', data.access_token);\n", path="src/auth.js"),
        Bad("sessionStorage.setItem(KEY, JSON.stringify(tokens.refreshToken));\n", path="src/auth.ts"),
        Bad("const h = { Authorization: `Bearer ${localStorage.getItem('token')}` };\n",
            path="src/api.js"),
        Good("sessionStorage.setItem('pkce_code_verifier', verifier);\n", path="src/auth.js"),
        Good("sessionStorage.setItem('oauth_state', state);\n", path="src/auth.js"),
        Good("localStorage.setItem('token_expires_at', String(expiresAt));\n", path="src/auth.js"),
        Good("localStorage.setItem('theme', 'dark');\n", path="src/ui.js"),
    )


class InsecureTokenCookie(OAuthRule):
    """## What it does
    Finds token and session cookies without `HttpOnly` and `Secure`. That covers a cookie set
    without both flags (Flask/Django/Starlette `set_cookie`, Express `res.cookie`), cookies with
    tokens written by script (`document.cookie`, js-cookie), and Django/Flask `SESSION_COOKIE_SECURE = False` /
    `SESSION_COOKIE_HTTPONLY = False` outside development or test settings.

    ## Why is this bad?
    Without `HttpOnly`, any script on the page (XSS, a compromised dependency) reads the token;
    without `Secure`, the browser sends it over plain http where the network can read it.
    Every framework named above defaults both to off. Options passed as a variable are not
    flagged (they cannot be seen); neither are CSRF or preference cookies.

    ## Example
        resp.set_cookie("access_token", token)

    ## Use instead
        resp.set_cookie("access_token", token, httponly=True, secure=True, samesite="Lax")

    ## References
    - RFC 9700 §4.10 (Misuse of Stolen Access Tokens), §4.14 (Refresh Token Protection)
    - RFC 6265 §4.1.2.5 (The Secure Attribute), §4.1.2.6 (The HttpOnly Attribute)
    """

    id = "SH409"
    name = "insecure-token-cookie"
    severity = Severity.MEDIUM
    kinds = _CODE
    cwe = ("CWE-1004", "CWE-614")
    keywords = ("set_cookie", "set_signed_cookie", ".cookie(", "document.cookie",
                "session_cookie_secure", "session_cookie_httponly", "cookies.set(", "cookie.set(")
    precheck = _COOKIE_CANDIDATE
    examples = (
        Bad('resp.set_cookie("access_token", token)\n'),
        Bad('resp.set_cookie("session_id", sid, httponly=True)\n'),
        Bad("res.cookie('token', jwt, { httpOnly: true });\n", path="server/app.js"),
        Bad("document.cookie = `access_token=${token}; path=/`;\n", path="src/auth.js"),
        Bad("SESSION_COOKIE_SECURE = False\n", path="mysite/settings.py"),
        Good('resp.set_cookie("access_token", token, httponly=True, secure=True, samesite="Lax")\n'),
        Good('resp.set_cookie("theme", "dark")\n'),
        Good("res.cookie('token', jwt, cookieOptions);\n", path="server/app.js"),
        Good("SESSION_COOKIE_SECURE = False\n", path="mysite/settings/dev.py"),
    )


class TokenInUrl(OAuthRule):
    """## What it does
    Finds tokens and client secrets put in URL query strings. That covers URLs with
    `?access_token=`, `&client_secret=`..., `params={"access_token": ...}` on requests/httpx
    calls, `url.searchParams.set("access_token", ...)` and axios `params`.

    ## Why is this bad?
    URLs end up in server and proxy access logs, browser history and Referer headers; a token
    there is a token handed to everyone who reads those. Send tokens in the `Authorization`
    header and client secrets in the POST body (or use private_key_jwt). Form-encoded POST
    bodies (`grant_type=...&client_secret=...` without a `?`) are not flagged.

    ## Example
        requests.get(f"https://graph.acme.io/me?access_token={token}")

    ## Use instead
        requests.get("https://graph.acme.io/me", headers={"Authorization": f"Bearer {token}"})

    ## References
    - RFC 9700 §4.3.2 (Access Token in Browser History), §4.2 (Credential Leakage via Referer Headers)
    - RFC 6750 (Bearer Token Usage: tokens in URI query parameters are discouraged)
    """

    id = "SH410"
    name = "token-in-url"
    severity = Severity.HIGH
    kinds = _CODE_AND_CONFIG
    cwe = ("CWE-598",)
    keywords = ("access_token", "refresh_token", "client_secret", "accesstoken", "refreshtoken",
                "clientsecret")
    precheck = lazy(r"[?&](?:access_?token|refresh_?token|client_?secret)="
                          r"|params[\s\S]{0,200}?(?:access_?token|refresh_?token|client_?secret)")
    examples = (
        Bad('requests.get(f"https://graph.acme.io/me?access_token={token}")\n'),  # secret-hygiene: ignore[SH410]
        Bad('requests.post(TOKEN_URL, params={"client_secret": SECRET, "code": code})\n'),
        Bad("fetch(`${API}/user?access_token=${token}`);\n", path="src/api.js"),  # secret-hygiene: ignore[SH410]
        Bad("url.searchParams.set('access_token', token);\n", path="src/api.js"),
        Good('requests.get("https://graph.acme.io/me", headers={"Authorization": f"Bearer {token}"})\n'),
        Good('body = f"grant_type=refresh_token&refresh_token={rt}&client_id={cid}"\n'),
        Good('requests.post(TOKEN_URL, data={"client_secret": SECRET, "code": code})\n'),
    )


class SecretInLogs(OAuthRule):
    """## What it does
    Finds secrets, tokens and Authorization headers written to logs. That covers values passed to
    logging calls, `print`, `console.log` and friends, or into exception messages.

    ## Why is this bad?
    Logs are shipped, indexed, retained and read by far more people and systems than the token
    store. A token in a log line is a leaked token. Logging a token's length, expiry, type, a
    hash/fingerprint or a short prefix is fine and not flagged.

    ## Example
        logger.info("got token %s", token["access_token"])

    ## Use instead
        logger.info("got token expiring at %s", token["expires_at"])

    ## References
    - RFC 9700 §4.10 (Misuse of Stolen Access Tokens), §4.14 (Refresh Token Protection)
    - CWE-532 (Insertion of Sensitive Information into Log File)
    """

    id = "SH411"
    name = "secret-in-logs"
    severity = Severity.MEDIUM
    kinds = _CODE
    cwe = ("CWE-532",)
    keywords = ("token", "secret", "authorization")
    def candidate(self, file: ParsedFile) -> bool:
        """A log call whose arguments (string messages left out) name a credential. Only the
        lines holding a credential word, and the two before them, are looked at; the file is
        never split into lines (that alone costs more than this check on big files)."""
        from scanner.plugins.oauth_names import LeakJudge

        judge = LeakJudge(lambda: file.lower)
        for line in _lines_around(file, _CREDENTIAL_WORDS, before=2):
            lowered = line.text.lower()
            if not any(hint in lowered for hint in _LOG_HINTS):
                continue
            for match in _LOG_START.finditer(line.text):
                # The call's arguments are read in place: a slice from the line's start would
                # copy the whole line again for each log call on a minified one.
                arguments = _QUOTED.sub(_keys_and_placeholders,
                                        _call_arguments(file.text, line.start + match.end()))
                if any(is_credential_name(name) and judge.counts(name)
                       for name in _IDENTIFIER.findall(arguments)):
                    return True
        return False

    examples = (
        Bad('logger.info("got token %s", token["access_token"])\n'),
        Bad('print(f"refresh token: {refresh_token}")\n'),
        Bad('raise RuntimeError(f"token call failed with secret {client_secret}")\n'),
        Bad("console.log('auth header', req.headers.authorization);\n", path="server/app.js"),
        Good('logger.info("got token expiring at %s", token["expires_at"])\n'),
        Good('logger.debug("token length %d", len(access_token))\n'),
        Good('print(f"token url: {token_url}")\n'),
        Good("console.log('token expires in', tokens.expiresIn);\n", path="src/auth.js"),
    )


class LongLivedTokenStorage(OAuthRule):
    """## What it does
    Finds refresh tokens stored without encryption. That covers tokens written to plain files (`json.dump(token, f)`, `f.write(creds.to_json())`,
    `fs.writeFileSync`), kept in unencrypted database columns (SQLAlchemy, Django, raw SQL
    `INSERT`/`UPDATE`), or put in cookies, with no encryption step in sight (Fernet, KMS,
    keyring, `EncryptedType`...). The message says what was seen.

    ## Why is this bad?
    A refresh token lives for weeks or months and mints new access tokens. A backup, a leaked
    database dump or a stolen laptop turns every stored refresh token into long-term account
    access. Store them encrypted (or in the OS keychain), and rotate them.

    ## Example
        with open("token.json", "w") as fh:
            fh.write(creds.to_json())

    ## Use instead
        keyring.set_password("my-cli", user, creds.to_json())

    ## References
    - RFC 9700 §4.14 (Refresh Token Protection), §2.2.2 (Refresh Tokens)
    - CWE-312 (Cleartext Storage of Sensitive Information)
    """

    id = "SH412"
    name = "long-lived-token-storage"
    severity = Severity.MEDIUM
    kinds = _CODE
    cwe = ("CWE-312",)
    keywords = ("refresh_token", "refreshtoken", "refresh-token", ".to_json()")
    precheck = lazy(r"refresh[_-]?token|(?:creds|credentials)\.to_json")
    examples = (
        Bad('with open("token.json", "w") as fh:\n    fh.write(creds.to_json())\n'),
        Bad("class Account(Base):\n    refresh_token = Column(String(512))\n", path="models.py"),
        Bad("fs.writeFileSync(TOKEN_PATH, JSON.stringify({ refresh_token: tokens.refresh_token }));\n",
            path="cli/store.js"),
        Good('keyring.set_password("my-cli", user, creds.to_json())\n'),
        Good("class Account(Base):\n    refresh_token = Column(EncryptedType(String, KEY))\n",
             path="models.py"),
        Good('with open("token.json", "w") as fh:\n    fh.write(fernet.encrypt(creds.to_json().encode()))\n'),
    )


RULES: tuple[type[Rule], ...] = (
    InsecureRedirectUri, PkcePlain, MissingPkce, MissingState, ImplicitGrant, PasswordGrant,
    TlsVerificationDisabled, TokenInBrowserStorage, InsecureTokenCookie, TokenInUrl,
    SecretInLogs, LongLivedTokenStorage,
)
