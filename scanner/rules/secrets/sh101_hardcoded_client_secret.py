"""SH101 hardcoded-client-secret: an OAuth client secret written into code or config."""

from __future__ import annotations

import re

from scanner.facts.secrets import CLIENT_SECRET, SecretValue
from scanner.model.document import FileKind
from scanner.model.finding import Edit, Fix, Severity
from scanner.rules.base import Bad, FixRefused, Good, RuleContext
from scanner.rules.secrets.common import SECRET, SecretRule, named, prefix_message

# The quote and string prefix right before a value (`"`, `'`, `r"` ...); bytes and f-strings are
# not rewritten (the environment holds text; an f-string's value is not the literal).
_OPENING = re.compile(r"(?<![\w\"'])([rRuU]?)([\"'])$")
_BYTES_OPENING = re.compile(r"(?<![\w\"'])[rR]?[bB][rR]?([\"'])$")
_NAME = re.compile(r"[^A-Za-z0-9]+")


class HardcodedClientSecret(SecretRule):
    """## What it does
    Finds an OAuth client secret written into code or config. It looks at `client_secret`,
    `clientSecret`, `CLIENT_SECRET`, `consumer_secret`, `app_secret` or any `*_CLIENT_SECRET`
    given a literal as an assignment, keyword argument, dict/object key, YAML/JSON/TOML/INI key,
    CLI flag (`--client-secret VALUE`) or URL parameter (`client_secret=VALUE`), and Google client
    secrets (`GOCSPX-...`) wherever they appear.

    Environment and secret-manager lookups, templates (`${X}`, `{{ x }}`, `%(x)s`, `$X`),
    placeholders (`<your-secret>`, `changeme`, `xxxx`, `REDACTED`), identifiers on the
    right-hand side, short or low-entropy values and obvious dummies in tests are not reported.
    In browser-shipped code SH105 reports the literal instead, so it is reported once; in a
    committed `.env` file SH104 does.

    `secret-hygiene fix --select SH101` moves a hard-coded secret in Python to
    `os.environ["NAME"]` (adding `import os`). Revoke the old secret anyway: it stays in history.

    ## Why is this bad?
    Anyone with read access to the repository, its forks, its CI logs or its history can
    impersonate the application: exchange authorization codes, refresh tokens and call APIs as
    the client. Removing the line later does not help; the secret stays in history until it is
    rotated.

    ## References
    - [RFC 9700 §4.15 Client Authentication](https://www.rfc-editor.org/rfc/rfc9700#section-4.15)
    - [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
    - [detect-secrets](https://github.com/Yelp/detect-secrets)
    """

    id = "SH101"
    name = "hardcoded-client-secret"
    severity = Severity.HIGH
    kinds = frozenset({CLIENT_SECRET})
    has_fix = True
    examples = (
        Bad(f'CLIENT_SECRET = "{SECRET}"\n', line=1,
            fixed='import os\n\nCLIENT_SECRET = os.environ["CLIENT_SECRET"]\n'),
        Bad(f'oauth.register("acme", client_id="web-app", client_secret="{SECRET}")\n', line=1,
            fixed='import os\n\noauth.register("acme", client_id="web-app", '
                  'client_secret=os.environ["CLIENT_SECRET"])\n'),
        Bad(f'const config = {{ clientId: "web", clientSecret: "{SECRET}" }};', path="server/auth.js",
            line=1),
        Bad(f"oauth:\n  client_id: web-app\n  client_secret: {SECRET}\n", path="config/oauth.yaml",
            line=3),
        Bad(f'{{"web": {{"client_id": "web-app", "client_secret": "{SECRET}"}}}}',
            path="client_secrets.json", line=1),
        Bad(f'[oauth]\nconsumer_secret = "{SECRET}"\n', path="settings.toml", line=2),
        Bad(f"acme-cli login --client-id web --client-secret {SECRET}\n", path="scripts/login.sh",
            line=1),
        Bad(f'TOKEN_URL = "https://auth.acme.io/token?grant_type=client_credentials&client_secret={SECRET}"',  # secret-hygiene: ignore[SH410]
            line=1),
        Bad('GOOGLE = {"secret": "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"}', line=1),
        Bad(f'import os\n\nos = None\nCLIENT_SECRET = b"{SECRET}"\nAPP_SECRET = "{SECRET}x"\n',
            line=5, fixed='import os\nimport os as _os\n\nos = None\nCLIENT_SECRET = b"'
            f'{SECRET}"\nAPP_SECRET = _os.environ["APP_SECRET"]\n'),
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
        Good(f'const clientSecret = "{SECRET}";', path="frontend/src/auth.js"),
    )

    def message(self, found: SecretValue) -> str:
        if found.via == "prefix":
            return prefix_message(found)
        return (f"hardcoded {found.credential} in {named(found)}; load it from the environment or "
                "a secret manager")

    def fix(self, found: SecretValue, context: RuleContext) -> Fix | None:
        """The whole string literal becomes `os.environ["NAME"]` (Python only)."""
        document = context.document
        if document.kind is not FileKind.PYTHON or not found.key:
            return None
        line, column, _, end_column = found.span
        text = document.line_text(line)
        if _BYTES_OPENING.search(text[:column - 1]):
            raise FixRefused("a bytes literal is left as it is (the environment holds text)")
        opening = _OPENING.search(text[:column - 1])
        if opening is None or text[end_column - 1:end_column] != opening.group(2):
            return None  # not a whole literal (part of a longer string, an f-string)
        quote = opening.group(2)
        start = document.offset(line, opening.start() + 1)
        end = document.offset(line, end_column + 1)
        variable = _NAME.sub("_", found.key.strip("\"'`").rsplit(".", 1)[-1]).strip("_").upper()
        if not variable or variable[0].isdigit():
            variable = f"SECRET_{variable}"
        return Fix((Edit(start, end, f"os.environ[{quote}{variable}{quote}]", secret=True),),
                   imports=(("os", None),), description="read the secret from the environment",
                   environment=(variable,))
