"""The real `pre-commit` framework installs this repository's hook and blocks a secret commit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitrepo import GIT_ENV, Repo

PROJECT = Path(__file__).resolve().parent.parent
SECRET_LINE = 'CLIENT_SECRET = "9f3KpQ2LmX8vRt6Wz1Yb4Nc7Hd0Js5Ue"\n'


def _pre_commit() -> list[str]:
    exe = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "pre_commit"]


@pytest.mark.slow
def test_pre_commit_blocks_a_secret_and_lets_a_clean_commit_through(tmp_path: Path) -> None:
    # pre-commit clones the hook repository at a commit: use a snapshot of this work tree
    # committed in a scratch clone, so the test also covers uncommitted local changes.
    hook_repo = tmp_path / "hook-repo"
    shutil.copytree(PROJECT, hook_repo, ignore=shutil.ignore_patterns(
        ".git", "*.egg-info", "__pycache__", ".venv", "venv", "benchmarks", "tests", ".mypy_cache",
        ".ruff_cache", ".pytest_cache", ".hypothesis", "build"))
    snapshot = Repo(hook_repo)
    rev = snapshot.commit("snapshot")

    repo = Repo(tmp_path / "user-repo")
    repo.write(".pre-commit-config.yaml",
               f"repos:\n- repo: {hook_repo}\n  rev: {rev}\n  hooks:\n  - id: secret-hygiene\n")
    repo.commit("config")
    env = {**os.environ, **GIT_ENV, "HOME": str(tmp_path),
           "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}
    subprocess.run([*_pre_commit(), "install"], cwd=repo.root, env=env, check=True,
                   capture_output=True)

    repo.write("settings.py", SECRET_LINE)
    repo.git("add", "settings.py")
    blocked = subprocess.run(["git", "commit", "-m", "add secret"], cwd=repo.root, env=env,
                             capture_output=True, text=True, check=False)
    assert blocked.returncode != 0, blocked.stdout + blocked.stderr
    output = blocked.stdout + blocked.stderr
    assert "SH101" in output
    assert "9f3KpQ2LmX8vRt6Wz1Yb4Nc7Hd0Js5Ue" not in output

    repo.write("settings.py", 'import os\nCLIENT_SECRET = os.environ["CLIENT_SECRET"]\n')
    repo.git("add", "settings.py")
    clean = subprocess.run(["git", "commit", "-m", "clean"], cwd=repo.root, env=env,
                           capture_output=True, text=True, check=False)
    assert clean.returncode == 0, clean.stdout + clean.stderr
