"""Suppression: inline ignores, detect-secrets pragmas, per-file ignores and the baseline.

Inline directives are read per file in the worker; the baseline is applied in the main process."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.finding import Finding

ALL = "*"
_INLINE = re.compile(r"secret-hygiene:\s*(?:ignore|noqa)\b(?:\[([^\]\n]*)\])?", re.IGNORECASE)
_ALLOWLIST = re.compile(r"pragma:\s*allowlist[ -]secret", re.IGNORECASE)
_ALLOWLIST_NEXT = re.compile(r"pragma:\s*allowlist[ -]nextline[ -]secret", re.IGNORECASE)
BASELINE_VERSION = 1


class BaselineError(Exception):
    """A baseline that cannot be read; one line naming the file."""


def inline_directives(lines: Sequence[str]) -> dict[int, frozenset[str]]:
    """Line number -> selectors ignored on that line (ALL for a bare ignore)."""
    directives: dict[int, frozenset[str]] = {}
    for number, line in enumerate(lines, start=1):
        if "secret-hygiene" not in line and "pragma" not in line:
            continue
        match = _INLINE.search(line)
        if match:
            codes = match.group(1)
            selectors = frozenset(c.strip() for c in codes.split(",") if c.strip()) if codes else frozenset({ALL})
            directives[number] = directives.get(number, frozenset()) | selectors
        if _ALLOWLIST_NEXT.search(line):
            directives[number + 1] = directives.get(number + 1, frozenset()) | {ALL}
        elif _ALLOWLIST.search(line):
            directives[number] = directives.get(number, frozenset()) | {ALL}
    return directives


def selector_matches(finding: Finding, selector: str) -> bool:
    if selector == ALL:
        return True
    upper = selector.upper()
    lower = selector.lower()
    return ((upper.startswith("SH") and finding.rule.startswith(upper)) or lower == finding.name
            or lower in {finding.category.value, finding.category.value + "s"})


def is_inline_suppressed(finding: Finding, directives: Mapping[int, frozenset[str]]) -> bool:
    for line in {finding.line, finding.end_line}:
        selectors = directives.get(line)
        if selectors and any(selector_matches(finding, s) for s in selectors):
            return True
    return False


@dataclass(frozen=True)
class PathIgnores:
    """`per-file-ignores`: gitignore-style patterns mapped to selectors."""

    rules: tuple[tuple[Any, tuple[str, ...]], ...]

    @classmethod
    def build(cls, per_file: Iterable[tuple[str, tuple[str, ...]]]) -> PathIgnores:
        import pathspec

        return cls(tuple((pathspec.PathSpec.from_lines("gitwildmatch", [pattern]), selectors)
                         for pattern, selectors in per_file))

    def ignores(self, finding: Finding) -> bool:
        return any(spec.match_file(finding.path) and any(selector_matches(finding, s) for s in selectors)
                   for spec, selectors in self.rules)


# -- baseline ---------------------------------------------------------------------------------


def baseline_entries(findings: Iterable[Finding]) -> list[dict[str, str]]:
    """One entry per fingerprint: no line numbers, timestamps or secret values, sorted."""
    entries = {f.fingerprint: {"fingerprint": f.fingerprint, "rule": f.rule, "path": f.path}
               for f in findings}
    return [entries[key] for key in sorted(entries, key=lambda k: (entries[k]["path"], entries[k]["rule"], k))]


def write_baseline(path: Path, entries: list[dict[str, str]]) -> None:
    from scanner import __version__

    document = {"version": BASELINE_VERSION, "tool": "secret-hygiene", "tool_version": __version__,
                "findings": entries}
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def read_baseline(path: Path) -> list[dict[str, str]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline ({exc.strerror})") from None
    except (ValueError, UnicodeDecodeError):
        raise BaselineError(f"{path}: baseline is not valid JSON") from None
    entries = document.get("findings") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries):
        raise BaselineError(f"{path}: findings: expected a list of entries with a fingerprint")
    return entries


def baseline_fingerprints(path: Path) -> frozenset[str]:
    return frozenset(e["fingerprint"] for e in read_baseline(path))
