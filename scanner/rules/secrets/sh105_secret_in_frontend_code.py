"""SH105 secret-in-frontend-code: a client secret or token that ships to the browser."""

from __future__ import annotations

from scanner.facts.secrets import IN_FRONTEND, SecretValue
from scanner.model.finding import Severity
from scanner.rules.base import Bad, Good
from scanner.rules.secrets.common import SECRET, TOKEN, SecretRule, named


class SecretInFrontendCode(SecretRule):
    """## What it does
    Finds a client secret or token that ships to the browser. It looks at secret literals in
    browser-shipped code (JS/TS/JSX/HTML/Vue under a frontend tree, not server code) and at
    secrets behind a public build-time prefix (`NEXT_PUBLIC_*SECRET*`, `VITE_*SECRET*`,
    `REACT_APP_*SECRET*`, ...) with a literal value in any file, `.env` files included.

    This rule replaces SH101, SH102 and SH103 for such literals, so each is reported once.
    Browser API keys (`apiKey` of Firebase or Maps) are public by design and are not reported.

    ## Why is this bad?
    Everything in a bundle is public: any visitor can read the secret in the browser's developer
    tools. A single-page app is a public OAuth client; it must use the authorization code flow
    with PKCE and no client secret, or a backend that keeps the secret.

    ## References
    - [RFC 9700 §2.1.1 (public clients and PKCE)](https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1)
    - [OAuth 2.0 for Browser-Based Apps](https://datatracker.ietf.org/doc/html/draft-ietf-oauth-browser-based-apps)
    - [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
    """

    id = "SH105"
    name = "secret-in-frontend-code"
    severity = Severity.HIGH
    kinds = frozenset({IN_FRONTEND})
    cwe = ("CWE-798", "CWE-200")
    examples = (
        Bad(f'const clientSecret = "{SECRET}";', path="frontend/src/auth.js", line=1),
        Bad(f'export const oauth = {{ clientId: "spa", client_secret: "{SECRET}" }};',
            path="web/src/config.ts", line=1),
        Bad(f"fetch('/api', {{ headers: {{ Authorization: 'Bearer {TOKEN}' }} }});",
            path="frontend/src/orders.tsx", line=1),
        Bad(f"VITE_CLIENT_SECRET={SECRET}\n", path=".env.production", line=1),
        Bad(f"ENV NEXT_PUBLIC_API_SECRET={SECRET}\n", path="Dockerfile", line=1),
        Bad(f'<script>window.AUTH = {{ refreshToken: "{TOKEN}" }};</script>',
            path="public/index.html", line=1),
        Good("const clientSecret = import.meta.env.VITE_CLIENT_SECRET;", path="frontend/src/auth.js"),
        Good('const firebaseConfig = { apiKey: "AIzaSyD4f9K2pQ7LmX8vB7nR4tW1zY6aBc3DeFg" };',
             path="frontend/src/firebase.js"),
        Good('const clientId = "spa-client-7f3k";', path="frontend/src/auth.js"),
        Good('fetch("/api", { headers: { Authorization: `Bearer ${session.accessToken}` } });',
             path="frontend/src/orders.js"),
        Good("VITE_CLIENT_SECRET=\nVITE_API_URL=https://api.acme.io\n", path=".env.example"),
        Good(f'const clientSecret = "{SECRET}";', path="server/routes/auth.js"),
    )

    def message(self, found: SecretValue) -> str:
        if found.via == "public-prefix":
            return (f"{named(found)} is inlined into the browser bundle by its public prefix; a "
                    f"{found.credential} must never use a public build-time variable")
        if found.via == "bearer":
            return ("literal Bearer token in an Authorization header of browser-shipped code; "
                    "every visitor can read it")
        if found.via == "prefix":
            return (f"{found.credential} in browser-shipped code: every visitor can read it; keep "
                    "it on the server")
        return (f"{found.credential} in {named(found)} ships to the browser in frontend code; every "
                "visitor can read it. Keep it on the server")
