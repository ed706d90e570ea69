"""The start-up caches: compiled Hyperscan databases kept under the user's cache directory, and
the shipped provider catalogue read from its built JSON. Neither may change an answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner import patterns_cache
from scanner.cli import main
from scanner.facts import providers
from scanner.facts.secrets import analysis, formats
from scanner.keywords import KeywordIndex

hyperscan = pytest.importorskip("hyperscan")

PLANTED = 'STRIPE_KEY = "sk_live_' + "4eC39HqLyjWDarjtT1zdp7dc" [::-1] + 'Q9"\nGH = "ghp_' + "x9" * 18 + '"\n'


def _matches(database: object, data: bytes) -> list[tuple[int, int, int]]:
    found: list[tuple[int, int, int]] = []
    database.scan(data, match_event_handler=lambda i, s, e, f, c: found.append((i, s, e)))  # type: ignore[attr-defined]
    return found


@pytest.fixture()
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SECRET_HYGIENE_PATTERN_CACHE", raising=False)
    return tmp_path / "xdg" / "secret-hygiene" / "patterns"


def test_a_loaded_database_matches_exactly_as_a_compiled_one(cache_home: Path) -> None:
    expressions = [e for e, _ in formats.shipped().hyperscan_expressions()]
    flags = [f for _, f in formats.shipped().hyperscan_expressions()]
    compiled = patterns_cache.block_database(expressions, flags)
    stored = list(cache_home.glob("hs-*.db"))
    assert len(stored) == 1 and stored[0].stat().st_mode & 0o077 == 0
    loaded = patterns_cache.block_database(expressions, flags)
    assert loaded is not compiled
    data = PLANTED.encode() * 3
    assert _matches(loaded, data) == _matches(compiled, data) != []


def test_a_damaged_database_file_is_compiled_again(cache_home: Path) -> None:
    index = KeywordIndex(["client_secret", "webhook"])
    assert index.present("x = CLIENT_SECRET") == {"client_secret"}
    (stored,) = cache_home.glob("hs-*.db")
    for damage in (stored.read_bytes()[:100], b"\0" * 40 + stored.read_bytes()[40:], b""):
        stored.write_bytes(damage)
        again = KeywordIndex(["client_secret", "webhook"])
        assert again.present("a webhook") == {"webhook"}
        assert stored.read_bytes() not in {damage}  # rewritten whole


def test_a_link_where_the_cache_file_goes_is_never_followed(cache_home: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    expressions, flags = [b"refresh_token"], [hyperscan.HS_FLAG_CASELESS]
    patterns_cache.block_database(expressions, flags)
    (stored,) = cache_home.glob("hs-*.db")
    stored.unlink()
    stored.symlink_to(victim)
    database = patterns_cache.block_database(expressions, flags)
    assert _matches(database, b"a REFRESH_TOKEN") and victim.read_text() == "keep me"


def test_the_cache_can_be_turned_off(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_HYGIENE_PATTERN_CACHE", "0")
    database = patterns_cache.block_database([b"api_key"], [0])
    assert _matches(database, b"my api_key") and not cache_home.exists()


def test_an_unwritable_cache_directory_changes_nothing(cache_home: Path) -> None:
    cache_home.parent.mkdir(parents=True)
    cache_home.write_text("a file where the directory should be")
    database = patterns_cache.block_database([b"secret"], [0])
    assert _matches(database, b"a secret")


def test_scans_with_cold_and_warm_pattern_caches_agree(cache_home: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "settings.py").write_text(PLANTED)
    analysis._one_pass.cache_clear()
    reports = []
    for _ in range(2):
        assert main(["scan", str(repo), "--format", "json", "--no-cache", "--no-baseline",
                     "--jobs", "1"]) == 1
        reports.append(json.loads(capsys.readouterr().out)["findings"])
        analysis._one_pass.cache_clear()
    assert reports[0] == reports[1] and reports[0]
    assert list(cache_home.glob("hs-*.db"))
    assert not any(p.name.startswith("hs-") for p in repo.rglob("*"))  # never inside a tree


def test_the_shipped_catalogue_json_is_built_from_the_toml_files_as_they_are() -> None:
    directory = Path(providers.__file__).resolve().parent.parent / "data" / "providers"
    built = json.loads((directory / "catalogue.json").read_text(encoding="utf-8"))
    assert built["sources"] == providers._digest(providers._sources(directory)), (
        "scanner/data/providers/catalogue.json is stale: run "
        "python -c 'from scanner.facts.providers import rebuild_shipped; rebuild_shipped()'")
    from_toml = providers.load_catalogue(directory)  # patterns compiled, every example run
    assert providers.catalogue() == from_toml


def test_a_stale_or_broken_catalogue_json_falls_back_to_the_toml_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = Path(providers.__file__).resolve().parent.parent / "data" / "providers"
    copy = tmp_path / "scanner" / "data" / "providers"
    copy.mkdir(parents=True)
    for source in directory.iterdir():
        copy.joinpath(source.name).write_bytes(source.read_bytes())
    # A format added to the TOML files after catalogue.json was built (its digest is stale).
    demo = (directory / "github.toml").read_text().replace("id = '", "id = 'demo-copy-of-")
    (copy / "zz-demo.toml").write_text(demo)
    monkeypatch.setattr(providers, "DATA_DIR", copy)
    for built in ((directory / "catalogue.json").read_text(), "{not json"):
        (copy / "catalogue.json").write_text(built)
        providers.catalogue.cache_clear()
        try:
            ids = {f.id for f in providers.catalogue().formats}
        finally:
            providers.catalogue.cache_clear()
        assert any(i.startswith("demo-copy-of-") for i in ids) and "github-classic-personal-access-token" in ids
