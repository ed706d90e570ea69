"""Issue #12 defect 5: a key repeated in several TOML tables is reported at its own table's line,
with that line as the snippet (not the first line naming the key)."""

from __future__ import annotations

from pathlib import Path

from tests.gitrepo import Repo
from tests.support import scan_files, triples

TOML = ('[dev]\nredirect_uri = "http://localhost:8000/cb"\n\n'
        '[prod]\nredirect_uri = "http://app.acme-corp.io/cb"  # live\n')


def test_cli_reports_a_repeated_toml_key_at_its_own_table(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("config/oauth.toml", TOML)
    repo.commit("oauth config")
    code, report = repo.run("scan", "--select", "SH401", "--no-cache")
    assert code == 1
    [finding] = report["findings"]
    assert (finding["path"], finding["line"]) == ("config/oauth.toml", 5)
    assert "app.acme-corp.io" in finding["snippet"] and "localhost" not in finding["snippet"]


def test_toml_lines_of_nested_array_inline_and_dotted_keys() -> None:
    text = ('title = "x"\n'
            '[[clients]]\nname = "dev"\nredirect_uri = "http://localhost/cb"\n'
            '[[clients]]\nname = "web"\nredirect_uri = "http://one.acme.io/cb"\n'
            'prefix = """\nredirect_uri = "https://not.a.key"\n"""\n'
            '[servers.prod]\nauth = { redirect_uri = "http://two.acme.io/cb" }\n'
            '[other]\noauth.redirect_uri = "http://three.acme.io/cb"\n')
    found = scan_files({"clients.toml": text}, select=["SH401"]).findings
    assert triples(found) == {("clients.toml", 7, "SH401"), ("clients.toml", 12, "SH401"),
                              ("clients.toml", 14, "SH401")}
