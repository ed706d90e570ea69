"""Git edge cases against real temporary repositories: detached HEAD, shallow clones, empty
repositories, submodules, renames, copies, deletions, binary diffs, merges, odd path names,
core.quotepath, sub-directories, and git missing from PATH. Each asserts exact (path, line, rule)."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import main
from tests.reliability.hostile import secret_value

GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
           "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}
_RNG = random.Random(7)


def line(value: str) -> str:
    return f'CLIENT_SECRET = "{value}"\n'


def fresh() -> str:
    return secret_value(_RNG)


class Git:
    def __init__(self, root: Path, *, init: bool = True) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        if init:
            self("init", "-q", "-b", "main")

    def __call__(self, *args: str | bytes, cwd: Path | None = None) -> bytes:
        env = {**os.environ, **GIT_ENV, "HOME": str(self.root.parent)}
        done = subprocess.run(["git", *args], cwd=cwd or self.root, env=env, capture_output=True,
                              check=False)
        assert done.returncode == 0, (args, done.stderr.decode(errors="replace"))
        return done.stdout

    def write(self, path: str | bytes, text: str | bytes) -> None:
        target = os.path.join(os.fsencode(self.root), os.fsencode(path))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(text.encode() if isinstance(text, str) else text)

    def commit(self, message: str = "change") -> str:
        self("add", "-A")
        self("-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false",
             "commit", "-q", "--allow-empty", "-m", message)
        return self("rev-parse", "HEAD").decode().strip()


@pytest.fixture
def git(tmp_path: Path) -> Git:
    return Git(tmp_path / "repo")


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CLI's own git calls read no user or system config."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    yield


def run(cwd: Path, *args: str, files: tuple[str, ...] = ()) -> tuple[int, dict[str, Any]]:
    """The CLI in-process with JSON output; `files` go after `--`, so nothing there is an option."""
    out = cwd.parent / f"report-{os.getpid()}.json"
    if out.exists():
        out.unlink()
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        code = main([*args, "--format", "json", "--output", str(out), "--select", "SH101",
                     *(("--", *files) if files else ())])
    finally:
        os.chdir(previous)
    report = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    return code, report


def found(report: dict[str, Any]) -> set[tuple[str, int, str]]:
    assert not [e for e in report["summary"]["errors"] if "failed" in e], report["summary"]["errors"]
    return {(f["path"], f["line"], f["rule"]) for f in report["findings"]}


# -- repository shapes ------------------------------------------------------------------------


def test_detached_head(git: Git) -> None:
    git.write("a.py", "x = 1\n")
    first = git.commit()
    git.write("a.py", "x = 1\n" + line(fresh()))
    git.commit()
    git("checkout", "-q", "--detach", first)
    git.write("b.py", "y = 2\n" + line(fresh()))
    git("add", "b.py")
    assert found(run(git.root, "diff", "--staged")[1]) == {("b.py", 2, "SH101")}
    assert found(run(git.root, "hook", "b.py")[1]) == {("b.py", 2, "SH101")}
    assert found(run(git.root, "history")[1]) == set()  # HEAD is the first commit
    assert found(run(git.root, "history", "main")[1]) == {("a.py", 2, "SH101")}
    assert found(run(git.root, "diff", "HEAD..main")[1]) == {("a.py", 2, "SH101")}


def test_shallow_clone(git: Git, tmp_path: Path) -> None:
    git.write("old.py", line(fresh()))
    git.commit("old")
    git.write("new.py", "a = 1\n" + line(fresh()))
    git.commit("new")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{git.root}", str(clone)],
                   check=True, capture_output=True)
    # The shallow boundary commit adds every file it holds.
    assert found(run(clone, "history")[1]) == {("old.py", 1, "SH101"), ("new.py", 2, "SH101")}
    assert found(run(clone, "scan")[1]) == {("old.py", 1, "SH101"), ("new.py", 2, "SH101")}
    Git(clone, init=False).write("third.py", line(fresh()))
    Git(clone, init=False)("add", "third.py")
    assert found(run(clone, "diff", "--staged")[1]) == {("third.py", 1, "SH101")}
    code, report = run(clone, "diff", "HEAD~1...HEAD")
    assert code == 2 and report == {}  # no parent in a shallow clone: a one-line error, exit 2


def test_empty_repository(git: Git) -> None:
    for args in (("diff", "--staged"), ("history",), ("hook",), ("scan",)):
        code, report = run(git.root, *args)
        assert (code, found(report)) == (0, set()), args
    git.write("first.py", "a = 1\n" + line(fresh()))
    git("add", "first.py")
    assert found(run(git.root, "diff", "--staged")[1]) == {("first.py", 2, "SH101")}
    assert found(run(git.root, "hook", "first.py")[1]) == {("first.py", 2, "SH101")}
    assert found(run(git.root, "history")[1]) == set()


def test_submodule(git: Git, tmp_path: Path) -> None:
    inner = Git(tmp_path / "inner")
    inner.write("inner.py", line(fresh()))
    inner.commit()
    git.write("top.py", "x = 1\n")
    git.commit()
    git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner.root), "sub")
    git.write("top.py", "x = 1\n" + line(fresh()))
    git("add", "top.py")
    # The gitlink is staged too: its "blob" is a commit of another repository.
    assert found(run(git.root, "diff", "--staged")[1]) == {("top.py", 2, "SH101")}
    assert found(run(git.root, "hook", "top.py", "sub", ".gitmodules")[1]) == {("top.py", 2, "SH101")}
    git.commit("add submodule")
    assert found(run(git.root, "history")[1]) == {("top.py", 2, "SH101")}
    # A tree scan does not descend into submodules (like git grep without --recurse-submodules),
    # and says so, with --all-files too.
    for extra in ((), ("--all-files",)):
        report = run(git.root, "scan", "--no-cache", *extra)[1]
        assert found(report) == {("top.py", 2, "SH101")}
        assert "1 submodule (sub) not scanned (scan each one on its own)" in report["summary"]["errors"]


def test_renames_copies_deletions_and_binary(git: Git) -> None:
    kept, moved = fresh(), fresh()
    git.write("keep.py", "a = 1\n" + line(kept))
    git.write("move_me.py", "".join(f"v{i} = {i}\n" for i in range(20)) + line(moved))
    git.write("delete_me.py", line(fresh()))
    git.write("blob.bin", b"\x00\x01\x02" * 100)
    base = git.commit("base")
    git("mv", "move_me.py", "moved.py")
    with open(git.root / "moved.py", "a", encoding="utf-8") as handle:
        handle.write(line(fresh()))  # rename with an edit: only the new line counts
    shutil.copy(git.root / "keep.py", git.root / "copy.py")  # a copy is a new file
    (git.root / "delete_me.py").unlink()
    git.write("blob.bin", b"\x00" + line(fresh()).encode() + b"\x00")  # binary diff
    git("add", "-A")
    expected = {("moved.py", 22, "SH101"), ("copy.py", 2, "SH101")}
    assert found(run(git.root, "diff", "--staged")[1]) == expected
    git.commit("rename, copy, delete, binary")
    assert found(run(git.root, "diff", f"{base}..HEAD")[1]) == expected
    assert found(run(git.root, "diff", f"{base}...HEAD")[1]) == expected
    code, report = run(git.root, "history")
    assert code == 1
    assert found(report) == {("keep.py", 2, "SH101"), ("move_me.py", 21, "SH101"),
                             ("delete_me.py", 1, "SH101"), ("moved.py", 22, "SH101"),
                             ("copy.py", 2, "SH101")}


def test_merge_commits_in_history(git: Git) -> None:
    git.write("base.py", "x = 1\n")
    git.commit("base")
    git("checkout", "-q", "-b", "feature")
    git.write("feature.py", "y = 1\n" + line(fresh()))
    feature = git.commit("feature")
    git("checkout", "-q", "main")
    git.write("main.py", line(fresh()))
    main_commit = git.commit("main")
    git("-c", "user.name=t", "-c", "user.email=t@t", "merge", "-q", "--no-ff", "-m", "merge", "feature")
    code, report = run(git.root, "history")
    assert code == 1
    assert found(report) == {("feature.py", 2, "SH101"), ("main.py", 1, "SH101")}
    commits = {f["path"]: f["commit"] for f in report["findings"]}
    assert commits == {"feature.py": feature, "main.py": main_commit}
    assert found(run(git.root, "diff", "main~1...HEAD")[1]) == {("feature.py", 2, "SH101")}


# -- path names -------------------------------------------------------------------------------

ODD_NAMES = {
    "with space.py": "with space.py",
    'with "quotes".py': 'with "quotes".py',
    "new\nline.py": "new\nline.py",
    "tab\there.py": "tab\there.py",
    "back\\slash.py": "back\\slash.py",
    "ünïcödé/名前.py": "ünïcödé/名前.py",
    "dir with space/a b.py": "dir with space/a b.py",
}
NON_UTF8 = b"caf\xe9.py"
NON_UTF8_SHOWN = "caf\ufffd.py"


@pytest.mark.parametrize("quotepath", ["true", "false"])
def test_odd_path_names_in_every_mode(git: Git, quotepath: str) -> None:
    git("config", "core.quotepath", quotepath)
    git.write("seed.py", "x = 1\n")
    base = git.commit("seed")
    for name in ODD_NAMES:
        git.write(name, "a = 1\n" + line(fresh()))
    git.write(NON_UTF8, "a = 1\n" + line(fresh()))
    git("add", "-A")
    expected = {(shown, 2, "SH101") for shown in ODD_NAMES.values()} | {(NON_UTF8_SHOWN, 2, "SH101")}
    assert found(run(git.root, "diff", "--staged")[1]) == expected
    assert found(run(git.root, "hook", *ODD_NAMES, os.fsdecode(NON_UTF8))[1]) == expected
    assert found(run(git.root, "scan")[1]) == expected
    git.commit("odd names")
    assert found(run(git.root, "diff", f"{base}..HEAD")[1]) == expected
    assert found(run(git.root, "history")[1]) == expected


# -- where the command runs from --------------------------------------------------------------


def test_commands_from_a_subdirectory(git: Git) -> None:
    git.write("top.py", line(fresh()))
    git.write("pkg/inner/mod.py", "a = 1\n" + line(fresh()))
    git.commit()
    sub = git.root / "pkg"
    # scan: paths relative to the repository root too (issue 16 item 2), only the subdirectory's.
    assert found(run(sub, "scan")[1]) == {("pkg/inner/mod.py", 2, "SH101")}
    git.write("pkg/inner/new.py", "b = 2\n" + line(fresh()))
    git("add", "-A")
    # diff and hook: paths relative to the repository root, hook arguments relative to the cwd.
    assert found(run(sub, "diff", "--staged")[1]) == {("pkg/inner/new.py", 2, "SH101")}
    assert found(run(sub, "hook", "inner/new.py")[1]) == {("pkg/inner/new.py", 2, "SH101")}
    assert found(run(sub / "inner", "history")[1]) == {("top.py", 1, "SH101"),
                                                        ("pkg/inner/mod.py", 2, "SH101")}


def test_repository_inside_a_plain_directory(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    nested = Git(outer / "nested")
    nested.write("n.py", line(fresh()))
    nested.commit()
    (outer / "loose.py").write_text("x = 1\n" + line(fresh()), encoding="utf-8")
    # Scanning the plain parent walks it (the nested .git directory is skipped, its files are not).
    assert found(run(outer, "scan")[1]) == {("loose.py", 2, "SH101"), ("nested/n.py", 1, "SH101")}
    code, report = run(outer, "diff", "--staged")
    assert code == 2 and report == {}


# -- git missing --------------------------------------------------------------------------------


def test_git_missing_from_path(git: Git, tmp_path: Path) -> None:
    git.write("a.py", "x = 1\n" + line(fresh()))
    git.commit()
    no_git = tmp_path / "bin-without-git"
    no_git.mkdir()
    env = {**os.environ, "PATH": str(no_git), "NO_COLOR": "1"}
    for args in (["diff", "--staged"], ["history"], ["diff", "main"]):
        done = subprocess.run([sys.executable, "-m", "scanner.cli", *args], cwd=git.root, env=env,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.splitlines() == ["secret-hygiene: error: git is not installed or not on PATH"], args
    out = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "scanner.cli", "scan", "--select", "SH101",
                           "--format", "json", "-o", str(out)], cwd=git.root, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {(f["path"], f["line"], f["rule"]) for f in report["findings"]} == {("a.py", 2, "SH101")}
    assert any("git not found" in e for e in report["summary"]["errors"])
    # The hook still scans the named files when git is missing (no staged view: whole files).
    done = subprocess.run([sys.executable, "-m", "scanner.cli", "hook", "a.py", "--select", "SH101",
                           "--format", "json", "-o", str(out)], cwd=git.root, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
