"""Use case: import what a detect-secrets baseline accepted into our baseline (`baseline
--from-detect-secrets`), by rescanning the files it names with our rules and matching hashes."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.model.finding import Finding
from scanner.suppress import BaselineError, baseline_entries, read_json_file

if TYPE_CHECKING:
    from scanner.rules.base import Rule


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
    document = read_json_file(path, "detect-secrets baseline", root)
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
