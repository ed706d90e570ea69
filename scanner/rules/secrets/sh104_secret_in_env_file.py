"""SH104 secret-in-env-file: real secrets in a committed `.env` file."""

from __future__ import annotations

from scanner.facts.secrets import IN_ENV_FILE, SecretValue
from scanner.model.finding import Severity
from scanner.rules.base import Bad, Good
from scanner.rules.secrets.common import SECRET, TOKEN, SecretRule, named


class SecretInEnvFile(SecretRule):
    """## What it does
    Finds real secrets in a committed `.env` file. A `.env`-style file (`.env`,
    `.env.production`, `prod.env`) is reported when it holds a secret-looking value for a
    secret-named key (`*SECRET*`, `*TOKEN`, `*PASSWORD`, `*_KEY`, `*CREDENTIALS`). Templates
    (`.env.example`, `.env.sample`, `.env.template`, ...) are not reported, nor are empty values,
    `${VAR}` references and placeholders.

    In a committed env file this rule takes the findings that SH101, SH102, SH103 and SH110
    would make elsewhere; provider keys (SH106), private keys (SH107), passwords in URLs such as
    `DATABASE_URL` (SH109) and secrets behind a public prefix like `VITE_` (SH105) keep their
    own rules.

    ## Why is this bad?
    `.env` files exist to keep real values out of the code; committed, they leak every secret of
    the environment at once, usually production's. Only a template with placeholders belongs in
    the repository.

    ## Example
    ```shell
    STRIPE_WEBHOOK_SECRET=whsec_9f3KpQ2LmX8vB7nR4tW1zY6a
    ```

    ## Use instead
    ```shell
    STRIPE_WEBHOOK_SECRET=
    ```

    ## References
    - [The Twelve-Factor App: Config](https://12factor.net/config)
    - [CWE-538: Insertion of Sensitive Information into Externally-Accessible File](https://cwe.mitre.org/data/definitions/538.html)
    """

    id = "SH104"
    name = "secret-in-env-file"
    severity = Severity.HIGH
    kinds = frozenset({IN_ENV_FILE})
    cwe = ("CWE-798", "CWE-538")
    examples = (
        Bad(f"STRIPE_WEBHOOK_SECRET=whsec_{SECRET}\n", path=".env", line=1),
        Bad(f"DB_PASSWORD='Pq7-rT2x!mZ9'\nSENTRY_AUTH_TOKEN={TOKEN}\n", path=".env.production",
            line=2),
        Bad(f"export MAPS_API_KEY={SECRET}\n", path="deploy/prod.env", line=1),
        Bad(f"OAUTH_CLIENT_SECRET=\"{SECRET}\"\n", path=".env.local", line=1),
        Good(f"STRIPE_WEBHOOK_SECRET=whsec_{SECRET}\n", path=".env.example"),
        Good("CLIENT_SECRET=\nDB_PASSWORD=changeme\n", path=".env"),
        Good("API_KEY=${API_KEY}\nSECRET_KEY=<generate with openssl rand -hex 32>\n", path=".env"),
        Good("STRIPE_PUBLISHABLE_KEY=pk_live_9f3KpQ2LmX8vB7nR4tW1zY6a\nLOG_LEVEL=debug\n", path=".env"),
        Good("GOOGLE_APPLICATION_CREDENTIALS=/run/secrets/gcp.json\n", path=".env"),
        Good("SECRET_KEY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
             "TOKEN_TTL=3600\n", path=".env"),
    )

    def message(self, found: SecretValue) -> str:
        if found.via == "bearer":
            return "literal Bearer token in a committed env file; keep real values out of git"
        return (f"{named(found)} holds a {found.credential} in a committed env file; keep real "
                "values out of git and commit a `.env.example` with placeholders")
