"""OAuth client flow rules (SH4xx): mistakes from RFC 9700 (OAuth 2.0 Security BCP) visible in
Python, JS/TS and config without running them. One module per rule; listed here once."""

from __future__ import annotations

from typing import Any

from scanner.rules.base import Rule
from scanner.rules.oauth.sh407_tls_verification_disabled import TlsVerificationDisabled

FAMILY = "oauth"
SECTION = "oauth"
PREFIX = "SH4"
OPTIONS: dict[str, Any] = {}
RULES: tuple[type[Rule], ...] = (TlsVerificationDisabled,)
