"""Bad input never crashes a scan or loses findings elsewhere (design contract, non-negotiables).

One hostile tree (binary, NUL bytes, undecodable bytes, UTF-16, CRLF/CR, a 50 MB log, a 5 MB
minified bundle, 10,000-level JSON, a YAML bomb, syntax errors, a FIFO, a socket, symlink loops,
links out of the root, an unreadable file, a file deleted mid-scan, ...) scanned through the real
CLI and through the process pool: every planted secret is found at its exact line, every skip
has a note that says why, and no secret appears whole in the report."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner import sources
from scanner.cli import main
from scanner.engine import pool
from scanner.lang.config import iter_entries
from scanner.model.document import Document, FileKind
from scanner.model.finding import Finding
from scanner.rules import registry
from tests.reliability import hostile
from tests.support import run_scan


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[hostile.HostileTree]:
    built = hostile.build(tmp_path_factory.mktemp("hostile") / "root")
    yield built


def _rebuild_vanishing(tree: hostile.HostileTree) -> None:
    (tree.root / tree.vanishing).write_text(f'CLIENT_SECRET = "{tree.hidden[tree.vanishing]}"\n')


def _check_findings(tree: hostile.HostileTree, findings: list[dict[str, Any]]) -> None:
    found = {(f["path"], f["line"]) for f in findings}
    assert found == set(tree.planted), (
        f"missing: {sorted(set(tree.planted) - found)}; unexpected: {sorted(found - set(tree.planted))}")
    for finding in findings:
        assert finding["category"] == "secret" and finding["rule"].startswith("SH1"), finding
        if finding["path"].endswith(".py"):
            assert finding["rule"] == "SH101", finding


def _check_notes(tree: hostile.HostileTree, errors: list[str]) -> None:
    assert not [e for e in errors if "failed" in e], errors
    for path, words in tree.notes.items():
        matching = [e for e in errors if path in e and all(w in e for w in words)]
        assert matching, f"no note for {path} with {words}: {errors}"
    for error in errors:
        assert "\n" not in error, error


def _check_no_secret(tree: hostile.HostileTree, text: str) -> None:
    for value in [*tree.planted.values(), *tree.hidden.values()]:
        assert value not in text


def _vanish_after_listing(tree: hostile.HostileTree, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file is listed, then deleted before the engine reads it."""
    real_tree_files = sources.tree_files

    def listing_then_delete(root: Path, **kwargs: Any) -> tuple[list[sources.SourceFile], list[str]]:
        listed = real_tree_files(root, **kwargs)
        (tree.root / tree.vanishing).unlink()
        return listed

    monkeypatch.setattr(sources, "tree_files", listing_then_delete)


def test_cli_scan_of_hostile_tree(tree: hostile.HostileTree, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _rebuild_vanishing(tree)
    monkeypatch.setattr(os, "open", hostile.deny(tree.unreadable))
    _vanish_after_listing(tree, monkeypatch)
    out = tmp_path / "report.json"
    code = main(["scan", str(tree.root), "--format", "json", "-o", str(out)])
    text = out.read_text(encoding="utf-8")
    report = json.loads(text)
    assert code == 1
    _check_findings(tree, report["findings"])
    _check_notes(tree, report["summary"]["errors"])
    _check_no_secret(tree, text)
    assert report["summary"]["files_scanned"] == len({path for path, _ in tree.planted}) + 1  # + empty.py


def test_engine_process_pool_on_hostile_tree(tree: hostile.HostileTree,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # The deny mock reaches the workers only when they are forked from this process.
    assert multiprocessing.get_start_method() == "fork"
    _rebuild_vanishing(tree)
    monkeypatch.setattr(pool, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(pool, "CHUNK_SIZE", 4)
    monkeypatch.setattr(os, "open", hostile.deny(tree.unreadable))
    listed, notes = sources.tree_files(tree.root)
    (tree.root / tree.vanishing).unlink()
    rules = registry.instantiate(registry.RULES, {}, {})
    result = run_scan(listed, rules, max_size=5 * 1024 * 1024, jobs=2, expected=len(listed),
                         notes=notes)
    findings = [f.to_json() for f in result.findings]
    _check_findings(tree, findings)
    _check_notes(tree, result.summary.errors)
    _check_no_secret(tree, json.dumps(findings) + json.dumps(result.summary.to_json()))


def test_file_deleted_while_the_scan_runs(tmp_path: Path) -> None:
    """Each file read deletes the next one: the scan goes on and says what vanished."""
    names = [f"f{i}.py" for i in range(6)]
    for name in names:
        (tmp_path / name).write_text('CLIENT_SECRET = "' + hostile.secret_value(random.Random(name)) + '"\n')
    listed, _ = sources.tree_files(tmp_path)

    def delete_next(path: str) -> None:
        index = names.index(path)
        if index % 2 == 0 and index + 1 < len(names):
            (tmp_path / names[index + 1]).unlink()

    rules = registry.instantiate(registry.select_rules(["SH101"], []), {}, {})
    result = run_scan(listed, rules, max_size=1 << 20, jobs=1, on_file=delete_next)
    assert {(f.path, f.line, f.rule) for f in result.findings} == {
        ("f0.py", 1, "SH101"), ("f2.py", 1, "SH101"), ("f4.py", 1, "SH101")}
    assert sorted(e.split(":")[0] for e in result.summary.errors if "disappeared" in e) == [
        "f1.py", "f3.py", "f5.py"]


def test_explicit_binary_and_special_files_get_their_own_note(tree: hostile.HostileTree,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    code = main(["scan", str(tree.root / "image.png"), str(tree.root / "pipe.py"),
                 str(tree.root / "loop_a.py"), str(tree.root / "app" / "settings.py"),
                 "--format", "json", "-o", str(out)])
    report = json.loads(out.read_text(encoding="utf-8"))
    assert code == 1
    errors = report["summary"]["errors"]
    assert any("image.png" in e and "binary" in e for e in errors), errors
    assert any("pipe.py" in e and "not a regular file" in e for e in errors), errors
    assert any("loop_a.py" in e and "symlink loop" in e for e in errors), errors
    assert [f["rule"] for f in report["findings"]] == ["SH101"]


# -- broken structured files: config parsers leave a note and None; code parses (tree-sitter
# recovers), and nesting past the code model's depth is cut with a note ------------------------

BROKEN = {
    "syntax.py": ("def f(:\n    pass\n", FileKind.PYTHON, "syntax error"),
    "unary.py": ("x = " + "-" * 50_000 + "1\n", FileKind.PYTHON, "nested too deeply"),
    "booleans.py": ("x = " + " and ".join(["a"] * 20_000) + "\n", FileKind.PYTHON, "nested too deeply"),
    "dotted.py": ("import a" + ".b" * 20_000 + "\n", FileKind.PYTHON, "nested too deeply"),
    "elif.py": ("if a:\n  pass\n" + "elif a:\n  pass\n" * 10_000, FileKind.PYTHON, "nested too deeply"),
    "nul.py": ("x = 1\n" + "y = '\0'\n", FileKind.PYTHON, "Python"),
    "deep.json": ("[" * 10_000 + "]" * 10_000, FileKind.JSON, "nested too deeply"),
    "broken.json": ('{"a": [1, 2,', FileKind.JSON, "invalid JSON"),
    "bomb.yaml": ("a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
                  + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9)),
                  FileKind.YAML, "alias bomb"),
    "deep.yaml": ("a: " + "[" * 1_500 + "]" * 1_500 + "\n", FileKind.YAML, "YAML"),
    "tabs.yaml": ("a:\n\t- b\n", FileKind.YAML, "invalid YAML"),
    "deep.toml": ("a = " + "[" * 5_000 + "]" * 5_000 + "\n", FileKind.TOML, "TOML"),
}


@pytest.mark.parametrize("name", sorted(n for n, (_, kind, _) in BROKEN.items()
                                         if kind is not FileKind.PYTHON))
def test_config_parser_failure_leaves_a_note(name: str) -> None:
    text, kind, words = BROKEN[name]
    file = Document(name, text)
    assert file.kind is kind
    assert file.config is None
    assert list(iter_entries(file)) == []
    assert any(words in note and name in note for note in file.notes), file.notes
    assert all("\n" not in note for note in file.notes)


@pytest.mark.parametrize("name", sorted(n for n, (_, kind, _) in BROKEN.items()
                                         if kind is FileKind.PYTHON))
def test_broken_or_deep_python_still_lowers(name: str) -> None:
    """tree-sitter recovers from syntax errors and NUL bytes; nesting past the code model's depth
    limit is cut (never a RecursionError) with one note."""
    text, kind, words = BROKEN[name]
    file = Document(name, text)
    assert file.kind is kind
    assert all("\n" not in note for note in file.notes)
    if max(len(line) for line in text.splitlines()) > 16_384:  # one giant line: text rules only
        assert file.code is None
        assert file.notes == [f"{name}: a line over 16384 characters; the code is not parsed, "
                              "only the text rules ran on it"]
        return
    assert file.code is not None
    deep = words == "nested too deeply"
    assert file.code.truncated is deep
    assert [n for n in file.notes if "nested too deeply" in n and name in n] == (
        [f"{name}: code nested too deeply; the innermost parts were not analysed"] if deep else [])


def test_broken_javascript_still_parses_to_a_tree() -> None:
    """tree-sitter recovers from errors; a 1 MB minified line parses without recursion."""
    from scanner.parsing.trees import parse

    tree = parse("javascript", ("var a=1;" * 120_000 + "function(){{{").encode())
    assert tree is not None and tree.root_node.has_error


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_every_rule_survives_broken_structured_files(name: str) -> None:
    """With every registered rule: no rule fails, and a secret planted after the damage is found."""
    text, kind, _ = BROKEN[name]
    value = hostile.secret_value(random.Random(name))
    planted = {
        FileKind.PYTHON: f'\nCLIENT_SECRET = "{value}"\n',
        FileKind.JSON: "",
        FileKind.YAML: f'\nclient_secret: "{value}"\n',
        FileKind.TOML: f'\nclient_secret = "{value}"\n',
    }[kind]
    body = text + planted
    file_rules = registry.instantiate(registry.RULES, {}, {})
    result = run_scan([sources.SourceFile(path=name, text=body)], file_rules, max_size=1 << 24)
    assert not [e for e in result.summary.errors if "failed" in e], result.summary.errors
    if planted:
        line = body.count("\n", 0, body.index(value)) + 1
        assert (name, line, _secret_rule(result.findings, name, line)) in {
            (f.path, f.line, f.rule) for f in result.findings}


def _secret_rule(findings: list[Finding], path: str, line: int) -> str:
    rules = sorted(f.rule for f in findings if f.path == path and f.line == line and f.rule.startswith("SH1"))
    return rules[0] if rules else "none"


def test_jwt_with_a_deeply_nested_header_fails_no_rule() -> None:
    """A JWT-shaped value whose header decodes to JSON nested 5,000 deep (json.loads recursion)."""
    import base64

    header = base64.urlsafe_b64encode(b'{"a":' + b"[" * 5000 + b"]" * 5000 + b"}").decode().rstrip("=")
    payload = base64.urlsafe_b64encode(b'{"sub":"x"}').decode().rstrip("=")
    token = f"{header}.{payload}.abcdefghijklmnopqrstuvwxyz012345"
    rules = registry.instantiate(registry.RULES, {}, {})
    result = run_scan([sources.SourceFile(path="a.py", text=f'TOKEN = "{token}"\n')], rules,
                         max_size=1 << 22)
    assert not [e for e in result.summary.errors if "failed" in e], result.summary.errors


def test_a_file_that_grows_while_read_is_read_to_its_end_or_the_limit(tmp_path: Path) -> None:
    """read_file_bytes reads a regular file in one call sized from fstat; a file that grew
    after fstat is read on to its end (or the size limit)."""
    from scanner.sources import _read_all

    target = tmp_path / "growing.txt"
    target.write_bytes(b"x" * 100)
    fd = os.open(target, os.O_RDONLY)
    try:
        assert _read_all(fd, 10, 1000) == b"x" * 100  # as if it had 10 bytes at fstat
    finally:
        os.close(fd)
    fd = os.open(target, os.O_RDONLY)
    try:
        assert len(_read_all(fd, 10, 50)) == 50  # never past the limit
    finally:
        os.close(fd)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    fd = os.open(empty, os.O_RDONLY)
    try:
        assert _read_all(fd, 0, 10) == b""
    finally:
        os.close(fd)
