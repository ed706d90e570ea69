"""Test helpers: run the engine in-process over in-memory files or a fixture directory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from scanner import engine, registry
from scanner.finding import Finding
from scanner.parsed import ParsedFile
from scanner.rules import Rule
from scanner.sources import SourceFile, tree_files


def make_rules(select: Sequence[str] = (), ignore: Sequence[str] = (),
               options: Mapping[str, Mapping[str, Any]] | None = None) -> list[Rule]:
    return registry.instantiate(registry.select_rules(select, ignore), options or {}, {})


def scan_files(files: Mapping[str, str], select: Sequence[str] = (), *,
               options: Mapping[str, Mapping[str, Any]] | None = None,
               changed: Mapping[str, frozenset[int]] | None = None) -> engine.ScanResult:
    """Scan in-memory files {path: text} with the selected rules (all when empty)."""
    rules = make_rules(select, options=options)
    sources = [SourceFile(path=p, text=t, changed_lines=(changed or {}).get(p)) for p, t in files.items()]

    def load(path: str) -> ParsedFile | None:
        return ParsedFile(path, files[path]) if path in files else None

    return engine.scan(sources, rules, max_size=5 * 1024 * 1024, jobs=1, project_loader=load)


def scan_dir(root: Path, select: Sequence[str] = (), *,
             options: Mapping[str, Mapping[str, Any]] | None = None) -> engine.ScanResult:
    """Scan a fixture directory the way `secret-hygiene scan` does (no git, no config)."""
    rules = make_rules(select, options=options)
    sources, notes = tree_files(root)
    return engine.scan(sources, rules, max_size=5 * 1024 * 1024, jobs=1,
                       project_loader=engine.loader_for(root, 5 * 1024 * 1024), notes=notes)


def triples(findings: Sequence[Finding]) -> set[tuple[str, int, str]]:
    """The (path, line, rule) set that fixture tests assert exactly."""
    return {(f.path, f.line, f.rule) for f in findings}
