"""The scope gate's fast path: every file holding a scope request, or a constant named like
scopes, matches it (generated code in every spelling the pattern allows, and the same findings
with and without it); code that only uses an SDK's `scope` objects is never parsed for scopes."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.engine.plan import build_plan
from scanner.engine.runner import extract
from scanner.facts.scopes import ScopeConstant, ScopeExtractor, ScopeRequest
from scanner.facts.scopes.resolve import _SCOPE_CONSTANT
from scanner.model.document import Document
from tests.support import make_rules, same_with_and_without_fast_paths

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_BLANKS = st.sampled_from(["", " ", "  ", "\n", " \n    ", "\t"])
_KEYS = st.sampled_from(["scope", "scopes", "SCOPES", "oauth_scopes", "default_scopes",
                         "oauthScopes", "defaultScopes", "OAUTH_SCOPE", "GOOGLE_SCOPES"])
_VALUE = '["https://www.googleapis.com/auth/drive", "admin"]'
_URL = '"https://accounts.example.com/oauth/token"'


@st.composite
def _python(draw: st.DrawFn) -> str:
    key, gap, gap2 = draw(_KEYS), draw(_BLANKS), draw(_BLANKS)
    shapes = [
        f"session = OAuth2Session(\n    client_id,\n    {key}{gap}={gap2}{_VALUE},\n)\n",
        f'payload = {{"{key}":{gap2}{_VALUE}, "client_id": "x"}}\n',
        f'params = urlencode([("{key}", "read write")])\n',
        f'body["{key}"]{gap.strip(chr(10))} = "read write"\n',
        f'form.append("{key}", "read write")\n',
        f"{key} = {_VALUE}\n",
        f"{key}: list[str] = {_VALUE}\n",
        f"{key} = []\n{key} += {_VALUE}\n",
        f"class Settings:\n    {key}: tuple[str, ...] = tuple({_VALUE})\n",
        f'flow = Flow.from_client_secrets_file("client.json", {_VALUE})\n',
        f'auth_url = client.authorize(access_type="offline", url={_URL})\n',
    ]
    return draw(st.sampled_from(shapes))


@st.composite
def _javascript(draw: st.DrawFn) -> str:
    key, gap, gap2 = draw(_KEYS), draw(_BLANKS), draw(_BLANKS)
    shapes = [
        f"const request = {{\n  {key}:{gap2}{_VALUE},\n  authority: {_URL},\n}};\n",
        f"const request = {{\n  {key}{gap}:\n    {_VALUE},\n}};\n",
        f"const {key} = {_VALUE};\nconst request = {{ {key}{gap}}};\n",
        f"const {key} = {_VALUE};\nsignIn({{ {key},{gap}prompt: 'consent' }});\n",
        f'params.set("{key}", "openid admin");\n',
        f"export const {key}: string[] = {_VALUE};\n",
        f'fetch(`https://example.com/authorize?{key.lower()}=admin&client_id=${{id}}`);\n',
    ]
    return draw(st.sampled_from(shapes))


@st.composite
def _config(draw: st.DrawFn) -> tuple[str, str]:
    key, gap = draw(_KEYS), draw(_BLANKS).replace("\n", "")
    return draw(st.sampled_from([
        ("config.yaml", f"oauth:\n  token_url: https://example.com/token\n  {key}:{gap}\n"
                        "    - admin\n    - contacts.read\n"),
        ("config.yaml", f"oauth:\n  - {key}:{gap} [admin, contacts.read]\n"),
        ("settings.json", f'{{"oauth": {{"{key}"{gap}: ["admin", "contacts.read"]}}}}\n'),
        ("pyproject.toml", f'[oauth]\n{key}{gap}= ["admin", "contacts.read"]\n'),
        (".env", f'{key.upper()}{gap}="admin contacts.read"\n'),
    ]))


def _holds_what_the_file_pass_needs(path: str, text: str) -> bool:
    """Whether the scope extractor, its gate wide open, finds a request or a constant named
    like scopes (what rules read of a scanned file itself; other constants are loaded)."""
    found = list(ScopeExtractor().extract(Document(path, text)))
    return any(isinstance(fact, ScopeRequest) or (
        isinstance(fact, ScopeConstant) and _SCOPE_CONSTANT.match(fact.name.rsplit(".", 1)[-1]))
        for fact in found)


def _check(path: str, text: str) -> None:
    if _holds_what_the_file_pass_needs(path, text):
        assert ScopeExtractor.gate.pattern is not None
        assert re.search(ScopeExtractor.gate.pattern, text.lower()), text
    same_with_and_without_fast_paths({path: text}, ["SH2"])


@FUZZ
@given(_python(), st.sampled_from(["", "import os\n\n", "def setup():\n    pass\n\n"]))
def test_python_scope_requests_pass_the_fast_path(code: str, preamble: str) -> None:
    _check("app/oauth.py", preamble + code)


@FUZZ
@given(_javascript(), st.sampled_from(["src/auth.ts", "src/auth.js"]))
def test_javascript_scope_requests_pass_the_fast_path(code: str, path: str) -> None:
    _check(path, code)


@FUZZ
@given(_config())
def test_config_scope_requests_pass_the_fast_path(file: tuple[str, str]) -> None:
    _check(*file)


def _parsed_for_scopes(path: str, text: str) -> bool:
    document = Document(path, text)
    extract(document, build_plan(make_rules(["SH2"]), {}))
    return "code" in document.__dict__


def test_code_using_an_sdks_scope_objects_is_not_parsed_for_scopes() -> None:
    # Error-monitoring code: `scope` is the SDK's context object, never an OAuth request.
    monitoring = ("import sentry_sdk\n\n\n"
                  "def record(job):\n"
                  "    with sentry_sdk.push_scope() as scope:\n"
                  '        scope.set_tag("job", job.name)\n'
                  "        if scope:\n"
                  "            sentry_sdk.capture_message(job.summary)\n")
    assert not _parsed_for_scopes("app/jobs.py", monitoring)
    assert _parsed_for_scopes("app/jobs.py", monitoring + 'SCOPES = ["admin"]\n')
    assert same_with_and_without_fast_paths({"app/jobs.py": monitoring}, ["SH2"]) == []


_AUTHORIZE = "https://github.com/login/oauth/authorize?client_id=abc&scope=repo%20admin:org"


def _scope_files(path: str, text: str) -> bool:
    """Whether the scope extractor reads `path` in a scan of the scope rules."""
    document = Document(path, text)
    plan = build_plan(make_rules(["SH2"]), {})
    return any(planned.extractor.name == "scopes" and plan.admits(planned, document)
               for planned in plan.extractors)


def test_prose_and_generated_files_are_not_read_for_requests() -> None:
    """A translation catalogue's strings and a source map's copy of the code are not where a
    request is written; Markdown documentation and the code are."""
    catalogue = f'msgid "Open {_AUTHORIZE}"\nmsgstr "Ouvrir {_AUTHORIZE}"\n'
    assert not _scope_files("app/locale/fr/LC_MESSAGES/django.po", catalogue)
    source_map = ('{"version":3,"sources":["auth.ts"],"sourcesContent":["const url = \\"'
                  + _AUTHORIZE + '\\";"],"mappings":"AAAA"}')
    assert not _scope_files("static/dist/app.js.map", source_map)
    assert _scope_files("docs/setup.md", f"Open <{_AUTHORIZE}> to connect.\n")
    assert _scope_files("app/auth.py", f'URL = "{_AUTHORIZE}"\n')
    found = same_with_and_without_fast_paths(
        {"app/locale/fr/LC_MESSAGES/django.po": catalogue, "static/dist/app.js.map": source_map,
         "docs/setup.md": f"Open <{_AUTHORIZE}> to connect.\n"}, ["SH202"])
    assert {f.path for f in found} == {"docs/setup.md"}


def test_a_label_ending_in_scope_is_not_a_scope_key() -> None:
    """A data module's labels (`"KZG Scope"`, `"KZG_Scope"` as a value) and messages
    (`"invalid scope"`) are not keys: the module is not parsed for scopes; a key is."""
    models = ('DEVICES = {\n    "kzg-1": "KZG Scope",\n    "KZG Scope": "KZG_Scope",\n'
              '    "lm-v520n": "Signature",\n}\nERRORS = {"e1": "invalid scope"}\n')
    assert not _parsed_for_scopes("app/helpers/devices.py", models)
    assert not _scope_files("app/helpers/devices.py", models)
    for request in ('AUTH = {"scope": "repo"}\n', 'AUTH = {"oauth_scope": "repo"}\n',
                    "AUTH = {'default_scopes': ['repo']}\n", 'params.set("scope", "repo")\n'):
        assert _scope_files("app/helpers/devices.py", models + request)
    assert same_with_and_without_fast_paths({"app/helpers/devices.py": models}, ["SH2"]) == []



def test_a_quoted_key_of_a_config_file_reaches_the_scope_reader() -> None:
    """JSON, YAML and TOML keys that end in `scope(s)` are quoted with their colon or equals sign."""
    assert _scope_files("config/oauth.json", '{"github.oauth_scopes": ["repo", "user"]}\n')
    assert _scope_files("config/oauth.yaml", '"bot_scopes": "chat:write"\n')
    assert _scope_files("config/oauth.toml", '"app_scopes" = ["repo"]\n')
    assert not _scope_files("config/devices.json", '{"kzg-1": "KZG_Scope"}\n')
