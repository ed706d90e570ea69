"""Suppression: inline ignores, detect-secrets pragmas, per-file ignores and the baseline.

Inline directives are read per file in the worker; the baseline is applied in the main process."""

from __future__ import annotations

import contextlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.model.finding import Finding
from scanner.rules.selectors import ALL
from scanner.rules.selectors import selector_matches as rule_selector_matches
from scanner.safe_io import FileSafetyError, read_file, work_tree_of, write_output

if TYPE_CHECKING:
    from scanner.rules.base import Rule

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


def _read_json(path: Path, what: str, root: Path | None) -> Any:
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
    document = _read_json(path, "baseline", root)
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


# -- detect-secrets import --------------------------------------------------------------------


@dataclass
class DetectSecretsImport:
    """Entries for the findings a detect-secrets baseline had accepted, and what did not match."""

    entries: list[dict[str, str]]
    matched_by_hash: int
    matched_by_line: int
    unmatched: list[str]
    # Entries detect-secrets' audit marked real (is_secret: true): secrets to revoke, not accept.
    real: int = 0


def read_detect_secrets(path: Path, root: Path | None = None,
                        real: list[str] | None = None) -> dict[str, list[tuple[str, int]]]:
    """`.secrets.baseline` -> {filename: [(hashed_secret, line_number)]} of the entries it
    accepted; those its audit marked real (is_secret: true) go to `real` as "file:line"."""
    document = _read_json(path, "detect-secrets baseline", root)
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, dict):
        raise BaselineError(f"{path}: results: expected detect-secrets' {{filename: [secrets]}} table")
    accepted: dict[str, list[tuple[str, int]]] = {}
    for filename, items in results.items():
        if not isinstance(items, list):
            raise BaselineError(f"{path}: results.{filename}: expected a list")
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("hashed_secret"), str):
                raise BaselineError(f"{path}: results.{filename}: entry without hashed_secret")
            line = item.get("line_number")
            # An audit's is_secret=true is a real secret to revoke: never silenced here.
            if item.get("is_secret") is True:
                if real is not None:
                    real.append(f"{filename}:{line}")
                continue
            accepted.setdefault(filename.replace("\\", "/"), []).append(
                (item["hashed_secret"].lower(), line if isinstance(line, int) else 0))
    return accepted


def _outside_tree(filename: str, root: Path, real_root: Path) -> str | None:
    """Why a file named in a detect-secrets baseline is not read (the baseline comes with the
    repository: it must not make us read, and hash secrets from, files outside the tree)."""
    parts = filename.split("/")
    if filename.startswith("/") or re.match(r"^[A-Za-z]:", filename) or not filename.strip("/."):
        return "an absolute or empty path"
    if ".." in parts:
        return "a path with '..'"
    try:
        resolved = (root / filename).resolve()
    except (OSError, RuntimeError):
        return "a symlink loop"
    if resolved != real_root and real_root not in resolved.parents:
        return "it resolves outside the scanned tree"
    return None


def import_detect_secrets(path: Path, root: Path, rules: Sequence[Rule], max_size: int,
                          options: Mapping[str, Mapping[str, Any]] | None = None) -> DetectSecretsImport:
    """Baseline entries for our findings that a detect-secrets baseline already accepted.

    detect-secrets stores sha1(secret) per file. A Finding holds no secret, so each named file is
    rescanned here with our rules; the raw values the rules saw (`Document.secrets_seen`) are
    matched to findings through the fingerprint (`secret_fingerprint(rule, path, secret)`), and a
    finding is imported when the sha1 of its secret is in the detect-secrets entry list. A secret
    finding on a line detect-secrets named (its value cut differently) is imported as well."""
    import hashlib

    from scanner.engine.plan import build_plan
    from scanner.engine.runner import scan_document
    from scanner.model.document import Document, FileKind
    from scanner.notebooks import scan_notebook
    from scanner.rules.base import secret_fingerprint
    from scanner.sources import SourceFile, read_source

    plan = build_plan(rules, options or {})
    real: list[str] = []
    accepted = read_detect_secrets(path, root, real)
    entries: list[Finding] = []
    by_hash = by_line = 0
    unmatched: list[str] = []
    real_root = root.resolve()
    for filename, items in sorted(accepted.items()):
        outside = _outside_tree(filename, root, real_root)
        if outside:
            unmatched.append(f"{filename}: {len(items)} detect-secrets entries skipped, {outside}")
            continue
        text, note = read_source(SourceFile(path=filename, location=str(root / filename),
                                            root=str(root), explicit=True), max_size)
        if text is None:
            unmatched.append(f"{filename}: {len(items)} detect-secrets entries, file not readable"
                             + (f" ({note})" if note else ""))
            continue
        file = Document(filename, text)
        result = scan_notebook(file, plan) if file.kind is FileKind.NOTEBOOK else scan_document(file, plan)
        hashes = {digest for digest, _ in items}
        lines = {line for _, line in items}
        used_hashes: set[str] = set()
        used_lines: set[int] = set()
        # Only values detect-secrets accepted are fingerprinted (a weak one costs a slow hash).
        accepted_values = [s for s in file.secrets_seen
                           if hashlib.sha1(s.encode("utf-8", "surrogatepass")).hexdigest() in hashes]
        for finding in result.findings:
            values = [s for s in accepted_values
                      if secret_fingerprint(finding.rule, finding.path, s) == finding.fingerprint]
            digests = {hashlib.sha1(s.encode("utf-8", "surrogatepass")).hexdigest() for s in values}
            span = set(range(finding.line, finding.end_line + 1))
            if digests & hashes:
                used_hashes |= digests & hashes
                used_lines |= span & lines
                by_hash += 1
            elif finding.category == "secret" and span & lines:
                used_lines |= span & lines
                by_line += 1
            else:
                continue
            entries.append(finding)
        left = [line for digest, line in items if digest not in used_hashes and line not in used_lines]
        if left:
            unmatched.append(f"{filename}: detect-secrets entries on lines "
                             f"{', '.join(map(str, sorted(left)))} match no finding of ours")
    return DetectSecretsImport(baseline_entries(entries), by_hash, by_line, unmatched, len(real))
