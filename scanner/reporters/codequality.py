"""`--codequality-output`: GitLab's code quality report (a Code Climate JSON list), which the
merge request widget shows; one issue per finding, redacted like every other output."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from scanner.model.finding import Finding, Severity, Summary
from scanner.redact import printable

if TYPE_CHECKING:
    from scanner.rules.base import Rule

_SEVERITY = {Severity.HIGH: "critical", Severity.MEDIUM: "major", Severity.LOW: "minor"}


def issue(finding: Finding) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": f"{finding.rule} {finding.name}",
        "description": f"{finding.rule} {finding.message}",
        "categories": ["Security"],
        "severity": _SEVERITY[finding.severity],
        # GitLab tells issues apart by fingerprint; ours survives moved lines.
        "fingerprint": finding.fingerprint,
        "location": {"path": finding.path,
                     "lines": {"begin": finding.line, "end": max(finding.end_line, finding.line)}},
    }


def render(findings: Sequence[Finding], summary: Summary, stream: TextIO, color: bool = False,
           rules: Sequence[type[Rule]] = ()) -> None:
    text = json.dumps([issue(f) for f in findings], indent=2, ensure_ascii=False)
    stream.write(printable(text) + "\n")
