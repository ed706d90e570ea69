"""The webhook family (SH3xx): one module per rule, listed here once."""

from __future__ import annotations

from typing import Any

from scanner.rules.base import Rule

FAMILY = "webhook"
SECTION = "webhooks"
PREFIX = "SH3"
OPTIONS: dict[str, Any] = {}
RULES: tuple[type[Rule], ...] = ()
