"""Files we write and files we read by name, in a repository that is hostile: it commits links
and odd files under the names we write, and its config points at any path.

Every write goes to a new file renamed over the target: a link committed under the name of the
baseline, the report, the results cache (or a directory on the way) is refused or, for the
cache, turns the cache off with a note; nothing outside the repository is written, created or
deleted. A FIFO or device named by config is a one-line error, never a hang; a detect-secrets
baseline cannot make us read files outside the tree; a full disk leaves the old file whole."""

from __future__ import annotations

import errno
import io
import json
import os
import pathlib
import resource
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import scanner.cli
from scanner.cli import main
from scanner.install_hook import MARKER, installed_script
from tests.gitrepo import Repo

SECRET = "9f3KpQ2LmX8vRt6Wz1Yb4Nc7Hd0Js5Ue"
OTHER_SECRET = "Zq81LmN0pR7sT2uV4wX6yZ8aB0cD2eF4"
BASELINE = ".secret-hygiene-baseline.json"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A stand-in for the user's home directory, next to the repository: what a relative link
    committed in the repository (`../home/...`) reaches."""
    path = tmp_path / "home"
    path.mkdir()
    (path / "victim").write_text("the user's precious file\n", encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.write("app/settings.py", f'import os\nCLIENT_SECRET = "{SECRET}"\n')
    return repo


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` (links as their target text) with its content."""
    files: dict[str, bytes] = {}
    for path in sorted(directory.rglob("*")):
        if path.is_symlink():
            files[str(path.relative_to(directory))] = b"-> " + os.readlink(path).encode()
        elif path.is_file():
            files[str(path.relative_to(directory))] = path.read_bytes()
    return files


def cli(cwd: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    previous = Path.cwd()
    os.chdir(cwd)
    capsys.readouterr()
    try:
        code = main(list(args))
    finally:
        os.chdir(previous)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *words: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("secret-hygiene: error: "), err
    for word in words:
        assert word in lines[0], (word, err)


def temporary_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*") if p.name.endswith(".tmp"))


# -- links committed under the names we write --------------------------------------------------


def test_baseline_ignores_a_committed_link_at_its_old_temporary_name(
        repo: Repo, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.symlink("../home/victim", repo.root / f"{BASELINE}.tmp")
    repo.commit()
    before = snapshot(home)
    code, _out, err = cli(repo.root, "baseline", capsys=capsys)
    assert code == 0, err
    assert snapshot(home) == before
    assert json.loads((repo.root / BASELINE).read_text(encoding="utf-8"))["findings"]
    assert os.readlink(repo.root / f"{BASELINE}.tmp") == "../home/victim"


@pytest.mark.parametrize("link", ["../home/victim", "../home/absent", "app/settings.py"],
                         ids=["to-home", "dangling-to-home", "inside-repository"])
def test_baseline_refuses_a_link_committed_under_its_name(
        repo: Repo, home: Path, link: str, capsys: pytest.CaptureFixture[str]) -> None:
    os.symlink(link, repo.root / BASELINE)
    repo.commit()
    before_home, before_repo = snapshot(home), snapshot(repo.root / "app")
    for args in (("baseline",), ("baseline", "--update")):
        code, _out, err = cli(repo.root, *args, capsys=capsys)
        assert_one_line_error(code, err, BASELINE, "symbolic link")
        assert "wrote" not in err and "updated" not in err
        assert snapshot(home) == before_home
        assert snapshot(repo.root / "app") == before_repo
        assert os.readlink(repo.root / BASELINE) == link


@pytest.mark.parametrize(("linked", "link", "output"), [
    ("secret-hygiene.sarif", "../home/victim", "secret-hygiene.sarif"),
    ("secret-hygiene.sarif", "app/settings.py", "secret-hygiene.sarif"),
    ("reports", "../home", "reports/secret-hygiene.sarif"),
], ids=["file-to-home", "file-inside-repository", "directory-to-home"])
def test_output_refuses_a_link_committed_under_its_name_or_directory(
        repo: Repo, home: Path, linked: str, link: str, output: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    os.symlink(link, repo.root / linked)
    repo.commit()
    before_home, before_repo = snapshot(home), snapshot(repo.root / "app")
    code, out, err = cli(repo.root, "scan", ".", "--format", "sarif", "--output", output,
                         capsys=capsys)
    assert_one_line_error(code, err, "--output", linked, "symbolic link")
    assert out == ""
    assert snapshot(home) == before_home
    assert snapshot(repo.root / "app") == before_repo


def test_output_to_a_device_or_a_new_file_outside_the_repository_still_works(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = cli(repo.root, "scan", ".", "--output", os.devnull, capsys=capsys)
    assert code == 1, err
    assert Path(os.devnull).exists() and not Path(os.devnull).is_file()
    report = tmp_path / "out" / "report.json"
    report.parent.mkdir()
    code, _out, err = cli(repo.root, "scan", ".", "--format", "json", "--output", str(report),
                          capsys=capsys)
    assert code == 1 and json.loads(report.read_text(encoding="utf-8"))["findings"]
    assert temporary_files(report.parent) == []
    piped = subprocess.run([sys.executable, "-m", "scanner.cli", "scan", ".", "--format", "json",
                            "--output", "/dev/stdout"], cwd=repo.root, capture_output=True,
                           text=True, check=False)
    assert piped.returncode == 1, piped.stderr
    assert json.loads(piped.stdout)["findings"]


@pytest.mark.parametrize("linked", [".cache", ".cache/secret-hygiene"])
def test_a_linked_cache_directory_is_not_used_and_nothing_outside_changes(
        repo: Repo, home: Path, linked: str) -> None:
    elsewhere = home / "secret-hygiene"
    elsewhere.mkdir()
    for index in range(6):  # more than the cache keeps: its pruning must not reach them
        (elsewhere / f"scan-{index:024d}.bin").write_bytes(b"not ours")
    (repo.root / linked).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(os.path.relpath(home if linked == ".cache" else elsewhere,
                               (repo.root / linked).parent), repo.root / linked)
    repo.commit()
    before = snapshot(home)
    cold = repo.run("scan", "--no-cache", ".")
    for _ in range(2):
        code, report = repo.run("scan", ".")
        assert (code, report["findings"]) == (cold[0], cold[1]["findings"])
        notes = [e for e in report["summary"]["errors"] if "results cache not used" in e]
        assert len(notes) == 1 and "symbolic link" in notes[0], report["summary"]["errors"]
    assert snapshot(home) == before


def test_a_linked_gitignore_in_the_cache_directory_is_never_written_through(
        repo: Repo, home: Path) -> None:
    cache = repo.root / ".cache" / "secret-hygiene"
    cache.mkdir(parents=True)
    os.symlink("../../../home/created-by-the-cache", cache / ".gitignore")
    before = snapshot(home)
    code, report = repo.run("scan", ".")
    assert code == 1 and report["findings"]
    assert snapshot(home) == before
    assert not list(cache.glob("scan-*.bin"))  # no cache without its .gitignore
    assert any("results cache not used" in e for e in report["summary"]["errors"])


def test_cache_pruning_deletes_only_regular_files_in_its_own_directory(
        repo: Repo, home: Path) -> None:
    cache = repo.root / ".cache" / "secret-hygiene"
    cache.mkdir(parents=True)
    for index in range(6):
        (home / f"kept-{index}").write_bytes(b"x")
        os.symlink(f"../../../home/kept-{index}", cache / f"scan-link{index:020d}.bin")
        (cache / f"scan-old{index:021d}.bin").write_bytes(b"stale")
        os.utime(cache / f"scan-old{index:021d}.bin", (1_000_000 + index, 1_000_000 + index))
    before = snapshot(home)
    repo.run("scan", ".")
    assert snapshot(home) == before
    assert all((cache / f"scan-link{index:020d}.bin").is_symlink() for index in range(6))
    regular = [p for p in cache.glob("scan-*.bin") if not p.is_symlink()]
    assert len(regular) == 4  # ours plus the three most recent stale ones


def test_install_hook_never_writes_through_a_linked_hook(
        tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path / "repo")
    repo.git("config", "core.hooksPath", ".githooks")
    (repo.root / ".githooks").mkdir()
    # A script of another tool that happens to carry our marker: still not ours to overwrite.
    (home / "their-hook").write_text(f"#!/bin/sh\n{MARKER}\necho theirs\n", encoding="utf-8")
    os.symlink("../../home/their-hook", repo.root / ".githooks" / "pre-commit")
    repo.commit()
    before = snapshot(home)
    code, _out, err = cli(repo.root, "install-hook", capsys=capsys)
    assert_one_line_error(code, err, "--force")
    assert snapshot(home) == before
    code, _out, err = cli(repo.root, "install-hook", "--force", capsys=capsys)
    assert code == 0, err
    hook = repo.root / ".githooks" / "pre-commit"
    assert not hook.is_symlink() and hook.read_text(encoding="utf-8") == installed_script("pre-commit")
    assert hook.stat().st_mode & stat.S_IXUSR
    assert snapshot(home) == before
    backup = repo.root / ".githooks" / "pre-commit.secret-hygiene-backup"
    assert os.readlink(backup) == "../../home/their-hook"


def test_install_hook_force_twice_keeps_every_backup(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path / "repo")
    hooks = repo.root / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    hook = hooks / "pre-commit"
    for number, text in enumerate(("#!/bin/sh\necho first\n", "#!/bin/sh\necho second\n")):
        hook.unlink(missing_ok=True)
        hook.write_text(text, encoding="utf-8")
        code, _out, err = cli(repo.root, "install-hook", "--force", capsys=capsys)
        assert code == 0, err
        backup = hooks / ("pre-commit.secret-hygiene-backup" + (f".{number}" if number else ""))
        assert str(backup) in err
    assert (hooks / "pre-commit.secret-hygiene-backup").read_text() == "#!/bin/sh\necho first\n"
    assert (hooks / "pre-commit.secret-hygiene-backup.1").read_text() == "#!/bin/sh\necho second\n"
    assert hook.read_text(encoding="utf-8") == installed_script("pre-commit")


# -- files named by the repository's config ------------------------------------------------------


def run_capped(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command with its address space capped at 2 GiB: reading /dev/zero whole fails
    fast instead of filling the machine. The timeout only ends a hang (the fix answers at once)."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    env = {**os.environ, "NO_COLOR": "1", "PYTHONWARNINGS": "ignore"}
    try:
        return subprocess.run([sys.executable, "-m", "scanner.cli", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, errors="replace", timeout=300,
                              check=False, preexec_fn=cap)
    except subprocess.TimeoutExpired:
        pytest.fail(f"secret-hygiene {' '.join(args)} hung")


@pytest.fixture
def fifo(repo: Repo) -> Path:
    path = repo.root / "baseline.fifo"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("named", ["fifo", "/dev/zero", "linked-fifo", "linked-dev-zero"])
def test_a_baseline_named_by_config_that_is_not_a_regular_file_is_one_line(
        repo: Repo, fifo: Path, named: str) -> None:
    target = {"fifo": "baseline.fifo", "/dev/zero": "/dev/zero"}.get(named, "linked.json")
    if named.startswith("linked"):
        os.symlink("baseline.fifo" if named == "linked-fifo" else "/dev/zero",
                   repo.root / "linked.json")
    (repo.root / ".secret-hygiene.toml").write_text(f'baseline = "{target}"\n', encoding="utf-8")
    for args in (("scan", "."), ("fix", "--select", "SH101", "--diff")):
        done = run_capped(repo.root, *args)
        assert_one_line_error(done.returncode, done.stderr)
        assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr


def test_a_huge_baseline_is_refused_before_it_is_read(repo: Repo) -> None:
    with (repo.root / "huge.json").open("wb") as handle:  # sparse: 3 GiB that take no disk
        handle.truncate(3 << 30)
    done = run_capped(repo.root, "scan", ".", "--baseline", "huge.json")
    assert_one_line_error(done.returncode, done.stderr, "huge.json", "64 MiB")


def test_max_file_size_has_a_documented_maximum(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    for value in ('"100GiB"', '"257MiB"', str(300 * 1024 * 1024)):
        (repo.root / ".secret-hygiene.toml").write_text(f"max-file-size = {value}\n", encoding="utf-8")
        code, _out, err = cli(repo.root, "scan", ".", capsys=capsys)
        assert_one_line_error(code, err, ".secret-hygiene.toml", "max-file-size", "256MiB")
    (repo.root / ".secret-hygiene.toml").write_text('max-file-size = "256MiB"\n', encoding="utf-8")
    assert cli(repo.root, "scan", ".", "--no-cache", capsys=capsys)[0] == 1


def test_a_huge_config_file_is_one_line(repo: Repo) -> None:
    with (repo.root / "pyproject.toml").open("wb") as handle:
        handle.write(b'[tool.secret-hygiene]\nselect = ["SH1"]\n# ')
        handle.truncate(3 << 30)
    done = run_capped(repo.root, "scan", ".", "--config", "pyproject.toml")
    assert_one_line_error(done.returncode, done.stderr, "pyproject.toml", "64 MiB")


# -- a detect-secrets baseline that names files outside the tree -----------------------------------


def test_detect_secrets_import_never_reads_outside_the_tree(
        repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import hashlib

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "creds.py").write_text(f'CLIENT_SECRET = "{OTHER_SECRET}"\n', encoding="utf-8")
    os.symlink("../outside/creds.py", repo.root / "linked_creds.py")
    digest = hashlib.sha1(OTHER_SECRET.encode()).hexdigest()
    inside = hashlib.sha1(SECRET.encode()).hexdigest()
    entry = [{"type": "Secret Keyword", "hashed_secret": digest, "line_number": 1}]
    names = ["../outside/creds.py", str(outside / "creds.py"), "linked_creds.py",
             "app/../../outside/creds.py"]
    results = {name: entry for name in names}
    results["app/settings.py"] = [{"type": "Secret Keyword", "hashed_secret": inside, "line_number": 2}]
    (repo.root / ".secrets.baseline").write_text(json.dumps({"results": results}), encoding="utf-8")
    repo.commit()
    code, _out, err = cli(repo.root, "baseline", "--from-detect-secrets", ".secrets.baseline",
                          capsys=capsys)
    assert code == 0, err
    entries = json.loads((repo.root / BASELINE).read_text(encoding="utf-8"))["findings"]
    assert [e["path"] for e in entries] == ["app/settings.py"]  # the file inside is imported
    for name in names:
        assert f"note: {name}: 1 detect-secrets entries skipped" in err, err


def test_a_linked_detect_secrets_baseline_is_refused(
        repo: Repo, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home / "secrets.baseline").write_text('{"results": {}}', encoding="utf-8")
    os.symlink("../home/secrets.baseline", repo.root / ".secrets.baseline")
    repo.commit()
    code, _out, err = cli(repo.root, "baseline", "--from-detect-secrets", ".secrets.baseline",
                          capsys=capsys)
    assert_one_line_error(code, err, ".secrets.baseline", "symbolic link")


# -- a full disk -------------------------------------------------------------------------------------


@pytest.fixture
def disk_full(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Call it to fill the disk: every write to a regular file fails with ENOSPC after the
    file was created or truncated, whatever writes it (os.write, pathlib, open in the CLI)."""

    def fill() -> None:
        real_write = os.write

        def write(fd: int, data: Any) -> int:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real_write(fd, data)

        def write_text(self: Path, *args: Any, **kwargs: Any) -> int:
            self.open("w").close()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        class FullFile(io.StringIO):
            def write(self, text: str) -> int:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def cli_open(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            if "w" in mode:
                open(path, "wb").close()  # truncated, as a real open would
                return FullFile()
            return open(path, mode, *args, **kwargs)

        monkeypatch.setattr(os, "write", write)
        monkeypatch.setattr(pathlib.Path, "write_text", write_text)
        monkeypatch.setattr(pathlib.Path, "write_bytes", write_text)
        monkeypatch.setattr(scanner.cli, "open", cli_open, raising=False)

    return fill


def test_disk_full_while_writing_the_baseline(
        repo: Repo, disk_full: Callable[[], None], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(repo.root, "baseline", capsys=capsys)[0] == 0
    previous = (repo.root / BASELINE).read_bytes()
    repo.write("app/more.py", f'API_KEY = "{OTHER_SECRET}"\n')
    disk_full()
    for args in (("baseline",), ("baseline", "--update")):
        code, _out, err = cli(repo.root, *args, capsys=capsys)
        assert_one_line_error(code, err, BASELINE, "No space left on device")
        assert "wrote" not in err and "updated" not in err
        assert (repo.root / BASELINE).read_bytes() == previous
        assert temporary_files(repo.root) == []


def test_disk_full_while_writing_the_report(
        repo: Repo, disk_full: Callable[[], None], capsys: pytest.CaptureFixture[str]) -> None:
    report = repo.root / "secret-hygiene.sarif"
    assert cli(repo.root, "scan", ".", "--format", "sarif", "--output", report.name,
               capsys=capsys)[0] == 1
    previous = report.read_bytes()
    json.loads(previous)
    disk_full()
    code, _out, err = cli(repo.root, "scan", ".", "--no-cache", "--format", "sarif", "--output",
                          report.name, capsys=capsys)
    assert_one_line_error(code, err, "--output", report.name, "No space left on device")
    assert report.read_bytes() == previous
    assert temporary_files(repo.root) == []


def test_disk_full_never_leaves_an_empty_cache_gitignore(
        repo: Repo, disk_full: Callable[[], None], capsys: pytest.CaptureFixture[str]) -> None:
    cold = cli(repo.root, "scan", ".", "--no-cache", "--format", "json", capsys=capsys)
    disk_full()
    # The scan goes on; the cache is simply not written.
    assert cli(repo.root, "scan", ".", "--format", "json", capsys=capsys) == cold
    cache = repo.root / ".cache" / "secret-hygiene"
    ignore = cache / ".gitignore"
    assert not ignore.exists() or ignore.read_text(encoding="utf-8").endswith("*\n")
    assert not list(cache.glob("scan-*.bin"))
    assert temporary_files(repo.root) == []

