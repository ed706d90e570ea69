"""SH108 jwt-token: a hardcoded signed JSON Web Token."""

from __future__ import annotations

from scanner.facts.secrets import JWT, SecretValue
from scanner.model.finding import Severity
from scanner.rules.base import Bad, Good
from scanner.rules.secrets.common import JWT as SAMPLE_JWT
from scanner.rules.secrets.common import SecretRule


class JwtToken(SecretRule):
    """## What it does
    Finds a hardcoded signed JSON Web Token. It looks for three base64url parts whose header and
    payload decode to JSON, in literals no more specific rule claimed: a JWT given to
    `access_token` is SH102's. Unsigned tokens (`alg: none`, no signature), the jwt.io sample
    token and JWTs in tests, documentation and `examples/` directories are not reported.

    ## Why is this bad?
    A signed JWT is a bearer credential until it expires, and many service tokens never do; its
    payload also leaks user ids, emails and internal hostnames.

    ## References
    - [RFC 8725: JSON Web Token Best Current Practices](https://www.rfc-editor.org/rfc/rfc8725)
    - [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
    """

    id = "SH108"
    name = "jwt-token"
    severity = Severity.MEDIUM
    kinds = frozenset({JWT})
    examples = (
        Bad(f'headers = {{"X-Service-Auth": "{SAMPLE_JWT}"}}', line=1),
        Bad(f"service:\n  assertion: {SAMPLE_JWT}\n", path="config/billing.yaml", line=2),
        Bad(f'const SESSION = "{SAMPLE_JWT}";', path="server/session.js", line=1),
        Good('headers = {"X-Service-Auth": mint_service_token(audience="billing")}'),
        Good('NONE = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c2VyLTcifQ."'),
        Good(f'SAMPLE = "{SAMPLE_JWT}"', path="tests/test_auth.py"),
        Good(f"Send `Authorization: Bearer {SAMPLE_JWT}`.\n", path="docs/api.md"),
        Good('PREFIX = "eyJ"  # base64 of \'{"\''),
    )

    def message(self, found: SecretValue) -> str:
        return ("JSON Web Token hardcoded; a signed token is a bearer credential until it expires. "
                "Mint it at run time")
