#!/usr/bin/env python3
"""Where a full scan's CPU goes on a tree, per kind of file (minified JS, source maps, CSS,
Python, JSON, lock files ...) and per phase: one process, files scanned one by one.

Usage: python benchmarks/kinds.py TREE [TREE...] [--top N]. Prints, per tree, a table of files,
megabytes and CPU seconds per kind with the phases that cost the most, then the costliest files.
Project rules (run once across files) are left out: `--profile` on the CLI shows them."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

from scanner.config import DEFAULT_MAX_FILE_SIZE
from scanner.engine.plan import build_plan
from scanner.engine.runner import Settings, scan_source
from scanner.rules import registry
from scanner.sources import SourceFile, tree_files

# A JavaScript file with a line this long is a built bundle, not source someone edits.
MINIFIED_LINE = 1_000
LOCK_NAMES = ("package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "Pipfile.lock",
              "Cargo.lock", "composer.lock", "Gemfile.lock", "uv.lock")


def kind_of(source: SourceFile) -> str:
    """The kind of file, as the cost table groups them."""
    name = source.path.rsplit("/", 1)[-1]
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if name in LOCK_NAMES or name.endswith(".lock"):
        return "lock file"
    if suffix == "map":
        return "source map"
    if suffix in ("js", "mjs", "cjs"):
        return "minified JS" if _longest_line(source) >= MINIFIED_LINE else "JS source"
    if suffix in ("ts", "tsx", "jsx", "vue"):
        return "TS/JSX source"
    if suffix in ("css", "scss", "less"):
        return "CSS"
    if suffix in ("py", "pyi"):
        return "Python"
    if suffix == "json":
        return "JSON"
    if suffix in ("html", "htm", "svg", "xml"):
        return "HTML/SVG/XML"
    if suffix in ("yaml", "yml", "toml", "ini", "cfg", "txt", "md", "rst"):
        return "config/docs"
    return "other"


def _longest_line(source: SourceFile) -> int:
    try:
        with open(source.location or source.path, "rb") as handle:
            return max((len(line) for line in handle), default=0)
    except OSError:
        return 0


def measure(tree: Path, top: int) -> None:
    rules = registry.instantiate(registry.select_rules((), ()), {}, {})
    plan = build_plan(rules, {})
    settings = Settings(max_size=DEFAULT_MAX_FILE_SIZE, profile=True)
    sources, _ = tree_files(tree, all_files=True)
    files: dict[str, int] = defaultdict(int)
    sizes: dict[str, int] = defaultdict(int)
    cpu: dict[str, float] = defaultdict(float)
    phases: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    costly: list[tuple[float, str, str, int]] = []
    for source in sources:
        kind = kind_of(source)
        size = os.lstat(source.location or source.path).st_size
        started = time.process_time()
        result = scan_source(source, plan, settings)
        spent = time.process_time() - started
        files[kind] += 1
        sizes[kind] += size
        cpu[kind] += spent
        for phase, seconds in (result.timings or {}).items():
            phases[kind][phase] += seconds
        costly.append((spent, kind, source.path, size))
    total = sum(cpu.values())
    print(f"\n{tree.name}: {len(sources)} files, {sum(sizes.values()) / 1e6:.1f} MB, "
          f"{total:.2f} s CPU in files (one process)\n")
    print("| kind | files | MB | CPU s | share | top phases (s) |")
    print("|---|---:|---:|---:|---:|---|")
    for kind in sorted(cpu, key=lambda k: -cpu[k]):
        spent_in = sorted(phases[kind].items(), key=lambda item: -item[1])[:3]
        where = ", ".join(f"{phase} {seconds:.2f}" for phase, seconds in spent_in if seconds >= 0.01)
        print(f"| {kind} | {files[kind]} | {sizes[kind] / 1e6:.1f} | {cpu[kind]:.2f} | "
              f"{cpu[kind] / max(total, 1e-9):.0%} | {where} |")
    print(f"\ncostliest {top} files:")
    for spent, kind, path, size in sorted(costly, reverse=True)[:top]:
        print(f"  {spent:6.2f} s  {size / 1e6:6.2f} MB  {kind:12}  {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args(argv)
    # Trees unpacked inside another repository are scanned as a user scans them: on their own.
    os.environ.setdefault("GIT_CEILING_DIRECTORIES", str(args.trees[0].resolve().parent))
    for tree in args.trees:
        measure(tree.resolve(), args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
