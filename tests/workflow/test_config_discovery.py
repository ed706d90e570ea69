"""Which config file a scan applies: inside git, the nearest one from the scanned directory up to
the work tree's top, however the directory is spelt; outside git, only the scanned directory's."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scanner.cli import main
from tests.gitrepo import Repo

SECRET = "9f3KpQ2LmX8vRt6Wz1Yb4Nc7Hd0Js5Ue"
IGNORE_SH101 = 'ignore = ["SH101"]\n'


def _rules_reported(cwd: Path, *args: str) -> set[str]:
    out = cwd / ".." / "report.json"
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        main(["scan", *args, "--no-cache", "--format", "json", "--output", str(out)])
    finally:
        os.chdir(previous)
    return {finding["rule"] for finding in json.loads(out.read_text(encoding="utf-8"))["findings"]}


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.write(".secret-hygiene.toml", IGNORE_SH101)
    repo.write("sub/app.py", f'CLIENT_SECRET = "{SECRET}"\n')
    repo.commit()
    return repo


@pytest.mark.parametrize("spelling", ["dot", "absolute", "relative-from-top", "dot-from-deeper"])
def test_the_repository_config_applies_however_the_path_is_spelt(repo: Repo, spelling: str) -> None:
    sub = repo.root / "sub"
    (sub / "deeper").mkdir(exist_ok=True)
    cwd, args = {
        "dot": (sub, ["."]),
        "absolute": (sub, [str(sub)]),
        "relative-from-top": (repo.root, ["sub/"]),
        "dot-from-deeper": (sub / "deeper", [".."]),
    }[spelling]
    assert "SH101" not in _rules_reported(cwd, *args)
    (repo.root / ".secret-hygiene.toml").unlink()
    assert "SH101" in _rules_reported(cwd, *args)  # the finding is there to be ignored


def test_a_nearer_config_inside_the_repository_wins(repo: Repo) -> None:
    repo.write("sub/.secret-hygiene.toml", 'select = ["SH1"]\n')
    assert "SH101" in _rules_reported(repo.root / "sub", ".")


def test_outside_git_an_ancestors_config_is_not_applied(tmp_path: Path) -> None:
    parent = tmp_path / "parent"
    child = parent / "child"
    child.mkdir(parents=True)
    assert not any((d / ".git").exists() for d in (child, *child.parents))
    (parent / ".secret-hygiene.toml").write_text(IGNORE_SH101, encoding="utf-8")
    (child / "app.py").write_text(f'CLIENT_SECRET = "{SECRET}"\n', encoding="utf-8")
    assert "SH101" in _rules_reported(child, ".")
    assert "SH101" in _rules_reported(parent, "child")
    (child / ".secret-hygiene.toml").write_text(IGNORE_SH101, encoding="utf-8")
    assert "SH101" not in _rules_reported(child, ".")
    assert "SH101" not in _rules_reported(parent, "child")
