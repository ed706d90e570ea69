"""Shared pieces of the workflow tests: a test-only rule, hand-made findings, git helpers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from scanner.facts.base import FileFacts
from scanner.model.finding import Finding, Severity
from scanner.rules.base import Bad, Good, Rule, RuleContext, build_finding

# A planted credential: it must never appear whole in any output.
PLANTED = "9f3KpQ2LmX8vT4wZ7yB1nC6dE0aR5sUq"
_TOKEN = re.compile(r"""(?i)planted_token\s*=\s*["']([^"']{8,})["']""")


class PlantedToken(Rule):
    """## What it does
    Finds `PLANTED_TOKEN = "..."`, a test-only stand-in for a hard-coded secret.

    ## Why is this bad?
    It exercises the workflow code (reporters, baseline, hooks) without the real rules.

    ## Example
        PLANTED_TOKEN = "abcdefgh12345678"

    ## Use instead
        PLANTED_TOKEN = os.environ["PLANTED_TOKEN"]

    ## References
    - CWE-798
    """

    id = "SH199"
    name = "planted-test-token"
    family = "secret"
    severity = Severity.HIGH
    cwe = ("CWE-798",)
    examples = (Bad('PLANTED_TOKEN = "9f3KpQ2LmX8vT4wZ7yB1nC6dE0aR5sUq"', line=1),
                Good("PLANTED_TOKEN = x"))

    # A test-only rule needs no fact: it reads the document the engine hands it.
    def check(self, facts: FileFacts, context: RuleContext) -> Iterable[Finding]:
        document = context.document
        for number in document.lines_with(("planted_token",)):
            match = _TOKEN.search(document.line_text(number))
            if match:
                yield context.report(self, (number, match.start(1) + 1, number, match.end(1) + 1),
                                     f"hard-coded token {match.group(1)}", secret=match.group(1))


class WebhookNoVerify(Rule):
    """## What it does
    A test-only webhook rule, for SARIF rule descriptors.

    ## Why is this bad?
    Unsigned webhooks can be forged.

    ## Example
        @app.post("/hook")

    ## Use instead
        hmac.compare_digest(...)
    """

    id = "SH301"
    name = "webhook-test-rule"
    family = "webhook"
    severity = Severity.MEDIUM
    cwe = ("CWE-345", "CWE-347")


def golden_findings() -> list[Finding]:
    """The shared findings every reporter renders in the golden tests."""
    rule = PlantedToken()
    line = f'API = client(PLANTED_TOKEN="{PLANTED}")  # prod, comma: yes'
    secret_finding = build_finding(
        rule, path="app/settings.py", span=(12, 29, 12, 29 + len(PLANTED)),
        message=f"hard-coded token {PLANTED} passed as PLANTED_TOKEN", line_text=line,
        secret=PLANTED)
    webhook = Finding(
        rule="SH301", name="webhook-test-rule", category="webhook", severity=Severity.MEDIUM,
        path="api/hooks dir/stripe,hooks.py", line=40, column=1, end_line=44, end_column=20,
        message="handler receive_stripe: no signature check; 100% unverified: payload trusted",
        snippet='@app.post("/stripe")', fingerprint="ab" * 32)
    scope = Finding(
        rule="SH201", name="scope-test-rule", category="scope", severity=Severity.LOW,
        path="app/settings.py", line=3, column=5, end_line=3, end_column=5,
        message="scope list: 4,100 chars", snippet="SCOPES = [...]", fingerprint="cd" * 32,
        commit="0123456789abcdef0123456789abcdef01234567")
    return sorted([secret_finding, webhook, scope], key=Finding.sort_key)


# -- git ----------------------------------------------------------------------------------------

# The hooks call `secret-hygiene` from PATH: the one installed next to this interpreter.
BIN_DIR = str(Path(sys.executable).parent)


def git_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = BIN_DIR + os.pathsep + env.get("PATH", "")
    env.update({"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
                "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull})
    env.pop("GIT_DIR", None)
    env.pop("CI", None)
    return env


def git(cwd: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=git_env(),
                          check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def init_repo(path: Path, branch: str = "main") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", branch)
    git(path, "config", "user.name", "t")
    git(path, "config", "user.email", "t@example.com")
    git(path, "config", "commit.gpgsign", "false")
    return path


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def run(cwd: Path, *args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, env=env, input=stdin, capture_output=True, text=True,
                          check=False)
