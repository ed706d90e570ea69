"""SH204's resource/access decision, user maps, options validation and the explain docs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.config import ConfigError, parse_config
from scanner.engine.plan import build_plan
from scanner.engine.runner import Settings, scan
from scanner.facts.scopes.catalog import load_catalog
from scanner.model.document import Document
from scanner.rules import scopes
from scanner.rules.scopes.usage import parse_scope
from scanner.sources import SourceFile
from tests.gitrepo import Repo
from tests.gitrepo import triples as report_triples
from tests.support import make_rules, scan_files, triples


def unused(files: dict[str, str], **options: Any) -> dict[int, str]:
    result = scan_files(files, select=["SH204"], options={"scopes": options})
    assert not result.summary.errors, result.summary.errors
    return {f.line: f.message for f in result.findings}


@pytest.mark.parametrize(("scope", "resource", "access"), [
    ("people:read", "people", "read"),
    ("read:org", "org", "read"),
    ("deals.write", "deals", "write"),
    ("crm.objects.contacts.read", "contacts", "read"),
    ("https://www.googleapis.com/auth/drive.readonly", "drive", "read"),
    ("https://www.googleapis.com/auth/spreadsheets", "spreadsheets", "write"),
    ("user:email", "emails", "read"),
    ("Mail.ReadWrite", "Mail", "write"),
    ("users:read.email", "users", "read"),
    ("write_repository", "repository", "write"),
    ("forms", "forms", "write"),
    ("tasks", "tasks", "any"),
])
def test_scope_syntaxes_parse_into_resource_and_access(scope: str, resource: str, access: str) -> None:
    meaning = parse_scope(scope, load_catalog())
    assert meaning is not None
    assert (meaning.resource, meaning.access) == (resource, access)


def test_write_scope_with_only_reads_suggests_the_read_scope() -> None:
    code = ('SCOPES = ["people:write", "Mail.ReadWrite"]\n'
            'OAuth2Session("i", scope=SCOPES)\n'
            'requests.get("https://api.example.com/api/v3/people")\n'
            'requests.get("https://graph.microsoft.com/v1.0/me/messages")\n')
    messages = unused({"a.py": code})
    assert set(messages) == {1}
    assert "request `people:read` instead" in messages[1] or "request `Mail.Read` instead" in messages[1]
    result = scan_files({"a.py": code}, select=["SH204"])
    assert {f.column for f in result.findings} == {12, 28}


def test_write_scope_with_a_write_call_is_used() -> None:
    code = ('SCOPES = ["people:write"]\nOAuth2Session("i", scope=SCOPES)\n'
            'def add(s, p):\n    return s.post("https://api.example.com/api/v3/people", json=p)\n')
    assert unused({"a.py": code}) == {}


def test_unknown_method_url_constant_counts_as_touching() -> None:
    code = ('PEOPLE = "https://api.example.com/api/v3/people"\n'
            'SCOPES = ["people:write"]\nOAuth2Session("i", scope=SCOPES)\n'
            'def call(s, verb):\n    return s.request(verb, PEOPLE)\n')
    assert unused({"a.py": code}) == {}


def test_message_names_the_resource_never_called() -> None:
    code = ('OAuth2Session("i", scope=["people:read", "payroll:read"])\n'
            'requests.get("https://api.example.com/api/v3/people")\n')
    assert unused({"a.py": code}) == {1: "`payroll:read` is never exercised: no API call touches `payroll`"}


def test_no_visible_calls_means_no_verdict() -> None:
    assert unused({"a.py": 'OAuth2Session("i", scope=["people:read", "payroll:read"])\n'}) == {}


def test_calls_from_another_file_and_js_fetch_and_axios() -> None:
    files = {
        "src/auth.ts": 'export const req = { scope: "people:read teams:write payroll:read" };\n',
        "src/api.ts": ('export const list = () => fetch("/api/v3/people");\n'
                       'export const add = (t) => axios.post(`${BASE}/api/v3/teams`, t);\n'),
    }
    assert unused(files) == {1: "`payroll:read` is never exercised: no API call touches `payroll`"}


def test_offline_access_needs_refresh_token_handling() -> None:
    base = ('OAuth2Session("i", scope=["people:read", "offline_access"])\n'
            'requests.get("https://api.example.com/api/v3/people")\n')
    assert list(unused({"a.py": base})) == [1]
    assert "refresh token" in unused({"a.py": base})[1]
    refreshing = base + 'requests.post(URL, data={"grant_type": "refresh_token"})\n'
    assert unused({"a.py": refreshing}) == {}


def test_user_map_teaches_a_provider() -> None:
    code = ('OAuth2Session("i", scope=["hr:emp", "hr:pay"])\n'
            'requests.get("https://api.example.com/v2/staff/42")\n')
    mapping = {"hr:emp": ["GET /v2/staff/{id}"], "hr:pay": ["GET /v2/payslips"]}
    messages = unused({"a.py": code}, map=mapping)
    assert list(messages) == [1]
    assert "GET /v2/payslips" in messages[1] and "hr:pay" in messages[1]


def test_calls_in_test_files_do_not_count() -> None:
    files = {
        "app.py": ('OAuth2Session("i", scope=["people:read", "payroll:read"])\n'
                   'requests.get("https://api.example.com/api/v3/people")\n'),
        "tests/test_app.py": 'requests.get("https://api.example.com/api/v3/payroll")\n',
    }
    assert list(unused(files)) == [1]


def test_other_providers_calls_do_not_exercise_scopes() -> None:
    code = ('flow = Flow.from_client_secrets_file("c.json", '
            'scopes=["https://www.googleapis.com/auth/drive.readonly"])\n'
            'requests.get("https://api.github.com/user/repos")\n')
    # The only call goes to GitHub: Drive's use cannot be seen, so nothing is said.
    assert unused({"a.py": code}) == {}


def test_sdk_calls_the_catalog_knows() -> None:
    code = ('OAuth2Session("i", scope=["crm.objects.contacts.read", "crm.objects.deals.read"],\n'
            '              token_url="https://api.hubapi.com/oauth/v1/token")\n'
            "page = client.crm.contacts.basic_api.get_page(limit=10)\n")
    assert list(unused({"a.py": code})) == [1]
    assert "deals" in unused({"a.py": code})[1]


def test_an_api_no_call_reaches_is_not_judged_when_the_component_has_the_providers_sdk() -> None:
    request = ('OAuth2Session("i", scope=["https://www.googleapis.com/auth/drive.readonly",\n'
               '                         "https://www.googleapis.com/auth/photoslibrary.readonly"])\n'
               'requests.get("https://www.googleapis.com/drive/v3/files")\n')
    # The photos API is reached through its SDK (no catalogue reads its calls): nothing is said.
    # An OAuth library named after the provider is no such SDK.
    for head, expected in (("", [(2, "medium")]), ("import google_photos_library_api\n", []),
                           ("from google.oauth2.credentials import Credentials\n", [(3, "medium")])):
        result = scan_files({"a.py": head + request}, select=["SH204"])
        assert [(f.line, f.confidence.value) for f in result.findings] == expected, head
        assert all("photoslibrary" in f.message for f in result.findings)



def test_the_component_is_read_for_an_sdk_only_when_a_scope_would_be_reported(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether a component imports the provider's SDK decides a verdict; a request whose scopes
    are all used has none to decide, so the component's files are not read for their imports."""
    from scanner.rules.scopes.components import ComponentCalls

    asked: list[str] = []
    original = ComponentCalls.provider_sdk

    def counted(self: ComponentCalls, request: Any) -> str | None:
        asked.append(request.place.path)
        return original(self, request)

    monkeypatch.setattr(ComponentCalls, "provider_sdk", counted)
    used = ('OAuth2Session("i", scope=["https://www.googleapis.com/auth/drive.readonly"])\n'
            'requests.get("https://www.googleapis.com/drive/v3/files")\n')
    assert scan_files({"a.py": used}, select=["SH204"]).findings == []
    assert asked == []
    unused_too = used.replace('readonly"]', 'readonly",\n"https://www.googleapis.com/auth/photoslibrary.readonly"]')
    found = scan_files({"a.py": unused_too}, select=["SH204"]).findings
    assert [(f.path, f.line, f.rule) for f in found] == [("a.py", 2, "SH204")]
    assert asked == ["a.py"]

# -- options ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "key"), [
    ({"max-length": 0}, "max-length"),
    ({"host-limits": {"api.example.com": -1}}, "host-limits"),
    ({"host-limits": {"https://x/": 10}}, "host-limits"),
    ({"map": {"people:read": "GET /x"}}, "map"),
    ({"map": {"people:read": ["/api/v3/people"]}}, "map"),
    ({"allow": ["ok", 3]}, "allow"),
])
def test_bad_options_raise_naming_the_key(raw: dict[str, Any], key: str) -> None:
    with pytest.raises(ValueError, match=key):
        scopes.validate_options(raw)


def test_good_options_pass_and_config_rejects_bad_types() -> None:
    scopes.validate_options({"max-length": 2000, "host-limits": {"api.example.com": 1000},
                             "map": {"people:read": ["GET /api/v3/people", "* /api/v3/teams"]},
                             "allow": ["admin"]})
    with pytest.raises(ConfigError, match="max-length"):
        parse_config({"scopes": {"max-length": "4000"}}, "pyproject.toml")
    with pytest.raises(ConfigError, match="host-limits"):
        parse_config({"scopes": {"host-limits": {"a.example": 0}}}, "pyproject.toml")


def test_explain_sh204_describes_the_decision_and_the_map() -> None:
    output = CliRunner().invoke(cli, ["explain", "SH204"]).output
    assert "resource" in output and "access" in output
    assert "[tool.secret-hygiene.scopes]" in output and "map = " in output
    assert "scopes_*.json" in output


def test_fingerprints_do_not_depend_on_lines() -> None:
    code = 'SCOPES = ["admin:org"]\n'
    first = scan_files({"a.py": code}, select=["SH202"]).findings
    moved = scan_files({"a.py": "\n\n" + code}, select=["SH202"]).findings
    assert [f.fingerprint for f in first] == [f.fingerprint for f in moved]
    assert triples(moved) == {("a.py", 3, "SH202")}


def test_diff_scans_without_the_repository_listing_say_nothing() -> None:
    files = {"auth.py": ('OAuth2Session("i", scope=["people:read", "payroll:read"])\n'
                         'requests.get("https://api.example.com/api/v3/people")\n')}
    result = scan_files(files, select=["SH204"], changed={"auth.py": frozenset({1})})
    assert result.findings == []
    # The full scan of the same file does report payroll.
    assert triples(scan_files(files, select=["SH204"]).findings) == {("auth.py", 1, "SH204")}


def test_diff_scan_reads_unscanned_files_when_the_project_lists_them() -> None:
    files = {"auth.py": 'OAuth2Session("i", scope=["people:read", "payroll:read"])\n',
             "client.py": 'requests.get("https://api.example.com/api/v3/people")\n',
             "tests/test_client.py": 'requests.get("https://api.example.com/api/v3/payroll")\n'}
    source = SourceFile(path="auth.py", text=files["auth.py"], changed_lines=frozenset({1}))

    def listed(paths: tuple[str, ...]) -> list[tuple[str, int, str]]:
        result = scan([source], build_plan(make_rules(["SH204"]), {}), Settings(max_size=1 << 20),
                      project_loader=lambda p: Document(p, files[p]) if p in files else None,
                      project_paths=lambda: paths)
        assert not result.summary.errors, result.summary.errors
        assert all("payroll" in f.message for f in result.findings)
        return sorted((f.path, f.line, f.rule) for f in result.findings)

    # client.py shows people is called, payroll never (the test file's call does not count).
    assert listed(tuple(files)) == [("auth.py", 1, "SH204")]
    # Without client.py the request's provider shows no call at all: nothing is said.
    assert listed(("auth.py", "tests/test_client.py")) == []


def test_hook_reads_the_rest_of_the_work_tree_for_calls(tmp_path: Path) -> None:
    """The hook scans only the staged auth module; the calls that show what is used live in a
    TypeScript file of the work tree (a test's call to payroll does not count)."""
    repo = Repo(tmp_path / "repo")
    repo.write("web/api.ts", 'export const people = () => fetch("/api/v3/people");\n')
    repo.write("web/api.test.ts", 'it("pays", () => fetch("/api/v3/payroll"));\n')
    repo.write("app/auth.py", 'SCOPES = ["people:read"]\nsession = OAuth2Session("client", scope=SCOPES)\n')
    repo.commit()
    repo.write("app/auth.py", 'SCOPES = ["people:read", "payroll:read"]\n'
                              'session = OAuth2Session("client", scope=SCOPES)\n')
    repo.git("add", "app/auth.py")
    code, report = repo.run("hook", "--select", "SH2", "app/auth.py")
    assert report_triples(report) == {("app/auth.py", 1, "SH204")}
    assert code == 1
    assert "payroll" in report["findings"][0]["message"]


def test_scope_names_unrelated_to_any_path_are_not_judged() -> None:
    # Like ansible-galaxy's `api.console`: an audience-style scope of an unknown provider.
    code = ('def payload():\n    p = {"client_id": "cloud-services"}\n    p["scope"] = "api.console"\n'
            '    p["grant_type"] = "client_credentials"\n    return p\n'
            'requests.get("https://galaxy.example.com/api/v3/collections/")\n')
    assert unused({"galaxy.py": code}) == {}
