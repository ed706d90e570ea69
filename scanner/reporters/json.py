"""`--format json`: the stable, versioned document of the design contract."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from scanner import __version__
from scanner.model.finding import Finding, Summary
from scanner.redact import printable

if TYPE_CHECKING:
    from scanner.rules.base import Rule

SCHEMA_VERSION = 1


def document(findings: Sequence[Finding], summary: Summary) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "secret-hygiene", "version": __version__},
        "findings": [f.to_json() for f in findings],
        "summary": summary.to_json(),
    }


def render(findings: Sequence[Finding], summary: Summary, stream: TextIO, color: bool = False,
           rules: Sequence[type[Rule]] = ()) -> None:
    text = json.dumps(document(findings, summary), indent=2, ensure_ascii=False)
    stream.write(printable(text) + "\n")
