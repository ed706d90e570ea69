"""SH102 hardcoded-access-token: an OAuth access token or API token in code or config."""

from __future__ import annotations

from scanner.facts.secrets import ACCESS_TOKEN, SecretValue
from scanner.model.finding import Severity
from scanner.rules.base import Bad, Good
from scanner.rules.secrets.common import TOKEN, SecretRule, named, prefix_message


class HardcodedAccessToken(SecretRule):
    """## What it does
    Finds an OAuth access token or API token written into code or config. It looks at
    `access_token`, `api_token`, `auth_token`, `bearer_token` (and other `*_token` keys that
    hold credentials) given a literal, a literal `Authorization: Bearer ...` header (in a headers
    dict, a `fetch` call, `curl -H`), and Google access tokens (`ya29....`).

    Pagination cursors, CSRF tokens and tokenizer vocabulary (`next_token`, `csrf_token`,
    `eos_token`) are not credentials and are ignored, as are environment lookups, templates
    (`f"Bearer {token}"`, `` `Bearer ${token}` ``) and placeholders. A token that a provider
    detector recognises (GitHub, Slack, ...) is reported by SH106 instead.

    ## Why is this bad?
    A bearer token is the credential: whoever holds it can call the API as the user or the
    service until it expires or is revoked, and committed tokens are copied into every clone.

    ## References
    - [RFC 6750: Bearer Token Usage §5.3](https://www.rfc-editor.org/rfc/rfc6750#section-5.3)
    - [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
    """

    id = "SH102"
    name = "hardcoded-access-token"
    severity = Severity.HIGH
    kinds = frozenset({ACCESS_TOKEN})
    examples = (
        Bad(f'requests.get(url, headers={{"Authorization": "Bearer {TOKEN}"}})', line=1),
        Bad(f'ACCESS_TOKEN = "{TOKEN}"', line=1),
        Bad(f"fetch(url, {{ headers: {{ Authorization: 'Bearer {TOKEN}' }} }});",
            path="server/sync.js", line=1),
        Bad(f'curl -H "Authorization: Bearer {TOKEN}" https://api.acme.io/v1/orders\n',
            path="scripts/call.sh", line=1),
        Bad(f"api:\n  auth_token: {TOKEN}\n", path="config.yaml", line=2),
        Bad(f'client = Client(api_token="{TOKEN}")', line=1),
        Bad(f'{{"github": {{"access_token": "{TOKEN}", "token_type": "bearer"}}}}',
            path="creds.json", line=1),
        Bad(f'[api]\nbearer_token = "{TOKEN}"\n', path="config.toml", line=2),
        Bad('creds = {"token": "ya29.a0AfH6SMBx9f3KpQ2LmX8vB7nR4tW1zY6aBc3DeF"}', line=1),
        Good('headers = {"Authorization": f"Bearer {access_token}"}'),
        Good("fetch(url, { headers: { Authorization: `Bearer ${token}` } });", path="server/sync.js"),
        Good('access_token = request.headers["Authorization"].removeprefix("Bearer ")'),
        Good('ACCESS_TOKEN = os.environ.get("ACCESS_TOKEN")'),
        Good('curl -H "Authorization: Bearer $ACCESS_TOKEN" https://api.acme.io\n', path="call.sh"),
        Good('access_token = "<ACCESS_TOKEN>"'),
        Good('next_token = "c2Vjb25kLXBhZ2UtY3Vyc29yLTQyMQ"'),
        Good('csrf_token = "a8Fk29dkLm20xQ7vB3nR"'),
        Good('token_type = "Bearer"'),
        Good("api:\n  auth_token: ${API_TOKEN}\n", path="config.yaml"),
        Good('client = Client(api_token="fake-token")', path="tests/test_client.py"),
    )

    def message(self, found: SecretValue) -> str:
        if found.via == "bearer":
            return ("literal Bearer token in an Authorization header; obtain tokens at run time "
                    "instead")
        if found.via == "prefix":
            return prefix_message(found)
        return (f"hardcoded {found.credential} in {named(found)}; load it from the environment or "
                "a secret manager")
