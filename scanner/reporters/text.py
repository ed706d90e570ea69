"""`--format text`: findings grouped by file, `path:line:col RULE message`, then the snippet.

Colour only when writing to a terminal and NO_COLOR is unset (the CLI decides)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import TYPE_CHECKING, TextIO

from scanner.model.finding import Finding, Severity, Summary
from scanner.redact import one_line

if TYPE_CHECKING:
    from scanner.rules.base import Rule

_COLOURS = {Severity.HIGH: "\x1b[31m", Severity.MEDIUM: "\x1b[33m", Severity.LOW: "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def render(findings: Sequence[Finding], summary: Summary, stream: TextIO, color: bool = False,
           rules: Sequence[type[Rule]] = ()) -> None:
    render_findings(findings, stream, color)
    stream.write(summary_line(summary) + "\n")


def render_findings(findings: Sequence[Finding], stream: TextIO, color: bool = False) -> None:
    """The findings alone (what `--quiet` prints)."""

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    for path, group in groupby(findings, key=lambda f: f.path):
        stream.write(paint(one_line(path), _BOLD) + "\n")
        for finding in group:
            where = f"{one_line(finding.path)}:{finding.line}:{finding.column}"
            commit = f" [{finding.commit[:12]}]" if finding.commit else ""
            rule = paint(f"{finding.rule} {finding.severity.value}", _COLOURS[finding.severity])
            stream.write(f"  {where} {rule} {one_line(finding.message)}{commit}\n")
            if finding.snippet:
                stream.write(paint(f"      {one_line(finding.snippet)}", _DIM) + "\n")
        stream.write("\n")


def summary_line(summary: Summary) -> str:
    counts = ", ".join(f"{count} {category}" for category, count in sorted(summary.by_category.items()))
    files = summary.files_scanned
    line = (f"{summary.findings} finding{'s' if summary.findings != 1 else ''}"
            f"{' (' + counts + ')' if counts else ''} in {files} file{'s' if files != 1 else ''} scanned")
    if summary.suppressed:
        line += f", {summary.suppressed} suppressed"
    if summary.errors:
        line += f", {len(summary.errors)} note{'s' if len(summary.errors) != 1 else ''}"
    return line
