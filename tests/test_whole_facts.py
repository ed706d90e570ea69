"""A fast path of the engine: a file parsed in a worker whose gates kept some analysis out sends
back all its project facts, so the project index does not read and parse it again in the parent.
Its findings are those of the on-demand load (fast paths off): through the CLI on a real
repository here, and on every fixture project in tests/test_plan.py."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import scanner.engine.runner as runner
from scanner.facts.base import FileFacts
from tests.gitrepo import Repo
from tests.support import scan_dir

FIXTURES = Path(__file__).parent / "fixtures"
# Projects whose webhook and scope verdicts rest on modules the gates kept some analysis out of.
PROJECTS = ("webhooks/flask_app", "webhooks/django_app", "webhooks/express_app", "scopes/spa")
# Those whose parent would read a parsed file again without the workers' answer (the scope
# project's lookups are served by partial loads of what its scan gathered: nothing to save).
SAVES_A_READ = frozenset(PROJECTS) - {"scopes/spa"}


def _loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the project index reads again in the parent, from now on."""
    loaded: list[str] = []
    load = runner._load_facts

    def counted(path: str, loader: Callable[[str], object], plan: object,
                kinds: object = None) -> FileFacts | None:
        loaded.append(path)
        return load(path, loader, plan, kinds)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "_load_facts", counted)
    return loaded


@pytest.mark.parametrize("project", PROJECTS)
def test_whole_facts_give_the_findings_of_loading_the_file_again(
        tmp_path: Path, project: str, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = Repo(tmp_path / "repo")
    shutil.copytree(FIXTURES / project, repo.root, dirs_exist_ok=True)
    repo.commit("project")
    loaded = _loads(monkeypatch)
    _, report = repo.run("scan", ".", "--no-cache", "--no-baseline")
    fast = sorted((f["path"], f["line"], f["column"], f["rule"]) for f in report["findings"])
    fast_loads = len(loaded)
    full = scan_dir(repo.root, fast_paths=False).findings
    assert fast == sorted((f.path, f.line, f.column, f.rule) for f in full)
    assert fast  # the verdicts compared are real ones
    # Without the workers' answer, the parent reads some of those parsed files again.
    whole = runner.whole_file_facts
    monkeypatch.setattr(runner, "whole_file_facts",
                        lambda document, plan, known=None: None if known is not None
                        else whole(document, plan))
    del loaded[:]
    _, again = repo.run("scan", ".", "--no-cache", "--no-baseline")
    assert sorted((f["path"], f["line"], f["column"], f["rule"]) for f in again["findings"]) == fast
    assert fast_loads <= len(loaded)
    if project in SAVES_A_READ:
        assert fast_loads < len(loaded)  # parsed files were not read again
