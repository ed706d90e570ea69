"""Webhook rules (SH3xx): handlers that accept unsigned or badly verified deliveries, in Python
and JS/TS alike. One module per rule; listed here once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.rules.base import Rule
from scanner.rules.webhooks.sh301_webhook_signature_not_verified import WebhookSignatureNotVerified
from scanner.rules.webhooks.sh302_non_constant_time_signature_compare import (
    NonConstantTimeSignatureCompare,
)
from scanner.rules.webhooks.sh303_signature_over_reserialized_body import (
    SignatureOverReserializedBody,
)
from scanner.rules.webhooks.sh304_verification_skipped_when_header_missing import (
    VerificationSkippedWhenHeaderMissing,
)
from scanner.rules.webhooks.sh305_no_replay_window import NoReplayWindow
from scanner.rules.webhooks.sh306_verification_disabled import VerificationDisabled

FAMILY = "webhook"
SECTION = "webhooks"
PREFIX = "SH3"
OPTIONS: dict[str, Any] = {"verifiers": list}
RULES: tuple[type[Rule], ...] = (
    WebhookSignatureNotVerified,
    NonConstantTimeSignatureCompare,
    SignatureOverReserializedBody,
    VerificationSkippedWhenHeaderMissing,
    NoReplayWindow,
    VerificationDisabled,
)


def validate_options(raw: Mapping[str, Any]) -> None:
    verifiers = raw.get("verifiers", [])
    if not all(isinstance(v, str) and v.strip() for v in verifiers):
        raise ValueError("verifiers: expected a list of dotted function names")
