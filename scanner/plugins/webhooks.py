"""Rule family placeholder: filled in by its issue."""

from __future__ import annotations

from typing import Any

from scanner.rules import Rule

SECTION = "webhooks"
RULES: tuple[type[Rule], ...] = ()
OPTIONS: dict[str, Any] = {}
