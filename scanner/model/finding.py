"""The flat, immutable records that flow from rules to reporters: findings, their fixes, the summary.

A Finding holds only serialisable values (no syntax nodes), so it crosses process boundaries."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any


class Severity(enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _RANK[self.value]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(f"unknown severity {text!r} (use low, medium or high)") from None


class Confidence(enum.Enum):
    """How sure a rule is that a finding is real (bandit's confidence): shown in JSON and SARIF
    and filtered with --min-confidence. Heuristic-only findings are never high."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _RANK[self.value]

    @classmethod
    def parse(cls, text: str) -> Confidence:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(f"unknown confidence {text!r} (use low, medium or high)") from None


_RANK = {"low": 1, "medium": 2, "high": 3}


@dataclass(frozen=True)
class Edit:
    """Replace the characters [start, end) of the file's text (character offsets) with `text`.
    `secret` marks a replaced range that is a credential (redacted wherever a diff shows it)."""

    start: int
    end: int
    text: str
    secret: bool = False


@dataclass(frozen=True)
class Fix:
    """A rule's fix for one finding: text edits plus the imports the new code needs
    (`("os", None)` is `import os`, `("hmac", "compare_digest")` a from-import)."""

    edits: tuple[Edit, ...]
    imports: tuple[tuple[str, str | None], ...] = ()
    description: str = ""
    environment: tuple[str, ...] = ()  # environment variables the fixed code starts reading


@dataclass(frozen=True)
class Finding:
    """One reported problem: the rule, where it is, and what to show (secrets redacted)."""

    rule: str
    name: str
    category: str  # the rule's family: secret, scope, webhook, oauth
    severity: Severity
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    snippet: str
    fingerprint: str
    commit: str | None = None
    confidence: Confidence = Confidence.HIGH
    context: str = "code"  # code, test, docs, example, generated
    fix: Fix | None = field(default=None, compare=False)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule, self.fingerprint)

    def with_changes(self, **changes: Any) -> Finding:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "category": self.category,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "snippet": self.snippet,
            "fingerprint": self.fingerprint,
            "commit": self.commit,
            "confidence": self.confidence.value,
            "context": self.context,
        }


@dataclass
class Summary:
    """What a run counted: files scanned, findings by category, suppressed ones, notes."""

    files_scanned: int = 0
    findings: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    suppressed: int = 0
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "files_scanned": self.files_scanned,
            "findings": self.findings,
            "by_category": dict(sorted(self.by_category.items())),
            "suppressed": self.suppressed,
            "errors": list(self.errors),
        }
