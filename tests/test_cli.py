"""CLI behaviour on real temporary git repositories: every command, exit codes, config errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import main, rules_table
from scanner.rules.registry import RULES
from tests.gitrepo import Repo, triples

# A value SH101 flags: high entropy, not a placeholder.
SECRET = "9f3KpQ2LmX8vRt6Wz1Yb4Nc7Hd0Js5Ue"
SECRET_LINE = f'CLIENT_SECRET = "{SECRET}"\n'


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "scanner.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def test_scan_finds_secret_and_exits_1(repo: Repo) -> None:
    repo.write("app/settings.py", "import os\n\n" + SECRET_LINE)
    repo.write("app/ok.py", 'CLIENT_SECRET = os.environ["CLIENT_SECRET"]\n')
    repo.commit()
    code, report = repo.run("scan", ".")
    assert code == 1
    assert triples(report) == {("app/settings.py", 3, "SH101")}
    finding = report["findings"][0]
    assert finding["column"] == 18 and finding["commit"] is None
    assert SECRET not in json.dumps(report)
    assert report["summary"]["files_scanned"] == 2
    assert report["version"] == 1 and report["tool"]["name"] == "secret-hygiene"


def test_scan_clean_tree_exits_0(repo: Repo) -> None:
    repo.write("a.py", "print('hello')\n")
    repo.commit()
    code, report = repo.run("scan")
    assert code == 0
    assert report["findings"] == [] and report["summary"]["findings"] == 0


def test_scan_respects_gitignore_and_all_files(repo: Repo) -> None:
    repo.write(".gitignore", "build/\n")
    repo.write("build/gen.py", SECRET_LINE)
    repo.write("untracked.py", SECRET_LINE)
    repo.commit("init", ".gitignore")
    _, report = repo.run("scan", ".")
    assert triples(report) == {("untracked.py", 1, "SH101")}
    _, report = repo.run("scan", ".", "--all-files")
    assert triples(report) == {("untracked.py", 1, "SH101"), ("build/gen.py", 1, "SH101")}


def test_scan_explicit_files_and_subdirectory(repo: Repo) -> None:
    repo.write("sub/one.py", SECRET_LINE)
    repo.write("two.py", "x = 1\n" + SECRET_LINE)
    repo.commit()
    _, report = repo.run("scan", "two.py")
    assert triples(report) == {("two.py", 2, "SH101")}
    _, report = repo.run("scan", "sub")
    # Inside git, paths are the repository's whatever the directory scanned (issue 16 item 2).
    assert triples(report) == {("sub/one.py", 1, "SH101")}


def test_fail_on_threshold(repo: Repo) -> None:
    repo.write("a.py", SECRET_LINE)
    repo.commit()
    code, _ = repo.run("scan", "--fail-on", "high")
    assert code == 1
    repo.write("pyproject.toml", '[tool.secret-hygiene]\nseverity = { SH101 = "low" }\n')
    code, report = repo.run("scan", "--fail-on", "medium")
    assert code == 0 and report["findings"][0]["severity"] == "low"


def test_diff_staged_reads_the_index_not_the_work_tree(repo: Repo) -> None:
    repo.write("old.py", SECRET_LINE)
    repo.commit()
    repo.write("new.py", "a = 1\n" + SECRET_LINE)
    repo.git("add", "new.py")
    # The work tree now differs from the index: the index is what gets committed.
    repo.write("new.py", "a = 1\n")
    code, report = repo.run("diff", "--staged")
    assert code == 1
    assert triples(report) == {("new.py", 2, "SH101")}


def test_diff_staged_reports_only_added_lines(repo: Repo) -> None:
    repo.write("a.py", SECRET_LINE)
    repo.commit()
    repo.write("a.py", "# new comment\n" + SECRET_LINE)
    repo.git("add", "a.py")
    code, report = repo.run("diff", "--staged")
    assert code == 0 and report["findings"] == []


def test_diff_range_three_and_two_dots(repo: Repo) -> None:
    repo.write("a.py", "x = 1\n")
    repo.commit()
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("b.py", "y = 2\n" + SECRET_LINE)
    repo.commit("feature")
    repo.git("checkout", "-q", "main")
    repo.write("c.py", "def unrelated():\n    return 42\n")
    repo.commit("main moves on")
    repo.git("checkout", "-q", "feature")
    _, report = repo.run("diff", "main...HEAD")
    assert triples(report) == {("b.py", 2, "SH101")}
    _, report = repo.run("diff", "main..HEAD")
    # Two dots compare the trees directly: main's c.py shows as removed, b.py as added.
    assert triples(report) == {("b.py", 2, "SH101")}
    _, report = repo.run("diff", "main")
    assert triples(report) == {("b.py", 2, "SH101")}


def test_history_reports_first_commit_with_count(repo: Repo) -> None:
    repo.write("a.py", SECRET_LINE)
    first = repo.commit("add secret")
    repo.write("a.py", "import os\n" + SECRET_LINE)
    repo.commit("unrelated")
    repo.write("b.py", "z = 0\n")
    repo.commit("more")
    repo.write("a.py", "import os\n")
    repo.commit("remove secret")
    repo.write("a.py", "import os\n" + SECRET_LINE)
    repo.commit("re-add secret")
    code, report = repo.run("history")
    assert code == 1
    assert triples(report) == {("a.py", 1, "SH101")}
    finding = report["findings"][0]
    assert finding["commit"] == first
    assert "2 commits" in finding["message"]


def test_history_range(repo: Repo) -> None:
    repo.write("a.py", SECRET_LINE)
    first = repo.commit("add secret")
    repo.write("b.py", "x = 2\n" + SECRET_LINE.replace("CLIENT_SECRET", "APP_CLIENT_SECRET"))
    second = repo.commit("second")
    _, report = repo.run("history", f"{first}..HEAD")
    assert triples(report) == {("b.py", 2, "SH101")}
    assert report["findings"][0]["commit"] == second


def test_hook_blocks_staged_secret_and_ignores_old_findings(repo: Repo) -> None:
    repo.write("old.py", SECRET_LINE)
    repo.commit()
    repo.write("old.py", "# touched\n" + SECRET_LINE)
    repo.write("new.py", "import os\n")
    repo.git("add", "old.py", "new.py")
    code, report = repo.run("hook", "old.py", "new.py")
    assert code == 0, report
    repo.write("new.py", "import os\n" + SECRET_LINE)
    repo.git("add", "new.py")
    code, report = repo.run("hook", "old.py", "new.py")
    assert code == 1
    assert triples(report) == {("new.py", 2, "SH101")}


def test_hook_in_empty_repository(repo: Repo) -> None:
    repo.write("first.py", SECRET_LINE)
    repo.git("add", "first.py")
    code, report = repo.run("hook", "first.py")
    assert code == 1 and triples(report) == {("first.py", 1, "SH101")}


def _git_subcommands(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """Every git process the scanner starts from now on, as its arguments after the options."""
    from scanner import sources

    started: list[tuple[str, ...]] = []
    command = sources.git_command

    def recording(*args: str) -> list[str]:
        started.append(args)
        return command(*args)

    monkeypatch.setattr(sources, "git_command", recording)
    return started


def test_hook_asks_git_once_for_the_top_level_and_head(repo: Repo,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # The hook runs on every commit: each git process is a few milliseconds of it. New files
    # need no blob read (their patch holds them), so no `cat-file --batch` starts either.
    repo.write("first.py", SECRET_LINE)
    repo.git("add", "first.py")
    started = _git_subcommands(monkeypatch)
    code, report = repo.run("hook", "first.py")  # before the first commit: no HEAD
    assert code == 1 and triples(report) == {("first.py", 1, "SH101")}
    assert [args for args in started if args[0] == "rev-parse"] == [
        ("rev-parse", "--show-toplevel", "--verify", "-q", "HEAD")]
    assert ("cat-file", "--batch") not in started
    repo.commit()
    repo.write("first.py", "# touched\n" + SECRET_LINE)
    repo.write("second.py", "import os\n" + SECRET_LINE.replace("CLIENT", "APP_CLIENT"))
    repo.git("add", "first.py", "second.py")
    started.clear()
    code, report = repo.run("hook", "first.py", "second.py")  # a changed file's blob is read
    assert code == 1 and triples(report) == {("second.py", 2, "SH101")}
    assert len([args for args in started if args[0] == "rev-parse"]) == 1
    assert started.count(("cat-file", "--batch")) == 1


def test_hook_outside_a_work_tree_scans_the_files_named(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # The one git call that asks for the top level and HEAD fails: the files are read as they are.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    (tmp_path / "a.py").write_text(SECRET_LINE, encoding="utf-8")
    report = tmp_path.parent / f"{tmp_path.name}-report.json"
    monkeypatch.chdir(tmp_path)
    assert main(["hook", "a.py", "--format", "json", "--output", str(report)]) == 1
    assert triples(json.loads(report.read_text(encoding="utf-8"))) == {("a.py", 1, "SH101")}


def test_inline_ignore_and_pragma(repo: Repo) -> None:
    repo.write("a.py", SECRET_LINE.rstrip("\n") + "  # secret-hygiene: ignore[SH101]\n"
               + SECRET_LINE.replace("CLIENT", "APP_CLIENT").rstrip("\n") + "  # pragma: allowlist secret\n"
               + "# pragma: allowlist nextline secret\n" + SECRET_LINE.replace("CLIENT", "X_CLIENT")
               + SECRET_LINE.replace("CLIENT", "Y_CLIENT").rstrip("\n") + "  # secret-hygiene: ignore[SH3]\n")
    code, report = repo.run("scan")
    assert code == 1
    assert triples(report) == {("a.py", 5, "SH101")}
    assert report["summary"]["suppressed"] == 3


def test_config_select_ignore_exclude_per_file(repo: Repo) -> None:
    repo.write("a.py", SECRET_LINE)
    repo.write("vendor/b.py", SECRET_LINE)
    repo.write("tests/c.py", SECRET_LINE)
    repo.write(".secret-hygiene.toml",
               'exclude = ["vendor/"]\nper-file-ignores = { "tests/**" = ["secret"] }\n')
    _, report = repo.run("scan")
    assert triples(report) == {("a.py", 1, "SH101")}
    assert report["summary"]["suppressed"] == 1
    _, report = repo.run("scan", "--ignore", "SH1")
    assert triples(report) == set()
    _, report = repo.run("scan", "--select", "SH101")
    assert triples(report) == {("a.py", 1, "SH101")}


@pytest.mark.parametrize(("config", "needle"), [
    ("colour = 1\n", "colour: unknown key"),
    ("select = 3\n", "select: expected a list of strings"),
    ('select = ["SH999"]\n', "select: unknown rule or family 'SH999'"),
    ('max-file-size = "lots"\n', "max-file-size: expected a size"),
    ('severity = { SH101 = "urgent" }\n', "severity.SH101: unknown severity"),
    ("[secrets]\nbogus = 1\n", "secrets.bogus: unknown key"),
    ("this is = = not toml\n", "invalid TOML"),
])
def test_bad_config_is_one_line_exit_2(tmp_path: Path, config: str, needle: str) -> None:
    (tmp_path / ".secret-hygiene.toml").write_text(config, encoding="utf-8")
    done = run_cli("scan", ".", cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert needle in lines[0] and ".secret-hygiene.toml" in lines[0]
    assert "Traceback" not in done.stderr


def test_git_modes_outside_a_repository_exit_2(tmp_path: Path) -> None:
    for args in (("diff", "--staged"), ("history",), ("diff", "main...HEAD")):
        done = run_cli(*args, cwd=tmp_path)
        assert done.returncode == 2, args
        assert "not inside a git work tree" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_cli("diff", cwd=tmp_path).returncode == 2
    assert run_cli("scan", "--format", "xml", cwd=tmp_path).returncode == 2
    done = run_cli("scan", "does-not-exist", cwd=tmp_path)
    assert done.returncode == 2 and "no such file" in done.stderr
    done = run_cli("scan", "--select", "nonsense", cwd=tmp_path)
    assert done.returncode == 2 and "nonsense" in done.stderr


def test_text_output_format(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("a.py", SECRET_LINE)
    done = run_cli("scan", cwd=repo.root)
    assert done.returncode == 1
    assert "a.py:1:18 SH101 high" in done.stdout
    assert "\x1b[" not in done.stdout  # not a terminal: no colour
    assert SECRET not in done.stdout + done.stderr
    assert "1 finding (1 secret) in 1 file scanned" in done.stdout


def test_rules_and_explain() -> None:
    assert main(["rules"]) == 0
    for rule in RULES:
        assert main(["explain", rule.id]) == 0
    assert main(["explain", "SH000"]) == 2


def test_explain_prints_the_docs(tmp_path: Path) -> None:
    done = run_cli("explain", "SH101", cwd=tmp_path)
    assert done.returncode == 0
    assert "## What it does" in done.stdout and "hardcoded-client-secret" in done.stdout


def test_output_file_and_quiet(repo: Repo) -> None:
    repo.write("a.py", SECRET_LINE)
    out = repo.root.parent / "r.txt"
    done = run_cli("scan", "-q", "--output", str(out), cwd=repo.root)
    assert done.returncode == 1 and done.stdout == ""
    assert "SH101" in out.read_text(encoding="utf-8")


def test_readme_rule_table_is_current() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- rules:start -->", "<!-- rules:end -->"
    assert start in readme and end in readme
    current = readme.split(start, 1)[1].split(end, 1)[0].strip()
    assert current == rules_table().strip(), "README rule table is stale: regenerate it with `secret-hygiene rules --format markdown`"


def test_every_hook_id_is_documented() -> None:
    import yaml

    root = Path(__file__).parent.parent
    hooks = yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    readme = (root / "README.md").read_text(encoding="utf-8")
    for hook in hooks:
        assert f"id: {hook['id']}" in readme
        assert hook["entry"].startswith("secret-hygiene ")


@pytest.mark.parametrize("args", [("scan", "--format", "bogus"), ("diff",), ("bogus",),
                                  ("scan", "--jobs", "0")])
def test_usage_errors_are_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    done = run_cli(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "error:" in done.stderr and "Traceback" not in done.stderr


def test_hook_sees_api_calls_in_files_it_does_not_scan(repo: Repo) -> None:
    """SH204 needs the whole repository's API calls even when only the auth module is staged."""
    repo.write("sync/auth.py", 'from requests_oauthlib import OAuth2Session\n\n'
               'SCOPES = ["people:read"]\nsession = OAuth2Session("client", scope=SCOPES)\n')
    repo.write("sync/client.py", 'import requests\n\n\ndef people():\n'
               '    return requests.get("https://api.example.com/api/v3/people")\n')
    repo.commit()
    repo.write("sync/auth.py", 'from requests_oauthlib import OAuth2Session\n\n'
               'SCOPES = ["people:read",\n          "payroll:read"]\n'
               'session = OAuth2Session("client", scope=SCOPES)\n')
    repo.git("add", "sync/auth.py")
    code, report = repo.run("hook", "sync/auth.py")
    assert triples(report) == {("sync/auth.py", 4, "SH204")}
    assert code == 1
    assert "payroll" in report["findings"][0]["message"]


def test_hook_judges_a_webhook_handler_by_its_staged_content(repo: Repo) -> None:
    """A route file's function summaries come from what is staged, not from the work tree:
    an unverified handler staged is reported at its staged line, though the work tree's copy
    (not staged) verifies and has moved it down."""
    staged = ('from flask import Flask, request\n\napp = Flask(__name__)\n\n\n'
              '@app.post("/webhooks/billing")\ndef billing_webhook():\n'
              '    event = request.get_json()\n    return event["id"], 200\n')
    repo.write("app/hooks.py", staged)
    repo.git("add", "app/hooks.py")
    repo.write("app/hooks.py", "import hmac\nimport os\n\n\n" + staged.replace(
        '    event = request.get_json()\n',
        '    digest = hmac.new(os.environb[b"KEY"], request.get_data(), "sha256").hexdigest()\n'
        '    if not hmac.compare_digest(digest, request.headers["X-Billing-Signature"]):\n'
        '        return "", 401\n    event = request.get_json()\n'))
    code, report = repo.run("hook", "--select", "SH301", "app/hooks.py")
    assert code == 1
    assert triples(report) == {("app/hooks.py", 7, "SH301")}


def test_a_whole_tree_scan_lists_the_tree_once(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """A project rule that asks which files the work tree holds (a route to a module the scan
    did not find) is answered from a whole-tree scan's own listing, not by walking the tree
    again; a scan of a subdirectory lists the work tree when asked."""
    import scanner.sources

    repo.write("app/urls.py", "from django.urls import path\nfrom payments.views import stripe_hook\n\n"
                              'urlpatterns = [path("hooks/stripe/", stripe_hook)]\n')
    repo.write("app/hooks.py", "from django.views.decorators.csrf import csrf_exempt\n\n\n"
                               "@csrf_exempt\ndef stripe_webhook(request):\n"
                               "    return handle(request.body)\n")
    repo.commit()
    listed: list[str] = []
    real = scanner.sources.tree_files

    def counting(root: Path, *, all_files: bool = False) -> Any:
        listed.append(str(root))
        return real(root, all_files=all_files)

    monkeypatch.setattr(scanner.sources, "tree_files", counting)
    _, report = repo.run("scan", "app", "--select", "SH301")
    assert triples(report) == {("app/hooks.py", 5, "SH301")}
    assert len(listed) == 2  # the subdirectory, then the work tree the route's module is looked in
    listed.clear()
    _, report = repo.run("scan", ".", "--select", "SH301")
    assert triples(report) == {("app/hooks.py", 5, "SH301")}
    assert report["summary"]["files_scanned"] == 2 and len(listed) == 1
