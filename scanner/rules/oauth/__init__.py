"""OAuth client flow rules (SH4xx): mistakes from RFC 9700 (OAuth 2.0 Security BCP) visible in
Python, JS/TS and config without running them. One module per rule; listed here once."""

from __future__ import annotations

from typing import Any

from scanner.rules.base import Rule
from scanner.rules.oauth.sh401_insecure_redirect_uri import InsecureRedirectUri
from scanner.rules.oauth.sh402_pkce_plain import PkcePlain
from scanner.rules.oauth.sh403_missing_pkce import MissingPkce
from scanner.rules.oauth.sh404_missing_state import MissingState
from scanner.rules.oauth.sh405_implicit_grant import ImplicitGrant
from scanner.rules.oauth.sh406_password_grant import PasswordGrant
from scanner.rules.oauth.sh407_tls_verification_disabled import TlsVerificationDisabled
from scanner.rules.oauth.sh408_token_in_browser_storage import TokenInBrowserStorage
from scanner.rules.oauth.sh409_insecure_token_cookie import InsecureTokenCookie
from scanner.rules.oauth.sh410_token_in_url import TokenInUrl
from scanner.rules.oauth.sh411_secret_in_logs import SecretInLogs
from scanner.rules.oauth.sh412_long_lived_token_storage import LongLivedTokenStorage
from scanner.rules.oauth.sh413_refresh_token_not_rotated import RefreshTokenNotRotated

FAMILY = "oauth"
SECTION = "oauth"
PREFIX = "SH4"
OPTIONS: dict[str, Any] = {}
RULES: tuple[type[Rule], ...] = (
    InsecureRedirectUri, PkcePlain, MissingPkce, MissingState, ImplicitGrant, PasswordGrant,
    TlsVerificationDisabled, TokenInBrowserStorage, InsecureTokenCookie, TokenInUrl,
    SecretInLogs, LongLivedTokenStorage, RefreshTokenNotRotated,
)
