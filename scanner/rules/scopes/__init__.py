"""The scope family (SH2xx): one module per rule, listed here once."""

from __future__ import annotations

from typing import Any

from scanner.rules.base import Rule

FAMILY = "scope"
SECTION = "scopes"
PREFIX = "SH2"
OPTIONS: dict[str, Any] = {}
RULES: tuple[type[Rule], ...] = ()
