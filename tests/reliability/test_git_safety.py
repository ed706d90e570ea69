"""A scanned repository is hostile: its config, attributes and file names, and the user's git
config, must not run a command, become an option, hide an added line, fetch, or change results.

Every test runs the CLI on a real temporary repository. Also here: forked workers die with their
parent, and what a tree scan skips (nested repositories, unreadable directories; submodules in
test_git_edges.py) is named in a note."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import main
from scanner.sources import parse_patch

# `_home`: the git edge-case tests' HOME and git environment for every test here (the user's
# global git config is a file of the test, which some tests write).
from tests.reliability.test_git_edges import Git, _home, fresh, line, run  # noqa: F401
from tests.workflow.helpers import git_env


@pytest.fixture
def git(tmp_path: Path) -> Git:
    return Git(tmp_path / "repo")


def found(report: dict[str, Any]) -> set[tuple[str, int, str]]:
    return {(f["path"], f["line"], f["rule"]) for f in report["findings"]}


def notes(report: dict[str, Any]) -> list[str]:
    return list(report["summary"]["errors"])


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("secret-hygiene") and "error:" in lines[0], lines
    return lines[0]


# -- file names and revisions never become options ------------------------------------------


def test_hook_reads_every_argument_after_double_dash_as_a_file(
        git: Git, capsys: pytest.CaptureFixture[str]) -> None:
    secret = fresh()
    git.write("settings.py", "x = 1\n")
    git.write("victim.txt", "keep me\n")
    git.commit("seed")
    git.write("settings.py", "x = 1\n" + line(secret))
    git.write("--ignore=secret", line(fresh()))
    git.write("--output=victim.txt", "y = 2\n")
    git("add", "--", ".")
    code, report = run(git.root, "hook",
                       files=("--ignore=secret", "--output=victim.txt", "settings.py"))
    assert code == 1
    assert found(report) == {("settings.py", 2, "SH101"), ("--ignore=secret", 1, "SH101")}
    assert (git.root / "victim.txt").read_text(encoding="utf-8") == "keep me\n"
    # pre-commit puts a hook's `args` after our entry's `--`: an option there must fail loudly,
    # not be scanned as a missing file while the option silently does nothing.
    code, report = run(git.root, "hook", files=("--fail-on=high", "settings.py"))
    assert (code, report) == (2, {})
    message = one_error_line(capsys)
    assert "--fail-on=high" in message and "entry" in message


def test_revision_arguments_are_never_options(git: Git, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """`history -- --output=FILE` once made git write the whole patch, secrets in clear, to FILE."""
    secret = fresh()
    git.write("a.py", line(secret))
    git.commit()
    leak = tmp_path / "leak.txt"
    for command in ("history", "diff"):
        previous = Path.cwd()
        os.chdir(git.root)
        try:
            code = main([command, "--", f"--output={leak}"])
        finally:
            os.chdir(previous)
        assert code == 2, command
        assert not leak.exists(), command
        assert "cannot start with '-'" in one_error_line(capsys)


def test_git_errors_are_one_readable_line(git: Git, capsys: pytest.CaptureFixture[str]) -> None:
    git.write("a.py", "x = 1\n")
    git.commit()
    for args in (("history", "nope"), ("diff", "nope..HEAD"), ("diff", "HEAD...nope"),
                 ("diff", "nope")):
        code, report = run(git.root, *args)
        assert (code, report) == (2, {}), args
        message = one_error_line(capsys)
        assert "nope" in message and "unknown revision" in message, (args, message)
        assert "usage" not in message.lower() and "exit 1" not in message, (args, message)


# -- attributes do not hide added lines ---------------------------------------------------------


def _attributes_repo(git: Git) -> tuple[str, set[tuple[str, int, str]]]:
    """A repository whose lock files are `binary` and minified JS `-diff`, with secrets staged
    in both and a real binary file beside them."""
    git.write(".gitattributes", "*.lock binary\n*.min.js -diff\n*.bin binary\n")
    git.write("deps.lock", "a = 1\n")
    base = git.commit("seed")
    git.write("deps.lock", "a = 1\n" + line(fresh()))
    git.write("app.min.js", line(fresh()))
    git.write("image.bin", b"\x89PNG\0\0\0" + line(fresh()).encode() + b"\0\xff")
    git("add", "-A")
    return base, {("deps.lock", 2, "SH101"), ("app.min.js", 1, "SH101")}


def test_binary_attributes_do_not_hide_added_lines(git: Git) -> None:
    base, expected = _attributes_repo(git)
    code, report = run(git.root, "diff", "--staged")
    assert (code, found(report)) == (1, expected)
    assert not [n for n in notes(report) if "image.bin" in n]  # not named: skipped silently
    code, report = run(git.root, "hook", files=("deps.lock", "app.min.js", "image.bin"))
    assert (code, found(report)) == (1, expected)
    assert "image.bin: binary file, skipped" in notes(report)  # named: a note
    git.commit("add")
    for args in (("diff", f"{base}..HEAD"), ("diff", base), ("history",)):
        code, report = run(git.root, *args)
        assert (code, found(report)) == (1, expected), args


def test_native_pre_commit_hook_sees_lines_behind_binary_attributes(git: Git) -> None:
    _attributes_repo(git)
    previous = Path.cwd()
    os.chdir(git.root)
    try:
        assert main(["install-hook"]) == 0
    finally:
        os.chdir(previous)
    done = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-m", "x"],
                          cwd=git.root, env={**git_env(), "NO_COLOR": "1"}, capture_output=True,
                          text=True, check=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "deps.lock:2:" in output and "app.min.js:1:" in output, output


# -- nothing the repository configures runs -----------------------------------------------------


def test_repository_config_runs_no_command(git: Git, tmp_path: Path) -> None:
    """fsmonitor, textconv, an external diff driver, a clean/smudge filter, gpg for signatures
    and hooks: each is a program the scanned repository names; none may run."""
    marker = tmp_path / "ran.txt"
    program = tmp_path / "evil.sh"
    program.write_text(f'#!/bin/sh\necho "$0 $*" >> "{marker}"\nexit 1\n', encoding="utf-8")
    program.chmod(0o755)
    git.write(".gitattributes", "*.py diff=evil filter=evil\n")
    git.write("a.py", "x = 1\n")
    git.commit("seed")
    for key, value in (("core.fsmonitor", str(program)), ("diff.evil.textconv", str(program)),
                       ("diff.evil.command", str(program)), ("diff.external", str(program)),
                       ("filter.evil.clean", str(program)), ("filter.evil.smudge", str(program)),
                       ("log.showSignature", "true"), ("gpg.program", str(program)),
                       ("core.hooksPath", str(tmp_path / "hooks"))):
        git("config", key, value)
    (tmp_path / "hooks").mkdir()
    for hook in ("post-index-change", "post-checkout", "pre-commit"):
        shutil.copy(program, tmp_path / "hooks" / hook)
    with open(git.root / "a.py", "a", encoding="utf-8") as handle:
        handle.write(line(fresh()))
    git("-c", "core.fsmonitor=false", "-c", "filter.evil.clean=cat", "add", "a.py")
    (git.root / "untracked.py").write_text("y = 2\n", encoding="utf-8")
    marker.unlink(missing_ok=True)
    for args in (("scan",), ("scan", "--all-files"), ("diff", "--staged"), ("history",),
                 ("diff", "HEAD~0..HEAD")):
        run(git.root, *args)
    run(git.root, "hook", files=("a.py", "untracked.py"))
    assert not marker.exists(), marker.read_text(encoding="utf-8")


# Each changed what git printed for us (a path `i/app.py`, a hunk fused over a kept line, no
# root commit); the last case sets them together with others a user may well have.
USER_SETTINGS = {
    "mnemonic-prefix": "[diff]\n\tmnemonicPrefix = true\n",
    "inter-hunk-context": "[diff]\n\tinterHunkContext = 5\n",
    "no-root": "[log]\n\tshowRoot = false\n",
    "all": "[diff]\n\tmnemonicPrefix = true\n\tnoprefix = true\n\tinterHunkContext = 5\n"
           "\trelative = true\n\tsuppressBlankEmpty = true\n\talgorithm = patience\n"
           "\trenames = copies\n\texternal = false\n[log]\n\tshowRoot = false\n"
           "\tshowSignature = true\n[color]\n\tui = always\n\tdiff = always\n"
           "[core]\n\tquotepath = true\n",
}


@pytest.mark.parametrize("settings", sorted(USER_SETTINGS))
def test_user_git_config_does_not_change_results(git: Git, tmp_path: Path, settings: str) -> None:
    """Prefixes, root commits, colour, fused hunks: settings a user may well have."""
    kept = fresh()
    git.write("first.py", line(fresh()))
    git.write("app.py", "a = 1\n" + line(kept) + "c = 3\n")
    base = git.commit("root")
    git.write("app.py", "a = 10\n" + line(kept) + "c = 30\n")  # lines 1 and 3: one apart
    git.commit("edit around a kept line")
    git.write("app.py", "a = 10\n" + line(kept) + "c = 30\n" + line(fresh()))
    git.write("dir/ü.py", line(fresh()))
    git("add", "-A")
    (tmp_path / ".gitconfig").write_text(USER_SETTINGS[settings], encoding="utf-8")
    staged = {("app.py", 4, "SH101"), ("dir/ü.py", 1, "SH101")}
    assert found(run(git.root, "diff", "--staged")[1]) == staged
    assert found(run(git.root, "hook", files=("app.py", "dir/ü.py"))[1]) == staged
    assert found(run(git.root, "diff", f"{base}..HEAD")[1]) == set()  # line 2 was kept
    assert found(run(git.root, "history")[1]) == {("first.py", 1, "SH101"), ("app.py", 2, "SH101")}


# -- partial clones are never fetched from -----------------------------------------------------


def partial_clone(tmp_path: Path) -> tuple[Path, Git, dict[str, str]]:
    """A blob-less clone (`--filter=blob:none`) of a local bare repository: old versions of
    `old.py` (two secrets) are missing; HEAD's files are present. Returns the clone, the source
    repository and the secrets by name. No network: the remote is a local path."""
    source = Git(tmp_path / "source")
    secrets = {name: fresh() for name in ("first", "second", "new")}
    source.write("old.py", line(secrets["first"]))
    source.commit("one")
    source.write("old.py", "x = 1\n")
    source.commit("two")
    source.write("old.py", line(secrets["second"]) + "x = 1\n")
    source.commit("three")
    source.write("old.py", "y = 2\n")
    source.write("new.py", "z = 3\n" + line(secrets["new"]))
    source.commit("four")
    bare = tmp_path / "origin.git"
    source("clone", "-q", "--bare", str(source.root), str(bare))
    source("config", "uploadpack.allowFilter", "true", cwd=bare)
    clone = tmp_path / "clone"
    # The clone itself fetches HEAD's blobs through the lazy-fetch path the suite refuses.
    env = {key: value for key, value in os.environ.items()
           if key not in ("GIT_NO_LAZY_FETCH", "GIT_ALLOW_PROTOCOL")}
    subprocess.run(["git", "clone", "-q", "--filter=blob:none", "--no-local", f"file://{bare}",
                    str(clone)], env=env, check=True, capture_output=True)
    return clone, source, secrets


def missing_objects(clone: Path) -> set[str]:
    out = subprocess.run(["git", "rev-list", "--objects", "--missing=print", "--all"], cwd=clone,
                         capture_output=True, text=True, check=True).stdout
    return {row[1:] for row in out.splitlines() if row.startswith("?")}


def test_partial_clone_is_never_fetched_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clone, _, _ = partial_clone(tmp_path)
    missing = missing_objects(clone)
    assert len(missing) == 3  # old.py in commits one, two and three
    # The tool must refuse on its own, not because the test suite's environment does.
    monkeypatch.delenv("GIT_NO_LAZY_FETCH", raising=False)
    monkeypatch.delenv("GIT_ALLOW_PROTOCOL", raising=False)
    code, report = run(clone, "history")
    assert (code, found(report)) == (1, {("new.py", 2, "SH101")})
    assert [n for n in notes(report) if n.startswith("partial clone")] == [
        "partial clone: 4 changed files not scanned: 3 blobs not present locally, and "
        "secret-hygiene never fetches (a full clone has them)"]
    code, report = run(clone, "diff", "HEAD~1..HEAD")  # old.py's old side is missing
    assert (code, found(report)) == (1, {("new.py", 2, "SH101")})
    assert any(n.startswith("partial clone: 1 changed file not scanned") for n in notes(report))
    assert missing_objects(clone) == missing


# -- the patch is streamed, never held whole ---------------------------------------------------


def test_parse_patch_holds_no_oversized_file() -> None:
    """80 MB of added lines in 1 MB blocks, with a 1 MB limit: the file is dropped as it
    streams by, and memory never holds more than a few blocks."""
    head = b"\x01" + b"c" * 40 + b"\ndiff --git a/big.txt b/big.txt\nnew file mode 100644\n" \
        b"index " + b"0" * 40 + b".." + b"1" * 40 + b"\n--- /dev/null\n+++ b/big.txt\n"
    rows = 80 * 1024 * 1024 // 32
    block_rows = (1 << 20) // 32

    def blocks() -> Iterator[bytes]:
        yield head + b"@@ -0,0 +1,%d @@\n" % rows
        row = b"+" + b"s" * 30 + b"\n"
        for _ in range(rows // block_rows):
            yield row * block_rows
        yield b"diff --git a/small.txt b/small.txt\nnew file mode 100644\nindex " + b"0" * 40 \
            + b".." + b"2" * 40 + b"\n--- /dev/null\n+++ b/small.txt\n@@ -0,0 +1 @@\n+tail\n"

    tracemalloc.start()
    try:
        items = [(p.path, p.oversized, len(p.added), p.added_text) for p in
                 parse_patch(blocks(), max_size=1 << 20)]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert items == [("big.txt", True, 0, []), ("small.txt", False, 1, [b"+tail\n"])]
    assert peak < 8 << 20, peak


def test_oversized_staged_file_is_skipped_without_holding_it(git: Git) -> None:
    git.write("seed.py", "x = 1\n")
    git.commit("seed")
    with open(git.root / "big.txt", "wb") as handle:
        handle.write(b"value = 'ordinary text on a line of a generated file'\n" * 400_000)
    git.write("small.py", line(fresh()))
    (git.root / "pyproject.toml").write_text('[tool.secret-hygiene]\nmax-file-size = "1MiB"\n',
                                            encoding="utf-8")
    git("add", "-A")
    tracemalloc.start()
    try:
        code, report = run(git.root, "diff", "--staged")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (code, found(report)) == (1, {("small.py", 1, "SH101")})
    assert [n for n in notes(report) if n.startswith("big.txt")] == [
        f"big.txt: blob {git('rev-parse', ':big.txt').decode()[:12]} is over max-file-size, skipped"]
    assert peak < 12 << 20, peak  # the file is 22 MB


# -- a diff that changes the scanner's own configuration ----------------------------------------


def _pull_request(git: Git) -> tuple[str, str]:
    """main has a config; the branch adds a secret and, in the same change, excludes its file."""
    git.write("pyproject.toml", '[project]\nname = "x"\n\n[tool.secret-hygiene]\nselect = ["SH1"]\n')
    git.write("app.py", "x = 1\n")
    base = git.commit("main")
    secret = fresh()
    git.write("vendor/keys.py", line(secret))
    git.write("pyproject.toml", '[project]\nname = "x"\n\n[tool.secret-hygiene]\nselect = ["SH1"]\n'
                                'exclude = ["vendor/"]\n')
    return base, git.commit("add a key and hide it")


def test_a_diff_that_changes_the_config_gets_a_note(git: Git, tmp_path: Path) -> None:
    base, _ = _pull_request(git)
    code, report = run(git.root, "diff", f"{base}...HEAD")
    assert (code, found(report)) == (0, set())  # the pull request's own config hides it ...
    config_notes = [n for n in notes(report) if "configuration" in n]
    assert config_notes == [  # ... but says so
        "this diff changes the scanner's own configuration (pyproject.toml), which decides what "
        "it reports; in CI, pass --config from outside the checkout and --no-baseline"]
    # A config kept outside the checkout is the one used ...
    outside = tmp_path / "ci" / "secret-hygiene.toml"
    outside.parent.mkdir()
    outside.write_text('select = ["SH1"]\n', encoding="utf-8")
    code, report = run(git.root, "diff", f"{base}...HEAD", "--config", str(outside))
    assert (code, found(report)) == (1, {("vendor/keys.py", 1, "SH101")})
    assert not [n for n in notes(report) if "configuration" in n]
    # ... and a path in it is relative to the repository, not to the config's directory.
    accepted = {"findings": [{"fingerprint": f["fingerprint"]} for f in report["findings"]]}
    git.write("accepted.json", json.dumps(accepted))
    outside.write_text('select = ["SH1"]\nbaseline = "accepted.json"\n', encoding="utf-8")
    code, report = run(git.root, "diff", f"{base}...HEAD", "--config", str(outside))
    assert (code, found(report), report["summary"]["suppressed"]) == (0, set(), 1)


def test_staged_config_and_baseline_changes_get_a_note(git: Git) -> None:
    git.write("pyproject.toml", '[project]\nname = "x"\n')
    git.write("app.py", "x = 1\n")
    git.commit("seed")
    git.write("pyproject.toml", '[project]\nname = "y"\n')  # not our table: no note
    git("add", "-A")
    assert not [n for n in notes(run(git.root, "diff", "--staged")[1]) if "configuration" in n]
    git.write(".secret-hygiene-baseline.json", '{"findings": []}\n')
    git.write(".secret-hygiene.toml", 'exclude = ["x.py"]\n')
    git("add", "-A")
    for args, files in ((("diff", "--staged"), ()), (("hook",), ("app.py",))):
        message = [n for n in notes(run(git.root, *args, files=files)[1]) if "configuration" in n]
        assert len(message) == 1 and \
            "(.secret-hygiene-baseline.json, .secret-hygiene.toml)" in message[0], args


# -- workers die with their parent ---------------------------------------------------------------

_STUCK_SCAN = """
import sys, time
from scanner.engine import pool
pool.PARALLEL_MIN_FILES = 1
def stuck(*args, **kwargs):
    time.sleep(3600)
pool.scan_source = stuck
from scanner.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _children(parent: int) -> set[int]:
    found_pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == parent:
                found_pids.add(int(entry))
    return found_pids


def _python_children(parent: int) -> set[int]:
    python = Path(sys.executable).resolve()
    workers = set()
    for pid in _children(parent):
        try:
            if Path(os.readlink(f"/proc/{pid}/exe")).resolve() == python:
                workers.add(pid)
        except OSError:
            continue  # gone meanwhile
    return workers


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; PDEATHSIG is Linux")
@pytest.mark.parametrize("signal_number", [signal.SIGKILL, signal.SIGTERM])
@pytest.mark.parametrize("command", ["scan", "history"])
def test_workers_die_with_their_parent(git: Git, command: str, signal_number: int) -> None:
    for index in range(300):  # keywords, so that history hands every file to the workers
        git.write(f"pkg/m{index}.py", f'api_token_{index} = os.environ["TOKEN_{index}"]\n')
    git.commit("many files")
    args = [command, "--jobs", "2"] + (["--no-cache"] if command == "scan" else [])
    parent = subprocess.Popen([sys.executable, "-c", _STUCK_SCAN, *args], cwd=git.root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        workers: set[int] = set()
        for _ in range(600):  # the workers are forked once the files are listed
            if _python_children(parent.pid):
                break
            time.sleep(0.1)
        time.sleep(0.5)  # a git child is python only until it execs; a worker stays (stuck)
        workers = _python_children(parent.pid)
        assert workers, "no worker started"
        os.kill(parent.pid, signal_number)
        parent.wait()
        for _ in range(600):
            if not any(_alive(pid) for pid in workers):
                break
            time.sleep(0.1)
        survivors = [pid for pid in workers if _alive(pid)]
    finally:
        for pid in _children(parent.pid) | workers:
            if _alive(pid):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()
    assert not survivors


# -- what a tree scan skips is named ---------------------------------------------------------------


def test_nested_repositories_get_a_note(git: Git) -> None:
    """An untracked repository inside the work tree is not scanned (git lists it as `dir/`)."""
    git.write("top.py", "x = 1\n")
    git.commit()
    nested = Git(git.root / "vendor" / "nested")
    nested.write("n.py", line(fresh()))
    nested.commit()
    for extra in ((), ("--all-files",)):
        code, report = run(git.root, "scan", "--no-cache", *extra)
        assert (code, found(report)) == (0, set()), extra
        assert "1 nested git repository (vendor/nested/) not scanned (scan each one on its own)" \
            in notes(report), extra


def test_unreadable_directories_get_a_note_in_a_walk(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    tree = tmp_path / "plain"
    (tree / "locked" / "deep").mkdir(parents=True)
    (tree / "locked" / "deep" / "hidden.py").write_text(line(fresh()), encoding="utf-8")
    (tree / "open.py").write_text(line(fresh()), encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, report = run(tree, "scan", "--no-cache")
    assert (code, found(report)) == (1, {("open.py", 1, "SH101")})
    assert "locked/: cannot read directory (Permission denied), skipped" in notes(report)


def test_unreadable_directories_get_a_note_in_a_git_work_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """git lists the work tree; a directory it cannot open is a warning on its stderr. As root
    (who can read anything), git runs as `nobody` through a wrapper first on PATH."""
    scratch = Path(tempfile.mkdtemp(prefix="unreadable-"))
    try:
        scratch.chmod(0o755)
        repo = Git(scratch / "repo")
        repo.write("open.py", line(fresh()))
        repo.write("locked/hidden.py", line(fresh()))
        repo.write("locked/more/deeper.py", "x = 1\n")
        (repo.root / "locked").chmod(0)
        if os.geteuid() == 0:
            setpriv, real_git = shutil.which("setpriv"), shutil.which("git")
            assert setpriv and real_git, "needs setpriv to drop root privileges"
            home = scratch / "home"
            home.mkdir(mode=0o755)
            (home / ".gitconfig").write_text("[safe]\n\tdirectory = *\n", encoding="utf-8")
            wrapper = scratch / "bin" / "git"
            wrapper.parent.mkdir(mode=0o755)
            wrapper.write_text(f'#!/bin/sh\nHOME="{home}" exec {setpriv} --reuid=65534 '
                               f'--regid=65534 --clear-groups {real_git} "$@"\n', encoding="utf-8")
            wrapper.chmod(0o755)
            monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
        code, report = run(repo.root, "scan", "--no-cache")
        assert (code, found(report)) == (1, {("open.py", 1, "SH101")})
        assert "locked/: cannot read directory (Permission denied), skipped" in notes(report)
    finally:
        for directory, _, _ in os.walk(scratch):
            os.chmod(directory, stat.S_IRWXU)
        (scratch / "repo" / "locked").chmod(stat.S_IRWXU)
        shutil.rmtree(scratch)
