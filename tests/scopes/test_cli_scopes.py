"""The scope family through the CLI on real temporary git repositories: the fixture projects'
shapes as a user meets them, with each finding's confidence in the JSON report."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.gitrepo import Repo, triples

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "scopes"


def committed(tmp_path: Path, project: str) -> Repo:
    repo = Repo(tmp_path / project)
    shutil.copytree(FIXTURES / project, repo.root, dirs_exist_ok=True)
    repo.commit()
    return repo


def test_monorepo_scan_reports_the_mobile_apps_unused_scope_with_low_confidence(tmp_path: Path) -> None:
    repo = committed(tmp_path, "monorepo")
    code, report = repo.run("scan", "--select", "SH2", "--no-cache")
    assert code == 1
    assert triples(report) == {("apps/mobile/src/oauthConfig.ts", 11, "SH204")}
    # No catalogue knows the provider: the verdict is a heuristic over the calls seen.
    assert [f["confidence"] for f in report["findings"]] == ["low"]


def test_confidence_is_high_only_for_catalogued_broad_scopes(tmp_path: Path) -> None:
    repo = committed(tmp_path, "prose_and_registries")
    code, report = repo.run("scan", "--select", "SH2", "--no-cache")
    assert code == 1
    confidence = {(f["path"], f["line"], f["rule"]): f["confidence"] for f in report["findings"]}
    assert confidence == {
        # `*` alone for an uncatalogued provider: maybe its only scope
        ("homehub/application_credentials.py", 14, "SH202"): "low",
        ("integrations/partner.py", 12, "SH202"): "high",  # GitHub's catalogued `repo`
        ("integrations/partner.py", 12, "SH204"): "medium",  # a heuristic over visible calls
        ("integrations/partner.py", 20, "SH202"): "low",
        ("integrations/partner.py", 38, "SH202"): "low",
    }


def test_access_type_offline_without_refresh_through_the_cli(tmp_path: Path) -> None:
    repo = committed(tmp_path, "offline_requests")
    code, report = repo.run("scan", "--select", "SH204", "--no-cache")
    assert code == 1
    assert triples(report) == {("calendar_digest/digest/auth.py", 17, "SH204"),
                               ("web_login/src/login.ts", 4, "SH204")}
    assert all("access_type=offline" in f["message"] for f in report["findings"])


def test_integration_packages_report_only_resources_no_client_call_touches(tmp_path: Path) -> None:
    repo = committed(tmp_path, "gateway_hub")
    code, report = repo.run("scan", "--select", "SH204", "--no-cache")
    assert code == 1
    scopes = sorted(f["message"].split("`")[1] for f in report["findings"])
    assert scopes == ["r:rules:*", "read_invoice_pdf", "read_invoices", "read_outage_alerts", "read_plan"]
    # Providers no catalogue knows: heuristic verdicts over client method names, low.
    assert {f["confidence"] for f in report["findings"]} == {"low"}

