"""The results cache of `diff`, `hook` and `history`, keyed by blob: a warm run gives exactly the
findings of a cold one (commits, paths, config, baseline and renames included) and scans nothing
it scanned before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.engine import pool
from scanner.facts.secrets import user_rules
from scanner.sources import BlobReader, close_blob_readers
from tests.gitrepo import Repo, triples
from tests.test_history_sparse import APP, HANDLER, SECRET, _repo

OTHER = "Q7wE4rT1yU8iO5pA2sD9fG3h"


def _history_repo(root: Path) -> tuple[Repo, str]:
    """test_history_sparse's repository (secrets in code and browser code, a handler whose blob
    is read whole, a feature branch), plus a test file, an ignored line, one blob committed
    under two paths, a rename, and a cherry-pick of the secrets on a backport branch."""
    repo, commits = _repo(root)
    repo.write("tests/test_login.py", f'PASSWORD = "{OTHER}"\n')
    repo.write("deploy/values.yaml", f"api_token: {OTHER}  # secret-hygiene: ignore\n")
    repo.write("server/settings.py", f'API_KEY = "{OTHER}"\nDEBUG = False\n')
    repo.write("server/legacy_settings.py", f'API_KEY = "{OTHER}"\nDEBUG = False\n')
    repo.commit("settings, twice")
    (repo.root / "server" / "old").mkdir()
    repo.git("mv", "server/legacy_settings.py", "server/old/settings.py")
    repo.write("server/old/settings.py", f'API_KEY = "{OTHER}"  # moved\nDEBUG = False\n')
    repo.commit("move and change the legacy settings")
    repo.git("checkout", "-q", "-b", "backport", commits["start"])
    repo.write("CHANGES.md", "backport\n")
    repo.commit("backport notes")  # so the pick is a commit of its own, not a fast-forward
    repo.git("cherry-pick", commits["secrets"])
    repo.git("checkout", "-q", "main")
    return repo, commits["secrets"]


def _counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts of blobs read from git and of sources scanned in this process (--jobs 1)."""
    counts = {"blobs read": 0, "sources scanned": 0}
    read, scan_source = BlobReader.read, pool.scan_source

    def counting_read(self: BlobReader, object_name: str, max_size: int) -> tuple[bytes | None, str]:
        counts["blobs read"] += 1
        return read(self, object_name, max_size)

    def counting_scan(*args: Any, **kwargs: Any) -> Any:
        counts["sources scanned"] += 1
        return scan_source(*args, **kwargs)

    monkeypatch.setattr(BlobReader, "read", counting_read)
    monkeypatch.setattr(pool, "scan_source", counting_scan)
    return counts


@pytest.fixture(autouse=True)
def _fresh_blob_readers() -> Iterator[None]:
    """Each in-process run reads its blobs through a reader of its own repository."""
    close_blob_readers()
    yield
    close_blob_readers()


def _cache_files(root: Path, kind: str) -> list[Path]:
    return sorted((root / ".cache" / "secret-hygiene").glob(f"{kind}-*.bin"))


def test_history_warm_gives_the_cold_findings_and_reads_no_blob(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, _ = _history_repo(tmp_path / "repo")
    uncached = repo.run("history", "--all", "--no-cache", "--jobs", "1")
    assert not (repo.root / ".cache").exists()
    counts = _counted(monkeypatch)
    cold = repo.run("history", "--all", "--jobs", "1")
    cold_counts = dict(counts)
    assert _cache_files(repo.root, "history")
    counts.update(dict.fromkeys(counts, 0))
    warm = repo.run("history", "--all", "--jobs", "1")
    assert cold == warm == uncached
    assert cold_counts["blobs read"] >= 1 and cold_counts["sources scanned"] >= 6
    assert counts == {"blobs read": 0, "sources scanned": 0}
    code, report = cold
    assert code == 1
    found = triples(report)
    # The copy and the renamed file are reported under their own paths, not the first one's.
    assert {("server/app.py", 41, "SH101"), ("server/settings.py", 1, "SH110"),
            ("server/legacy_settings.py", 1, "SH110"), ("web/src/client.js", 31, "SH105")} <= found
    assert ("server/old/settings.py", 1, "SH110") in found
    assert report["summary"]["suppressed"] >= 1  # the ignored line, from the cached result too
    assert SECRET.encode() not in b"".join(p.read_bytes() for p in _cache_files(repo.root, "history"))
    assert OTHER.encode() not in b"".join(p.read_bytes() for p in _cache_files(repo.root, "history"))


def test_history_with_workers_reuses_what_one_process_stored(tmp_path: Path) -> None:
    repo, _ = _history_repo(tmp_path / "repo")
    cold = repo.run("history", "--all", "--jobs", "1")
    assert repo.run("history", "--all", "--jobs", "2") == cold
    assert repo.run("history", "--all", "--jobs", "2", "--no-cache") == cold


def test_history_puts_each_commit_back_on_a_cached_result(tmp_path: Path) -> None:
    """The backport branch's cherry-pick is scanned first, alone: its result is stored. The
    history of main then takes the same blob and lines from the cache and must name main's own
    commit, as a cold run does."""
    repo, original = _history_repo(tmp_path / "repo")
    picked = repo.git("rev-parse", "backport").strip()
    assert picked != original
    code, only_pick = repo.run("history", f"{picked}~1..{picked}")
    assert code == 1 and {f["commit"] for f in only_pick["findings"]} == {picked}
    warm = repo.run("history", "main")
    assert warm == repo.run("history", "main", "--no-cache")
    secret = [f for f in warm[1]["findings"] if f["rule"] == "SH101" and f["path"] == "server/app.py"]
    assert len(secret) == 1 and secret[0]["commit"] == original


def test_a_config_change_is_never_answered_from_the_cache(tmp_path: Path) -> None:
    repo, _ = _history_repo(tmp_path / "repo")
    before = repo.run("history", "--all")
    (repo.root / ".secret-hygiene.toml").write_text(
        '[tool.secret-hygiene]\nseverity = { SH101 = "low" }\n'
        'per-file-ignores = { "web/**" = ["SH105"] }\n', encoding="utf-8")
    changed = repo.run("history", "--all")
    assert changed == repo.run("history", "--all", "--no-cache")
    assert {f["severity"] for f in changed[1]["findings"] if f["rule"] == "SH101"} == {"low"}
    assert not any(f["rule"] == "SH105" for f in changed[1]["findings"])
    assert changed != before


def test_a_rules_file_change_is_never_answered_from_the_cache(tmp_path: Path) -> None:
    """The team's own formats live in a file the config names: its content keys the cache."""
    repo = Repo(tmp_path / "repo")
    repo.write("README.md", "shop\n")
    repo.commit("start")
    repo.write("app/conf.py", "TOKEN = 'acme_tok_abcdefghijklmnopqrstuvwx'\n"
                              "OTHER = 'zeta_tok_abcdefghijklmnopqrstuvwx'\n")
    repo.commit("tokens")
    rules = tmp_path / "rules.toml"
    (repo.root / ".secret-hygiene.toml").write_text(
        f'[tool.secret-hygiene.secrets]\nrules-file = "{rules.as_posix()}"\n', encoding="utf-8")
    for prefix, line in (("acme_tok_", 1), ("zeta_tok_", 2)):
        user_rules.cached.cache_clear()  # each command is a new process: the file is read again
        rules.write_text(f"[[rules]]\nid = 'team-token'\nregex = '''{prefix}[a-z]{{24}}'''\n"
                         f"keywords = ['{prefix}']\n", encoding="utf-8")
        for args in (("history",), ("diff", "HEAD~1..HEAD"), ("scan", ".")):
            code, report = repo.run(*args)
            assert (code, report) == repo.run(*args, "--no-cache")
            assert ("app/conf.py", line, "SH106") in triples(report), (prefix, args)


def _diff_repo(root: Path) -> Repo:
    repo = Repo(root)
    repo.write("server/app.py", APP)
    repo.write("README.md", "shop\n")
    repo.commit("start")
    repo.git("checkout", "-q", "-b", "feature")
    lines = APP.splitlines()
    lines.insert(30, f'CLIENT_SECRET = "{SECRET}"')
    repo.write("server/app.py", "\n".join(lines) + "\n" + HANDLER)
    repo.write("server/settings.py", f'API_KEY = "{OTHER}"\nDEBUG = False\n')
    repo.write("server/copy_of_settings.py", f'API_KEY = "{OTHER}"\nDEBUG = False\n')
    repo.commit("feature")
    return repo


def test_diff_warm_gives_the_cold_findings_and_scans_nothing_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _diff_repo(tmp_path / "repo")
    counts = _counted(monkeypatch)
    for args in (("diff", "main...feature"), ("diff", "main..feature")):
        uncached = repo.run(*args, "--no-cache")
        counts.update(dict.fromkeys(counts, 0))
        cold = repo.run(*args)
        # The second range adds the same lines to the same blobs: answered from the first's.
        assert counts["sources scanned"] == (3 if args[1] == "main...feature" else 0)
        warm = repo.run(*args)
        assert cold == warm == uncached
        assert counts["sources scanned"] == (3 if args[1] == "main...feature" else 0)
        assert {("server/app.py", 31, "SH101"), ("server/settings.py", 1, "SH110"),
                ("server/copy_of_settings.py", 1, "SH110")} <= triples(cold[1])
    assert _cache_files(repo.root, "diff") and not _cache_files(repo.root, "history")
    assert repo.run("diff", "main...feature", "--jobs", "2") == cold


def test_staged_diff_and_hook_follow_a_rename_of_the_same_blob(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A staged file renamed before the commit keeps its blob: the cached result of its old path
    must not answer for the new one (its findings' path and fingerprint differ)."""
    repo = Repo(tmp_path / "repo")
    repo.write("README.md", "shop\n")
    repo.commit("start")
    repo.write("server/settings.py", f'API_KEY = "{OTHER}"\nDEBUG = False\n')
    repo.git("add", "server/settings.py")
    runs = [("diff", "--staged"), ("hook", "server/settings.py")]
    first = {args: repo.run(*args) for args in runs}
    counts = _counted(monkeypatch)
    assert {args: repo.run(*args) for args in runs} == first
    assert counts["sources scanned"] == 0
    repo.git("mv", "server/settings.py", "server/config.py")
    for args in (("diff", "--staged"), ("hook", "server/config.py")):
        renamed = repo.run(*args)
        assert renamed == repo.run(*args, "--no-cache")
        assert triples(renamed[1]) == {("server/config.py", 1, "SH110")}
    old = first[("diff", "--staged")][1]["findings"][0]["fingerprint"]
    assert renamed[1]["findings"][0]["fingerprint"] != old


def test_a_baseline_applies_after_the_lookup(tmp_path: Path) -> None:
    repo = _diff_repo(tmp_path / "repo")
    cold = repo.run("diff", "main...feature")
    accepted = next(f for f in cold[1]["findings"] if f["path"] == "server/settings.py")
    code = _baseline(repo, accepted["fingerprint"])
    assert code == 0
    warm = repo.run("diff", "main...feature")
    assert warm == repo.run("diff", "main...feature", "--no-cache")
    assert warm[1]["summary"]["suppressed"] == cold[1]["summary"]["suppressed"] + 1
    assert accepted["fingerprint"] not in {f["fingerprint"] for f in warm[1]["findings"]}


def _baseline(repo: Repo, fingerprint: str) -> int:
    import os

    from scanner.cli import main

    previous = Path.cwd()
    os.chdir(repo.root)
    try:
        return main(["baseline", "--add", fingerprint])
    finally:
        os.chdir(previous)


def test_a_diff_result_whose_facts_hold_a_secret_is_never_stored(tmp_path: Path) -> None:
    """Project rules gather facts from a diff's whole blobs; facts keep source text. A result
    holding a value a rule saw as a secret is rescanned each time, never written."""
    repo = Repo(tmp_path / "repo")
    repo.write("README.md", "shop\n")
    repo.commit("start")
    repo.write("auth/oauth.py", f'CLIENT_SECRET = "{SECRET}"\nSCOPES = ["repo", "admin:org", '
                                f'"{SECRET}"]\nsession = OAuth2Session(client_id, scope=SCOPES)\n')
    repo.write("lib/clean.py", "def f(token):\n    return len(token)\n")  # a file to store
    repo.commit("oauth")
    cold = repo.run("diff", "HEAD~1..HEAD")
    assert cold == repo.run("diff", "HEAD~1..HEAD") == repo.run("diff", "HEAD~1..HEAD", "--no-cache")
    assert ("auth/oauth.py", 1, "SH101") in triples(cold[1])
    [stored] = _cache_files(repo.root, "diff")
    assert SECRET.encode() not in stored.read_bytes()


def test_a_binary_blob_is_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its added "lines" hold a gate word, so the blob is read whole and found binary: a result
    with nothing in it, stored like any other."""
    repo = Repo(tmp_path / "repo")
    repo.write("README.md", "shop\n")
    repo.commit("start")
    (repo.root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0client_secret token\n" * 50)
    repo.commit("logo")
    cold = repo.run("history", "--jobs", "1")
    counts = _counted(monkeypatch)
    assert repo.run("history", "--jobs", "1") == cold
    assert counts == {"blobs read": 0, "sources scanned": 0}


def test_verbose_says_how_many_results_were_reused(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    repo = _diff_repo(tmp_path / "repo")
    _, report = repo.run("history", "-v")
    assert "results cache: 0 files' results reused (history-" in capsys.readouterr().err
    repo.run("history", "-v")
    files = report["summary"]["files_scanned"]
    assert files >= 3
    assert f"results cache: {files} files' results reused (history-" in capsys.readouterr().err
    repo.run("history", "-v", "--no-cache")
    assert "results cache" not in capsys.readouterr().err


def test_a_big_diff_with_forked_workers_reuses_results(tmp_path: Path) -> None:
    """Over 200 changed files a diff fans out to forked workers: only the misses are handed out,
    and the answer is the cold one."""
    repo = Repo(tmp_path / "repo")
    repo.write("README.md", "shop\n")
    repo.commit("start")
    for index in range(210):
        repo.write(f"pkg/m{index}.py", f"def f{index}(token):\n    return len(token)\n")
    repo.write("pkg/settings.py", f'API_KEY = "{OTHER}"\n')
    repo.commit("many files")
    uncached = repo.run("diff", "HEAD~1..HEAD", "--jobs", "2", "--no-cache")
    assert ("pkg/settings.py", 1, "SH110") in triples(uncached[1])
    assert repo.run("diff", "HEAD~1..HEAD", "--jobs", "2") == uncached
    repo.write("pkg/m7.py", f'TOKEN = "{SECRET}"\n')
    repo.commit("one more")
    for _ in range(2):
        assert repo.run("diff", "HEAD~2..HEAD", "--jobs", "2") \
            == repo.run("diff", "HEAD~2..HEAD", "--jobs", "2", "--no-cache")
