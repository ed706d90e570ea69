"""Test helpers: run the engine in-process over in-memory files or a fixture directory."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from scanner.engine.plan import build_plan
from scanner.engine.runner import FileResult, ScanResult, Settings, loader_for, scan, scan_document
from scanner.model.document import Document
from scanner.model.finding import Finding
from scanner.rules import registry
from scanner.rules.base import Rule
from scanner.sources import SourceFile, tree_files

MAX_SIZE = 5 * 1024 * 1024


def make_rules(select: Sequence[str] = (), ignore: Sequence[str] = (),
               options: Mapping[str, Mapping[str, Any]] | None = None) -> list[Rule]:
    return registry.instantiate(registry.select_rules(select, ignore), options or {}, {})


def scan_files(files: Mapping[str, str], select: Sequence[str] = (), *,
               options: Mapping[str, Mapping[str, Any]] | None = None,
               changed: Mapping[str, frozenset[int]] | None = None,
               fast_paths: bool = True, want_fixes: bool = False) -> ScanResult:
    """Scan in-memory files {path: text} with the selected rules (all when empty)."""
    rules = make_rules(select, options=options)
    plan = build_plan(rules, options or {}, fast_paths=fast_paths)
    sources = [SourceFile(path=p, text=t, changed_lines=(changed or {}).get(p)) for p, t in files.items()]

    def load(path: str) -> Document | None:
        return Document(path, files[path]) if path in files else None

    return scan(sources, plan, Settings(max_size=MAX_SIZE, want_fixes=want_fixes), jobs=1,
                project_loader=load)


def scan_dir(root: Path, select: Sequence[str] = (), *,
             options: Mapping[str, Mapping[str, Any]] | None = None,
             fast_paths: bool = True) -> ScanResult:
    """Scan a fixture directory the way `secret-hygiene scan` does (no git, no config)."""
    rules = make_rules(select, options=options)
    plan = build_plan(rules, options or {}, fast_paths=fast_paths)
    sources, notes = tree_files(root)
    return scan(sources, plan, Settings(max_size=MAX_SIZE), jobs=1,
                project_loader=loader_for(root, MAX_SIZE), notes=notes)


def triples(findings: Sequence[Finding]) -> set[tuple[str, int, str]]:
    """The (path, line, rule) set that fixture tests assert exactly."""
    return {(f.path, f.line, f.rule) for f in findings}


def seen(findings: Sequence[Finding]) -> list[tuple[str, int, int, str, str]]:
    """Findings as comparable rows: where, which rule, what it says."""
    return sorted((f.path, f.line, f.column, f.rule, f.message) for f in findings)


def same_with_and_without_fast_paths(files: Mapping[str, str],
                                     select: Sequence[str]) -> list[Finding]:
    """Scan `files` with and without the gates' fast paths, require the same findings and
    return them."""
    fast = scan_files(files, select=select)
    full = scan_files(files, select=select, fast_paths=False)
    assert seen(fast.findings) == seen(full.findings), files
    return full.findings


def run_scan(sources: Sequence[SourceFile], rules: Sequence[Rule], *, max_size: int = MAX_SIZE,
             jobs: int = 1, expected: int | None = None,
             on_file: Callable[[str], None] | None = None,
             project_loader: Callable[[str], Document | None] = lambda path: None,
             notes: Sequence[str] = ()) -> ScanResult:
    """The engine over SourceFiles with these rule objects (their plan built here)."""
    plan = build_plan(rules, {})
    return scan(sources, plan, Settings(max_size=max_size), jobs=jobs, expected=expected,
                on_file=on_file, project_loader=project_loader, notes=notes)


def scan_doc(document: Document, rules: Sequence[Rule]) -> FileResult:
    """One document through the plan of these rule objects."""
    return scan_document(document, build_plan(rules, {}))


def gate_words() -> list[str]:
    """Every word any extractor's gate asks about (with every rule selected)."""
    plan = build_plan(make_rules(), {})
    return sorted({word for planned in plan.extractors
                   for word in (*planned.extractor.gate.words,
                                *(w for group in planned.extractor.gate.requires for w in group))})


def rules_reached(document: Document) -> set[str]:
    """The rules whose facts some extractor would look for in `document` (its gate lets it in)."""
    plan = build_plan(make_rules(), {})
    if plan.index.accelerated and document.keyword_index is None:
        document.keyword_index = plan.index
    produced = {fact for planned in plan.extractors if plan.admits(planned, document)
                for fact in planned.extractor.produces}
    return {rule.id for rule in plan.rules if document.context in rule.contexts
            and (not rule.needs or produced & set(rule.needs))}
