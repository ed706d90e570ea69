"""SH103 hardcoded-refresh-token: an OAuth refresh token written into code or config."""

from __future__ import annotations

from scanner.facts.secrets import REFRESH_TOKEN, SecretValue
from scanner.model.finding import Severity
from scanner.rules.base import Bad, Good
from scanner.rules.secrets.common import TOKEN, SecretRule, named, prefix_message


class HardcodedRefreshToken(SecretRule):
    """## What it does
    Finds an OAuth refresh token written into code or config. It looks at `refresh_token`,
    `refreshToken` and `REFRESH_TOKEN` given a literal, `refresh_token=...` in a request body,
    and Google refresh tokens (`1//0...`) wherever they appear.

    The grant type string `"refresh_token"`, environment lookups, templates and placeholders are
    not reported.

    ## Why is this bad?
    A refresh token is long-lived: with the client credentials (often committed next to it) it
    mints new access tokens for months, and it survives password changes on many providers.

    ## References
    - [RFC 9700 §4.14 Refresh Token Protection](https://www.rfc-editor.org/rfc/rfc9700#section-4.14)
    - [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
    """

    id = "SH103"
    name = "hardcoded-refresh-token"
    severity = Severity.HIGH
    kinds = frozenset({REFRESH_TOKEN})
    examples = (
        Bad(f'REFRESH_TOKEN = "{TOKEN}"', line=1),
        Bad('creds = Credentials(None, refresh_token="1//0gX9f3KpQ2LmX8vB7nR4tW1zY6aBc3DeFgHiJkLmNoPq")',
            line=1),
        Bad(f'{{"refresh_token": "{TOKEN}", "expires_in": 3600}}', path="token.json", line=1),
        Bad(f'const body = "grant_type=refresh_token&refresh_token={TOKEN}";', path="server/t.js",
            line=1),
        Bad(f"auth:\n  refreshToken: {TOKEN}\n", path="app.yaml", line=2),
        Good('data = {"grant_type": "refresh_token", "refresh_token": stored.refresh_token}'),
        Good('REFRESH_TOKEN = os.environ["REFRESH_TOKEN"]'),
        Good("const refreshToken = localStorage.getItem('rt');", path="server/t.js"),
        Good('refresh_token = "REPLACE_WITH_REFRESH_TOKEN"'),
        Good("auth:\n  refreshToken: '{{ refresh_token }}'\n", path="app.yaml"),
        Good('refresh_token = "dummy-refresh"', path="tests/test_refresh.py"),
    )

    def message(self, found: SecretValue) -> str:
        if found.via == "prefix":
            return prefix_message(found)
        return (f"hardcoded {found.credential} in {named(found)}; load it from the environment or "
                "a secret manager")
