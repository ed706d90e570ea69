"""SH413 refresh-token-not-rotated: a refresh grant whose new refresh token is never kept."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.facts.base import FileFacts
from scanner.facts.oauth.refresh import RefreshGrant
from scanner.model.finding import Confidence, Finding, Severity
from scanner.rules.base import Bad, Good, Rule, RuleContext
from scanner.rules.oauth.common import NOT_IN_TESTS

_OLD = {
    "constant": "a constant in the code",
    "config": "a config value",
    "stored": "never updated on this path",
    "argument": "passed in, and nothing new is handed back",
    "client": "the client's current token",
    "fresh": "from an answer received earlier in this function",
}


class RefreshTokenNotRotated(Rule):
    """## What it does
    Finds refresh-token grants whose answer's new `refresh_token` is never read or stored, so
    the old refresh token stays the one used. It looks at `grant_type=refresh_token` requests
    sent with requests, httpx, aiohttp, `fetch` or axios, requests-oauthlib's and authlib's
    `refresh_token()`, authlib's `fetch_token(grant_type="refresh_token")`, httpx-oauth's
    `refresh_token()`, google-auth's `refresh_grant()` and openid-client's `refreshTokenGrant()`
    and `client.refresh()`. Not reported: the answer's
    `refresh_token` (or the whole token dict) is written back, returned or passed on (to a
    `token_updater`/`update_token` callback, a save function), authlib calls the file's
    `update_token`, or MSAL keeps it in its token cache. google-auth's `Credentials.refresh()`
    is not checked (the credentials object keeps the new token), nor is test code.

    ## Why is this bad?
    Many providers rotate refresh tokens: each renewal returns a new one and invalidates the
    old one. Code that keeps sending the first refresh token works until the provider rotates
    it, then fails in production; providers with reuse detection revoke the whole grant as a
    suspected theft (RFC 9700 §4.14.2). Store the refresh token of every answer, falling back to
    the old one only when the answer has none. Confidence is high when the old token is a
    constant or config value (it can never change), low for form strings, tokens of unknown
    origin and tokens received earlier in the same function.

    ## Example
        resp = requests.post(TOKEN_URL, data={"grant_type": "refresh_token",
                                              "refresh_token": account.refresh_token})
        account.access_token = resp.json()["access_token"]

    ## Use instead
        tokens = requests.post(TOKEN_URL, data={"grant_type": "refresh_token",
                                                "refresh_token": account.refresh_token}).json()
        account.access_token = tokens["access_token"]
        account.refresh_token = tokens.get("refresh_token", account.refresh_token)

    ## References
    - RFC 9700 §4.14 (Refresh Token Protection), §4.14.2 (Recommendations: rotation, reuse
      detection)
    - RFC 6749 §6 (Refreshing an Access Token: the server MAY issue a new refresh token)
    """

    id = "SH413"
    name = "refresh-token-not-rotated"
    family = "oauth"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    cwe = ("CWE-672",)
    needs = (RefreshGrant,)
    contexts = NOT_IN_TESTS
    examples = (
        Bad('resp = requests.post(TOKEN_URL, data={"grant_type": "refresh_token",\n'
            '                                      "refresh_token": account.refresh_token})\n'
            'account.access_token = resp.json()["access_token"]\n', line=1),
        Bad('def access_token():\n'
            '    body = {"grant_type": "refresh_token", "refresh_token": os.environ["RT"]}\n'
            '    return httpx.post(TOKEN_URL, data=body).json()["access_token"]\n', line=3),
        Bad("const res = await fetch(TOKEN_URL, { method: 'POST', body: new URLSearchParams({\n"
            "  grant_type: 'refresh_token', refresh_token: user.refreshToken }) });\n"
            "const { access_token } = await res.json();\n", path="src/auth.ts", line=1),
        Bad("from requests_oauthlib import OAuth2Session\n"
            "token = oauth.refresh_token(TOKEN_URL, refresh_token=settings.REFRESH_TOKEN)\n"
            'headers = {"Authorization": "Bearer " + token["access_token"]}\n', line=2),
        Good('tokens = requests.post(TOKEN_URL, data={"grant_type": "refresh_token",\n'
             '                                        "refresh_token": account.refresh_token}).json()\n'
             'account.access_token = tokens["access_token"]\n'
             'account.refresh_token = tokens.get("refresh_token", account.refresh_token)\n'),
        Good("def renew(session):\n"
             "    token = session.refresh_token(TOKEN_URL, client_id=CLIENT_ID)\n"
             "    token_saver(token)\n"),
        Good("const { data } = await axios.post(TOKEN_URL, qs.stringify({\n"
             "  grant_type: 'refresh_token', refresh_token: rt }));\n"
             "await saveTokens(data);\n", path="lib/tokens.js"),
        Good("result = app.acquire_token_by_refresh_token(old_refresh_token, scopes=SCOPES)\n"
             'print(result["access_token"])\n'),
    )

    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        for grant in facts.of(RefreshGrant):
            if grant.kept:
                continue
            old = _OLD.get(grant.old, "")
            sent = f"`{grant.old_shown}`, {old}" if grant.old_shown and old else \
                (f"`{grant.old_shown}`" if grant.old_shown else old or "the one sent")
            message = (f"refresh-token request `{grant.api}` never reads the new refresh_token "
                       f"of its answer; the old one ({sent}) stays the one used")
            yield context.report(self, grant.span, message, construct=f"refresh:{grant.api}",
                                 confidence=_confidence(grant))


def _confidence(grant: RefreshGrant) -> Confidence:
    if grant.old in {"constant", "config"}:
        return Confidence.HIGH
    if grant.how == "form" or grant.old in {"unknown", "fresh"}:
        return Confidence.LOW
    return Confidence.MEDIUM
