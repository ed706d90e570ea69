"""Secret rules (SH1xx): credentials committed in code or config. One module per rule; each
reports the secret values of its kinds (scanner.facts.secrets), so a literal is reported once."""

from __future__ import annotations

from typing import Any

from scanner.facts.secrets import validate_options
from scanner.rules.base import Rule
from scanner.rules.secrets.sh101_hardcoded_client_secret import HardcodedClientSecret
from scanner.rules.secrets.sh102_hardcoded_access_token import HardcodedAccessToken
from scanner.rules.secrets.sh103_hardcoded_refresh_token import HardcodedRefreshToken
from scanner.rules.secrets.sh104_secret_in_env_file import SecretInEnvFile
from scanner.rules.secrets.sh105_secret_in_frontend_code import SecretInFrontendCode
from scanner.rules.secrets.sh106_provider_api_key import ProviderApiKey
from scanner.rules.secrets.sh107_private_key import PrivateKey
from scanner.rules.secrets.sh108_jwt_token import JwtToken
from scanner.rules.secrets.sh109_credentials_in_url import CredentialsInUrl
from scanner.rules.secrets.sh110_hardcoded_password import HardcodedPassword

FAMILY = "secret"
SECTION = "secrets"
PREFIX = "SH1"
# [tool.secret-hygiene.secrets]: `min-length` (shortest value reported, default 8),
# `placeholders` (extra substrings that mark a value as a dummy, e.g. "acme-dev-"), `rules` (own
# regex rules), `rules-file` (a gitleaks/betterleaks rules file) and `decode-depth` (0-3).
OPTIONS: dict[str, Any] = {"min-length": int, "placeholders": list, "rules": list, "rules-file": str,
                           "decode-depth": int}
RULES: tuple[type[Rule], ...] = (
    HardcodedClientSecret, HardcodedAccessToken, HardcodedRefreshToken, SecretInEnvFile,
    SecretInFrontendCode, ProviderApiKey, PrivateKey, JwtToken, CredentialsInUrl, HardcodedPassword,
)
__all__ = ["FAMILY", "OPTIONS", "PREFIX", "RULES", "SECTION", "validate_options"]
