"""history reads a commit's added lines, and a blob whole only where an analysis needs it; and
`history --all` reads every ref. The findings are those of reading every blob whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.engine.plan import build_plan
from scanner.engine.runner import Settings, scan
from scanner.model.document import Document
from scanner.sources import close_blob_readers, history_files
from tests.gitrepo import Repo, triples
from tests.support import MAX_SIZE, make_rules

SECRET = "9f3KpQ2LmX8vB7nR4tW1zY6a"
TOKEN = "Xk3dM9pQ2LmX8vB7nR4tW1aZ5cE6"

APP = "\n".join(
    ["from flask import Flask, jsonify, request", "", "app = Flask(__name__)", ""]
    + [f"@app.get('/items/{n}')\ndef item_{n}():\n    return jsonify(id={n})\n" for n in range(30)]
) + "\n"
# Browser code that says so only near its top (`window.`): the added line alone does not.
CLIENT = "\n".join(["const base = window.location.origin;", ""]
                   + [f"export const path{n} = base + '/p/{n}';" for n in range(40)]) + "\n"
HANDLER = ("\n\n@app.post('/webhooks/github')\ndef github_webhook():\n"
           "    handle(request.get_json())\n    return '', 204\n")


def _repo(root: Path) -> tuple[Repo, dict[str, str]]:
    repo = Repo(root)
    repo.write("server/app.py", APP)
    repo.write("web/src/client.js", CLIENT)
    repo.write("README.md", "shop\n")
    commits = {"start": repo.commit("start")}
    lines = APP.splitlines()
    lines.insert(40, f'CLIENT_SECRET = "{SECRET}"')
    repo.write("server/app.py", "\n".join(lines) + "\n")
    client = CLIENT.splitlines()
    client.insert(30, f'export const clientSecret = "{SECRET}";')
    repo.write("web/src/client.js", "\n".join(client) + "\n")
    commits["secrets"] = repo.commit("secrets")
    repo.write("server/app.py", "\n".join(lines) + "\n" + HANDLER)
    commits["handler"] = repo.commit("webhook")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("server/settings.py", f'GITHUB_TOKEN = "ghp_{TOKEN}{TOKEN[:8]}"\n')
    commits["feature"] = repo.commit("feature branch only")
    repo.git("checkout", "-q", "main")
    return repo, commits


def test_history_finds_added_lines_and_reads_a_blob_whole_where_needed(tmp_path: Path) -> None:
    repo, commits = _repo(tmp_path / "repo")
    code, report = repo.run("history")
    assert code == 1
    handler_line = len(APP.splitlines()) + 1 + 4  # the def line of the added handler
    assert triples(report) == {("server/app.py", 41, "SH101"),
                               ("web/src/client.js", 31, "SH105"),
                               ("server/app.py", handler_line, "SH301")}
    by_rule = {f["rule"]: f["commit"] for f in report["findings"]}
    assert by_rule == {"SH101": commits["secrets"], "SH105": commits["secrets"],
                       "SH301": commits["handler"]}
    assert all(SECRET not in str(f) for f in report["findings"])


def _history(root: Path, *, sparse: bool, all_refs: bool) -> list[tuple[object, ...]]:
    plan = build_plan(make_rules(), {})
    notes: list[str] = []
    prefilter = plan.prefilter()
    assert prefilter is not None
    sources = history_files(root, None, max_size=MAX_SIZE, notes=notes,
                            keywords=prefilter.words, path_words=prefilter.path_words,
                            all_refs=all_refs, sparse=sparse)

    def load(path: str) -> Document | None:
        return None

    try:
        result = scan(sources, plan, Settings(max_size=MAX_SIZE), jobs=1, project_loader=load,
                      dedupe_commits=True)
    finally:
        close_blob_readers()
    return sorted((f.path, f.line, f.column, f.rule, f.commit, f.message, f.snippet)
                  for f in result.findings)


def test_added_lines_give_the_findings_of_whole_blobs(tmp_path: Path) -> None:
    repo, _ = _repo(tmp_path / "repo")
    for all_refs in (False, True):
        whole = _history(repo.root, sparse=False, all_refs=all_refs)
        assert whole and _history(repo.root, sparse=True, all_refs=all_refs) == whole


def test_history_all_reads_every_ref(tmp_path: Path) -> None:
    repo, commits = _repo(tmp_path / "repo")
    _, head_only = repo.run("history")
    assert ("server/settings.py", 1, "SH106") not in triples(head_only)
    code, every_ref = repo.run("history", "--all")
    assert code == 1
    assert triples(every_ref) == triples(head_only) | {("server/settings.py", 1, "SH106")}
    assert {f["commit"] for f in every_ref["findings"] if f["path"] == "server/settings.py"} \
        == {commits["feature"]}
    code, report = repo.run("history", "--all", "HEAD~1..HEAD")
    assert code == 2 and report == {}


def test_a_change_made_again_is_scanned_once_and_counted(tmp_path: Path) -> None:
    """A cherry-picked commit (same path, blob and added lines) is not scanned again; the finding
    stays at the first commit and counts both."""
    repo, commits = _repo(tmp_path / "repo")
    repo.git("checkout", "-q", "-b", "backport", commits["start"])
    repo.write("CHANGES.md", "backport\n")
    repo.commit("backport notes")
    repo.git("cherry-pick", commits["secrets"])
    picked = repo.git("rev-parse", "HEAD").strip()
    repo.git("checkout", "-q", "main")
    assert picked != commits["secrets"]
    code, report = repo.run("history", "--all")
    assert code == 1
    secret = [f for f in report["findings"] if f["rule"] == "SH101"]
    assert len(secret) == 1 and secret[0]["commit"] == commits["secrets"]
    assert secret[0]["message"].endswith("(added in 2 commits)")
    repeats: dict[tuple[str, str], list[str]] = {}
    sources = list(history_files(repo.root, None, max_size=MAX_SIZE, notes=[], keywords=None,
                                 all_refs=True, repeats=repeats))
    close_blob_readers()
    assert [s.commit for s in sources if s.path == "server/app.py"].count(picked) == 0
    assert repeats[("server/app.py", commits["secrets"])] == [picked]


def test_a_utf16_file_is_read_whole_in_history(tmp_path: Path) -> None:
    """A UTF-16 file's added lines do not decode on their own (its line feeds are 0A 00): the
    blob is read and decoded whole, as a scan does, and the secret is found at its line."""
    repo = Repo(tmp_path / "repo")
    lines = [f"setting_{n} = {n}" for n in range(20)]
    repo.write("README.md", "shop\n")
    (repo.root / "config.ini").write_bytes("\n".join(lines).encode("utf-16"))
    repo.commit("start")
    lines.insert(10, f"client_secret = {SECRET}")
    (repo.root / "config.ini").write_bytes("\n".join(lines).encode("utf-16"))
    added = repo.commit("secret")
    code, report = repo.run("history")
    assert code == 1
    assert triples(report) == {("config.ini", 11, "SH101")}
    assert {f["commit"] for f in report["findings"]} == {added}


def test_an_ignore_comment_above_an_added_line_holds_in_history(tmp_path: Path) -> None:
    """The comment sits on an unchanged line; the secret comes later on the line below it (in a
    file no code analysis reads, so the added lines alone were scanned)."""
    repo = Repo(tmp_path / "repo")
    repo.write("deploy/values.yaml",
               "debug: false\n# pragma: allowlist nextline secret\nclient_secret: null\n")
    repo.commit("start")
    repo.write("deploy/values.yaml", "debug: false\n# pragma: allowlist nextline secret\n"
                                     f"client_secret: {SECRET}\n")
    repo.commit("local secret, allowed")
    code, report = repo.run("history")
    assert (code, triples(report)) == (0, set())
    assert report["summary"]["suppressed"] == 1


def test_history_counts_its_commits_only_where_the_count_is_shown(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The count is shown in text only (its last line, the progress bar); a JSON report of HEAD
    or --all does not walk every commit a second time before the scan starts. A range is still
    checked first (git's own line when it names nothing)."""
    import os

    from scanner import cli

    repo, commits = _repo(tmp_path / "repo")
    counted: list[object] = []
    count = cli._commit_count

    def counting(*args: object, **kwargs: object) -> int:
        counted.append(args)
        return count(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "_commit_count", counting)
    for args in (("history",), ("history", "--all")):
        code, report = repo.run(*args)
        assert code == 1 and report["findings"]
    assert counted == []
    code, report = repo.run("history", f"{commits['start']}..{commits['handler']}")
    assert code == 1 and len(counted) == 1
    code, report = repo.run("history", "no-such-branch..main")
    assert code == 2 and report == {}
    capsys.readouterr()
    previous = Path.cwd()
    os.chdir(repo.root)
    try:
        assert cli.main(["history", "--all"]) == 1
    finally:
        os.chdir(previous)
    assert "history: 4 commits (every ref)" in capsys.readouterr().err


def _cherry_picked_repo(root: Path) -> tuple[Repo, dict[str, str]]:
    """_repo with a backport branch that cherry-picks the secrets commit (the same change made
    again, late in the history)."""
    repo, commits = _repo(root)
    repo.git("checkout", "-q", "-b", "backport", commits["start"])
    repo.write("CHANGES.md", "backport\n")
    repo.commit("backport notes")
    repo.git("cherry-pick", commits["secrets"])
    commits["picked"] = repo.git("rev-parse", "HEAD").strip()
    repo.git("checkout", "-q", "main")
    return repo, commits


def test_a_long_history_is_diffed_by_two_git_processes_with_the_same_findings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From SPLIT_HISTORY_COMMITS commits on, two `git log` processes diff the two halves of the
    history at once; the findings, their first commits and counts are those of one walk, also
    when the later half waits for the earlier (read-ahead full)."""
    from scanner import sources

    repo, commits = _cherry_picked_repo(tmp_path / "repo")
    single = repo.run("history", "--all")
    assert single[0] == 1
    started: list[tuple[str, ...]] = []
    original = sources.GitProcess.__init__

    def recording(self: sources.GitProcess, root: Path, *args: str, stdin: bool = False) -> None:
        started.append(args)
        original(self, root, *args, stdin=stdin)

    monkeypatch.setattr(sources.GitProcess, "__init__", recording)
    monkeypatch.setattr(sources, "SPLIT_HISTORY_COMMITS", 2)
    for read_ahead in (1 << 20, 1):
        monkeypatch.setattr(sources, "READ_AHEAD_BYTES", read_ahead)
        started.clear()
        assert repo.run("history", "--all") == single
        assert sum(1 for args in started if args[0] == "log") == 2
    secret = [f for f in single[1]["findings"] if f["rule"] == "SH101"]
    assert [f["commit"] for f in secret] == [commits["secrets"]]
    assert secret[0]["message"].endswith("(added in 2 commits)")


def test_a_reader_that_stops_early_leaves_no_git_or_thread_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from scanner import sources

    repo, _ = _cherry_picked_repo(tmp_path / "repo")
    monkeypatch.setattr(sources, "SPLIT_HISTORY_COMMITS", 2)
    monkeypatch.setattr(sources, "READ_AHEAD_BYTES", 1)
    stream = history_files(repo.root, None, max_size=MAX_SIZE, notes=[], keywords=None,
                           all_refs=True)
    assert next(stream).path
    stream.close()
    assert not [t for t in threading.enumerate() if t.name == "git read-ahead"]


def _scanned(root: Path, *, prefiltered: bool) -> tuple[list[str], list[tuple[object, ...]]]:
    """(paths of the sources scanned, findings) of `history --all`, with or without the prefilter."""
    plan = build_plan(make_rules(), {})
    prefilter = plan.prefilter()
    assert prefilter is not None
    sources = list(history_files(root, None, max_size=MAX_SIZE, notes=[],
                                 keywords=prefilter.words if prefiltered else None,
                                 path_words=prefilter.path_words if prefiltered else (),
                                 all_refs=True))
    try:
        result = scan(iter(sources), plan, Settings(max_size=MAX_SIZE), jobs=1,
                      project_loader=lambda path: None, dedupe_commits=True)
    finally:
        close_blob_readers()
    return ([source.path for source in sources],
            sorted((f.path, f.line, f.column, f.rule, f.commit, f.message, f.snippet)
                   for f in result.findings))


def test_the_prefilter_drops_only_files_no_gate_admits(tmp_path: Path) -> None:
    """history scans a changed file only when its added lines hold a gate's word or its path a
    gate's path word; files it cannot judge by their bytes (UTF-16, a notebook) are scanned. The
    findings are those of scanning every changed file."""
    repo, _ = _repo(tmp_path / "repo")
    repo.write("shop/receivers/hooks.py", "from shop import app\n")
    repo.write("shop/views.py", "from shop import app\n")
    lines = [f"setting_{n} = {n}" for n in range(20)]
    (repo.root / "config.ini").write_bytes("\n".join(lines).encode("utf-16"))
    repo.commit("more")
    plain = "\n\ndef total(items):\n    return sum(item.price for item in items)\n"
    repo.write("shop/receivers/hooks.py", "from shop import app\n" + plain)  # no word: its path
    repo.write("shop/views.py", "from shop import app\n" + plain)  # no word, no path word
    lines.insert(10, f"client_secret = {SECRET}")
    (repo.root / "config.ini").write_bytes("\n".join(lines).encode("utf-16"))
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": [f'CLIENT_SECRET = "{SECRET}"\n']}
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    import json

    repo.write("notes/explore.ipynb", json.dumps(notebook, indent=1) + "\n")
    repo.commit("receivers, a UTF-16 secret, a notebook")
    every, unfiltered = _scanned(repo.root, prefiltered=False)
    kept, prefiltered = _scanned(repo.root, prefiltered=True)
    assert prefiltered == unfiltered
    assert {("config.ini", 11, "SH101"), ("notes/explore.ipynb", 9, "SH101")} <= {
        (path, line, rule) for path, line, _, rule, *_ in prefiltered}
    assert "shop/views.py" in every and "shop/views.py" not in kept
    assert {"shop/receivers/hooks.py", "config.ini", "notes/explore.ipynb"} <= set(kept)
    assert len(kept) < len(every)
