"""The results cache: same answers warm and cold, rescans what changed, trusts only itself,
never stores a secret, never scans itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner import cache as cache_module
from scanner.cache import ResultCache
from tests.gitrepo import Repo, triples

SECRET = "9f3KpQ2LmX8vRt6Wz1Yb4Nc7Hd0Js5Ue"


def _cache_files(root: Path) -> list[Path]:
    return sorted((root / ".cache" / "secret-hygiene").glob("scan-*.bin"))


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.write("app/settings.py", f'import os\nCLIENT_SECRET = "{SECRET}"\n')
    repo.write("app/views.py", 'import requests\nrequests.get(url, verify=False, headers={"Authorization": tok})\n')
    for index in range(30):
        repo.write(f"lib/m{index}.py", f"def f{index}(token):\n    return len(token)\n")
    repo.commit()
    return repo


def test_a_warm_scan_gives_the_cold_answer(repo: Repo) -> None:
    cold = repo.run("scan", ".")
    assert _cache_files(repo.root)
    warm = repo.run("scan", ".")
    assert warm == cold
    assert triples(cold[1]) >= {("app/settings.py", 2, "SH101")}
    uncached = repo.run("scan", "--no-cache", ".")
    assert uncached == cold


def test_changed_files_are_rescanned_and_deleted_ones_forgotten(repo: Repo) -> None:
    repo.run("scan", ".")
    repo.write("lib/m3.py", f'TOKEN = "{SECRET[::-1]}"\n')
    (repo.root / "lib" / "m4.py").unlink()
    code, report = repo.run("scan", ".")
    assert code == 1 and "lib/m3.py" in {f["path"] for f in report["findings"]}
    body = _cache_files(repo.root)[0].read_bytes()[32:]
    stored = cache_module.pickle.loads(body)
    assert "lib/m4.py" not in stored and "lib/m0.py" in stored


def test_no_cache_reads_and_writes_nothing(repo: Repo) -> None:
    repo.run("scan", "--no-cache", ".")
    assert not (repo.root / ".cache").exists()


def test_a_cache_that_is_not_ours_is_ignored(repo: Repo) -> None:
    cold = repo.run("scan", ".")
    [cache_file] = _cache_files(repo.root)
    # A forged cache that claims every file is clean: a valid pickle, but not signed by our key.
    forged = ResultCache(repo.root, "0" * 64)
    forged._key = b"k" * 32
    forged.fresh = {}
    forged.path = cache_file
    forged.save()
    assert repo.run("scan", ".") == cold
    cache_file.write_bytes(b"\0" * 10)  # truncated
    assert repo.run("scan", ".") == cold


def test_a_cache_from_another_user_key_is_ignored(repo: Repo, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    cold = repo.run("scan", ".")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-user"))
    entries_before = _cache_files(repo.root)[0].read_bytes()
    assert repo.run("scan", ".") == cold
    assert _cache_files(repo.root)[0].read_bytes() != entries_before  # re-signed with the new key


def test_the_cache_never_holds_a_secret(repo: Repo) -> None:
    repo.write("auth/oauth.py", f'CLIENT_SECRET = "{SECRET}"\nSCOPES = ["repo", "admin:org"]\n'
                                'session = OAuth2Session(client_id, scope=SCOPES)\n')
    repo.commit()
    first = repo.run("scan", ".")
    second = repo.run("scan", ".")
    assert first == second
    for cache_file in _cache_files(repo.root):
        assert SECRET.encode() not in cache_file.read_bytes()
    assert SECRET not in json.dumps(first[1])


def test_the_cache_directory_is_never_scanned(repo: Repo) -> None:
    repo.run("scan", ".")
    _code, report = repo.run("scan", "--all-files", ".")
    assert not any(f["path"].startswith(".cache/") for f in report["findings"])
    assert not any(".cache/" in e for e in report["summary"]["errors"])
    assert (repo.root / ".cache" / "secret-hygiene" / ".gitignore").read_text().endswith("*\n")


def test_other_settings_use_another_cache_file(repo: Repo) -> None:
    repo.run("scan", ".")
    _code, report = repo.run("scan", "--select", "SH4", ".")
    assert {f["rule"][:3] for f in report["findings"]} == {"SH4"}
    assert len(_cache_files(repo.root)) == 2


def test_a_cache_that_cannot_be_written_does_not_stop_the_scan(repo: Repo) -> None:
    (repo.root / ".cache").write_text("a file where the cache directory would go\n")
    cold = repo.run("scan", "--no-cache", ".")
    assert repo.run("scan", ".") == cold
    assert repo.run("scan", ".") == cold


def test_a_result_whose_facts_hold_a_secret_is_not_stored() -> None:
    from scanner.engine.runner import FileResult, _holds_none_of

    clean = FileResult(path="a.py", scanned=True, facts={"SH201": {"scopes": ["repo"]}})
    leaky = FileResult(path="a.py", scanned=True, facts={"SH201": {"constant": SECRET}})
    assert _holds_none_of(clean, {SECRET})
    assert not _holds_none_of(leaky, {SECRET})
    assert _holds_none_of(leaky, set())  # nothing was seen as a secret in that file


def test_old_cache_files_are_pruned(repo: Repo) -> None:
    for selection in ("SH1", "SH2", "SH3", "SH4", "SH10", "SH20"):
        repo.run("scan", "--select", selection, ".")
    files = _cache_files(repo.root)
    assert len(files) == cache_module.KEEP_FILES
    repo.run("scan", "--select", "SH4", ".")  # a recent one: still there, reused
    assert _cache_files(repo.root) == files


def test_an_upgraded_analysis_library_does_not_reuse_old_results(
        repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stale "0 findings" from an older detect-secrets (or tree-sitter, hyperscan ...) is not
    reused: the cache file is keyed by their installed versions."""
    repo.run("scan", ".")
    [before] = _cache_files(repo.root)
    versions = cache_module.package_versions()
    assert versions["detect-secrets"] is not None and versions["PyYAML"] is not None
    upgraded = {**versions, "detect-secrets": "999.0"}
    monkeypatch.setattr(cache_module, "package_versions", lambda: upgraded)
    hits: list[str] = []
    lookup = ResultCache.lookup

    def spy(self: ResultCache, path: str, digest: str) -> object:
        found = lookup(self, path, digest)
        if found is not None:
            hits.append(path)
        return found

    monkeypatch.setattr(ResultCache, "lookup", spy)
    repo.run("scan", ".")
    assert not hits  # nothing reused from the old version's results
    assert len(_cache_files(repo.root)) == 2 and before in _cache_files(repo.root)


def test_a_secret_committed_under_the_cache_directory_is_reported(repo: Repo) -> None:
    repo.run("scan", ".")  # our cache files and .gitignore exist beside it
    repo.write(".cache/secret-hygiene/creds.py", f'CLIENT_SECRET = "{SECRET[::-1]}"\n')
    repo.git("add", "-f", ".cache/secret-hygiene/creds.py")
    repo.commit()
    for args in (("scan", "."), ("scan", "--all-files", "."), ("scan", "--no-cache", ".")):
        _code, report = repo.run(*args)
        paths = {f["path"] for f in report["findings"] if f["rule"] == "SH101"}
        assert ".cache/secret-hygiene/creds.py" in paths, args
        assert not any(f["path"].endswith(".bin") or f["path"].endswith(".gitignore")
                       for f in report["findings"])


def test_bytes_ff_fe_that_are_not_utf16_are_read_as_utf8(repo: Repo) -> None:
    """A file that starts with FF FE but is ASCII after it: its secret is found on line 1."""
    (repo.root / "conf").mkdir()
    (repo.root / "conf" / "odd.py").write_bytes(
        b"\xff\xfe" + f'CLIENT_SECRET = "{SECRET}"\nprint(1)\n'.encode())
    (repo.root / "conf" / "wide.py").write_bytes(
        f'CLIENT_SECRET = "{SECRET[::-1]}"\nprint(1)\n'.encode("utf-16"))
    repo.commit()
    _code, report = repo.run("scan", "--no-cache", ".")
    assert {("conf/odd.py", 1, "SH101"), ("conf/wide.py", 1, "SH101")} <= triples(report)
    assert SECRET not in json.dumps(report)
