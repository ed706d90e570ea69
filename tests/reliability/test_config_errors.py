"""Configuration and baseline mistakes: exit 2 and exactly one stderr line naming the file and
the key, never a traceback. Every case runs through `scanner.cli.main` in-process (fast; an
exception would fail the test); a sample also runs the real command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import main
from scanner.rules.registry import FAMILY_SECTIONS

CONFIG = ".secret-hygiene.toml"

# name -> (config text, words the one line must hold besides the file name)
CONFIG_CASES: dict[str, tuple[str, tuple[str, ...]]] = {
    "unknown-key": ('colour = "red"\n', ("colour", "unknown key")),
    "select-wrong-type": ("select = 5\n", ("select", "list of strings")),
    "select-unknown-rule": ('select = ["SH999"]\n', ("select", "SH999")),
    "ignore-list-of-ints": ("ignore = [1, 2]\n", ("ignore",)),
    "exclude-bad-range": ('exclude = ["[z-a]"]\n', ("exclude", "bad pattern")),
    "exclude-trailing-backslash": ('exclude = ["a\\\\"]\n', ("exclude", "bad pattern")),
    "per-file-ignores-not-table": ('per-file-ignores = ["x"]\n', ("per-file-ignores",)),
    "per-file-ignores-bad-glob": ('[per-file-ignores]\n"[z-a]" = ["SH101"]\n', ("per-file-ignores.[z-a]",)),
    "per-file-ignores-unknown-rule": ('[per-file-ignores]\n"*.py" = ["SH999"]\n', ("per-file-ignores.*.py", "SH999")),
    "max-file-size-words": ('max-file-size = "huge"\n', ("max-file-size",)),
    "max-file-size-negative": ("max-file-size = -1\n", ("max-file-size",)),
    "max-file-size-bool": ("max-file-size = true\n", ("max-file-size",)),
    "severity-unknown-rule": ('[severity]\nSH999 = "high"\n', ("severity.SH999", "unknown rule")),
    "severity-bad-level": ('[severity]\nSH101 = "critical"\n', ("severity.SH101", "critical")),
    "severity-not-table": ('severity = "high"\n', ("severity",)),
    "fail-on-bad-level": ('fail-on = "critical"\n', ("fail-on",)),
    "fail-on-wrong-type": ("fail-on = 3\n", ("fail-on",)),
    "baseline-wrong-type": ("baseline = 3\n", ("baseline",)),
    "family-not-table": ('secrets = "x"\n', ("secrets", "table")),
    "family-unknown-option": ("[secrets]\nno-such-option = 1\n", ("secrets.no-such-option", "unknown key")),
    "invalid-toml": ('select = ["SH101"\n', ("invalid TOML",)),
    "deeply-nested-toml": ("x = " + "[" * 5000 + "]" * 5000 + "\n", ("TOML",)),
    "not-utf8": ("select = ['\udcff']\n", ("TOML",)),
}


def _wrong_value(expected: object) -> str:
    """A TOML value of a type the option does not accept."""
    types = expected if isinstance(expected, tuple) else (expected,)
    for candidate, kind in (('"text"', str), ("12", int), ("[1]", list), ("{ a = 1 }", dict),
                            ("true", bool)):
        if not any(t is kind or (kind is bool and t is int) for t in types):
            return candidate
    return "2026-11-22T00:00:00Z"


for _section, _family in FAMILY_SECTIONS.items():
    for _key, _expected in getattr(_family, "OPTIONS", {}).items():
        CONFIG_CASES[f"{_section}.{_key}-wrong-type"] = (
            f"[{_section}]\n{_key} = {_wrong_value(_expected)}\n", (f"{_section}.{_key}",))


def run_subprocess(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "scanner.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, errors="replace", timeout=120, check=False)


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """main() in-process from `cwd`, as (exit code, stdout, stderr) in a CompletedProcess."""

    def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)

    return run


def assert_one_line_error(done: subprocess.CompletedProcess[str], *words: str) -> None:
    lines = done.stderr.splitlines()
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "app.py").write_text("x = 1\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_config_error_is_one_line(project: Path, case: str, run_cli: Any) -> None:
    text, words = CONFIG_CASES[case]
    (project / CONFIG).write_bytes(text.encode("utf-8", "surrogateescape"))
    assert_one_line_error(run_cli(project, "scan", "."), CONFIG, *words)


def test_pyproject_table_error_names_pyproject(project: Path, run_cli: Any) -> None:
    (project / "pyproject.toml").write_text('[tool.secret-hygiene]\ncolour = "red"\n', encoding="utf-8")
    assert_one_line_error(run_cli(project, "scan", "."), "pyproject.toml", "colour")


def test_missing_config_file(project: Path, run_cli: Any) -> None:
    assert_one_line_error(run_cli(project, "scan", ".", "--config", "nope.toml"), "nope.toml", "not found")


def test_missing_baseline_file(project: Path, run_cli: Any) -> None:
    assert_one_line_error(run_cli(project, "scan", ".", "--baseline", "missing.json"),
                          "missing.json", "not found")


def test_missing_baseline_named_in_config(project: Path, run_cli: Any) -> None:
    (project / CONFIG).write_text('baseline = "gone.json"\n', encoding="utf-8")
    assert_one_line_error(run_cli(project, "scan", "."), "gone.json", "not found")


BASELINES = {
    "not-json": (b"this is { not json", ("not valid JSON",)),
    "wrong-shape": (b'{"version": 1, "findings": 5}', ("findings",)),
    "entry-without-fingerprint": (b'{"version": 1, "findings": [{"rule": "SH101"}]}', ("findings",)),
    "list-document": (b"[1, 2, 3]", ("findings",)),
    "deeply-nested": (b'{"findings": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", ("JSON",)),
    "binary": (b"\x00\xff\xfe\x89PNG", ("JSON",)),
    "empty": (b"", ("JSON",)),
}


@pytest.mark.parametrize("case", sorted(BASELINES))
def test_corrupt_baseline_is_one_line(project: Path, case: str, run_cli: Any) -> None:
    data, words = BASELINES[case]
    (project / "base.json").write_bytes(data)
    assert_one_line_error(run_cli(project, "scan", ".", "--baseline", "base.json"), "base.json", *words)


def test_corrupt_default_baseline_is_one_line(project: Path, run_cli: Any) -> None:
    (project / ".secret-hygiene-baseline.json").write_bytes(b"{oops")
    assert_one_line_error(run_cli(project, "scan", "."), ".secret-hygiene-baseline.json", "JSON")


def test_config_errors_in_git_modes_too(project: Path, run_cli: Any) -> None:
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / CONFIG).write_text('colour = "red"\n', encoding="utf-8")
    for args in (("diff", "--staged"), ("hook", "app.py"), ("history",)):
        assert_one_line_error(run_cli(project, *args), CONFIG, "colour")


@pytest.mark.parametrize(("config", "baseline", "words"), [
    ('colour = "red"\n', None, (CONFIG, "colour")),
    ('exclude = ["[z-a]"]\n', None, (CONFIG, "exclude")),
    ("", b"{oops", ("base.json", "JSON")),
    ("", None, ("missing.json", "not found")),
], ids=["unknown-key", "bad-glob", "corrupt-baseline", "missing-baseline"])
def test_real_command_prints_one_line(project: Path, config: str, baseline: bytes | None,
                                      words: tuple[str, ...]) -> None:
    """The installed entry point (`python -m scanner.cli`), stderr as a user sees it."""
    (project / CONFIG).write_text(config, encoding="utf-8")
    args = ["scan", "."]
    if baseline is not None:
        (project / "base.json").write_bytes(baseline)
        args += ["--baseline", "base.json"]
    elif "missing.json" in words:
        args += ["--baseline", "missing.json"]
    assert_one_line_error(run_subprocess(project, *args), *words)
