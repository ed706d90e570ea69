"""Suppression: inline ignores, detect-secrets pragmas, per-file ignores and the baseline (the
import of a detect-secrets baseline is a use case: scanner/app/detect_secrets_import.py).

Inline directives are read per file in the worker; the baseline is applied in the main process."""

from __future__ import annotations

import contextlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.model.finding import Finding
from scanner.rules.selectors import ALL
from scanner.rules.selectors import selector_matches as rule_selector_matches
from scanner.safe_io import FileSafetyError, read_file, work_tree_of, write_output

_INLINE = re.compile(r"secret-hygiene:\s*(?:ignore|noqa)\b(?:\[([^\]\n]*)\])?", re.IGNORECASE)
_ALLOWLIST = re.compile(r"pragma:\s*allowlist[ -]secret", re.IGNORECASE)
_ALLOWLIST_NEXT = re.compile(r"pragma:\s*allowlist[ -]nextline[ -]secret", re.IGNORECASE)
# 2: a secret finding's fingerprint hashes a weak value through PBKDF2 (rules.secret_fingerprint);
# version-1 entries of weak secrets no longer match.
BASELINE_VERSION = 2
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


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
    return rule_selector_matches(selector, finding.rule, finding.name, finding.category)


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
        per_file = tuple(per_file)
        if not per_file:
            return cls(())  # (and no pathspec import)
        import pathspec

        return cls(tuple((pathspec.GitIgnoreSpec.from_lines([pattern]), selectors)
                         for pattern, selectors in per_file))

    def ignores(self, finding: Finding) -> bool:
        return any(spec.match_file(finding.path) and any(selector_matches(finding, s) for s in selectors)
                   for spec, selectors in self.rules)


# -- baseline ---------------------------------------------------------------------------------


def baseline_entries(findings: Iterable[Finding]) -> list[dict[str, str]]:
    """One entry per fingerprint: no line numbers, timestamps or secret values, sorted."""
    entries = {f.fingerprint: {"fingerprint": f.fingerprint, "rule": f.rule, "path": f.path}
               for f in findings}
    return sort_entries(entries.values())


def sort_entries(entries: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """Stable order (path, rule, fingerprint), one entry per fingerprint (the first one kept)."""
    unique: dict[str, dict[str, str]] = {}
    for entry in entries:
        unique.setdefault(entry["fingerprint"], entry)
    return sorted(unique.values(),
                  key=lambda e: (str(e.get("path", "")), str(e.get("rule", "")), e["fingerprint"]))


class Baseline(list[dict[str, str]]):
    """A baseline's entries, and the format version of the file they were read from."""

    version: int = BASELINE_VERSION


def updated_entries(existing: Iterable[dict[str, str]], findings: Iterable[Finding]) -> list[dict[str, str]]:
    """`baseline --update`: existing entries whose finding still exists are kept as they are
    (with any field a user added, e.g. a "reason"), stale ones are dropped, new findings added.
    From a version-1 baseline, whose secret fingerprints changed, an entry's added fields carry
    over to the new entry when its rule and path match a single finding (and a single entry)."""
    existing = list(existing) if not isinstance(existing, Baseline) else existing
    current = {entry["fingerprint"]: entry for entry in baseline_entries(findings)}
    kept = [entry for entry in existing if entry.get("fingerprint") in current]
    if getattr(existing, "version", BASELINE_VERSION) < 2:
        _carry_over([e for e in existing if e.get("fingerprint") not in current], current)
    return sort_entries([*kept, *current.values()])


def _carry_over(stale: list[dict[str, str]], current: dict[str, dict[str, str]]) -> None:
    def place(entry: dict[str, str]) -> tuple[str, str]:
        return str(entry.get("rule", "")), str(entry.get("path", ""))

    findings_at = Counter(place(entry) for entry in current.values())
    stale_at = Counter(place(entry) for entry in stale)
    new_at = {place(entry): entry for entry in current.values()}
    for entry in stale:
        where = place(entry)
        if findings_at[where] == 1 and stale_at[where] == 1:
            extra = {k: v for k, v in entry.items() if k not in {"fingerprint", "rule", "path"}}
            new_at[where].update(extra)


def baseline_text(entries: list[dict[str, str]]) -> str:
    """The file's text: one entry per line so that diffs and merges stay line-sized. Nothing in
    it changes between tool versions or runs unless the findings change."""
    body = ",\n".join("    " + _entry_json(entry) for entry in entries)
    findings = f"[\n{body}\n  ]" if body else "[]"
    return f'{{\n  "version": {BASELINE_VERSION},\n  "tool": "secret-hygiene",\n  "findings": {findings}\n}}\n'


def _entry_json(entry: dict[str, str]) -> str:
    text = json.dumps(entry, sort_keys=True, ensure_ascii=False)
    # A path with undecodable bytes holds lone surrogates: \u-escape them, or UTF-8 cannot hold them.
    return json.dumps(entry, sort_keys=True) if _LONE_SURROGATE.search(text) else text


def write_baseline(path: Path, entries: list[dict[str, str]], root: Path) -> None:
    """Write the baseline through the safe writer (a link or odd file committed under its name,
    or under a directory below `root`, is refused); BaselineError, one line, when it fails."""
    data = baseline_text(entries).encode("utf-8")
    with contextlib.suppress(OSError, FileSafetyError):
        if read_file(path, what="baseline", root=root) == data:
            return  # unchanged: do not even touch the mtime
    try:
        write_output(path, data, what="baseline", root=root)
    except FileSafetyError as exc:
        raise BaselineError(str(exc)) from None


def read_json_file(path: Path, what: str, root: Path | None) -> Any:
    """A JSON document, or BaselineError saying in one line why it cannot be read. Only a
    regular file (never a FIFO or device) up to 64 MiB is read, and no link below `root`
    (default: the git work tree holding the file) is followed."""
    try:
        data = read_file(path, what=what, root=root if root is not None else work_tree_of(path))
        # utf-8-sig: an editor may save the file with a byte order mark.
        return json.loads(data.decode("utf-8-sig"))
    except FileSafetyError as exc:
        raise BaselineError(str(exc)) from None
    except FileNotFoundError:
        raise BaselineError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read {what} ({exc.strerror})") from None
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BaselineError(f"{path}: {what} is not valid JSON") from None


def read_baseline(path: Path, root: Path | None = None) -> Baseline:
    document = read_json_file(path, "baseline", root)
    entries = document.get("findings") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries):
        raise BaselineError(f"{path}: findings: expected a list of entries with a fingerprint")
    baseline = Baseline(entries)
    version = document.get("version") if isinstance(document, dict) else None
    baseline.version = version if isinstance(version, int) and not isinstance(version, bool) else 1
    return baseline


def baseline_fingerprints(path: Path) -> frozenset[str]:
    return frozenset(e["fingerprint"] for e in read_baseline(path))


def load_baseline(path: Path) -> tuple[frozenset[str], str | None]:
    """The fingerprints a scan suppresses, and a one-line note when the file is of an older
    format whose entries may no longer match."""
    baseline = read_baseline(path)
    note = None
    if baseline.version < BASELINE_VERSION:
        note = (f"{path}: baseline version {baseline.version} predates the current fingerprints "
                f"(version {BASELINE_VERSION}); some entries may no longer match: re-run "
                "`secret-hygiene baseline --update`")
    return frozenset(e["fingerprint"] for e in baseline), note
