"""SH401 insecure-redirect-uri: an http:// redirect URI on a host that is not loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote

from scanner.facts.base import FileFacts
from scanner.facts.oauth.params import OAuthParam
from scanner.facts.urls import insecure_redirect_host
from scanner.model.finding import Finding, Severity
from scanner.rules.base import Bad, Good, Rule, RuleContext
from scanner.rules.oauth.common import NOT_IN_TESTS, once_per_place, params_named

_HTTP_IN_QUERY = re.compile(r"http(?::|%3a)[^\s\"']*", re.IGNORECASE)


class InsecureRedirectUri(Rule):
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
    family = "oauth"
    severity = Severity.HIGH
    cwe = ("CWE-319",)
    needs = (OAuthParam,)
    contexts = NOT_IN_TESTS
    examples = (
        Bad('REDIRECT_URI = "http://app.acme-corp.io/oauth/callback"\n', line=1),
        Bad("const config = { redirectUri: 'http://shop.acme-corp.io/callback' };\n",
            path="src/auth.js", line=1),
        Bad("oauth:\n  redirect_uris:\n    - http://portal.acme-corp.io/cb\n", path="config/oauth.yaml",
            line=3),
        Bad('url = f"{AUTH}?client_id={cid}&redirect_uri=http%3A%2F%2Fapp.acme-corp.io%2Fcb"\n',  # secret-hygiene: ignore[SH401]
            line=1),
        Bad('[dev]\nredirect_uri = "http://localhost:8000/cb"\n\n'
            '[prod]\nredirect_uri = "http://app.acme-corp.io/cb"\n', path="oauth.toml", line=5),
        Good('REDIRECT_URI = "https://app.acme-corp.io/oauth/callback"\n'),
        Good('REDIRECT_URI = "http://localhost:8000/oauth/callback"\n'),
        Good('REDIRECT_URI = "http://127.0.0.1:8765/callback"\n'),
        Good("OAUTH_REDIRECT_URI=http://[::1]:3000/cb\n", path=".env.development"),
        Good('REDIRECT_URI = f"http://{HOST}/oauth/callback"\n'),
        Good('REDIRECT_URI = os.environ["REDIRECT_URI"]\n'),
    )

    @once_per_place
    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        for param in params_named(facts, "redirect_uri"):
            if param.value is None:
                continue
            if param.via == "url":
                match = _HTTP_IN_QUERY.match(param.value)
                url = unquote(match.group(0)) if match else ""
                host = insecure_redirect_host(url)
                message = (f"authorization request sends redirect_uri over plain http:// to host "
                           f"`{host}`")
            else:
                url = param.value
                host = insecure_redirect_host(url)
                message = (f"redirect URI `{param.name}` uses plain http:// on host `{host}`; only "
                           "loopback redirects may use http")
            if host:
                yield context.report(self, param.span, message, construct=f"redirect:{url}")
