"""The secret family's fixture projects scanned as a user would: committed to a real git
repository, `scan --select SH1`, and their findings as (path, line, rule, confidence, context)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tests.gitrepo import Repo

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "secrets"


def scan_project(name: str, workdir: Path) -> dict[str, Any]:
    """The JSON report of scanning fixture project `name`, committed to a repository in `workdir`."""
    repo = Repo(workdir / name)
    shutil.copytree(FIXTURES / name, repo.root, dirs_exist_ok=True)
    repo.commit()
    code, report = repo.run("scan", "--select", "SH1", "--no-cache", "--no-baseline")
    assert code == 1
    assert not report["summary"]["errors"]
    return report


def finding_rows(report: dict[str, Any]) -> set[tuple[str, int, str, str, str]]:
    return {(f["path"], f["line"], f["rule"], f["confidence"], f["context"])
            for f in report["findings"]}
