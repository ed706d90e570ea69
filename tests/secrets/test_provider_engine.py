"""The provider catalogue in the engine, through the CLI on real repositories: tokens found by
their format under any name, the defects of issue #14, and the dummy filters of the format path.

Every token here is a synthetic example of the catalogue (random characters of the documented
alphabet), never a real credential."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.facts.providers import catalogue
from scanner.facts.secrets import formats
from scanner.model.document import Document
from tests.gitrepo import Repo, scan_committed

CATALOGUE = catalogue()
HUBSPOT_NA = "pat-na1-3ebcae6b-c536-8147-0326-ddb7b14c3558"
HUBSPOT_EU = "pat-eu1-4cbd0467-e620-2cf5-032e-f28627769e90"
HUBSPOT_UUID = "b72a82e3-e721-2ff9-8583-4f3b30b6ec26"
HF = CATALOGUE.by_id("huggingface-access-token").examples.positive[0]
NOTION = CATALOGUE.by_id("notion-integration-token-legacy").examples.positive[0]
ANTHROPIC = CATALOGUE.by_id("anthropic-admin-key").examples.positive[0]
GITHUB_PAT = CATALOGUE.by_id("github-fine-grained-personal-access-token").examples.positive[0]
GOOGLE_SECRET = CATALOGUE.by_id("google-oauth-client-secret").examples.positive[0]
SECRET = "Qm7vX2pL9kR4tW8zN3bC6dF1"  # a fake secret of no provider's format


def _scan(tmp_path: Path, files: dict[str, str]) -> set[tuple[str, int, str]]:
    code, found = scan_committed(tmp_path / "repo", files, "scan", "--select", "SH1")
    assert code in (0, 1)
    return found


@pytest.mark.parametrize(("name", "files", "expected"), [
    # A distinctive-prefix token is found whatever its variable is called.
    ("hubspot-na", {"app.py": f'x = "{HUBSPOT_NA}"\n'}, {("app.py", 1, "SH106")}),
    ("hubspot-eu-env", {".env": f"HUBSPOT={HUBSPOT_EU}\n"}, {(".env", 1, "SH106")}),
    ("hubspot-legacy-uuid", {"crm.py": f'HUBSPOT_API_KEY = "{HUBSPOT_UUID}"\n'},
     {("crm.py", 1, "SH106")}),
    ("hubspot-hapikey-url", {"sync.sh": f"curl 'https://api.hubapi.com/contacts/v1?hapikey={HUBSPOT_UUID}'\n"},
     {("sync.sh", 1, "SH106")}),
    ("huggingface", {"ml.py": f'hub = "{HF}"\n'}, {("ml.py", 1, "SH106")}),
    ("notion", {"notes.py": f'NOTION = "{NOTION}"\n'}, {("notes.py", 1, "SH106")}),
    ("anthropic-admin-key", {"ai.py": f'ANTHROPIC_ADMIN_KEY = "{ANTHROPIC}"\n'}, {("ai.py", 1, "SH106")}),
    ("github-pat", {"ci.py": f'GITHUB_PAT = "{GITHUB_PAT}"\n'}, {("ci.py", 1, "SH106")}),
    # A client secret found by its format reports as a client secret.
    ("client-secret-by-format", {"auth.py": f'GOOGLE = "{GOOGLE_SECRET}"\n'}, {("auth.py", 1, "SH101")}),
])
def test_tokens_are_found_by_their_format(tmp_path: Path, name: str, files: dict[str, str],
                                          expected: set[tuple[str, int, str]]) -> None:
    assert _scan(tmp_path, files) == expected


@pytest.mark.parametrize(("name", "files", "expected"), [
    ("key-name-outside-env", {"settings.py": f'STRIPE_WEBHOOK_KEY = "{SECRET}"\n'},
     {("settings.py", 1, "SH110")}),
    ("pat-name-outside-env", {"settings.py": f'ACME_PAT = "{SECRET}"\n'}, {("settings.py", 1, "SH110")}),
    ("xml-value-on-its-own-line",
     {"conf/app.xml": f"<config>\n  <apiToken>\n    {SECRET}\n  </apiToken>\n</config>\n"},
     {("conf/app.xml", 3, "SH102")}),
    ("getenv-default", {"app.py": f'CLIENT_SECRET = os.getenv("CLIENT_SECRET", "{SECRET}")\n'},
     {("app.py", 1, "SH101")}),
    ("environ-get-default", {"app.py": f'secret = os.environ.get("API_TOKEN", "{SECRET}")\n'},
     {("app.py", 1, "SH102")}),
    ("process-env-or", {"server/app.js": f'const s = process.env.CLIENT_SECRET || "{SECRET}";\n'},
     {("server/app.js", 1, "SH101")}),
    ("process-env-nullish", {"server/app.js": f'const t = process.env.API_TOKEN ?? "{SECRET}";\n'},
     {("server/app.js", 1, "SH102")}),
    ("requests-basic-auth", {"client.py": f'requests.get(url, auth=("admin", "{SECRET}"))\n'},
     {("client.py", 1, "SH110")}),
])
def test_issue_defects_are_fixed(tmp_path: Path, name: str, files: dict[str, str],
                                 expected: set[tuple[str, int, str]]) -> None:
    assert _scan(tmp_path, files) == expected


@pytest.mark.parametrize(("name", "text"), [
    ("sequence-dummy", 'token = "xoxb-12345-abcd234"\n'),
    ("sequence-dummy-long", 'SLACK = "xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"\n'),
    ("random-string-here", 'token = "xoxe.xoxp-1-RANDOMSTRINGHERE"\n'),
    ("alternating", 'key = "sk_live_1a2b3c4d5e6f7g8h9i0j1k2l3m4n"\n'),
    ("alternating-upper", 'key = "ghp_A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6Q7R8"\n'),
    ("aws-documented-example", 'aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"\n'),
    ("rfc6749-sample", '"""Response: {"access_token": "2YotnFZFEjr1zCsicMWpAA", '
                       '"refresh_token": "tGzv3JOkF0XG5Qx2TlKWIA"}"""\n'),
    ("azure-sas-without-sig", 'sas_token = "sv=2021-06-08&ss=bfqt&srt=sco&sp=rwdlacupx'
                              '&se=2030-01-01T00:00:00Z&st=2024-01-01T00:00:00Z&spr=https"\n'),
    ("commit-sha-after-github", 'source = "github:acme/shop@723c5d8e1f0a9b4c2d7e6f5a4b3c2d1e0f9a8b7c"\n'),
    ("xsd-type-name", '<xs:element name="telegram" type="ns20240101:TelegramBotApiInputMediaPhoto_v2_Type"/>\n'),
])
def test_the_format_path_drops_dummies(tmp_path: Path, name: str, text: str) -> None:
    suffix = ".xsd" if name == "xsd-type-name" else ".py"
    assert _scan(tmp_path, {f"src/sample{suffix}": text}) == set()


def test_the_message_names_provider_kind_and_revoke_url_and_never_the_token(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("crm.py", f'x = "{HUBSPOT_NA}"\n')
    repo.commit()
    code, report = repo.run("scan", "--select", "SH106")
    assert code == 1
    [finding] = report["findings"]
    item = CATALOGUE.by_id("hubspot-private-app-token")
    assert "HubSpot access token" in finding["message"]
    assert item.revoke in finding["message"]
    assert HUBSPOT_NA not in json.dumps(report)


@pytest.mark.parametrize("item", CATALOGUE.formats, ids=lambda f: f.id)
def test_hyperscan_and_the_fallback_find_the_same_tokens(item: object) -> None:
    """The fallback (one regex of literals) and the one compiled pass agree on every example."""
    from scanner.facts.secrets.analysis import _one_pass

    assert isinstance(item, type(CATALOGUE.formats[0]))
    shipped = formats.shipped()
    one_pass = _one_pass(shipped)
    if one_pass is None:
        pytest.skip("Hyperscan is not installed here: only the fallback runs")
    texts = [f'{(item.context_words or ("v",))[0]} = "{t}"\n' for t in item.examples.positive]
    texts += [f"{(item.context_words or ('v',))[0]}: {t}\n" for t in item.examples.negative]
    for text in texts:
        document = Document("a.txt", text)
        _, hits = one_pass.scan(document.utf8)
        accelerated = [(t.format.id, t.start, t.end) for t in formats.from_hits(document, shipped, hits)]
        searched = [(t.format.id, t.start, t.end) for t in formats.by_search(document, shipped)]
        assert accelerated == searched


def test_the_providers_command_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    from scanner.cli import main

    assert main(["providers", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {f["id"] for f in listed} == {f.id for f in CATALOGUE.formats}
    assert main(["providers", "hubspot"]) == 0
    text = capsys.readouterr().out
    assert "hubspot-private-app-token" in text and "HubSpot" in text
    assert CATALOGUE.by_id("hubspot-private-app-token").revoke in text


_OWN_RULES = """
[tool.secret-hygiene.secrets]
rules-file = "gitleaks.toml"
[[tool.secret-hygiene.secrets.rules]]
id = "acme-internal-token"
pattern = 'acme_tok_[A-Za-z0-9]{24}'
keywords = ["acme_tok_"]
entropy = 3.0
examples = ["acme_tok_Qm7vX2pL9kR4tW8zN3bC6dF1"]
"""
_GITLEAKS = """
[[rules]]
id = "initech-key"
description = "Initech API key"
regex = '''(?i)initech[_-]?key\\s*[:=]\\s*["']?([a-z0-9]{32})'''
secretGroup = 1
keywords = ["initech"]
"""


def test_own_rules_and_a_gitleaks_rules_file_are_reported(tmp_path: Path) -> None:
    code, found = scan_committed(tmp_path / "repo", {
        "pyproject.toml": _OWN_RULES, "gitleaks.toml": _GITLEAKS,
        "app.py": 'T = "acme_tok_Zp8wK3nB6tR1yV4xM9qL2hC7"\nINITECH_KEY = "q7vx2pl9kr4tw8zn3bc6df1a5e9h2j4m"\n',
    }, "scan", "--select", "SH106")
    assert (code, found) == (1, {("app.py", 1, "SH106"), ("app.py", 2, "SH106")})


@pytest.mark.parametrize(("rules", "problem"), [
    (_OWN_RULES.replace("{24}", "{24").replace('rules-file = "gitleaks.toml"\n', ""),
     "example 'acme_tok_Qm7'... does not match"),
    (_OWN_RULES.replace("[A-Za-z0-9]", "([A-Z").replace('rules-file = "gitleaks.toml"\n', ""),
     "pattern does not compile"),
    (_OWN_RULES.replace('"gitleaks.toml"', '"missing.toml"'), "rules-file: cannot read missing.toml"),
])
def test_a_bad_rule_is_a_one_line_config_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               rules: str, problem: str) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("pyproject.toml", rules)
    repo.write("app.py", "x = 1\n")
    repo.commit()
    code, _ = repo.run("scan")
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("secret-hygiene: error: ") and problem in err


def _encoded(text: str, encoding: str) -> str:
    import base64
    from urllib.parse import quote

    if encoding == "base64":
        return base64.b64encode(text.encode()).decode()
    return text.encode().hex() if encoding == "hex" else quote(text, safe="")


@pytest.mark.parametrize("encoding", ["base64", "hex"])
def test_an_encoded_token_is_found_at_its_encoded_span(tmp_path: Path, encoding: str) -> None:
    encoded = _encoded(f"token: {HUBSPOT_NA}", encoding)
    repo = Repo(tmp_path / "repo")
    repo.write("deploy/values.yaml", f"crm:\n  blob: {encoded}\n")
    repo.commit()
    code, report = repo.run("scan", "--select", "SH1")
    assert code == 1
    [finding] = report["findings"]
    assert (finding["rule"], finding["line"], finding["column"]) == ("SH106", 2, 9)
    assert finding["end_column"] == 9 + len(encoded)
    assert f"{encoding}-encoded HubSpot" in finding["message"]
    assert encoded not in json.dumps(report) and HUBSPOT_NA not in json.dumps(report)


def test_decode_depth_reads_nested_encodings_and_zero_turns_decoding_off(tmp_path: Path) -> None:
    twice = _encoded(_encoded(f"token: {HUBSPOT_NA}", "base64"), "base64")
    files = {"app.yaml": f"blob: {twice}\n"}
    assert _scan(tmp_path / "one", files) == set()
    deeper = {**files, "pyproject.toml": "[tool.secret-hygiene.secrets]\ndecode-depth = 2\n"}
    assert _scan(tmp_path / "two", deeper) == {("app.yaml", 1, "SH106")}
    once = {"app.yaml": f"blob: {_encoded(f'token: {HUBSPOT_NA}', 'base64')}\n",
            "pyproject.toml": "[tool.secret-hygiene.secrets]\ndecode-depth = 0\n"}
    assert _scan(tmp_path / "off", once) == set()


def test_translation_references_and_ui_strings_are_not_findings(tmp_path: Path) -> None:
    strings = ('{"config": {"step": {"user": {"data": {\n'
               '  "api_key": "[%key:common::config_flow::data::api_key%]",\n'
               '  "password": "[%key:common::config_flow::data::password%]"}}}}}\n')
    files = {"components/acme/strings.json": strings,
             "components/acme/translations/de.json": '{"access_token": "Zugangs-Token9xQ"}\n'}
    assert _scan(tmp_path, files) == set()


def test_a_packaging_copy_of_pkg_info_is_reported_once(tmp_path: Path) -> None:
    metadata = f"Metadata-Version: 2.1\nName: acme\nDescription: api_token = {SECRET}\n"
    files = {"PKG-INFO": metadata, "acme.egg-info/PKG-INFO": metadata}
    assert _scan(tmp_path, files) == {("PKG-INFO", 3, "SH102")}


def test_dummies_where_they_live_are_low_confidence_but_provider_tokens_stay_high(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("tests/test_client.py", f'API_TOKEN = "{SECRET}xQ"\nHUB = "{HUBSPOT_NA}"\n')
    repo.write("acme/client.py", f'def f():\n    """\n    >>> Client(api_token="{SECRET}")\n    """\n')
    repo.write("docs/setup.md", f"Set `api_token: {SECRET}` in the config.\n")
    repo.commit()
    _, report = repo.run("scan", "--select", "SH1")
    confidence = {(f["path"], f["line"]): f["confidence"] for f in report["findings"]}
    assert confidence == {("tests/test_client.py", 1): "low", ("tests/test_client.py", 2): "high",
                          ("acme/client.py", 3): "low", ("docs/setup.md", 1): "low"}
