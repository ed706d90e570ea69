"""Every output format over the same hand-made findings: golden files, schema, no secret leaks."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest

import scanner
from scanner.model.finding import Summary
from scanner.reporters import REPORTERS, github
from scanner.reporters import json as json_reporter
from scanner.rules import registry
from tests.workflow.helpers import PLANTED, PlantedToken, WebhookNoVerify, golden_findings

GOLDEN = Path(__file__).parent / "golden"
SCHEMA_PATH = Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json"
SUFFIX = {"text": "txt", "json": "json", "sarif": "sarif", "github": "github.txt"}
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def sarif_validator() -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def golden_summary() -> Summary:
    return Summary(files_scanned=7, findings=3, by_category={"secret": 1, "webhook": 1, "scope": 1},
                   suppressed=2, errors=["app/broken.py: Python syntax error at line 3; only the "
                                         "text rules ran on this file"])


@pytest.fixture
def fixed_tool(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed version and rule set, so the golden files do not churn as the tool grows."""
    monkeypatch.setattr(scanner, "__version__", "0.0.0-test")
    monkeypatch.setattr(json_reporter, "__version__", "0.0.0-test")
    monkeypatch.setattr(registry, "RULES", (PlantedToken, WebhookNoVerify))


def rendered(fmt: str) -> str:
    stream = io.StringIO()
    REPORTERS[fmt](golden_findings(), golden_summary(), stream, False,
                   (PlantedToken, WebhookNoVerify))
    return stream.getvalue()


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_format_matches_golden_file(fmt: str, fixed_tool: None) -> None:
    output = rendered(fmt)
    golden = GOLDEN / f"findings.{SUFFIX[fmt]}"
    if UPDATE:
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_no_format_contains_the_secret(fmt: str, fixed_tool: None) -> None:
    output = rendered(fmt)
    assert PLANTED not in output
    # Not even a long piece of it: the redacted form keeps at most 4 characters.
    assert PLANTED[:8] not in output
    assert "9f3K…(32 chars)" in output


def test_golden_sarif_validates_against_the_official_schema(fixed_tool: None) -> None:
    document = json.loads(rendered("sarif"))
    errors = sorted(sarif_validator().iter_errors(document), key=str)
    assert not errors, [e.message for e in errors[:5]]


def test_sarif_rules_results_and_notes(fixed_tool: None) -> None:
    run = json.loads(rendered("sarif"))["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {"SH199", "SH301"}
    assert rules["SH199"]["properties"]["tags"] == ["security", "secret", "external/cwe/cwe-798"]
    assert rules["SH301"]["properties"]["tags"] == [
        "security", "webhook", "external/cwe/cwe-345", "external/cwe/cwe-347"]
    assert rules["SH199"]["properties"]["security-severity"] == "8.0"
    assert rules["SH199"]["help"]["markdown"].startswith("## What it does")
    assert rules["SH199"]["shortDescription"]["text"].startswith("Finds `PLANTED_TOKEN")
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert by_rule["SH199"]["level"] == "error"
    assert by_rule["SH301"]["level"] == "warning"
    assert by_rule["SH201"]["level"] == "note"
    assert "ruleIndex" not in by_rule["SH201"]  # not a rule of this (patched) tool
    assert by_rule["SH301"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "api/hooks%20dir/stripe%2Chooks.py"
    region = by_rule["SH199"]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (12, 29, 61)
    assert by_rule["SH199"]["partialFingerprints"]["secretHygiene/v1"] == golden_findings()[2].fingerprint
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == golden_summary().errors


def test_github_escaping() -> None:
    assert github.escape_data("a%b\r\nc") == "a%25b%0D%0Ac"
    assert github.escape_property("p:a,t%h\n") == "p%3Aa%2Ct%25h%0A"
    findings = golden_findings()
    findings[0] = findings[0].with_changes(message="no signature check\r\n100% unverified: trusted")
    stream = io.StringIO()
    github.render(findings, golden_summary(), stream)
    lines = stream.getvalue().splitlines()
    # Each finding is one workflow command, whatever its message holds.
    assert len(lines) == 4
    assert lines[0].startswith("::warning file=api/hooks dir/stripe%2Chooks.py,line=40,endLine=44,col=1,")
    assert lines[0].endswith("::no signature check%0D%0A100%25 unverified: trusted [medium]")


FIXTURE = Path(__file__).parents[1] / "fixtures" / "workflow" / "notebook-app"
FIXTURE_SECRETS = ("Xk29vLq7Tz3Wm8Pn4Rb6Yc1Hd5Jf0GsA", "Xk29vLq7Tz3Wm8Pn4Rb6Yc1Hd5Jf0GsB",
                   "Qm4Rt8Yu2Io6Pa0Sd3Fg7Hj1Kl5Zx9Cv")


def test_fixture_project_sarif_validates_and_names_exact_findings(tmp_path: Path) -> None:
    """The real rules over a project with a notebook, a settings module and a webhook."""
    from scanner.cli import main

    out = tmp_path / "report.sarif"
    # A copy outside this repository: inside it, paths (and the project's own config, which
    # excludes tests/fixtures/) would be the repository's.
    project = tmp_path / "notebook-app"
    shutil.copytree(FIXTURE, project)
    assert main(["scan", str(project), "--format", "sarif", "--output", str(out)]) == 1
    text = out.read_text(encoding="utf-8")
    document = json.loads(text)
    errors = sorted(sarif_validator().iter_errors(document), key=str)
    assert not errors, [e.message for e in errors[:5]]
    run = document["runs"][0]
    results = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
                r["locations"][0]["physicalLocation"]["region"]["startColumn"], r["ruleId"])
               for r in run["results"]}
    assert results == {("app/hooks.py", 8, 1, "SH301"), ("app/settings.py", 5, 22, "SH101"),
                       ("export.ipynb", 49, 24, "SH101")}
    notebook = next(r for r in run["results"] if r["locations"][0]["physicalLocation"]
                    ["artifactLocation"]["uri"] == "export.ipynb")
    assert notebook["message"]["text"].endswith("(cell 3, line 2)")
    assert run["properties"]["suppressed"] == 1  # the inline ignore inside cell 4
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert {"SH101", "SH301"} <= set(rules)
    assert all(rule["help"]["markdown"].startswith("## What it does") for rule in rules.values())
    assert "external/cwe/cwe-798" in rules["SH101"]["properties"]["tags"]
    for secret in FIXTURE_SECRETS:
        assert secret not in text and secret[:8] not in text
