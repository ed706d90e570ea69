"""The flat, immutable records that flow from plugins to reporters.

A Finding holds only serialisable values (no CST nodes), so it crosses process boundaries."""

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
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(f"unknown severity {text!r} (use low, medium or high)") from None


_SEVERITY_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3}


class Category(enum.Enum):
    SECRET = "secret"
    SCOPE = "scope"
    WEBHOOK = "webhook"
    OAUTH = "oauth"


@dataclass(frozen=True)
class Finding:
    rule: str
    name: str
    category: Category
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

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule, self.fingerprint)

    def with_changes(self, **changes: Any) -> Finding:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "category": self.category.value,
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
        }


@dataclass
class Summary:
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
