"""SH107 private-key: committed private key material."""

from __future__ import annotations

from scanner.facts.secrets import PRIVATE_KEY, SecretValue
from scanner.model.finding import Severity
from scanner.rules.base import Bad, Good
from scanner.rules.secrets.common import PEM_BODY, SecretRule


class PrivateKey(SecretRule):
    """## What it does
    Finds committed private key material. It looks for PEM blocks
    (`-----BEGIN RSA/EC/DSA/OPENSSH/PGP PRIVATE KEY-----` followed by key data, on the next
    lines or after escaped `\\n` in a string) and PuTTY key files. A header without key data
    (code that parses or builds PEM text) is not reported.

    ## Why is this bad?
    A private key signs JWT client assertions, TLS handshakes, SSH logins or git commits; with it
    anyone can impersonate the key's owner, and it cannot be "partially" rotated.

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
    kinds = frozenset({PRIVATE_KEY})
    cwe = ("CWE-321", "CWE-798")
    examples = (
        Bad(f'PRIVATE_KEY = """-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n'
            f'{PEM_BODY[::-1]}\n-----END RSA PRIVATE KEY-----\n"""', line=1),
        Bad(f'{{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\n{PEM_BODY}'
            f'\\n-----END PRIVATE KEY-----\\n"}}', path="service-account.json", line=1),
        Bad(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{PEM_BODY}\n-----END OPENSSH PRIVATE KEY-----\n",
            path="deploy/id_ed25519", line=1),
        Good('if pem.startswith("-----BEGIN RSA PRIVATE KEY-----"):\n    kind = "rsa"'),
        Good('TEMPLATE = "-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----\\n"'),
        Good("-----BEGIN PUBLIC KEY-----\n" + PEM_BODY + "\n-----END PUBLIC KEY-----\n",
             path="keys/signing.pub"),
        Good("key: |\n  -----BEGIN PRIVATE KEY-----\n  ...\n  -----END PRIVATE KEY-----\n",
             path="docs/example.yaml"),
    )

    def message(self, found: SecretValue) -> str:
        return (f"private key committed ({found.detail}); revoke it, remove it from history and "
                "load it from a secret store or a key file outside the repository")
