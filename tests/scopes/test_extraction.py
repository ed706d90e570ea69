"""Scope extraction and resolution: Python and JS/TS (one extractor over the code model),
config, URLs; names resolved across modules with the project index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner.engine.plan import build_plan
from scanner.engine.runner import Settings, scan
from scanner.facts.scopes import Lit, ScopeConstant, ScopeExtractor, ScopeList, ScopeRequest
from scanner.model.document import Document
from scanner.sources import SourceFile
from tests.gitrepo import Repo
from tests.gitrepo import triples as report_triples
from tests.support import make_rules, scan_files, triples


def found(files: dict[str, str], select: str = "SH2", **options: Any) -> set[tuple[str, int, str]]:
    result = scan_files(files, select=[select], options={"scopes": options})
    assert not [e for e in result.summary.errors if "failed" in e], result.summary.errors
    return triples(result.findings)


def test_python_fstring_concat_and_join_are_resolved() -> None:
    code = (
        'BASE = ["contacts.read", "admin"]\n'
        'EXTRA = "deals.read"\n'
        'scope = " ".join(BASE) + f" {EXTRA} contacts.read"\n'
        'session = OAuth2Session("id", scope=scope)\n'
    )
    assert found({"app.py": code}) == {("app.py", 1, "SH202"), ("app.py", 3, "SH203")}


def test_local_variable_resolved_through_scope_analysis() -> None:
    code = (
        "def connect(client_id):\n"
        '    scopes = ("repo", "gist")\n'
        "    return OAuth2Session(client_id, scope=scopes)\n"
        "\n"
        "def other(scopes):\n"
        "    return OAuth2Session('id', scope=scopes)\n"
    )
    assert found({"gh.py": code}) == {("gh.py", 2, "SH202")}


def test_loop_targets_are_bound_and_loop_tests_are_not() -> None:
    tested = ('def f(cid):\n    scopes = ["repo"]\n    while scopes:\n        break\n'
              '    return OAuth2Session(cid, scope=scopes)\n')
    looped = 'def f(cid):\n    for scopes in [["repo"]]:\n        pass\n    return OAuth2Session(cid, scope=scopes)\n'
    js = ('function f(id) {\n  const scopes = ["repo"];\n  for (const s of scopes) { log(s); }\n'
          '  return new OAuthClient({ scope: scopes });\n}\n')
    assert found({"w.py": tested, "l.py": looped, "src/j.js": js}) == {("w.py", 2, "SH202"),
                                                                       ("src/j.js", 2, "SH202")}


def test_class_attribute_and_self_reference() -> None:
    code = (
        "class Client:\n"
        '    SCOPES = ["all", "contacts.read"]\n'
        "    def session(self):\n"
        "        return OAuth2Session('id', scope=self.SCOPES)\n"
    )
    assert found({"client.py": code}) == {("client.py", 2, "SH202")}


def test_requests_post_payload_and_subscript_payload() -> None:
    code = (
        "import requests\n"
        'TOKEN_URL = "https://login.example.com/oauth/token"\n'
        "def token():\n"
        '    return requests.post(TOKEN_URL, data={"grant_type": "client_credentials", "scope": "root"})\n'
        "def token2(payload):\n"
        '    payload["scope"] = "a a"\n'
        "    return payload\n"
    )
    assert found({"tok.py": code}) == {("tok.py", 4, "SH202"), ("tok.py", 6, "SH203")}


def test_positional_scopes_of_google_and_msal_clients() -> None:
    code = (
        "import msal\n"
        "app = msal.ConfidentialClientApplication('id')\n"
        'app.acquire_token_for_client(["Directory.ReadWrite.All"])\n'
        'flow = InstalledAppFlow.from_client_secrets_file("c.json", ["https://mail.google.com/"])\n'
    )
    assert found({"m.py": code}) == {("m.py", 3, "SH202"), ("m.py", 4, "SH202")}


def test_relative_and_dotted_imports_across_modules() -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/lists.py": 'DEFAULT = ["admin", "contacts.read"]\n',
        "pkg/auth.py": "from .lists import DEFAULT as BASE\nsession = OAuth2Session('id', scope=BASE)\n",
        "other/auth.py": "import pkg.lists\nsession = OAuth2Session('id', scope=pkg.lists.DEFAULT)\n",
        "third/auth.py": "from pkg import lists\nsession = OAuth2Session('id', scope=lists.DEFAULT)\n",
    }
    assert found(files) == {("pkg/lists.py", 1, "SH202")}


def test_modules_under_a_deeper_root_resolve_by_suffix() -> None:
    # A monorepo: `pkg` is importable from services/api, not from the scanned root.
    files = {
        "services/api/pkg/__init__.py": "",
        "services/api/pkg/lists.py": 'DEFAULT = ["admin", "contacts.read"]\n',
        "services/api/pkg/auth.py": "from pkg.lists import DEFAULT\nsession = OAuth2Session('id', scope=DEFAULT)\n",
    }
    assert found(files) == {("services/api/pkg/lists.py", 1, "SH202")}


def test_constant_module_outside_the_scan_is_loaded() -> None:
    # Hook mode: only auth.py is scanned; the list is read through the project index.
    files = {"pkg/lists.py": 'DEFAULT = ["admin"]\n',
             "pkg/auth.py": "from pkg.lists import DEFAULT\nsession = OAuth2Session('id', scope=DEFAULT)\n"}
    rules = make_rules(["SH202"])
    result = scan([SourceFile(path="pkg/auth.py", text=files["pkg/auth.py"])], build_plan(rules, {}),
                  Settings(max_size=1 << 20),
                  project_loader=lambda p: Document(p, files[p]) if p in files else None)
    # The list's module was not scanned: the finding goes to the request in the scanned file.
    assert triples(result.findings) == {("pkg/auth.py", 2, "SH202")}


def test_pytest_fixture_scope_is_not_oauth() -> None:
    code = (
        "import pytest\n"
        '@pytest.fixture(scope="module")\n'
        "def db():\n"
        "    return 1\n"
        'session = Session(scope="session")\n'
    )
    assert found({"conftest_like.py": code}) == set()


def test_js_template_strings_and_params_append() -> None:
    code = (
        'const EXTRA = "admin";\n'
        "const params = new URLSearchParams();\n"
        'params.append("scope", `openid ${EXTRA} openid`);\n'
    )
    assert found({"src/login.js": code}) == {("src/login.js", 3, "SH203"), ("src/login.js", 1, "SH202")}


def test_js_relative_import() -> None:
    files = {
        "src/scopes.ts": 'export const SCOPES = ["read:org", "repo"];\n',
        "src/auth.ts": 'import { SCOPES } from "./scopes";\nexport const req = { scope: SCOPES.join(" ") };\n',
    }
    assert found(files) == {("src/scopes.ts", 1, "SH202")}


def test_authorize_url_in_any_file() -> None:
    text = "Visit https://accounts.example.com/authorize?client_id=x&scope=openid+admin+openid&state=1\n"
    assert found({"docs/setup.md": text}) == {("docs/setup.md", 1, "SH202"), ("docs/setup.md", 1, "SH203")}
    templated = 'url = f"https://accounts.example.com/authorize?scope={scopes}&state={state}"\n'
    assert found({"app.py": templated}) == set()


def test_ini_and_env_scope_keys() -> None:
    assert found({"setup.cfg": "[oauth]\nscopes = admin contacts.read\n"}) == {("setup.cfg", 2, "SH202")}
    assert found({".env.production": "GOOGLE_SCOPES=root\nOTHER=admin\n"}) == {(".env.production", 1, "SH202")}


def test_token_columns_point_at_the_element() -> None:
    result = scan_files({"a.py": 'SCOPES = ["contacts.read", "admin"]\n'}, select=["SH202"])
    (finding,) = result.findings
    assert (finding.line, finding.column, finding.end_column) == (1, 29, 34)


def _facts(path: str, code: str) -> list[ScopeRequest | ScopeConstant]:
    return [f for f in ScopeExtractor().extract(Document(path, code))
            if isinstance(f, (ScopeRequest, ScopeConstant))]


def test_scope_request_model_records_origin_and_provider() -> None:
    code = ('oauth.register("hub", access_token_url="https://api.hubapi.com/oauth/v1/token",\n'
            '               client_kwargs={"scope": "crm.objects.contacts.read"})\n')
    (request,) = _facts("reg.py", code)
    assert isinstance(request, ScopeRequest)
    assert request.provider_url == "https://api.hubapi.com/oauth/v1/token"
    assert request.origin == 'oauth.register({"scope": ...} payload)'
    assert request.source == "literal"
    assert request.span[0] == 2
    assert request.line_text == '               client_kwargs={"scope": "crm.objects.contacts.read"})'
    assert request.value == Lit("crm.objects.contacts.read", (2, 40, 2, 67), (request.line_text,))


def test_python_and_js_give_the_same_facts() -> None:
    python = 'SCOPES = ["openid", "email"]\nsession = OAuth2Session("id", scope=SCOPES)\n'
    js = 'const SCOPES = ["openid", "email"];\nconst session = new OAuth2Session({scope: SCOPES});\n'
    py_constant, py_request = _facts("a.py", python)
    js_constant, js_request = _facts("a.js", js)
    for constant in (py_constant, js_constant):
        assert isinstance(constant, ScopeConstant) and constant.name == "SCOPES"
        assert isinstance(constant.value, ScopeList)
        assert [item.text for item in constant.value.items if isinstance(item, Lit)] == ["openid", "email"]
    for request in (py_request, js_request):
        assert isinstance(request, ScopeRequest) and request.source == "constant"
        assert request.span[0] == 2
    assert py_request.origin == "OAuth2Session(scope=)"
    assert js_request.origin == 'OAuth2Session({"scope": ...} payload)'


def test_partially_known_string_over_the_limit_is_reported() -> None:
    code = "import os\nscope = '" + "x" * 50 + "' + ' ' + os.environ['EXTRA']\nsession = OAuth2Session('i', scope=scope)\n"
    assert found({"p.py": code}, select="SH201", **{"max-length": 40}) == {("p.py", 2, "SH201")}
    result = scan_files({"p.py": code}, select=["SH201"], options={"scopes": {"max-length": 40}})
    assert "statically known part" in result.findings[0].message
    assert "limit is 40" in result.findings[0].message
    assert found({"p.py": code}, select="SH201", **{"max-length": 60}) == set()


def test_allow_option_silences_broad_and_unused() -> None:
    assert found({"a.py": 'SCOPES = ["admin"]\n'}, allow=["admin"]) == set()


def test_dependency_and_di_scopes_are_not_oauth() -> None:
    sbom = '{"components": [{"name": "x", "scope": "required"}, {"name": "y", "scope": "excluded"}]}\n'
    pom_like = "dependencies:\n  - name: junit\n    scope: test\n"
    assert found({"bom.cyclonedx.json": sbom, "deps.yaml": pom_like,
                  "app.py": 'requests.get("https://api.example.com/v1/required")\n'}) == set()


def test_host_limits_accept_a_provider_name() -> None:
    code = 'flow = Flow.from_client_secrets_file("c.json", scopes=["https://www.googleapis.com/auth/drive.file"])\n'
    assert found({"g.py": code}, select="SH201", **{"host-limits": {"google": 10}}) == {("g.py", 1, "SH201")}


def test_plain_words_outside_oauth_are_not_judged() -> None:
    code = ('cache.clear(scope="all")\n'
            'metrics.tag(scope="billing")\n'
            'requests.get("https://api.example.com/v1/people")\n')
    assert found({"ops.py": code}) == set()
    js = 'const cacheOptions = { scope: "all", ttl: 60 };\nfetch("/api/v1/people");\n'
    assert found({"src/cache.js": js}) == set()
    oauth_js = 'const loginRequest = { scope: "all" };\n'
    assert found({"src/auth.js": oauth_js}) == {("src/auth.js", 1, "SH202")}


def test_vendored_and_minified_code_is_skipped() -> None:
    code = 'const REQ = { scope: "admin" };\nconst login = new OAuthClient({ scope: "admin" });\n'
    assert found({"static/vendor/lib.js": code, "static/app.min.js": code}) == set()
    assert found({"static/app.js": code}) == {("static/app.js", 2, "SH202")}
    # A minified bundle under any name (a webpack chunk): one very long line.
    bundle = (code.replace("\n", "") + 'location.href="https://id.example.com/authorize?scope=admin";'
              + "var pad=" + "1+" * 3000 + "1;\n")
    assert found({"static/dist/chunks/app.3f2a9c.js": bundle}) == set()


def test_calls_on_long_lines_are_still_seen() -> None:
    # The verb is looked for right before the URL, not over the whole line.
    padding = "x = {" + ", ".join(f'"k{n}": {n}' for n in range(400)) + "}; "
    files = {"auth.py": 'OAuth2Session("i", scope=["people:write"])\n',
             "client.py": padding + 'requests.get("https://api.example.com/api/v3/people")\n'}
    result = scan_files(files, select=["SH204"])
    assert triples(result.findings) == {("auth.py", 1, "SH204")}
    assert "only reads it (GET); request `people:read` instead" in result.findings[0].message


def test_token_in_an_unrelated_callee_is_no_oauth_context() -> None:
    assert found({"src/re.js": "XRegExp.addToken(/x/, f, { scope: 'all' });\n"}) == set()


def test_js_urlsearchparams_pairs() -> None:
    code = 'const q = new URLSearchParams([["client_id", id], ["scope", "admin openid"]]);\n'
    assert found({"src/oauth.ts": code}) == {("src/oauth.ts", 1, "SH202")}


def test_scope_like_fields_of_other_data_are_not_requests() -> None:
    catalog = '{"scopes": {"x": {"read_scope": "https://www.googleapis.com/auth/gmail.readonly"}}}\n'
    stop_list = 'NOT_OAUTH_SCOPES = frozenset({"module", "session", "global"})\n'
    assert found({"data/catalog.json": catalog, "model.py": stop_list,
                  "app.py": 'requests.get("https://www.googleapis.com/drive/v3/files")\n'}) == set()
    assert found({"k8s.yaml": "nodePool:\n  oauthScopes:\n    - https://www.googleapis.com/auth/cloud-platform\n"}) \
        == {("k8s.yaml", 3, "SH202")}


def test_local_variable_is_followed_whatever_its_name(tmp_path: Path) -> None:
    """Issue #12 defect 3: `scope=` given through a local variable was found when the variable
    was named `scopes` and dropped when it was named `requested` (the old prescreen's regex)."""
    repo = Repo(tmp_path / "repo")
    for name in ("scopes", "requested"):
        repo.write(f"app/gh_{name}.py", f'def connect(client_id):\n    {name} = ["repo", "gist"]\n'
                                        f"    return OAuth2Session(client_id, scope={name})\n")
        repo.write(f"web/gh_{name}.js", f'export function connect(clientId) {{\n'
                                        f'  const {name} = ["repo", "gist"];\n'
                                        f"  return new OAuth2Client({{ clientId, scope: {name} }});\n}}\n")
    repo.commit()
    code, report = repo.run("scan", ".", "--select", "SH2")
    assert code == 1
    assert report_triples(report) == {("app/gh_scopes.py", 2, "SH202"), ("app/gh_requested.py", 2, "SH202"),
                               ("web/gh_scopes.js", 2, "SH202"), ("web/gh_requested.js", 2, "SH202")}


def test_client_library_calls_and_subscribed_events_from_the_text() -> None:
    from scanner.facts.scopes import (
        ClientBinding,
        ClientCallExtractor,
        ClientMethodCall,
        SubscribedEvent,
    )

    code = ("from tunes_sdk import TunesClient\n"
            "client: TunesClient\n"
            "self._api = await Hub.create(x)\n"
            "players = await self._client.async_get_players()\n"
            "client.listFavorites(); client.refresh(); config.get('x')\n"
            'hook = {"events": ["repo:push", "pullrequest:fulfilled"], "url": "/x"}\n')
    facts = list(ClientCallExtractor().extract(Document("pkg/a.py", code)))
    assert [(f.name, f.cls) for f in facts if isinstance(f, ClientBinding)] == \
        [("client", "TunesClient"), ("api", "Hub")]
    # One-word methods (`refresh`) and `get` with no resource name nothing.
    assert [(f.receiver, f.method) for f in facts if isinstance(f, ClientMethodCall)] == \
        [("client", "async_get_players"), ("client", "listFavorites")]
    assert [f.name for f in facts if isinstance(f, SubscribedEvent)] == ["repo:push", "pullrequest:fulfilled"]


def test_client_method_names_match_scopes_by_resource() -> None:
    from scanner.facts.scopes.clients import operation_resource
    from scanner.rules.scopes.usage import name_words

    assert operation_resource("async_get_installed_app") == ("installed", "app")
    assert operation_resource("listFavorites") == ("favorites",)
    assert operation_resource("connect_events") is None  # not an operation on a resource
    # The first resource word and every run of two or more: `get_hop()` reaches what
    # `save_hop_specific_connection` names a part of.
    assert name_words("save_hop_specific_connection") == (
        "hop", "hopspecific", "hopspecificconnection", "specificconnection")
    assert name_words("get_outage_contact_info_for_icp")[0] == "outage"
