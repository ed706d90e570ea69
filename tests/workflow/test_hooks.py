"""Native git hooks and `install-hook`, on real repositories and a real bare remote."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from scanner.cli import main
from scanner.install_hook import MARKER, SCRIPTS, installed_script
from tests.workflow.helpers import PLANTED, commit_all, git, git_env, init_repo, run

HOOKS = Path(__file__).resolve().parents[2] / "hooks"
# The real SH101, through the installed `secret-hygiene` next to this interpreter.
SECRET_LINE = f'CLIENT_SECRET = "{PLANTED}"\n'


@pytest.fixture
def env() -> dict[str, str]:
    return {**git_env(), "NO_COLOR": "1"}


def in_dir(path: Path, *args: str) -> int:
    previous = Path.cwd()
    os.chdir(path)
    try:
        return main(list(args))
    finally:
        os.chdir(previous)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_shipped_hook_files_are_the_installed_scripts(name: str) -> None:
    path = HOOKS / name
    assert path.read_text(encoding="utf-8") == SCRIPTS[name]
    assert path.stat().st_mode & stat.S_IXUSR
    assert path.read_text(encoding="utf-8").startswith("#!/bin/sh\n" + MARKER + "\n")


def test_install_update_refuse_foreign_and_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = init_repo(tmp_path / "repo")
    (repo / "sub").mkdir()
    assert in_dir(repo / "sub", "install-hook") == 0
    hook = repo / ".git" / "hooks" / "pre-commit"
    assert hook.read_text(encoding="utf-8") == installed_script("pre-commit")
    assert hook.stat().st_mode & stat.S_IXUSR
    assert in_dir(repo, "install-hook") == 0  # ours: updated in place
    assert "updated" in capsys.readouterr().err

    foreign = repo / ".git" / "hooks" / "pre-push"
    foreign.write_text("#!/bin/sh\necho mine\n", encoding="utf-8")
    assert in_dir(repo, "install-hook", "--pre-push") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--force" in err[0]
    assert foreign.read_text(encoding="utf-8") == "#!/bin/sh\necho mine\n"
    assert in_dir(repo, "install-hook", "--pre-push", "--force") == 0
    assert foreign.read_text(encoding="utf-8") == installed_script("pre-push")
    backup = repo / ".git" / "hooks" / "pre-push.secret-hygiene-backup"
    assert backup.read_text(encoding="utf-8") == "#!/bin/sh\necho mine\n"


def test_install_respects_core_hooks_path(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    git(repo, "config", "core.hooksPath", ".githooks")
    (repo / "deep" / "er").mkdir(parents=True)
    assert in_dir(repo / "deep" / "er", "install-hook") == 0
    assert (repo / ".githooks" / "pre-commit").read_text(encoding="utf-8") == installed_script("pre-commit")
    assert not (repo / ".git" / "hooks" / "pre-commit").exists()


def test_install_outside_a_repository_is_one_line_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert in_dir(tmp_path, "install-hook") == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_pre_commit_hook_blocks_a_staged_secret(tmp_path: Path, env: dict[str, str]) -> None:
    repo = init_repo(tmp_path / "repo")
    (repo / "a.py").write_text("x = 1\n", encoding="utf-8")
    commit_all(repo, "init")
    assert in_dir(repo, "install-hook") == 0
    (repo / "b.py").write_text("import os\n" + SECRET_LINE, encoding="utf-8")
    git(repo, "add", "b.py")
    done = run(repo, "git", "commit", "-m", "add secret", env=env)
    assert done.returncode != 0
    assert "b.py:2:18 SH101" in done.stdout + done.stderr
    assert PLANTED not in done.stdout + done.stderr
    (repo / "b.py").write_text('import os\nCLIENT_SECRET = os.environ["CLIENT_SECRET"]\n', encoding="utf-8")
    git(repo, "add", "b.py")
    done = run(repo, "git", "commit", "-m", "clean", env=env)
    assert done.returncode == 0, done.stdout + done.stderr


def test_pre_push_hook_with_a_bare_remote(tmp_path: Path, env: dict[str, str]) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    repo = init_repo(tmp_path / "repo")
    git(repo, "remote", "add", "origin", str(remote))
    assert in_dir(repo, "install-hook", "--pre-push") == 0

    def push(*args: str) -> tuple[int, str]:
        done = run(repo, "git", "push", *args, env=env)
        assert PLANTED not in done.stdout + done.stderr
        return done.returncode, done.stdout + done.stderr

    def remote_head(ref: str) -> str:
        return git(remote, "rev-parse", "-q", "--verify", ref, check=False).strip()

    # A first push of a clean history (a new branch on an empty remote) goes through.
    (repo / "app.py").write_text("x = 1\n", encoding="utf-8")
    first = commit_all(repo, "init")
    code, output = push("-u", "origin", "main")
    assert code == 0, output
    assert remote_head("main") == first

    # A pushed commit adding a secret is rejected; the remote keeps its tip.
    (repo / "app.py").write_text("x = 1\n" + SECRET_LINE, encoding="utf-8")
    commit_all(repo, "secret")
    code, output = push("origin", "main")
    assert code != 0
    assert "app.py:2:18 SH101" in output and "push blocked" in output
    assert remote_head("main") == first

    # Fixed on top: the range remote..local adds no secret line any more.
    (repo / "app.py").write_text('x = 1\nCLIENT_SECRET = os.environ["CLIENT_SECRET"]\n', encoding="utf-8")
    fixed = commit_all(repo, "fix")
    code, output = push("origin", "main")
    assert code == 0, output
    assert remote_head("main") == fixed

    # A new branch: only the commits no remote has are scanned.
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "feature.py").write_text(SECRET_LINE, encoding="utf-8")
    commit_all(repo, "feature secret")
    (repo / "more.py").write_text("y = 2\n", encoding="utf-8")
    commit_all(repo, "more")
    code, output = push("origin", "feature")
    assert code != 0 and "feature.py:1:18 SH101" in output
    assert remote_head("feature") == ""

    git(repo, "checkout", "-q", "-b", "clean-feature", "main")
    (repo / "ok.py").write_text("z = 3\n", encoding="utf-8")
    clean = commit_all(repo, "ok")
    code, output = push("origin", "clean-feature")
    assert code == 0, output
    assert remote_head("clean-feature") == clean

    # Deleting a remote branch sends nothing to scan.
    code, output = push("origin", "--delete", "clean-feature")
    assert code == 0, output
    assert remote_head("clean-feature") == ""


def test_pre_push_hook_without_the_tool_fails_closed(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = run(repo, "sh", str(HOOKS / "pre-push"), "origin", "x", env=env, stdin="")
    assert done.returncode == 1 and "secret-hygiene: not found" in done.stderr


def test_pre_push_hook_scans_a_new_history_and_unfetched_remote_tips(
        tmp_path: Path, env: dict[str, str]) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    repo = init_repo(tmp_path / "repo")
    git(repo, "remote", "add", "origin", str(remote))
    assert in_dir(repo, "install-hook", "--pre-push") == 0
    # The first push of a history whose root commit holds a secret.
    (repo / "app.py").write_text(SECRET_LINE, encoding="utf-8")
    commit_all(repo, "root with a secret")
    (repo / "b.py").write_text("y = 1\n", encoding="utf-8")
    commit_all(repo, "more")
    done = run(repo, "git", "push", "origin", "main", env=env)
    assert done.returncode != 0 and "app.py:1:18 SH101" in done.stdout + done.stderr
    # The hook reads refs on stdin: a remote tip this clone never fetched falls back to the
    # commits no remote-tracking branch has.
    hook = repo / ".git" / "hooks" / "pre-push"
    head = git(repo, "rev-parse", "HEAD").strip()
    unknown = "1234567890abcdef1234567890abcdef12345678"
    done = run(repo, "sh", str(hook), "origin", str(remote), env=env,
               stdin=f"refs/heads/main {head} refs/heads/main {unknown}\n")
    assert done.returncode == 1 and "app.py:1:18 SH101" in done.stdout
    zero = "0" * 40
    done = run(repo, "sh", str(hook), "origin", str(remote), env=env,
               stdin=f"(delete) {zero} refs/heads/old {head}\n")
    assert done.returncode == 0, done.stdout + done.stderr
