"""SH405 implicit-grant: an authorization request whose response type includes `token`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote_plus

from scanner.facts.base import FileFacts
from scanner.facts.oauth.params import OAuthParam, response_types
from scanner.model.finding import Finding, Severity
from scanner.rules.base import Bad, Good, Rule, RuleContext
from scanner.rules.oauth.common import NOT_IN_TESTS, once_per_place, params_named

_RESPONSE_TYPE_IN_QUERY = re.compile(r"[\w%+ ]+")


class ImplicitGrant(Rule):
    """## What it does
    Finds authorization requests that use the implicit grant. That is `response_type=token` or
    any response type that includes `token` (`id_token token`, `code token`).

    ## Why is this bad?
    The access token comes back in the URL fragment, where it leaks through browser history,
    Referer headers, open redirectors and injected scripts, and it cannot be sender-constrained.
    RFC 9700 says clients SHOULD NOT use it; use the authorization code flow with PKCE.
    `response_type=id_token` alone (no access token) is not flagged, nor is an OAuth library's
    subclass that defines the flow for whoever picks it (`class MobileClient(Client):
    response_type = "token"`).

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
    family = "oauth"
    severity = Severity.HIGH
    cwe = ("CWE-598",)
    needs = (OAuthParam,)
    contexts = NOT_IN_TESTS
    examples = (
        Bad('params = {"response_type": "token", "client_id": CLIENT_ID}\n', line=1),
        Bad("const url = `${AUTH}?client_id=${id}&response_type=id_token%20token&nonce=${n}`;\n",  # secret-hygiene: ignore[SH405]
            path="src/login.js", line=1),
        Bad("auth:\n  response_type: id_token token\n", path="config/auth.yaml", line=2),
        Good('params = {"response_type": "code", "client_id": CLIENT_ID}\n'),
        Good('params = {"response_type": "id_token", "nonce": nonce}\n'),
        Good('metadata = {"response_types_supported": ["code", "token"]}\n'),
        Good('class MobileApplicationClient(Client):\n    response_type = "token"\n'),
    )

    @once_per_place
    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        for param in params_named(facts, "response_type"):
            if param.value is None or param.handed_on or param.received:
                continue
            if param.via == "url":
                match = _RESPONSE_TYPE_IN_QUERY.match(param.value)
                if param.at_start or match is None or "token" not in response_types(match.group(0)):
                    continue
                yield context.report(self, param.span, "authorization URL asks for response_type "
                                     f"`{unquote_plus(match.group(0))}` (implicit grant)",
                                     construct=f"response_type:{match.group(0)}")
            elif "token" in response_types(param.value):
                yield context.report(self, param.span, f"response_type `{param.value}` returns the "
                                     "access token in the redirect (implicit grant)",
                                     construct=f"response_type:{param.value}")
