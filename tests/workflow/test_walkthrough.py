"""A new user's walk-through: build the wheel, install it into a fresh virtualenv, and run the
README's commands and the CI templates' commands as written, against real repositories.

No network: the fresh venv reaches the dependencies through a `.pth` line naming this test
interpreter's site-packages (plain paths: that directory's own `.pth` files, among them the
editable install of this work tree, are not processed), and the templates' `pip install` runs
with PIP_NO_INDEX and PIP_NO_DEPS set, installing only the wheel built here."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from tests.workflow.helpers import PLANTED, commit_all, git, git_env, init_repo
from tests.workflow.test_ci_templates import pull_request_repo, run_github_job, sarif_results

PROJECT = Path(__file__).resolve().parents[2]


def build_wheel(tmp_path: Path) -> Path:
    """The wheel, built from a copy of the project (as .ci/run builds it, without isolation:
    the build tools are the ones installed here)."""
    source = tmp_path / "source"
    shutil.copytree(PROJECT, source, ignore=shutil.ignore_patterns(
        ".git", "*.egg-info", "__pycache__", ".venv", "venv", "benchmarks", "tests", "build",
        "dist", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", ".cache"))
    done = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation",
                           "--skip-dependency-check", "--outdir", str(tmp_path / "dist"), str(source)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("secret_hygiene-*.whl")
    return wheel


def fresh_venv(tmp_path: Path) -> Path:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    purelib = subprocess.run([str(venv / "bin" / "python"), "-c",
                              "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib, "walkthrough-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n",
                                                           encoding="utf-8")
    return venv


def user_env(venv: Path) -> dict[str, str]:
    env = {**git_env(), "NO_COLOR": "1", "PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1",
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", "VIRTUAL_ENV": str(venv)}
    # Only the fresh venv's bin and the system's: never this test's interpreter directory.
    env["PATH"] = os.pathsep.join([str(venv / "bin"), "/usr/local/bin", "/usr/bin", "/bin"])
    for name in ("PYTHONPATH", "PYTHONHOME", "PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_CONSTRAINT"):
        env.pop(name, None)
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def sh(cwd: Path, script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd,
                          env=env, capture_output=True, text=True, check=False)
    assert PLANTED not in done.stdout + done.stderr
    return done


def readme_blocks() -> list[str]:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.*?)```", readme, re.S)


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_runs_the_readme_and_template_commands(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    venv = fresh_venv(tmp_path)
    env = user_env(venv)

    # The templates' install step, as written, with the wheel as the package to install.
    github = yaml.safe_load((PROJECT / "hooks" / "github-actions.yml").read_text(encoding="utf-8"))
    job = github["jobs"]["secret-hygiene"]
    install = next(step for step in job["steps"] if step.get("id") == "install")["run"]
    done = sh(tmp_path, install, {**env, "SECRET_HYGIENE": str(wheel)})
    assert done.returncode == 0, done.stderr
    where = sh(tmp_path, 'python -c "import scanner; print(scanner.__file__)"; secret-hygiene --version', env)
    assert where.stdout.startswith(str(venv)) and "secret-hygiene, version" in where.stdout, where

    # The README's audit and CI commands, line by line, in a repository with a remote, a tag
    # and a secret in a feature branch.
    remote = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    repo = init_repo(tmp_path / "repo")
    git(repo, "remote", "add", "origin", str(remote))
    (repo / "settings.py").write_text("DEBUG = True\n", encoding="utf-8")
    commit_all(repo, "base")
    git(repo, "tag", "v1.0")
    git(repo, "push", "-q", "origin", "main")
    git(repo, "fetch", "-q", "origin")
    (repo / "settings.py").write_text(f'DEBUG = True\nCLIENT_SECRET = "{PLANTED}"\n', encoding="utf-8")
    commit_all(repo, "a secret")
    commands = [line.split("  #")[0].strip() for block in readme_blocks()
                for line in block.splitlines() if line.startswith("secret-hygiene ")]
    assert len(commands) >= 8, commands
    for command in commands:
        done = sh(repo, command, env)
        expected = 0 if command.startswith("secret-hygiene baseline") else 1
        assert done.returncode == expected, (command, done.stdout, done.stderr)
        if command.startswith("secret-hygiene baseline"):
            git(repo, "add", ".secret-hygiene-baseline.json")
            git(repo, "commit", "-q", "-m", "baseline")
    assert sarif_results(repo) == [("settings.py", 2, "SH101")]

    # The native hook, installed from the fresh venv, blocks a commit (PATH without the venv).
    done = sh(repo, "secret-hygiene install-hook", env)
    assert done.returncode == 0, done.stderr
    (repo / "app.py").write_text(f'client_secret = "{PLANTED[::-1]}"\n', encoding="utf-8")
    git(repo, "add", "app.py")
    bare = {**env, "PATH": "/usr/local/bin:/usr/bin:/bin"}
    blocked = sh(repo, "git commit -m 'a second secret'", bare)
    assert blocked.returncode == 1 and "app.py:1:18 SH101" in blocked.stdout + blocked.stderr

    # The GitHub job's steps and the GitLab job's script, as written, with the venv's tool.
    for place in ("github", "gitlab"):
        (tmp_path / place).mkdir()
    pr_repo, _ = pull_request_repo(tmp_path / "github", with_secret=True)
    steps, outputs = run_github_job(pr_repo, {**env, "SECRET_HYGIENE": str(wheel)}, tmp_path)
    assert outputs == {"status": "1"}
    assert [(name, code) for name, code, _ in steps] == [
        ("Fetch the base branch", 0), ("Scan the pull request's diff", 0), ("Fail on findings", 1)]
    assert sarif_results(pr_repo) == [("new.py", 2, "SH101")]
    gitlab = yaml.safe_load((PROJECT / "hooks" / "gitlab-ci.yml").read_text(encoding="utf-8"))
    job = gitlab["secret-hygiene"]
    mr_repo, _ = pull_request_repo(tmp_path / "gitlab", with_secret=True)
    done = sh(mr_repo, "\n".join(job["script"]),
              {**env, **job["variables"], "SECRET_HYGIENE": str(wheel),
               "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI": "true"})
    assert done.returncode == 1 and "new.py:2:18 SH101" in done.stdout, done.stderr
    for artifact in job["artifacts"]["paths"]:
        assert (mr_repo / artifact).is_file(), artifact
