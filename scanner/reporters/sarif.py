"""`--format sarif`: one SARIF 2.1.0 run for GitHub code scanning and other SARIF viewers.

Rules carry their docs, tags (category, CWE) and security-severity; results carry a region and
our line-independent fingerprint, so alerts follow code that moves."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from scanner.model.finding import Confidence, Finding, Severity, Summary
from scanner.redact import printable

if TYPE_CHECKING:
    from scanner.rules.base import Rule

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "secretHygiene/v1"

_LEVEL = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
# A result's `rank` (0-100, SARIF's "how sure / how important") from the rule's confidence;
# `level` comes from the severity. Also in properties.confidence as the word.
RANK = {Confidence.HIGH: 90.0, Confidence.MEDIUM: 60.0, Confidence.LOW: 30.0}
# GitHub code scanning reads `security-severity` (0-10): >= 7 high, >= 4 medium, else low.
_SECURITY_SEVERITY = {Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0"}


def cwe_tag(cwe: str) -> str:
    """`CWE-798` -> `external/cwe/cwe-798`, the tag form GitHub code scanning recognises."""
    return "external/cwe/" + cwe.strip().lower()


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    sections = rule.doc_sections()
    full = " ".join(sections.get("What it does", "").split()) or rule.summary()
    tags = ["security", rule.family, *(cwe_tag(c) for c in rule.cwe)]
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": full},
        "help": {"text": rule.doc(), "markdown": rule.doc()},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "tags": tags,
            "precision": rule.confidence.value,
            "problem.severity": _problem_severity(rule.severity),
            "security-severity": _SECURITY_SEVERITY[rule.severity],
        },
    }


def _problem_severity(severity: Severity) -> str:
    return {"error": "error", "warning": "warning", "note": "recommendation"}[_LEVEL[severity]]


def _region(finding: Finding) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": finding.line, "startColumn": finding.column}
    end_line = max(finding.end_line, finding.line)
    region["endLine"] = end_line
    # SARIF's endColumn is exclusive; an empty or inverted span is left to the viewer.
    if end_line > finding.line or finding.end_column > finding.column:
        region["endColumn"] = max(finding.end_column, 1)
    if finding.snippet:
        region["snippet"] = {"text": printable(finding.snippet)}
    return region


def result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": _LEVEL[finding.severity],
        "rank": RANK[finding.confidence],
        "message": {"text": printable(finding.message)},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": quote(printable(finding.path), safe="/"),
                                     "uriBaseId": "%SRCROOT%"},
                "region": _region(finding),
            },
        }],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {"category": finding.category, "severity": finding.severity.value,
                       "confidence": finding.confidence.value, "context": finding.context},
    }
    if finding.rule in rule_index:
        entry["ruleIndex"] = rule_index[finding.rule]
    if finding.commit:
        entry["properties"]["commit"] = finding.commit
    return entry


def document(findings: Sequence[Finding], summary: Summary,
             rules: Sequence[type[Rule]] = ()) -> dict[str, Any]:
    """The SARIF log, with a descriptor for each of `rules` (passed in by the caller)."""
    from scanner import __version__

    descriptors = [rule_descriptor(rule) for rule in rules]
    rule_index = {rule.id: index for index, rule in enumerate(rules)}
    notifications = [{"level": "warning", "message": {"text": printable(note)}}
                     for note in summary.errors]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "secret-hygiene",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": descriptors,
            }},
            "invocations": [{
                "executionSuccessful": True,
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": [result(f, rule_index) for f in findings],
            "properties": {"filesScanned": summary.files_scanned, "suppressed": summary.suppressed},
        }],
    }


def render(findings: Sequence[Finding], summary: Summary, stream: TextIO, color: bool = False,
           rules: Sequence[type[Rule]] = ()) -> None:
    """`rules`: the tool's rule set as the caller knows it (their descriptors, so a viewer can close
    alerts of rules that found nothing this time); the reporter never looks rules up itself."""
    text = json.dumps(document(findings, summary, rules), indent=2, ensure_ascii=False)
    stream.write(printable(text) + "\n")
