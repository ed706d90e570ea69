"""SH402 pkce-plain: PKCE with method `plain`, or the verifier sent as the challenge."""

from __future__ import annotations

import re
from collections.abc import Iterator

from scanner.facts.base import FileFacts
from scanner.facts.oauth.names import normal
from scanner.facts.oauth.params import OAuthParam
from scanner.model.finding import Finding, Severity
from scanner.rules.base import Bad, Good, Rule, RuleContext
from scanner.rules.oauth.common import NOT_IN_TESTS, once_per_place, params_named

_PLAIN = re.compile(r"plain\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\{([^{}()]*)\}")


class PkcePlain(Rule):
    """## What it does
    Finds PKCE that exposes the verifier. That is `code_challenge_method=plain`, or a
    `code_challenge` that is the code verifier itself.

    ## Why is this bad?
    With `plain`, the challenge sent in the front channel equals the verifier, so whoever can
    read the authorization request (browser history, logs, a malicious app on the device) can
    redeem an intercepted code: PKCE protects nothing. S256 is the only method that keeps the
    verifier secret. An authorization server that fills in RFC 7636's `plain` default on the
    request it received (`request.code_challenge_method = "plain"` when the client sent none)
    chose nothing and is not flagged.

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
    family = "oauth"
    severity = Severity.HIGH
    cwe = ("CWE-327",)
    needs = (OAuthParam,)
    contexts = NOT_IN_TESTS
    examples = (
        Bad('params = {"code_challenge": code_verifier, "code_challenge_method": "S256"}\n', line=1),
        Bad('params = {"code_challenge": challenge, "code_challenge_method": "plain"}\n', line=1),
        Bad("const q = { code_challenge: verifier, code_challenge_method: 'plain' };\n",
            path="src/login.ts", line=1),
        Bad('url = f"{AUTH}?response_type=code&code_challenge={verifier}&code_challenge_method=S256"\n',  # secret-hygiene: ignore[SH402]
            line=1),
        Bad("pkce:\n  code_challenge_method: plain\n", path="config/auth.yaml", line=2),
        Good('params = {"code_challenge": s256(code_verifier), "code_challenge_method": "S256"}\n'),
        Good("const q = { code_challenge: await sha256(verifier), code_challenge_method: 'S256' };\n",
             path="src/login.ts"),
        Good('supported = {"code_challenge_methods_supported": ["S256"]}\n'),
        Good('def validate(self, request):\n    if request.code_challenge_method is None:\n'
             '        request.code_challenge_method = "plain"\n'),
    )

    @once_per_place
    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        for param in params_named(facts, "code_challenge_method", "code_challenge"):
            if param.received:
                continue
            value = param.value or ""
            in_url = param.via == "url"
            if param.param == "code_challenge_method":
                plain = _PLAIN.match(value) if in_url else value.strip().lower() == "plain"
                if plain:
                    message = ("authorization URL uses code_challenge_method=plain; use S256"
                               if in_url else "PKCE code_challenge_method is `plain`; use S256")
                    yield context.report(self, param.span, message, construct="pkce:plain")
            elif param.param == "code_challenge":
                match = _PLACEHOLDER.match(value) if in_url else None
                if match and "verifier" in match.group(1).lower():
                    yield context.report(
                        self, param.span, f"code_challenge is the verifier itself "
                        f"(`{match.group(1).strip()}`); send its SHA-256 with method S256",
                        construct="pkce:verifier")
                elif param.value_name and "verifier" in normal(param.value_name):
                    yield context.report(
                        self, param.span, f"code_challenge is the verifier itself "
                        f"(`{param.value_name}`); send BASE64URL(SHA256(verifier)) with method S256",
                        construct="pkce:verifier")
