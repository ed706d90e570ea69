"""SH408 token-in-browser-storage: tokens kept in localStorage or sessionStorage."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.facts.base import FileFacts
from scanner.facts.oauth.names import is_token_storage_key, normal, short
from scanner.facts.oauth.storage import BrowserStorageUse
from scanner.model.finding import Finding, Severity
from scanner.rules.base import Bad, Good, Rule, RuleContext
from scanner.rules.oauth.common import NOT_IN_TESTS

# Keys that say what is stored is not the token (PKCE verifier, state, nonce, expiry).
_FLOW_KEYS = ("verifier", "state", "nonce", "expir", "pkce")


class TokenInBrowserStorage(Rule):
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
    family = "oauth"
    severity = Severity.MEDIUM
    cwe = ("CWE-922",)
    needs = (BrowserStorageUse,)
    contexts = NOT_IN_TESTS
    examples = (
        Bad("localStorage.setItem('access_token', data.access_token);\n", path="src/auth.js", line=1),
        Bad("sessionStorage.setItem(KEY, JSON.stringify(tokens.refreshToken));\n", path="src/auth.ts",
            line=1),
        Bad("const h = { Authorization: `Bearer ${localStorage.getItem('token')}` };\n",
            path="src/api.js", line=1),
        Bad("function save(t) {\n  window.localStorage.jwt = t;\n}\n", path="src/auth.js", line=2),
        Good("sessionStorage.setItem('pkce_code_verifier', verifier);\n", path="src/auth.js"),
        Good("sessionStorage.setItem('oauth_state', state);\n", path="src/auth.js"),
        Good("localStorage.setItem('token_expires_at', String(expiresAt));\n", path="src/auth.js"),
        Good("localStorage.setItem('theme', 'dark');\n", path="src/ui.js"),
    )

    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        for use in facts.of(BrowserStorageUse):
            storage, key = use.storage, use.key
            if not use.write:
                if use.into_authorization and is_token_storage_key(key):
                    yield context.report(self, use.span, f"token `{key}` is read back from "
                                         f"{storage} to build an Authorization header",
                                         construct=f"storage-read:{storage}:{key}")
                continue
            flow_key = use.key_constant and any(word in normal(key) for word in _FLOW_KEYS)
            if is_token_storage_key(key) or (use.value_name and not flow_key):
                label = key or use.value_name or ""
                yield context.report(self, use.span, f"token `{short(label)}` is written to "
                                     f"{storage}, where any script on the page can read it",
                                     construct=f"storage:{storage}:{label}")
