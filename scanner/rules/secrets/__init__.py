"""The secret family (SH1xx): one module per rule, listed here once."""

from __future__ import annotations

from typing import Any

from scanner.rules.base import Rule

FAMILY = "secret"
SECTION = "secrets"
PREFIX = "SH1"
OPTIONS: dict[str, Any] = {}
RULES: tuple[type[Rule], ...] = ()
