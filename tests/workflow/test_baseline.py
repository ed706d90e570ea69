"""The baseline workflow on real temporary git repositories: stable across edits, --update,
detect-secrets import, only new findings reported."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from scanner.cli import main
from scanner.config import BASELINE_FILE
from scanner.rules import registry
from scanner.suppress import baseline_text, read_baseline, sort_entries, updated_entries
from tests.gitrepo import Repo, triples
from tests.workflow.helpers import PlantedToken

SECRET = "9f3KpQ2LmX8vRt6Wz1Yb4Nc7Hd0Js5Ue"
OTHER_SECRET = "Qz7Lm2Xc9Vb4Nn6Tr1Yp8Ws3Kd5Hg0Aa"


def secret_rule() -> tuple[str, str]:
    """(rule id, assignment template) of the secret rule the scenario runs: the real SH101."""
    assert "SH101" in registry.RULES_BY_ID, "SH101 (secrets family) is not registered"
    return "SH101", 'CLIENT_SECRET = "{}"'


@pytest.fixture
def planted(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test-only SH199 rule next to the real ones."""
    monkeypatch.setattr(registry, "RULES", (*registry.RULES, PlantedToken))
    monkeypatch.setattr(registry, "RULES_BY_ID", {**registry.RULES_BY_ID, "SH199": PlantedToken})


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def service(assignment: str, *, padding: int = 0, function: str = "make_client") -> str:
    return ("import os\n\n" + "".join(f"# padding line {i}\n" for i in range(padding))
            + f"\ndef {function}():\n    {assignment}\n    return CLIENT_SECRET\n")


def test_baseline_survives_moves_and_renames_and_reports_only_new(repo: Repo) -> None:
    rule_id, template = secret_rule()
    repo.write("app/service.py", service(template.format(SECRET)))
    repo.commit()
    assert main(["baseline", str(repo.root)]) == 0
    baseline_path = repo.root / BASELINE_FILE
    first = baseline_path.read_text(encoding="utf-8")
    entries = read_baseline(baseline_path)
    assert [(e["path"], e["rule"]) for e in entries] == [("app/service.py", rule_id)]
    assert SECRET not in first and SECRET[:8] not in first
    assert '"line' not in first and "version\": 2" in first

    # 10 lines above the secret, the function renamed, the line reformatted (spacing, quotes).
    reformatted = template.format(SECRET).replace(" = ", "  =  ").replace('"', "'") + "  # moved"
    repo.write("app/service.py", service(reformatted, padding=10, function="build_api"))
    repo.commit("move")
    code, report = repo.run("scan", ".", "--select", rule_id)
    assert (code, report["findings"], report["summary"]["suppressed"]) == (0, [], 1)
    assert main(["baseline", str(repo.root)]) == 0
    assert baseline_path.read_text(encoding="utf-8") == first
    assert main(["baseline", "--update", str(repo.root)]) == 0
    assert baseline_path.read_text(encoding="utf-8") == first

    # A new secret: exactly one finding, the baselined one still suppressed.
    repo.write("app/other.py", service(template.format(OTHER_SECRET)))
    code, report = repo.run("scan", ".", "--select", rule_id)
    assert code == 1
    assert triples(report) == {("app/other.py", 5, rule_id)}
    assert report["summary"]["suppressed"] == 1
    # --no-baseline shows both again; --baseline FILE reads another file.
    _, report = repo.run("scan", ".", "--select", rule_id, "--no-baseline")
    assert triples(report) == {("app/other.py", 5, rule_id), ("app/service.py", 15, rule_id)}
    moved = repo.root.parent / "elsewhere.json"
    baseline_path.rename(moved)
    _, report = repo.run("scan", ".", "--select", rule_id, "--baseline", str(moved))
    assert triples(report) == {("app/other.py", 5, rule_id)}


def test_baseline_with_test_rule_is_stable(repo: Repo, planted: None) -> None:
    """The same scenario with the test-only rule, so the workflow is covered on its own."""
    repo.write("a.py", f'PLANTED_TOKEN = "{SECRET}"\n')
    repo.commit()
    assert main(["baseline", str(repo.root)]) == 0
    first = (repo.root / BASELINE_FILE).read_text(encoding="utf-8")
    repo.write("a.py", "\n" * 10 + f'def f():\n    PLANTED_TOKEN  =  "{SECRET}"\n')
    code, report = repo.run("scan", ".", "--select", "SH199")
    assert (code, triples(report), report["summary"]["suppressed"]) == (0, set(), 1)
    assert main(["baseline", "--update", str(repo.root)]) == 0
    assert (repo.root / BASELINE_FILE).read_text(encoding="utf-8") == first
    repo.write("b.py", f'PLANTED_TOKEN = "{OTHER_SECRET}"\n')
    code, report = repo.run("scan", ".", "--select", "SH199")
    assert (code, triples(report)) == (1, {("b.py", 1, "SH199")})


def test_update_keeps_user_fields_drops_stale_adds_new(repo: Repo, planted: None) -> None:
    repo.write("a.py", f'PLANTED_TOKEN = "{SECRET}"\n')
    repo.write("b.py", f'PLANTED_TOKEN = "{OTHER_SECRET}"\n')
    assert main(["baseline", str(repo.root)]) == 0
    path = repo.root / BASELINE_FILE
    document = json.loads(path.read_text(encoding="utf-8"))
    for entry in document["findings"]:
        if entry["path"] == "a.py":
            entry["reason"] = "rotated, kept for the audit trail"
    path.write_text(json.dumps(document), encoding="utf-8")
    (repo.root / "b.py").unlink()
    repo.write("c.py", f'PLANTED_TOKEN = "{OTHER_SECRET}"\n')
    assert main(["baseline", "--update", str(repo.root)]) == 0
    entries = read_baseline(path)
    # (The real secret rules flag these lines too; this test follows the test rule's entries.)
    assert [(e["path"], e.get("reason")) for e in entries if e["rule"] == "SH199"] == [
        ("a.py", "rotated, kept for the audit trail"), ("c.py", None)]
    # Without --update the file is rewritten from the findings, keeping the fields users added
    # to entries that still match (issue 16 item 7).
    assert main(["baseline", str(repo.root)]) == 0
    assert [e.get("reason") for e in read_baseline(path) if e["rule"] == "SH199"] == [
        "rotated, kept for the audit trail", None]


def test_baseline_text_is_sorted_one_entry_a_line_and_version_free() -> None:
    entries = updated_entries([], [])
    assert baseline_text(entries) == '{\n  "version": 2,\n  "tool": "secret-hygiene",\n  "findings": []\n}\n'
    text = baseline_text(sort_entries([{"rule": "SH1", "path": "z.py", "fingerprint": "b"},
                                       {"rule": "SH2", "path": "a.py", "fingerprint": "a"},
                                       {"rule": "SH1", "path": "a.py", "fingerprint": "c"},
                                       {"rule": "SH1", "path": "a.py", "fingerprint": "c"}]))
    assert text.splitlines()[3:8] == [
        '  "findings": [',
        '    {"fingerprint": "c", "path": "a.py", "rule": "SH1"},',
        '    {"fingerprint": "a", "path": "a.py", "rule": "SH2"},',
        '    {"fingerprint": "b", "path": "z.py", "rule": "SH1"}',
        "  ]"]
    assert "tool_version" not in text


def test_import_detect_secrets_baseline(repo: Repo, planted: None) -> None:
    repo.write("a.py", f'x = 1\nPLANTED_TOKEN = "{SECRET}"\n')
    repo.write("b.py", f'PLANTED_TOKEN = "{OTHER_SECRET}"\n')
    repo.write("c.py", "nothing = 'here'\n")
    sha1 = hashlib.sha1(SECRET.encode()).hexdigest()
    detect_secrets = {
        "version": "1.5.0", "plugins_used": [], "filters_used": [],
        "results": {
            "a.py": [{"type": "Secret Keyword", "filename": "a.py", "hashed_secret": sha1,
                      "is_verified": False, "line_number": 7}],
            "c.py": [{"type": "Hex High Entropy String", "filename": "c.py",
                      "hashed_secret": "0" * 40, "is_verified": False, "line_number": 1}],
        },
        "generated_at": "2024-01-01T00:00:00Z",
    }
    (repo.root / ".secrets.baseline").write_text(json.dumps(detect_secrets), encoding="utf-8")
    code = main(["baseline", "--from-detect-secrets", str(repo.root / ".secrets.baseline"),
                 str(repo.root)])
    assert code == 0
    entries = read_baseline(repo.root / BASELINE_FILE)
    assert [(e["path"], e["rule"]) for e in entries if e["rule"] == "SH199"] == [("a.py", "SH199")]
    code, report = repo.run("scan", ".", "--select", "SH199")
    assert triples(report) == {("b.py", 1, "SH199")}
    assert report["summary"]["suppressed"] == 1


def test_import_rejects_a_file_that_is_not_a_detect_secrets_baseline(
        repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    (repo.root / "bad.json").write_text('{"results": []}', encoding="utf-8")
    assert main(["baseline", "--from-detect-secrets", str(repo.root / "bad.json"), str(repo.root)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "results" in err[0]
