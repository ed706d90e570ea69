"""A new user's path through install, hook, CI and audit (issue 16), each dead end through the
CLI on a real temporary git repository: the native hooks run by git itself."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

import pytest
import yaml

from scanner import progress
from scanner.cli import main
from scanner.config import BASELINE_FILE
from scanner.facts.base import FileFacts
from scanner.model.finding import Confidence, Finding, Severity
from scanner.rules import registry
from scanner.rules.base import Bad, Good, Rule, RuleContext
from tests.gitrepo import Repo, triples
from tests.workflow.helpers import PLANTED, commit_all, git, git_env, init_repo, run

PROJECT = Path(__file__).resolve().parents[2]
SECRET_LINE = f'CLIENT_SECRET = "{PLANTED}"\n'
OTHER = "Qz7Lm2Xc9Vb4Nn6Tr1Yp8Ws3Kd5Hg0Aa"


def cli(cwd: Path, *args: str, stdin: str | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed CLI as a user runs it (a subprocess)."""
    done = run(cwd, sys.executable, "-m", "scanner.cli", *args, env=env or {**git_env(), "NO_COLOR": "1"},
               stdin=stdin)
    assert PLANTED not in done.stdout + done.stderr
    return done


def in_dir(path: Path, *args: str) -> int:
    previous = Path.cwd()
    os.chdir(path)
    try:
        return main(list(args))
    finally:
        os.chdir(previous)


# -- 1. installable -----------------------------------------------------------------------------


def test_readme_pre_commit_rev_is_a_commit_of_this_repository_with_the_hook() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"- repo: (\S+)\n\s+rev: (\S+)\n\s+hooks:\n\s+- id: secret-hygiene", readme)
    assert match, "README has no pre-commit snippet"
    rev = match[2]
    assert re.fullmatch(r"[0-9a-f]{40}", rev) or rev in git(PROJECT, "tag").split()
    hooks = yaml.safe_load(git(PROJECT, "show", f"{rev}:.pre-commit-hooks.yaml"))
    assert [hook["id"] for hook in hooks] == ["secret-hygiene"]
    assert "pre-commit autoupdate" in readme
    # The CI templates pin the same commit of the same repository.
    for template in ("github-actions.yml", "gitlab-ci.yml"):
        text = (PROJECT / "hooks" / template).read_text(encoding="utf-8")
        assert f'SECRET_HYGIENE: "git+{match[1]}@{rev}"' in text
        assert "pip install secret-hygiene" not in text


def test_ci_builds_and_checks_the_distributions() -> None:
    ci = (PROJECT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m build --sdist --wheel" in ci and "twine check --strict" in ci
    extras = (PROJECT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"build>=' in extras and '"twine>=' in extras


# -- 2. the path root is the repository's ------------------------------------------------------


def test_a_subdirectory_scan_keeps_repository_paths_baseline_and_config(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("src/app/hooks.py", SECRET_LINE)
    repo.write("src/app/other.py", f'CLIENT_SECRET = "{OTHER}"\n')
    repo.write(".secret-hygiene.toml", '[per-file-ignores]\n"src/app/other.py" = ["SH101"]\n')
    repo.commit()
    assert in_dir(repo.root, "baseline") == 0
    for cwd, args in ((repo.root, ("scan", "src")), (repo.root / "src", ("scan",)),
                      (repo.root / "src" / "app", ("scan", "hooks.py"))):
        code, report = repo.run(*args, cwd=cwd)
        assert (code, report["findings"]) == (0, []), (cwd, args)
        code, report = repo.run(*args, "--no-baseline", cwd=cwd)
        assert (code, triples(report)) == (1, {("src/app/hooks.py", 1, "SH101")}), (cwd, args)
    done = cli(repo.root / "src", "scan", "--no-baseline", "--format", "github")
    assert "::error file=src/app/hooks.py,line=1" in done.stdout


# -- 3. a blocked push can be baselined ---------------------------------------------------------


def test_a_push_blocked_by_a_removed_secret_is_accepted_with_baseline_history(tmp_path: Path) -> None:
    env = {**git_env(), "NO_COLOR": "1"}
    remote = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    repo = init_repo(tmp_path / "work")
    git(repo, "remote", "add", "origin", str(remote))
    assert in_dir(repo, "install-hook", "--pre-push") == 0
    # The first push of a history that added a secret and removed it again.
    (repo / "a.py").write_text(SECRET_LINE, encoding="utf-8")
    commit_all(repo, "add a test credential")
    (repo / "a.py").write_text("x = 1\n", encoding="utf-8")
    commit_all(repo, "remove it again")
    (repo / "b.py").write_text("y = 2\n", encoding="utf-8")
    commit_all(repo, "more")
    blocked = run(repo, "git", "push", "origin", "main", env=env)
    assert blocked.returncode != 0 and PLANTED not in blocked.stderr
    command = re.search(r"secret-hygiene baseline --history (\S+)", blocked.stderr)
    assert command, blocked.stderr
    # The named command works as printed: the secret is no longer in the work tree.
    done = cli(repo, "baseline", "--history", command[1], "--reason", "test value, revoked")
    assert done.returncode == 0, done.stderr
    entries = json.loads((repo / BASELINE_FILE).read_text(encoding="utf-8"))["findings"]
    assert [(e["rule"], e["path"], e["reason"]) for e in entries] == [("SH101", "a.py", "test value, revoked")]
    commit_all(repo, "accept the old test credential")
    pushed = run(repo, "git", "push", "origin", "main", env=env)
    assert pushed.returncode == 0, pushed.stderr


def test_baseline_add_accepts_one_reported_fingerprint(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("a.py", SECRET_LINE)
    repo.write("b.py", f'CLIENT_SECRET = "{OTHER}"\n')
    repo.commit()
    _, report = repo.run("scan")
    fingerprint = next(f["fingerprint"] for f in report["findings"] if f["path"] == "a.py")
    assert in_dir(repo.root, "baseline", "--add", fingerprint, "--reason", "fixture") == 0
    code, report = repo.run("scan")
    assert (code, triples(report)) == (1, {("b.py", 1, "SH101")})
    assert in_dir(repo.root, "baseline", "--add", "nope") == 2


# -- 4 and 5. the native hook without the venv on PATH, and the next steps ----------------------


def test_native_hook_runs_without_the_venv_on_path_and_says_what_to_do(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    (repo / "a.py").write_text("x = 1\n", encoding="utf-8")
    commit_all(repo, "base")
    assert in_dir(repo, "install-hook") == 0
    # An IDE's PATH: git, sh and coreutils, but not the virtualenv that installed the hook.
    env = {**git_env(), "NO_COLOR": "1", "PATH": "/usr/local/bin:/usr/bin:/bin"}
    assert subprocess.run(["sh", "-c", "command -v secret-hygiene"], env=env,
                          capture_output=True, check=False).returncode != 0
    (repo / "a.py").write_text(SECRET_LINE, encoding="utf-8")
    git(repo, "add", "a.py")
    blocked = run(repo, "git", "commit", "-m", "oops", env=env)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0 and "a.py:1:18 SH101" in output, output
    assert PLANTED not in output
    assert output.count("Next steps") == 1
    for step in ("# secret-hygiene: ignore[SH101]", "secret-hygiene baseline",
                 "secret-hygiene explain SH101", "SKIP=secret-hygiene", "--no-verify", "revoke"):
        assert step in output, step
    # A clean commit passes, and a scan in CI (not a commit) prints no next steps.
    (repo / "a.py").write_text("x = 2\n", encoding="utf-8")
    git(repo, "add", "a.py")
    assert run(repo, "git", "commit", "-q", "-m", "fine", env=env).returncode == 0
    (repo / "b.py").write_text(SECRET_LINE, encoding="utf-8")
    assert "Next steps" not in cli(repo, "scan").stderr


# -- 6. -v and -q -------------------------------------------------------------------------------


def test_verbose_says_more_and_quiet_prints_only_findings(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("a.py", SECRET_LINE)
    repo.write(".secret-hygiene.toml", 'fail-on = "low"\n')
    repo.commit()
    verbose = cli(repo.root, "scan", "-v")
    assert "config: .secret-hygiene.toml" in verbose.stderr
    assert "baseline: none" in verbose.stderr
    assert re.search(r"done in \d+\.\d\ds: 2 files scanned, 1 reported", verbose.stderr)
    quiet = cli(repo.root, "scan", "-q")
    assert quiet.returncode == 1 and quiet.stderr == ""
    assert "a.py:1:18 SH101" in quiet.stdout and "scanned" not in quiet.stdout


# -- 7. baseline arguments ----------------------------------------------------------------------


def test_baseline_covers_every_path_given_and_refuses_a_missing_one(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("docs/a.py", SECRET_LINE)
    repo.write("src/b.py", f'CLIENT_SECRET = "{OTHER}"\n')
    repo.write("lib/c.py", SECRET_LINE)
    repo.commit()
    assert cli(repo.root, "baseline", "docs", "src").returncode == 0
    assert not (repo.root / "docs" / BASELINE_FILE).exists()
    entries = json.loads((repo.root / BASELINE_FILE).read_text(encoding="utf-8"))["findings"]
    assert sorted(e["path"] for e in entries) == ["docs/a.py", "src/b.py"]
    # A later baseline of one directory keeps the entries of the others.
    assert cli(repo.root, "baseline", "lib").returncode == 0
    entries = json.loads((repo.root / BASELINE_FILE).read_text(encoding="utf-8"))["findings"]
    assert sorted(e["path"] for e in entries) == ["docs/a.py", "lib/c.py", "src/b.py"]
    # So does one from a subdirectory: the baseline is the repository's.
    assert cli(repo.root / "lib", "baseline").returncode == 0
    assert not (repo.root / "lib" / BASELINE_FILE).exists()
    entries = json.loads((repo.root / BASELINE_FILE).read_text(encoding="utf-8"))["findings"]
    assert sorted(e["path"] for e in entries) == ["docs/a.py", "lib/c.py", "src/b.py"]
    missing = cli(repo.root, "baseline", ".", str(tmp_path / "nonexistent"))
    assert missing.returncode == 2 and "no such file or directory" in missing.stderr


# -- 8. install-hook over the pre-commit framework ---------------------------------------------


def test_install_hook_force_never_replaces_the_pre_commit_framework_hook(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    (repo / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")
    env = {**git_env(), "PRE_COMMIT_HOME": str(tmp_path / "pc-home")}
    done = run(repo, sys.executable, "-m", "pre_commit", "install", env=env)
    assert done.returncode == 0, done.stderr
    hook = repo / ".git" / "hooks" / "pre-commit"
    before = hook.read_text(encoding="utf-8")
    refused = cli(repo, "install-hook", "--force")
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert ".pre-commit-config.yaml" in refused.stderr
    assert hook.read_text(encoding="utf-8") == before
    assert not list(hook.parent.glob("*secret-hygiene-backup*"))


# -- 9. git errors ------------------------------------------------------------------------------


def test_git_errors_are_one_readable_line_and_a_range_is_never_an_option(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    (repo / "a.py").write_text("x = 1\n", encoding="utf-8")
    commit_all(repo, "base")
    for args in (("history", "nope"), ("diff", "nope..HEAD"), ("history", "HEAD~5..HEAD")):
        done = cli(repo, *args)
        assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
        assert "unknown revision" in done.stderr and "usage" not in done.stderr.lower()
    written = tmp_path / "written"
    done = cli(repo, "history", "--", f"--output={written}")
    assert done.returncode == 2 and not written.exists()


# -- 10. standard input and unreadable named inputs ---------------------------------------------


def test_scan_reads_standard_input_and_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    done = cli(tmp_path, "scan", "-", "--stdin-filename", "app/settings.py", "--format", "json",
               stdin=SECRET_LINE)
    assert done.returncode == 1
    assert [(f["path"], f["rule"]) for f in json.loads(done.stdout)["findings"]] == [
        ("app/settings.py", "SH101")]
    # A piped /dev/stdin is not a file to walk: an error pointing at `scan -`.
    piped = cli(tmp_path, "scan", "/dev/stdin", stdin=SECRET_LINE)
    assert piped.returncode == 2 and "scan -" in piped.stderr
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    dangling = cli(tmp_path, "scan", "dangling")
    assert dangling.returncode == 2 and "dangling" in dangling.stderr


# -- 11. outside git, installed files are skipped -----------------------------------------------


def test_outside_git_virtualenvs_and_node_modules_are_skipped_unless_all_files(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    for path in ("app.py", ".venv/lib/site.py", "node_modules/x/index.js", "__pycache__/a.py",
                 ".tox/py/b.py"):
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_text(SECRET_LINE, encoding="utf-8")
    done = cli(tree, "scan", "--format", "json")
    report = json.loads(done.stdout)
    assert [f["path"] for f in report["findings"]] == ["app.py"]
    assert any(".venv/" in note and "--all-files" in note for note in report["summary"]["errors"])
    everything = json.loads(cli(tree, "scan", "--all-files", "--format", "json").stdout)
    assert len({f["path"] for f in everything["findings"]}) == 5


# -- 12. the SH302 fix keeps a missing header a rejection ---------------------------------------

WEBHOOK = '''import hashlib
import hmac

from flask import Flask, request

app = Flask(__name__)
SECRET = b"webhook-key"


@app.post("/hook")
def hook():
    sig = request.headers.get("X-Signature")
    expected = hmac.new(SECRET, request.get_data(), hashlib.sha256).hexdigest()
    if sig != expected:
        return "bad signature", 401
    return "ok"
'''


def test_the_sh302_fix_keeps_a_missing_header_a_401(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("webhook_app.py", WEBHOOK)
    repo.commit()
    assert in_dir(repo.root, "fix", "--select", "SH302") == 0
    fixed = (repo.root / "webhook_app.py").read_text(encoding="utf-8")
    assert "compare_digest" in fixed
    check = ("import hashlib, hmac, webhook_app\n"
             "client = webhook_app.app.test_client()\n"
             "good = hmac.new(webhook_app.SECRET, b'{}', hashlib.sha256).hexdigest()\n"
             "print(client.post('/hook', data=b'{}').status_code,"
             " client.post('/hook', data=b'{}', headers={'X-Signature': 'x'}).status_code,"
             " client.post('/hook', data=b'{}', headers={'X-Signature': good}).status_code)\n")
    done = subprocess.run([sys.executable, "-c", check], cwd=repo.root, capture_output=True,
                          text=True, check=False)
    assert done.stdout.split() == ["401", "401", "200"], done.stderr


# -- 13. detect-secrets' audited real secrets are not accepted ----------------------------------


def test_detect_secrets_entries_audited_as_real_are_not_imported(tmp_path: Path) -> None:
    import hashlib

    repo = Repo(tmp_path / "repo")
    repo.write("real.py", SECRET_LINE)
    repo.write("fp.py", f'CLIENT_SECRET = "{OTHER}"\n')
    repo.commit()
    results = {name: [{"type": "Secret Keyword", "filename": name, "line_number": 1,
                       "hashed_secret": hashlib.sha1(value.encode()).hexdigest(),
                       "is_verified": False, **({"is_secret": real} if real is not None else {})}]
               for name, value, real in (("real.py", PLANTED, True), ("fp.py", OTHER, False))}
    (repo.root / ".secrets.baseline").write_text(json.dumps({"version": "1.5.0", "results": results}),
                                                 encoding="utf-8")
    done = cli(repo.root, "baseline", "--from-detect-secrets", ".secrets.baseline")
    assert done.returncode == 0 and "is_secret: true" in done.stderr and "revoke" in done.stderr
    code, report = repo.run("scan")
    assert (code, triples(report)) == (1, {("real.py", 1, "SH101")})


# -- 14. progress -------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("command", [["baseline"], ["fix", "--diff"], ["history"]])
def test_baseline_fix_and_history_show_progress_with_totals(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("a.py", SECRET_LINE)
    repo.commit()
    repo.write("b.py", "x = 1\n")
    repo.commit()
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.0)
    monkeypatch.delenv("CI", raising=False)
    stderr = Terminal()
    monkeypatch.setattr(sys, "stderr", stderr)
    in_dir(repo.root, *command)
    shown = stderr.getvalue()
    label = {"baseline": "baselining", "fix": "looking for fixes",
             "history": "scanning the history of 2 commits"}[command[0]]
    assert label in shown, shown
    if command[0] == "history":
        assert "history: 2 commits (HEAD)" in shown


# -- 15. help -----------------------------------------------------------------------------------


def test_help_summaries_are_whole_and_name_the_exit_codes() -> None:
    top = cli(PROJECT, "--help", env={**git_env(), "COLUMNS": "80"}).stdout
    commands = top.split("Commands:")[1]
    # click cuts a long summary with "..." at its end.
    assert not [line for line in commands.splitlines() if line.rstrip().endswith("...")], commands
    assert "Exit codes: 0" in " ".join(top.split())
    for command in ("scan", "diff", "history", "hook"):
        assert "130 interrupted" in " ".join(cli(PROJECT, command, "--help").stdout.split())
    explained = cli(PROJECT, "explain", "SH101").stdout
    assert "`min-length`" in explained and "`placeholders`" in explained
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert "min-length" in readme and "placeholders" in readme


# -- 16. small things ---------------------------------------------------------------------------


def test_one_file_colour_variables_and_interrupt(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("a.py", SECRET_LINE)
    repo.commit()
    plain = {**git_env()}
    plain.pop("NO_COLOR", None)
    plain.pop("FORCE_COLOR", None)
    assert "in 1 file scanned" in cli(repo.root, "scan", env=plain).stdout
    assert "\x1b[" not in cli(repo.root, "scan", env=plain).stdout  # a pipe: no colour
    assert "\x1b[" in cli(repo.root, "scan", env={**plain, "FORCE_COLOR": "1"}).stdout
    assert "\x1b[" in cli(repo.root, "scan", env={**plain, "FORCE_COLOR": "1", "NO_COLOR": ""}).stdout
    assert "\x1b[" not in cli(repo.root, "scan", env={**plain, "FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    # Ctrl-C while it waits on standard input: 130, like any interrupted command.
    # SIGINT as a terminal delivers it: a test runner's worker may ignore it, and an ignored
    # disposition is inherited (Python then never raises KeyboardInterrupt: the child would wait).
    process = subprocess.Popen([sys.executable, "-m", "scanner.cli", "scan", "-", "-v"], cwd=repo.root,
                               env=plain, stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert process.stderr is not None and process.stdin is not None
    while "rules:" not in process.stderr.readline():
        pass
    process.send_signal(signal.SIGINT)
    assert process.wait() == 130
    process.stdin.close()
    process.stderr.close()


def test_config_pasted_from_the_readme_and_a_baseline_with_a_bom(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("a.py", SECRET_LINE)
    repo.write("b.py", f'CLIENT_SECRET = "{OTHER}"\n')
    repo.write(".secret-hygiene.toml", '[tool.secret-hygiene]\nexclude = ["b.py"]\n')
    repo.commit()
    code, report = repo.run("scan")
    assert (code, triples(report)) == (1, {("a.py", 1, "SH101")})
    (repo.root / ".secret-hygiene.toml").unlink()
    repo.write("pyproject.toml", '[tool."secret-hygiene"]\nexclude = ["a.py"]\n')
    code, report = repo.run("scan")
    assert (code, triples(report)) == (1, {("b.py", 1, "SH101")})
    assert in_dir(repo.root, "baseline") == 0
    path = repo.root / BASELINE_FILE
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    code, report = repo.run("scan")
    assert (code, report["findings"], report["summary"]["suppressed"]) == (0, [], 1)


# -- min-confidence and exit codes --------------------------------------------------------------


class UnsureToken(Rule):
    """## What it does
    Finds `UNSURE = "..."`, a test-only low-confidence finding.

    ## Why is this bad?
    It exercises --min-confidence.

    ## Example
        UNSURE = "x"

    ## Use instead
        UNSURE = os.environ["UNSURE"]
    """

    id = "SH198"
    name = "unsure-test-token"
    family = "secret"
    severity = Severity.HIGH
    confidence: ClassVar[Confidence] = Confidence.LOW
    examples = (Bad('UNSURE = "x"', line=1), Good("UNSURE = x"))

    def check(self, facts: FileFacts, context: RuleContext) -> Iterable[Finding]:
        document = context.document
        for number in document.lines_with(("unsure",)):
            if document.line_text(number).startswith('UNSURE = "'):
                yield context.report(self, (number, 1, number, 7), "an unsure finding")


def test_min_confidence_filters_every_output_and_sarif_ranks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "RULES", (*registry.RULES, UnsureToken))
    monkeypatch.setattr(registry, "RULES_BY_ID", {**registry.RULES_BY_ID, "SH198": UnsureToken})
    repo = Repo(tmp_path / "repo")
    repo.write("a.py", 'UNSURE = "x"\n' + SECRET_LINE)
    repo.commit()
    code, report = repo.run("scan", "-j", "1")
    assert code == 1 and {(f["rule"], f["confidence"]) for f in report["findings"]} == {
        ("SH198", "low"), ("SH101", "high")}
    code, report = repo.run("scan", "-j", "1", "--min-confidence", "medium")
    assert code == 1 and [f["rule"] for f in report["findings"]] == ["SH101"]
    assert report["summary"]["findings"] == 1 and report["summary"]["by_category"] == {"secret": 1}
    sarif = tmp_path / "out.sarif"
    assert in_dir(repo.root, "scan", "-j", "1", "--format", "sarif", "-o", str(sarif)) == 1
    results = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    assert sorted((r["ruleId"], r["rank"], r["properties"]["confidence"]) for r in results) == [
        ("SH101", 90.0, "high"), ("SH198", 30.0, "low")]
    assert in_dir(repo.root, "scan", "-j", "1", "--select", "SH198", "--min-confidence", "high") == 0
    # And the diff and hook modes too.
    repo.write("b.py", 'UNSURE = "y"\n')
    repo.git("add", "b.py")
    assert in_dir(repo.root, "diff", "--staged", "-j", "1", "-q", "--min-confidence", "medium") == 0
    assert in_dir(repo.root, "hook", "-j", "1", "-q", "--min-confidence", "low", "b.py") == 1


def test_exit_code_option(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("a.py", SECRET_LINE)
    repo.commit()
    assert cli(repo.root, "scan", "-q", "--exit-code", "7").returncode == 7
    assert cli(repo.root, "scan", "-q", "--exit-code", "7", "--select", "SH3").returncode == 0
    assert cli(repo.root, "scan", "--exit-code", "0").returncode == 2


# -- configuration `extend` ---------------------------------------------------------------------


def test_config_extends_a_shared_file_or_package_and_overrides_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "org"
    (shared / "orgrules").mkdir(parents=True)
    (shared / "orgrules" / "__init__.py").write_text("", encoding="utf-8")
    (shared / "orgrules" / "secret-hygiene.toml").write_text(
        'exclude = ["vendor/"]\nfail-on = "high"\n[severity]\nSH101 = "medium"\n', encoding="utf-8")
    repo = Repo(tmp_path / "repo")
    repo.write("a.py", SECRET_LINE)
    repo.write("vendor/b.py", SECRET_LINE)
    repo.write("c.py", f'CLIENT_SECRET = "{OTHER}"\n')
    repo.write("base.toml", '[severity]\nSH101 = "low"\n')
    repo.write(".secret-hygiene.toml", 'extend = "base.toml"\nexclude = ["c.py"]\n')
    repo.commit()
    code, report = repo.run("scan")
    # Local `exclude` replaces nothing of the base's (it has none); the base's severity applies.
    assert code == 1 and {(f["path"], f["severity"]) for f in report["findings"]} == {
        ("a.py", "low"), ("vendor/b.py", "low")}
    monkeypatch.syspath_prepend(str(shared))
    repo.write(".secret-hygiene.toml", 'extend = "pkg:orgrules/secret-hygiene.toml"\n'
                                       '[severity]\nSH101 = "high"\n')
    code, report = repo.run("scan")
    # From the package: vendor/ excluded, fail-on high; the local severity table wins.
    assert code == 1 and {(f["path"], f["severity"]) for f in report["findings"]} == {
        ("a.py", "high"), ("c.py", "high")}
    repo.write("base.toml", 'extend = ".secret-hygiene.toml"\n')
    repo.write(".secret-hygiene.toml", 'extend = "base.toml"\n')
    assert in_dir(repo.root, "scan") == 2
    repo.write(".secret-hygiene.toml", 'extend = "missing.toml"\n')
    assert in_dir(repo.root, "scan") == 2


# -- interactive triage -------------------------------------------------------------------------


def test_audit_steps_through_findings_and_writes_decisions(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("a.py", SECRET_LINE)
    repo.write("b.py", f'CLIENT_SECRET = "{OTHER}"\n')
    repo.commit()
    # a.py: a false positive with a reason; b.py: real.
    done = cli(repo.root, "audit", stdin="x\nf\ndocumentation example\nr\n")
    assert done.returncode == 1, done.stderr
    assert "[1/2] a.py:1:18 SH101" in done.stdout and "[2/2] b.py:1:18 SH101" in done.stdout
    assert OTHER not in done.stdout and "revoke" in done.stderr and "b.py:1 SH101" in done.stderr
    entries = json.loads((repo.root / BASELINE_FILE).read_text(encoding="utf-8"))["findings"]
    assert [(e["path"], e["reason"]) for e in entries] == [("a.py", "documentation example")]
    code, report = repo.run("scan")
    assert (code, triples(report)) == (1, {("b.py", 1, "SH101")})
    # A second audit asks only about what is left; quitting writes nothing more.
    again = cli(repo.root, "audit", stdin="q\n")
    assert again.returncode == 0 and "[1/1] b.py" in again.stdout


# -- archives -----------------------------------------------------------------------------------


def test_archives_are_scanned_to_the_depth_asked_with_a_member_size_limit(tmp_path: Path) -> None:
    import tarfile
    import zipfile

    repo = Repo(tmp_path / "repo")
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("deep/settings.py", SECRET_LINE)
    with zipfile.ZipFile(repo.root / "app.whl", "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("pkg/config.py", SECRET_LINE)
        bundle.writestr("pkg/big.py", "x = 1\n" * 200_000)  # 1.2 MB, over the limit below
        bundle.writestr("vendor/inner.zip", inner.getvalue())
    data = f'CLIENT_SECRET = "{OTHER}"\n'.encode()
    with tarfile.open(repo.root / "site.tar.gz", "w:gz") as bundle:
        info = tarfile.TarInfo("etc/app.env")
        info.size = len(data)
        bundle.addfile(info, io.BytesIO(data))
    repo.write(".secret-hygiene.toml", 'max-file-size = "1MiB"\n')
    repo.commit()
    code, report = repo.run("scan")
    assert (code, report["findings"]) == (0, [])  # depth 0: archives are not opened
    code, report = repo.run("scan", "--max-archive-depth", "1")
    assert code == 1 and {(f["path"], f["rule"]) for f in report["findings"]} == {
        ("app.whl!pkg/config.py", "SH101"), ("site.tar.gz!etc/app.env", "SH104")}
    assert any("app.whl!pkg/big.py: over the size limit" in n for n in report["summary"]["errors"])
    code, report = repo.run("scan", "--max-archive-depth", "2")
    assert "app.whl!vendor/inner.zip!deep/settings.py" in {f["path"] for f in report["findings"]}
