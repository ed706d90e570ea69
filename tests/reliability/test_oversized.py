"""A file over max-file-size (a bundle, a source map) is read in overlapping windows: secrets in it
are found at their place in the file, whatever window they fall in, and memory stays a window."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner import sources
from scanner.cli import main

TOKEN = "ghp_" + "Xk3dM9pQ2LmX8vB7nR4tW1aZ5cE6" + "f9K2pQ7L"
UNIT = "function a(b){return b.map(function(c){return c+1})};"


def _scan(root: Path, *args: str) -> tuple[int, dict[str, object]]:
    (root / ".secret-hygiene.toml").write_text("max-file-size = 20000\n", encoding="utf-8")
    out = root.parent / "report.json"
    code = main(["scan", str(root), "--all-files", "--no-cache", "--no-baseline", "-j", "1",
                 "--format", "json", "--output", str(out), *args])
    return code, json.loads(out.read_text(encoding="utf-8"))


def _spans(report: dict[str, object]) -> set[tuple[str, int, int, str]]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return {(f["path"], f["line"], f["column"], f["rule"]) for f in findings}


@pytest.fixture(autouse=True)
def small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "WINDOW_BYTES", 4096)
    monkeypatch.setattr(sources, "WINDOW_OVERLAP", 256)


def test_tokens_in_a_one_line_bundle_are_found_in_every_window(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    (root / "static").mkdir(parents=True)
    plant = f'var t="{TOKEN}";'
    body = UNIT * 200  # 11 KB: the line spans several windows
    # The second plant straddles the first window's end (4,096 bytes in).
    first = 4096 - len(plant) // 2 - len('var t="')
    line = plant + body[:first - len(plant)] + plant + body + "é" * 3000 + plant + body + plant
    (root / "static" / "app.3f2a9c1b.js").write_text(line + "\n", encoding="utf-8")
    code, report = _scan(root)
    assert code == 1
    columns = [index + len('var t="') + 1 for index in _find_all(line, plant)]
    assert len(columns) == 4
    assert _spans(report) == {("static/app.3f2a9c1b.js", 1, column, "SH106") for column in columns}
    notes = report["summary"]["errors"]  # type: ignore[index]
    assert any("over max-file-size" in note and "read in windows" in note for note in notes)
    assert TOKEN not in json.dumps(report)


def test_line_numbers_count_across_windows(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    root.mkdir()
    lines = [f"x{n} = {n}" for n in range(3000)]
    lines[1500] = f'GITHUB_TOKEN = "{TOKEN}"'
    lines[2999] = f'token = "{TOKEN}"'
    (root / "dump.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, report = _scan(root)
    assert code == 1
    assert {(path, line) for path, line, _, _ in _spans(report)} == {("dump.txt", 1501),
                                                                    ("dump.txt", 3000)}


def test_an_oversized_binary_file_is_skipped_as_binary(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    root.mkdir()
    (root / "blob.bin").write_bytes(b"\0\1\2" * 20000 + TOKEN.encode())
    code, report = _scan(root)
    assert code == 0 and _spans(report) == set()


def _find_all(text: str, part: str) -> list[int]:
    found, start = [], text.find(part)
    while start != -1:
        found.append(start)
        start = text.find(part, start + 1)
    return found
