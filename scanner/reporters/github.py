"""`--format github`: workflow commands that GitHub Actions turns into annotations.

Property values and messages are escaped per the workflow-command rules (%, CR, LF, and : , in properties)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from scanner.model.finding import Finding, Severity, Summary
from scanner.redact import printable

if TYPE_CHECKING:
    from scanner.rules.base import Rule

_LEVEL = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(findings: Sequence[Finding], summary: Summary, stream: TextIO, color: bool = False,
           rules: Sequence[type[Rule]] = ()) -> None:
    for finding in findings:
        properties = ",".join((
            f"file={escape_property(printable(finding.path))}",
            f"line={finding.line}",
            f"endLine={finding.end_line}",
            f"col={finding.column}",
            f"title={escape_property(f'{finding.rule} {finding.name}')}",
        ))
        message = f"{finding.message} [{finding.severity.value}]"
        stream.write(f"::{_LEVEL[finding.severity]} {properties}::{escape_data(printable(message))}\n")
    for note in summary.errors:
        stream.write(f"::warning title=secret-hygiene::{escape_data(printable(note))}\n")
