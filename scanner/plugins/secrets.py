"""Secret rules (SH1xx): credentials committed in code or config, built on detect-secrets.

One shared pass per file (`secrets_analysis`) finds candidates and gives each literal to exactly
one rule; detect-secrets is imported only after the keyword prefilter and a surviving candidate."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from scanner.model.document import FileKind, ParsedFile
from scanner.model.finding import Category, Finding, Severity
from scanner.plugins.secrets_analysis import (
    JWT_KEYWORDS,
    LINE_KEYWORDS,
    OAUTH_PREFIX_KEYWORDS,
    PRIVATE_KEY_KEYWORDS,
    PROVIDER_KEYWORDS,
    URL_KEYWORDS,
    candidates,
)
from scanner.rules import Bad, Good, Rule

SECTION = "secrets"
# [tool.secret-hygiene.secrets]: `min-length` (shortest value reported, default 8) and
# `placeholders` (extra substrings that mark a value as a dummy, e.g. "acme-dev-").
OPTIONS: dict[str, Any] = {"min-length": int, "placeholders": list}


def validate_options(raw: Mapping[str, Any]) -> None:
    min_length = raw.get("min-length", 8)
    if isinstance(min_length, bool) or not isinstance(min_length, int) or not 1 <= min_length <= 256:
        raise ValueError("min-length: expected an integer between 1 and 256")
    placeholders = raw.get("placeholders", [])
    if not isinstance(placeholders, list) or not all(isinstance(p, str) and p for p in placeholders):
        raise ValueError("placeholders: expected a list of non-empty strings")


class _SecretRule(Rule):
    """Reports the shared analysis' candidates that belong to this rule."""

    category: ClassVar[Category] = Category.SECRET
    cwe: ClassVar[tuple[str, ...]] = ("CWE-798",)
    # The shared analysis picks its candidate lines by these words.
    vocabulary: ClassVar[tuple[str, ...]] = (*LINE_KEYWORDS, "credential")

    def check(self, file: ParsedFile) -> Iterable[Finding]:
        for found in candidates(file, self.options):
            if found.rule == self.id:
                yield self.finding(file, line=found.line, column=found.column,
                                   end_column=found.end_column, message=found.message,
                                   secret=found.value)


# Fake values used by the examples below (never real credentials).
_SECRET = "9f3KpQ2LmX8vB7nR4tW1zY6a"
_TOKEN = "Xk3dM9pQ2LmX8vB7nR4tW1aZ5cE6"
_JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzdmMtYmlsbGluZyIsImlzcyI6ImF1dGguYWNtZS5p"
        "byIsImV4cCI6MTg5MzQ1NjAwMH0.Qm9vN2tXc3JlZ0ZhbHNlUG9zaXRpdmVTaWduYXR1cmU")
_PEM_BODY = "MIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi6Jb9xYq7kq3sV1Yh0cV8m2bH4nQ"


class HardcodedClientSecret(_SecretRule):
    """## What it does
    Finds an OAuth client secret written into code or config. It looks at `client_secret`,
    `clientSecret`, `CLIENT_SECRET`, `consumer_secret`, `app_secret` or any `*_CLIENT_SECRET`
    given a literal as an assignment, keyword argument, dict/object key, YAML/JSON/TOML/INI key, CLI flag
    (`--client-secret VALUE`) or URL parameter (`client_secret=VALUE`), and Google client
    secrets (`GOCSPX-...`) wherever they appear.

    Environment and secret-manager lookups, templates (`${X}`, `{{ x }}`, `%(x)s`, `$X`),
    placeholders (`<your-secret>`, `changeme`, `xxxx`, `REDACTED`), identifiers on the
    right-hand side, short or low-entropy values and obvious dummies in tests are not reported.
    In browser-shipped code SH105 reports the literal instead, so it is reported once; in a
    committed `.env` file SH104 does.

    ## Why is this bad?
    Anyone with read access to the repository, its forks, its CI logs or its history can
    impersonate the application: exchange authorization codes, refresh tokens and call APIs as
    the client. Removing the line later does not help; the secret stays in history until it is
    rotated.

    ## Example
    ```python
    CLIENT_SECRET = "9f3KpQ..."
    oauth.register("acme", client_id="web", client_secret="9f3KpQ...")
    ```

    ## Use instead
    ```python
    CLIENT_SECRET = os.environ["CLIENT_SECRET"]
    ```

    ## References
    - [RFC 9700 §4.15 Client Authentication](https://www.rfc-editor.org/rfc/rfc9700#section-4.15)
    - [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
    - [detect-secrets](https://github.com/Yelp/detect-secrets)
    """

    id = "SH101"
    name = "hardcoded-client-secret"
    severity = Severity.HIGH
    keywords = ("secret", "gocspx-")
    examples = (
        Bad(f'CLIENT_SECRET = "{_SECRET}"'),
        Bad(f'oauth.register("acme", client_id="web-app", client_secret="{_SECRET}")'),
        Bad(f'const config = {{ clientId: "web", clientSecret: "{_SECRET}" }};', path="server/auth.js"),
        Bad(f"oauth:\n  client_id: web-app\n  client_secret: {_SECRET}\n", path="config/oauth.yaml"),
        Bad(f'{{"web": {{"client_id": "web-app", "client_secret": "{_SECRET}"}}}}',
            path="client_secrets.json"),
        Bad(f'[oauth]\nconsumer_secret = "{_SECRET}"\n', path="settings.toml"),
        Bad(f"acme-cli login --client-id web --client-secret {_SECRET}\n", path="scripts/login.sh"),
        Bad(f'TOKEN_URL = "https://auth.acme.io/token?grant_type=client_credentials&client_secret={_SECRET}"'),  # secret-hygiene: ignore[SH410]
        Bad('GOOGLE = {"secret": "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"}'),
        Good('CLIENT_SECRET = os.environ["CLIENT_SECRET"]'),
        Good('client_secret = os.getenv("CLIENT_SECRET")'),
        Good("client_secret = settings.OAUTH_CLIENT_SECRET"),
        Good("client_secret = CLIENT_SECRET"),
        Good('client_secret = "<your-client-secret>"'),
        Good('client_secret = "your_client_secret_here"'),
        Good('CLIENT_SECRET = "changeme"'),
        Good('client_secret = ""'),
        Good("def __init__(self, client_id: str, client_secret: str | None = None) -> None: ..."),
        Good("const clientSecret = process.env.CLIENT_SECRET;", path="server/auth.js"),
        Good("oauth:\n  client_secret: ${OAUTH_CLIENT_SECRET}\n", path="config/oauth.yaml"),
        Good('oauth:\n  client_secret: "{{ vault_client_secret }}"\n', path="deploy/vars.yml"),
        Good("acme-cli login --client-secret \"$CLIENT_SECRET\"\n", path="scripts/login.sh"),
        Good('client_secret_file = "client_secret.json"'),
        Good('oauth = OAuth(client_id="x", client_secret="test-secret")', path="tests/test_oauth.py"),
        # Browser code: SH105 reports this literal, SH101 does not repeat it.
        Good(f'const clientSecret = "{_SECRET}";', path="frontend/src/auth.js"),
    )


class HardcodedAccessToken(_SecretRule):
    """## What it does
    Finds an OAuth access token or API token written into code or config. It looks at
    `access_token`, `api_token`, `auth_token`, `bearer_token` (and other `*_token` keys that hold credentials)
    given a literal, a literal `Authorization: Bearer ...` header (in a headers dict, a
    `fetch` call, `curl -H`), and Google access tokens (`ya29....`).

    Pagination cursors, CSRF tokens and tokenizer vocabulary (`next_token`, `csrf_token`,
    `eos_token`) are not credentials and are ignored, as are environment lookups, templates
    (`f"Bearer {token}"`, `` `Bearer ${token}` ``) and placeholders. A token that a provider
    detector recognises (GitHub, Slack, ...) is reported by SH106 instead.

    ## Why is this bad?
    A bearer token is the credential: whoever holds it can call the API as the user or the
    service until it expires or is revoked, and committed tokens are copied into every clone.

    ## Example
    ```python
    requests.get(url, headers={"Authorization": "Bearer Xk3dM9..."})
    ACCESS_TOKEN = "Xk3dM9..."
    ```

    ## Use instead
    ```python
    token = oauth.fetch_token(token_url, client_id=..., client_secret=os.environ["CLIENT_SECRET"])
    requests.get(url, headers={"Authorization": f"Bearer {token['access_token']}"})
    ```

    ## References
    - [RFC 6750: Bearer Token Usage §5.3](https://www.rfc-editor.org/rfc/rfc6750#section-5.3)
    - [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
    """

    id = "SH102"
    name = "hardcoded-access-token"
    severity = Severity.HIGH
    keywords = ("token", "bearer", "ya29.")
    examples = (
        Bad(f'requests.get(url, headers={{"Authorization": "Bearer {_TOKEN}"}})'),
        Bad(f'ACCESS_TOKEN = "{_TOKEN}"'),
        Bad(f"fetch(url, {{ headers: {{ Authorization: 'Bearer {_TOKEN}' }} }});",
            path="server/sync.js"),
        Bad(f'curl -H "Authorization: Bearer {_TOKEN}" https://api.acme.io/v1/orders\n',
            path="scripts/call.sh"),
        Bad(f"api:\n  auth_token: {_TOKEN}\n", path="config.yaml"),
        Bad(f'client = Client(api_token="{_TOKEN}")'),
        Bad(f'{{"github": {{"access_token": "{_TOKEN}", "token_type": "bearer"}}}}', path="creds.json"),
        Bad(f'[api]\nbearer_token = "{_TOKEN}"\n', path="config.toml"),
        Bad('creds = {"token": "ya29.a0AfH6SMBx9f3KpQ2LmX8vB7nR4tW1zY6aBc3DeF"}'),
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


class HardcodedRefreshToken(_SecretRule):
    """## What it does
    Finds an OAuth refresh token written into code or config. It looks at `refresh_token`,
    `refreshToken` and `REFRESH_TOKEN` given a literal, `refresh_token=...` in a request body,
    and Google refresh tokens (`1//0...`) wherever they appear.

    The grant type string `"refresh_token"`, environment lookups, templates and placeholders are
    not reported.

    ## Why is this bad?
    A refresh token is long-lived: with the client credentials (often committed next to it) it
    mints new access tokens for months, and it survives password changes on many providers.

    ## Example
    ```python
    creds = Credentials(token=None, refresh_token="1//0gX9f3...")
    ```

    ## Use instead
    ```python
    creds = Credentials.from_authorized_user_file(os.environ["GOOGLE_TOKEN_FILE"])
    ```

    ## References
    - [RFC 9700 §4.14 Refresh Token Protection](https://www.rfc-editor.org/rfc/rfc9700#section-4.14)
    - [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
    """

    id = "SH103"
    name = "hardcoded-refresh-token"
    severity = Severity.HIGH
    keywords = ("token", "1//0")
    examples = (
        Bad(f'REFRESH_TOKEN = "{_TOKEN}"'),
        Bad('creds = Credentials(None, refresh_token="1//0gX9f3KpQ2LmX8vB7nR4tW1zY6aBc3DeFgHiJkLmNoPq")'),
        Bad(f'{{"refresh_token": "{_TOKEN}", "expires_in": 3600}}', path="token.json"),
        Bad(f'const body = "grant_type=refresh_token&refresh_token={_TOKEN}";', path="server/t.js"),
        Bad(f"auth:\n  refreshToken: {_TOKEN}\n", path="app.yaml"),
        Good('data = {"grant_type": "refresh_token", "refresh_token": stored.refresh_token}'),
        Good('REFRESH_TOKEN = os.environ["REFRESH_TOKEN"]'),
        Good("const refreshToken = localStorage.getItem('rt');", path="server/t.js"),
        Good('refresh_token = "REPLACE_WITH_REFRESH_TOKEN"'),
        Good("auth:\n  refreshToken: '{{ refresh_token }}'\n", path="app.yaml"),
        Good('refresh_token = "dummy-refresh"', path="tests/test_refresh.py"),
    )


class SecretInEnvFile(_SecretRule):
    """## What it does
    Finds real secrets in a committed `.env` file. A `.env`-style file (`.env`,
    `.env.production`, `prod.env`) is reported when it holds a secret-looking value for a
    secret-named key (`*SECRET*`, `*TOKEN`, `*PASSWORD`, `*_KEY`, `*CREDENTIALS`). Templates (`.env.example`, `.env.sample`, `.env.template`, ...) are not
    reported, nor are empty values, `${VAR}` references and placeholders.

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
    # .env.production
    STRIPE_WEBHOOK_SECRET=whsec_9f3KpQ...
    ```

    ## Use instead
    ```shell
    # .env.example (committed; the real .env is in .gitignore)
    STRIPE_WEBHOOK_SECRET=
    ```

    ## References
    - [The Twelve-Factor App: Config](https://12factor.net/config)
    - [CWE-538: Insertion of Sensitive Information into Externally-Accessible File](https://cwe.mitre.org/data/definitions/538.html)
    """

    id = "SH104"
    name = "secret-in-env-file"
    severity = Severity.HIGH
    kinds = frozenset({FileKind.ENV})
    keywords = ("secret", "token", "pass", "pwd", "key", "credential", "bearer")
    cwe = ("CWE-798", "CWE-538")
    examples = (
        Bad(f"STRIPE_WEBHOOK_SECRET=whsec_{_SECRET}\n", path=".env"),
        Bad(f"DB_PASSWORD='Pq7-rT2x!mZ9'\nSENTRY_AUTH_TOKEN={_TOKEN}\n", path=".env.production"),
        Bad(f"export MAPS_API_KEY={_SECRET}\n", path="deploy/prod.env"),
        Bad(f"OAUTH_CLIENT_SECRET=\"{_SECRET}\"\n", path=".env.local"),
        Good(f"STRIPE_WEBHOOK_SECRET=whsec_{_SECRET}\n", path=".env.example"),
        Good("CLIENT_SECRET=\nDB_PASSWORD=changeme\n", path=".env"),
        Good("API_KEY=${API_KEY}\nSECRET_KEY=<generate with openssl rand -hex 32>\n", path=".env"),
        Good("STRIPE_PUBLISHABLE_KEY=pk_live_9f3KpQ2LmX8vB7nR4tW1zY6a\nLOG_LEVEL=debug\n", path=".env"),
        Good("GOOGLE_APPLICATION_CREDENTIALS=/run/secrets/gcp.json\n", path=".env"),
        Good("SECRET_KEY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
             "TOKEN_TTL=3600\n", path=".env"),
    )


class SecretInFrontendCode(_SecretRule):
    """## What it does
    Finds a client secret or token that ships to the browser. It looks at secret literals in
    browser-shipped code (JS/TS/JSX/HTML/Vue under a frontend tree, not server code) and at
    secrets behind a public build-time prefix (`NEXT_PUBLIC_*SECRET*`, `VITE_*SECRET*`, `REACT_APP_*SECRET*`, ...) with a literal
    value in any file, `.env` files included.

    This rule replaces SH101, SH102 and SH103 for such literals, so each is reported once.
    Browser API keys (`apiKey` of Firebase or Maps) are public by design and are not reported.

    ## Why is this bad?
    Everything in a bundle is public: any visitor can read the secret in the browser's developer
    tools. A single-page app is a public OAuth client; it must use the authorization code flow
    with PKCE and no client secret, or a backend that keeps the secret.

    ## Example
    ```javascript
    // frontend/src/auth.js
    const clientSecret = "9f3KpQ...";
    ```

    ## Use instead
    ```javascript
    // PKCE: a public client needs no secret
    const verifier = randomVerifier();
    ```

    ## References
    - [RFC 9700 §2.1.1 (public clients and PKCE)](https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1)
    - [OAuth 2.0 for Browser-Based Apps](https://datatracker.ietf.org/doc/html/draft-ietf-oauth-browser-based-apps)
    - [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
    """

    id = "SH105"
    name = "secret-in-frontend-code"
    severity = Severity.HIGH
    keywords = ("secret", "token", "pass", "key", "bearer", *OAUTH_PREFIX_KEYWORDS)
    cwe = ("CWE-798", "CWE-200")
    examples = (
        Bad(f'const clientSecret = "{_SECRET}";', path="frontend/src/auth.js"),
        Bad(f'export const oauth = {{ clientId: "spa", client_secret: "{_SECRET}" }};',
            path="web/src/config.ts"),
        Bad(f"fetch('/api', {{ headers: {{ Authorization: 'Bearer {_TOKEN}' }} }});",
            path="frontend/src/orders.tsx"),
        Bad(f"VITE_CLIENT_SECRET={_SECRET}\n", path=".env.production"),
        Bad(f"ENV NEXT_PUBLIC_API_SECRET={_SECRET}\n", path="Dockerfile"),
        Bad(f'<script>window.AUTH = {{ refreshToken: "{_TOKEN}" }};</script>',
            path="public/index.html"),
        Good("const clientSecret = import.meta.env.VITE_CLIENT_SECRET;", path="frontend/src/auth.js"),
        Good('const firebaseConfig = { apiKey: "AIzaSyD4f9K2pQ7LmX8vB7nR4tW1zY6aBc3DeFg" };',
             path="frontend/src/firebase.js"),
        Good('const clientId = "spa-client-7f3k";', path="frontend/src/auth.js"),
        Good('fetch("/api", { headers: { Authorization: `Bearer ${session.accessToken}` } });',
             path="frontend/src/orders.js"),
        Good("VITE_CLIENT_SECRET=\nVITE_API_URL=https://api.acme.io\n", path=".env.example"),
        Good(f'const clientSecret = "{_SECRET}";', path="server/routes/auth.js"),
    )


class ProviderApiKey(_SecretRule):
    """## What it does
    Finds API keys and tokens of known providers by their format. It uses detect-secrets'
    detectors for AWS, GitHub, GitLab, Slack (tokens and webhook URLs), Stripe, Twilio, SendGrid, Mailchimp,
    Discord, npm, PyPI, OpenAI, Azure Storage, Square, Telegram, JFrog Artifactory and IBM Cloud.
    The message names the provider. Documented example keys (`AKIAIOSFODNN7EXAMPLE`) and values
    made of placeholders or sequences are not reported.

    For speed, provider keys are looked for on lines that name a credential (`key`, `token`,
    `secret`, `password`, `bearer`), carry a URL, or start with a distinctive prefix
    (`AKIA`, `ghp_`, `gho_`, `ghs_`, `xox`, `sk_live_`, `glpat-`). Detectors without a
    distinctive prefix (Discord, Telegram, Twilio, Artifactory, IBM) also need the provider's
    name on the line.

    ## Why is this bad?
    Provider keys are scanned for by attackers within minutes of a push to a public repository,
    and they usually carry broad account rights and billing.

    ## Example
    ```python
    s3 = boto3.client("s3", aws_access_key_id="AKIAZ7Q3...")
    ```

    ## Use instead
    ```python
    s3 = boto3.client("s3")  # credentials from the environment, a profile or an instance role
    ```

    ## References
    - [detect-secrets plugins](https://github.com/Yelp/detect-secrets#currently-supported-plugins)
    - [GitHub secret scanning patterns](https://docs.github.com/en/code-security/secret-scanning/introduction/supported-secret-scanning-patterns)
    - [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
    """

    id = "SH106"
    name = "provider-api-key"
    severity = Severity.HIGH
    keywords = PROVIDER_KEYWORDS
    examples = (
        Bad('s3 = boto3.client("s3", aws_access_key_id="AKIAZ7Q3M5K2P8R4T6W1")'),
        Bad("GITHUB_TOKEN = 'ghp_9f3KpQ2LmX8vB7nR4tW1zY6aBc3DeFgHiJkL'"),
        Bad("stripe.api_key = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'", path="billing.py"),
        Bad("slack:\n  webhook: https://hooks.slack.com/services/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\n",
            path="alerts.yaml"),
        Bad("//registry.npmjs.org/:_authToken=npm_9f3KpQ2LmX8vB7nR4tW1zY6aBc3DeFgHiJkL\n", path=".npmrc"),
        Bad('const sendgridKey = "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";',
            path="server/mail.js"),
        Good('s3 = boto3.client("s3", aws_access_key_id="AKIAIOSFODNN7EXAMPLE")'),
        Good('GITHUB_TOKEN = os.environ["GITHUB_TOKEN"]'),
        Good("stripe.api_key = os.environ['STRIPE_SECRET_KEY']  # sk_live_... in prod", path="billing.py"),
        Good("slack:\n  webhook: ${SLACK_WEBHOOK_URL}\n", path="alerts.yaml"),
        Good("//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n", path=".npmrc"),
        Good('bot_token = "xoxb-your-token-here"'),
    )


class PrivateKey(_SecretRule):
    """## What it does
    Finds committed private key material. It looks for PEM blocks
    (`-----BEGIN RSA/EC/DSA/OPENSSH/PGP PRIVATE KEY-----` followed by key data, on the next
    lines or after escaped `\\n` in a string) and PuTTY key files. A header without key data (code that parses or builds PEM text) is not reported.

    ## Why is this bad?
    A private key signs JWT client assertions, TLS handshakes, SSH logins or git commits; with it
    anyone can impersonate the key's owner, and it cannot be "partially" rotated.

    ## Example
    ```python
    PRIVATE_KEY = \"\"\"-----BEGIN RSA PRIVATE KEY-----
    MIIEowIBAAKCAQEA3Tz2...
    \"\"\"
    ```

    ## Use instead
    ```python
    PRIVATE_KEY = Path(os.environ["SIGNING_KEY_FILE"]).read_text()
    ```

    ## References
    - [CWE-321: Use of Hard-coded Cryptographic Key](https://cwe.mitre.org/data/definitions/321.html)
    - [RFC 7523: JWT Profile for OAuth 2.0 Client Authentication](https://www.rfc-editor.org/rfc/rfc7523)
    """

    id = "SH107"
    name = "private-key"
    severity = Severity.HIGH
    keywords = PRIVATE_KEY_KEYWORDS
    cwe = ("CWE-321", "CWE-798")
    examples = (
        Bad(f'PRIVATE_KEY = """-----BEGIN RSA PRIVATE KEY-----\n{_PEM_BODY}\n'
            f'{_PEM_BODY[::-1]}\n-----END RSA PRIVATE KEY-----\n"""'),
        Bad(f'{{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\n{_PEM_BODY}'
            f'\\n-----END PRIVATE KEY-----\\n"}}', path="service-account.json"),
        Bad(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{_PEM_BODY}\n-----END OPENSSH PRIVATE KEY-----\n",
            path="deploy/id_ed25519"),
        Good('if pem.startswith("-----BEGIN RSA PRIVATE KEY-----"):\n    kind = "rsa"'),
        Good('TEMPLATE = "-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----\\n"'),
        Good("-----BEGIN PUBLIC KEY-----\n" + _PEM_BODY + "\n-----END PUBLIC KEY-----\n",
             path="keys/signing.pub"),
        Good("key: |\n  -----BEGIN PRIVATE KEY-----\n  ...\n  -----END PRIVATE KEY-----\n",
             path="docs/example.yaml"),
    )


class JwtToken(_SecretRule):
    """## What it does
    Finds a hardcoded signed JSON Web Token. It looks for three base64url parts whose header and
    payload decode to JSON, in literals no more specific rule claimed: a JWT given to `access_token` is SH102's.
    Unsigned tokens (`alg: none`, no signature), the jwt.io sample token and JWTs in tests,
    documentation and `examples/` directories are not reported.

    ## Why is this bad?
    A signed JWT is a bearer credential until it expires, and many service tokens never do; its
    payload also leaks user ids, emails and internal hostnames.

    ## Example
    ```python
    headers = {"X-Service-Auth": "eyJhbGciOi..."}
    ```

    ## Use instead
    ```python
    headers = {"X-Service-Auth": mint_service_token(audience="billing")}
    ```

    ## References
    - [RFC 8725: JSON Web Token Best Current Practices](https://www.rfc-editor.org/rfc/rfc8725)
    - [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
    """

    id = "SH108"
    name = "jwt-token"
    severity = Severity.MEDIUM
    keywords = JWT_KEYWORDS
    examples = (
        Bad(f'headers = {{"X-Service-Auth": "{_JWT}"}}'),
        Bad(f"service:\n  assertion: {_JWT}\n", path="config/billing.yaml"),
        Bad(f'const SESSION = "{_JWT}";', path="server/session.js"),
        Good('headers = {"X-Service-Auth": mint_service_token(audience="billing")}'),
        Good('NONE = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c2VyLTcifQ."'),
        Good(f'SAMPLE = "{_JWT}"', path="tests/test_auth.py"),
        Good(f"Send `Authorization: Bearer {_JWT}`.\n", path="docs/api.md"),
        Good('PREFIX = "eyJ"  # base64 of \'{"\''),
    )


class CredentialsInUrl(_SecretRule):
    """## What it does
    Finds a password embedded in a URL. It looks for `scheme://user:password@host` (database
    DSNs, broker URLs, git remotes, proxies) with detect-secrets' basic-auth detector. Templated passwords
    (`${DB_PASSWORD}`, `{password}`), placeholders, a password equal to the user name
    (`postgres:postgres`) and local development hosts (`localhost`, `127.0.0.1`) are ignored.

    ## Why is this bad?
    URLs are logged, printed in stack traces, stored in shell history and sent in `Referer`
    headers; a password inside one leaks everywhere the URL goes.

    ## Example
    ```python
    DATABASE_URL = "postgres://app:Xk3dM9...@db.internal:5432/app"
    ```

    ## Use instead
    ```python
    DATABASE_URL = f"postgres://app:{os.environ['DB_PASSWORD']}@db.internal:5432/app"
    ```

    ## References
    - [RFC 3986 §3.2.1 User Information](https://www.rfc-editor.org/rfc/rfc3986#section-3.2.1)
    - [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
    """

    id = "SH109"
    name = "credentials-in-url"
    severity = Severity.HIGH
    keywords = URL_KEYWORDS
    examples = (
        Bad('DATABASE_URL = "postgres://app:Xk3dM9pQ2LmX@db.internal:5432/app"'),
        Bad("broker_url: amqp://worker:Pq7rT2xmZ9vB@rabbit.prod.acme.io:5672//\n", path="celery.yaml"),
        Bad("git clone https://deploy:Xk3dM9pQ2LmX8vB@git.acme.io/app.git\n", path="scripts/fetch.sh"),
        Bad('{"proxy": "http://svc:Xk3dM9pQ2LmX@proxy.acme.io:3128"}', path="settings.json"),
        Good('DATABASE_URL = "postgres://app:${DB_PASSWORD}@db.internal:5432/app"'),
        Good('DATABASE_URL = f"postgres://app:{password}@db.internal/app"'),
        Good('DATABASE_URL = "postgres://postgres:postgres@db:5432/app"'),
        Good('REDIS_URL = "redis://:devpass1234@localhost:6379/0"'),
        Good('url = "https://user:<password>@git.acme.io/app.git"'),
        Good("git clone git@github.com:acme/app.git\n", path="scripts/fetch.sh"),
    )


class HardcodedPassword(_SecretRule):
    """## What it does
    Finds a password or other generic credential written into code or config. It looks at
    `password`, `passwd`, `pwd`, `passphrase`, `DB_PASS`, `secret`, `secret_key`, `api_key`, `private_key`,
    `signing_key` and similar keys given a literal (detect-secrets' keyword detector, with
    stricter filters). Environment lookups, templates, placeholders, identifiers, empty and short
    values, hashes and test dummies are not reported; form labels are not literals of a
    credential-named key (`label: "Password"` is a word).

    ## Why is this bad?
    Passwords in code are shared by everyone who can read the repository and are rarely rotated;
    the same password is often reused on other systems.

    ## Example
    ```python
    DB_PASSWORD = "Pq7-rT2x..."
    SECRET_KEY = "django-insecure-..."
    ```

    ## Use instead
    ```python
    DB_PASSWORD = os.environ["DB_PASSWORD"]
    ```

    ## References
    - [CWE-259: Use of Hard-coded Password](https://cwe.mitre.org/data/definitions/259.html)
    - [OWASP Secrets Management Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html)
    """

    id = "SH110"
    name = "hardcoded-password"
    severity = Severity.MEDIUM
    keywords = ("pass", "pwd", "secret", "key")
    cwe = ("CWE-259", "CWE-798")
    examples = (
        Bad('DB_PASSWORD = "Pq7-rT2x!mZ9"'),
        Bad('engine = connect(host="db", user="app", password="Pq7-rT2x!mZ9")'),
        Bad('SECRET_KEY = "django-insecure-9f3kpq2lmx8vb7nr4tw1zy6a@bc3de"', path="mysite/settings.py"),
        Bad("database:\n  user: app\n  password: Pq7-rT2x!mZ9\n", path="config/database.yml"),
        Bad('{"smtp": {"user": "mailer", "pass": "Pq7-rT2x!mZ9"}}', path="mail.json"),
        Bad("[db]\npasswd = Pq7-rT2x!mZ9\n", path="setup.cfg"),
        Bad("ENV DB_PASSWORD=Pq7-rT2x!mZ9\n", path="Dockerfile"),
        Bad('[database]\npassword = "Pq7-rT2x!mZ9"\n', path="settings.toml"),
        Bad("export PGPASSWORD='Pq7-rT2x!mZ9'\npsql -h db.acme.io app\n", path="scripts/backup.sh"),
        Bad("const mailer = { user: 'ops', pass: 'Pq7-rT2x!mZ9' };", path="server/mail.js"),
        Good('DB_PASSWORD = os.environ["DB_PASSWORD"]'),
        Good('password = vault.read("secret/db")["password"]'),
        Good('password = "changeme"'),
        Good('password = ""'),
        Good('password = "********"'),
        Good('<input type="password" name="password" placeholder="Password">', path="templates/login.html"),
        Good('PASSWORD_FIELD = "password_confirmation"'),
        Good("database:\n  password: ${DB_PASSWORD}\n", path="config/database.yml"),
        Good('[database]\npassword = "env:DB_PASSWORD"\n', path="settings.toml"),
        Good('{"smtp": {"password": null, "password_file": "/run/secrets/smtp"}}', path="mail.json"),
        Good("database:\n  password: '{{ db_password }}'\n", path="ansible/vars.yml"),
        Good('conn = "host=db password=%(password)s"'),
        Good('client.login(username="alice", password="secret")', path="tests/test_login.py"),
        Good('password_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"'),
        Good('api_key = "550e8400-e29b-41d4-a716-446655440000"'),
        Good("def connect(password: str | None = None) -> None: ..."),
        Good('label = {"password": "Password", "secret": "Secret"}'),
    )


RULES: tuple[type[Rule], ...] = (
    HardcodedClientSecret,
    HardcodedAccessToken,
    HardcodedRefreshToken,
    SecretInEnvFile,
    SecretInFrontendCode,
    ProviderApiKey,
    PrivateKey,
    JwtToken,
    CredentialsInUrl,
    HardcodedPassword,
)
