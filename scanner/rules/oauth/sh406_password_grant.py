"""SH406 password-grant: the resource owner password credentials grant."""

from __future__ import annotations

import re
from collections.abc import Iterator

from scanner.facts.base import FileFacts
from scanner.facts.oauth.params import OAuthParam
from scanner.model.finding import Finding, Severity
from scanner.rules.base import Bad, Good, Rule, RuleContext
from scanner.rules.oauth.common import NOT_IN_TESTS, once_per_place, params_named

_PASSWORD = re.compile(r"password\b", re.IGNORECASE)
_MESSAGES = {
    "url": "token request body uses grant_type=password (resource owner password credentials grant)",
    "client": "LegacyApplicationClient runs the resource owner password credentials grant",
}


class PasswordGrant(Rule):
    """## What it does
    Finds token requests that use the resource owner password credentials grant. That is
    `grant_type=password` or requests-oauthlib's `LegacyApplicationClient`.

    ## Why is this bad?
    The client sees the user's password, users learn to type it outside the authorization
    server, and the flow cannot do MFA or WebAuthn. RFC 9700 says it MUST NOT be used. Use the
    authorization code flow (with PKCE), or the device flow on input-constrained devices.
    An OAuth library that defines the grant (`GRANT_TYPE = "password"` in a grant class or a
    client subclass: `class LegacyClient(Client): grant_type = "password"`), picks it from its
    caller's arguments (one name assigned several grant types), or is an authorization server
    handling the request it received is not flagged.

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
    family = "oauth"
    severity = Severity.HIGH
    cwe = ("CWE-522",)
    needs = (OAuthParam,)
    contexts = NOT_IN_TESTS
    examples = (
        Bad('requests.post(TOKEN_URL, data={"grant_type": "password", "username": u, "password": p})\n',
            line=1),
        Bad("const body = 'grant_type=password&username=' + user + '&password=' + pw;\n",
            path="src/api.js", line=1),
        Bad("client = LegacyApplicationClient(client_id=CLIENT_ID)\n", line=1),
        Good('requests.post(TOKEN_URL, data={"grant_type": "authorization_code", "code": code})\n'),
        Good('if form["grant_type"] == "password":\n    raise UnsupportedGrant()\n'),
        Good('class ResourceOwnerPasswordGrant(BaseGrant):\n    GRANT_TYPE = "password"\n'),
        Good('class LegacyApplicationClient(Client):\n    grant_type = "password"\n'),
    )

    @once_per_place
    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        for param in params_named(facts, "grant_type"):
            if param.value is None or param.handed_on or param.received:
                continue
            if param.via == "url" and not _PASSWORD.match(param.value):
                continue
            if param.via != "url" and param.value.strip().lower() != "password":
                continue
            message = _MESSAGES.get(param.via, "token request uses grant_type=password (resource "
                                               "owner password credentials grant)")
            yield context.report(self, param.span, message, construct="grant_type:password")
