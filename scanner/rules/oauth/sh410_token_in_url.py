"""SH410 token-in-url: tokens and client secrets put in URL query strings."""

from __future__ import annotations

import re
from collections.abc import Iterator

from scanner.facts.base import FileFacts
from scanner.facts.oauth.names import normal
from scanner.facts.oauth.params import OAuthParam
from scanner.model.finding import Confidence, Finding, Severity
from scanner.rules.base import Bad, Good, Rule, RuleContext
from scanner.rules.oauth.common import NOT_IN_TESTS, once_per_place, params_named

_QUERY_VALUE = re.compile(r"[^&#\s\"']*")
# A route segment that is the page's token (Next.js `[token]`, `[...token]`; `:token`; `<token>`;
# Remix `$token`):
# a one-time link's token came in the URL, and another URL with it exposes nothing new.
_ROUTE_TOKEN = re.compile(
    r"(?i)(?:^|/)(?:\[(?:\.\.\.)?\w*token\]|:\w*token|<\w*token>)(?:/|\.[\w.]+$|$)"
    r"|(?:^|[/.])\$\w*token\+?(?:[./]|$)")  # Remix's flat routes: `sign.$token+/_index.tsx`


class TokenInUrl(Rule):
    """## What it does
    Finds tokens and client secrets put in URL query strings. That covers URLs with
    `?access_token=`, `&client_secret=`..., `params={"access_token": ...}` on requests/httpx
    calls (also a dict built first, or handed to a function of the module that sends it as
    `params=`), `url.searchParams.set("access_token", ...)` and axios `params`. A bare `token`
    parameter counts when its value is named like a credential (`params={"token": api_token}`,
    `f"{base}/media?token={self._token}"`), not a paging cursor (`{"token": next_token}`); such
    findings are of medium confidence (the token may be a one-time link's).

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
    family = "oauth"
    severity = Severity.HIGH
    cwe = ("CWE-598",)
    needs = (OAuthParam,)
    contexts = NOT_IN_TESTS
    examples = (
        Bad('requests.get(f"https://graph.acme.io/me?access_token={token}")\n', line=1),  # secret-hygiene: ignore[SH410]
        Bad('requests.post(TOKEN_URL, params={"client_secret": SECRET, "code": code})\n', line=1),
        Bad("fetch(`${API}/user?access_token=${token}`);\n", path="src/api.js", line=1),  # secret-hygiene: ignore[SH410]
        Bad("url.searchParams.set('access_token', token);\n", path="src/api.js", line=1),
        Bad("api:\n  profile: https://graph.acme.io/me?fields=id&access_token=EAAB1x2y3z\n",  # secret-hygiene: ignore[SH410]
            path="config/api.yaml", line=2),
        Good('requests.get("https://graph.acme.io/me", headers={"Authorization": f"Bearer {token}"})\n'),
        Good('body = f"grant_type=refresh_token&refresh_token={rt}&client_id={cid}"\n'),
        Good('requests.post(TOKEN_URL, data={"client_secret": SECRET, "code": code})\n'),
        # An unsubscribe page whose own route is the link's token.
        Good("const prefs = useSWR(`/api/notification-preferences?token=${encodeURIComponent(token)}`);\n",
             path="app/(auth)/unsubscribe/[token]/unsubscribe-form.tsx"),
        Good("const retry = `/api/authorize?scope=service&token=${params.token}`;\n",
             path="app/routes/_recipient+/sign.$token+/_index.tsx"),
        Bad('resp = await session.get(UPDATE_URL, params={"domains": domain, "token": token})\n',
            line=1),
        Good('resp = await session.get(LIST_URL, params={"token": next_token})\n'),
    )

    @once_per_place
    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        own_route_token = _ROUTE_TOKEN.search(context.path) is not None
        for param in params_named(facts, "access_token", "refresh_token", "client_secret", "token"):
            if param.param == "token" and own_route_token:
                continue  # the page's own URL carries the token (`unsubscribe/[token]/form.tsx`)
            # A bare `token` is a credential by its value's name only (it may be a one-time link).
            confidence = Confidence.MEDIUM if param.param == "token" else Confidence.HIGH
            if param.via == "query":
                yield context.report(self, param.span, f"`{param.name}` is sent as a URL query "
                                     f"parameter ({param.how}); send it in an Authorization header "
                                     "or the request body", construct=f"query:{normal(param.name)}",
                                     confidence=confidence)
            elif param.via == "url" and param.in_query:
                value = _QUERY_VALUE.match(param.value or "")
                literal = value.group(0) if value else ""
                secret = literal if literal and "{" not in literal and len(literal) >= 8 else None
                yield context.report(self, param.span, f"`{param.name}` is put in a URL query "
                                     "string, where logs, proxies and browser history keep it",
                                     secret=secret, construct=f"query:{param.name.lower()}",
                                     confidence=confidence)
