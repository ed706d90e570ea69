"""SH202 on wildcards in a dict of authorize parameters (issue #13): `{"scope": "*"}` alone for a
provider the catalogue does not know is low confidence (it may be that provider's only scope),
medium next to other scopes, and a catalogued broad scope keeps its confidence. Through the CLI
on a real temporary git repository holding tests/fixtures/scopes/wildcard_dicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitrepo import Repo

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "scopes" / "wildcard_dicts"


def committed(root: Path) -> Repo:
    repo = Repo(root)
    for path in FIXTURE.rglob("*.py"):
        repo.write(path.relative_to(FIXTURE).as_posix(), path.read_text(encoding="utf-8"))
    repo.commit()
    return repo


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int, str], dict[str, str]]:
    repo = committed(tmp_path_factory.mktemp("wildcard_dicts") / "repo")
    code, report = repo.run("scan", ".", "--all-files", "--no-cache", "--select", "SH2")
    assert code == 1, report
    return {(f["path"], f["line"], f["rule"]): f for f in report["findings"]}


def test_exact_findings(reported: dict[tuple[str, int, str], dict[str, str]]) -> None:
    # search.py's `{"scope": "all"}` filters search results: no request.
    assert set(reported) == {("integrations/treasure_hunt.py", 16, "SH202"),
                             ("integrations/fleet.py", 10, "SH202"),
                             ("integrations/code_host.py", 14, "SH202")}


def test_sole_wildcard_of_an_uncatalogued_provider_is_low(
        reported: dict[tuple[str, int, str], dict[str, str]]) -> None:
    finding = reported[("integrations/treasure_hunt.py", 16, "SH202")]
    assert finding["confidence"] == "low"
    assert "not in the scope catalogue" in finding["message"]
    assert "only scope" in finding["message"]


def test_wildcard_next_to_other_scopes_stays_medium(
        reported: dict[tuple[str, int, str], dict[str, str]]) -> None:
    finding = reported[("integrations/fleet.py", 10, "SH202")]
    assert finding["confidence"] == "medium"
    assert "catalogue" not in finding["message"]


def test_catalogued_broad_scope_in_a_dict(reported: dict[tuple[str, int, str], dict[str, str]]) -> None:
    assert reported[("integrations/code_host.py", 14, "SH202")]["confidence"] == "high"


def test_min_confidence_medium_hides_the_unsure_wildcard(tmp_path: Path) -> None:
    code, report = committed(tmp_path / "repo").run("scan", ".", "--all-files", "--no-cache", "--select", "SH202",
                            "--min-confidence", "medium")
    assert code == 1
    assert {(f["path"], f["line"]) for f in report["findings"]} == {
        ("integrations/fleet.py", 10), ("integrations/code_host.py", 14)}
