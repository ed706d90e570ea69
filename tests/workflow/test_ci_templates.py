"""The CI templates are valid YAML and their commands work on a real repository whose pull
request adds a secret to a base branch that already had one."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.workflow.helpers import PLANTED, commit_all, git, git_env, init_repo, run
from tests.workflow.test_reporters import sarif_validator

HOOKS = Path(__file__).resolve().parents[2] / "hooks"
OLD_SECRET = "Qz7Lm2Xc9Vb4Nn6Tr1Yp8Ws3Kd5Hg0Aa"


def pull_request_repo(tmp_path: Path, *, with_secret: bool) -> tuple[Path, dict[str, str]]:
    """A clone whose `main` (on a bare origin) has an old secret and whose HEAD is a feature
    branch adding either a new secret or clean code."""
    env = {**git_env(), "NO_COLOR": "1"}  # the installed CLI, with the real SH101
    remote = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    repo = init_repo(tmp_path / "work")
    git(repo, "remote", "add", "origin", str(remote))
    (repo / "old.py").write_text(f'client_secret = "{OLD_SECRET}"\n', encoding="utf-8")
    commit_all(repo, "base")
    git(repo, "push", "-q", "origin", "main")
    git(repo, "checkout", "-q", "-b", "feature")
    git(repo, "update-ref", "-d", "refs/remotes/origin/main")  # the job fetches it itself
    body = f'CLIENT_SECRET = "{PLANTED}"\n' if with_secret else "x = 1\n"
    (repo / "new.py").write_text("import os\n" + body, encoding="utf-8")
    commit_all(repo, "feature")
    return repo, env


def bash(repo: Path, script: str, env: dict[str, str]) -> tuple[int, str]:
    # GitHub's and GitLab's default: bash, stop at the first failing command.
    done = run(repo, "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script, env=env)
    assert PLANTED not in done.stdout + done.stderr
    return done.returncode, done.stdout + done.stderr


def github_workflow() -> dict[Any, Any]:
    document = yaml.safe_load((HOOKS / "github-actions.yml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def test_github_workflow_shape() -> None:
    workflow = github_workflow()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in triggers
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["secret-hygiene"]["steps"]
    uses = [s["uses"].split("@")[0] for s in steps if "uses" in s]
    assert uses == ["actions/checkout", "actions/setup-python", "github/codeql-action/upload-sarif"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == "secret-hygiene.sarif"
    assert "always()" in upload["if"]
    # Fork pull requests and repositories without code scanning answer 403: never a failure.
    assert upload["continue-on-error"] is True
    # The diff is scanned once: annotations and SARIF from the same run.
    scans = [s for s in steps if "secret-hygiene diff" in s.get("run", "")]
    assert len(scans) == 1 and scans[0]["run"].count("secret-hygiene diff") == 1
    assert next(s for s in steps if "uses" in s and "checkout" in s["uses"])["with"]["fetch-depth"] == 0


def run_github_job(repo: Path, env: dict[str, str], tmp_path: Path) -> tuple[list[tuple[str, int, str]], dict[str, str]]:
    """Runs every `run:` step but the install the way the runner would; returns (name, exit,
    output) per step and the step outputs."""
    job = github_workflow()["jobs"]["secret-hygiene"]
    job_env = {k: str(v).replace("${{ github.base_ref }}", "main") for k, v in job["env"].items()}
    outputs: dict[str, dict[str, str]] = {}
    results = []
    for step in job["steps"]:
        if "run" not in step or step.get("id") == "install":
            continue
        condition = step.get("if")
        if condition:
            match = re.fullmatch(r"steps\.(\w+)\.outputs\.(\w+) == '(\w*)'", condition)
            assert match, f"the test cannot evaluate `if: {condition}`"
            if outputs.get(match[1], {}).get(match[2]) != match[3]:
                continue
        output_file = tmp_path / f"output-{len(results)}"
        output_file.write_text("", encoding="utf-8")
        step_env = {**env, **job_env, "GITHUB_OUTPUT": str(output_file), "CI": "true"}
        code, text = bash(repo, step["run"], step_env)
        results.append((step["name"], code, text))
        if "id" in step:
            lines = output_file.read_text(encoding="utf-8").splitlines()
            outputs[step["id"]] = {key: value for key, _, value in (row.partition("=") for row in lines)}
    return results, outputs.get("scan", {})


def sarif_results(repo: Path) -> list[tuple[str, int, str]]:
    document = json.loads((repo / "secret-hygiene.sarif").read_text(encoding="utf-8"))
    assert not list(sarif_validator().iter_errors(document))
    return [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"], r["ruleId"])
            for r in document["runs"][0]["results"]]


def test_github_job_on_a_pull_request_that_adds_a_secret(tmp_path: Path) -> None:
    repo, env = pull_request_repo(tmp_path, with_secret=True)
    steps, scan = run_github_job(repo, env, tmp_path)
    assert [(name, code) for name, code, _ in steps] == [
        ("Fetch the base branch", 0), ("Scan the pull request's diff", 0), ("Fail on findings", 1)]
    assert scan == {"status": "1"}
    assert sarif_results(repo) == [("new.py", 2, "SH101")]  # the base branch's old secret is not
    annotations = steps[1][2]
    assert "::error file=new.py,line=2,endLine=2,col=18,title=SH101 hardcoded-client-secret::" in annotations
    assert "old.py" not in annotations


def test_github_job_on_a_clean_pull_request(tmp_path: Path) -> None:
    repo, env = pull_request_repo(tmp_path, with_secret=False)
    steps, scan = run_github_job(repo, env, tmp_path)
    assert [(name, code) for name, code, _ in steps] == [
        ("Fetch the base branch", 0), ("Scan the pull request's diff", 0)]
    assert scan == {"status": "0"}
    assert sarif_results(repo) == []


@pytest.mark.parametrize("with_secret", [True, False])
def test_gitlab_job(tmp_path: Path, with_secret: bool) -> None:
    job = yaml.safe_load((HOOKS / "gitlab-ci.yml").read_text(encoding="utf-8"))["secret-hygiene"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert job["artifacts"]["paths"] == ["secret-hygiene.sarif", "gl-code-quality-report.json"]
    # The merge request widget reads the code quality report.
    assert job["artifacts"]["reports"] == {"codequality": "gl-code-quality-report.json"}
    assert sum(line.count("secret-hygiene diff") for line in job["script"]) == 1
    repo, env = pull_request_repo(tmp_path, with_secret=with_secret)
    script = "\n".join(line for line in job["script"] if "pip install" not in line)
    env = {**env, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI": "true"}
    code, output = bash(repo, script, env)
    if with_secret:
        assert code == 1 and "new.py:2:18 SH101" in output and "old.py" not in output
        assert sarif_results(repo) == [("new.py", 2, "SH101")]
    else:
        assert code == 0, output
        assert sarif_results(repo) == []
    quality = json.loads((repo / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert [(q["location"]["path"], q["location"]["lines"]["begin"], q["check_name"], q["severity"])
            for q in quality] == ([("new.py", 2, "SH101 hardcoded-client-secret", "critical")]
                                  if with_secret else [])
    assert all(len(q["fingerprint"]) == 64 and q["description"] for q in quality)
