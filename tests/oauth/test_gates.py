"""The OAuth extractors' gates: their fast paths never hide a finding (same findings with and
without them over the fixtures, the examples and generated code), and they keep the parser away
from files that cannot hold a finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.engine.plan import build_plan
from scanner.engine.runner import extract
from scanner.facts.base import Gate
from scanner.facts.tls import TLS_PATTERN, TlsExtractor
from scanner.model.document import Document
from scanner.model.finding import Finding
from scanner.rules import oauth
from tests.gitrepo import scan_committed
from tests.support import (
    make_rules,
    same_with_and_without_fast_paths,
    scan_dir,
    scan_files,
    seen,
    triples,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "oauth"
EXAMPLES = [(e.path, e.code, dict(e.files)) for rule in oauth.RULES for e in rule.examples]
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


_seen = seen


def _same_with_and_without_fast_paths(files: dict[str, str]) -> list[Finding]:
    return same_with_and_without_fast_paths(files, ["SH4"])


def _parsed(path: str, text: str, select: str = "SH4") -> bool:
    """Whether scanning `path` with the `select`ed rules parses it."""
    document = Document(path, text)
    extract(document, build_plan(make_rules([select]), {}))
    return "code" in document.__dict__


@pytest.mark.parametrize("project", sorted(p.name for p in FIXTURES.iterdir()))
def test_fixture_projects_give_the_same_findings_without_fast_paths(project: str) -> None:
    fast = scan_dir(FIXTURES / project, select=["SH4"])
    full = scan_dir(FIXTURES / project, select=["SH4"], fast_paths=False)
    assert fast.findings and _seen(fast.findings) == _seen(full.findings)


def test_examples_give_the_same_findings_without_fast_paths() -> None:
    flagged = 0
    for path, code, files in EXAMPLES:
        flagged += bool(_same_with_and_without_fast_paths({**files, path: code}))
    assert flagged >= 40  # the Bad examples really go through the fast paths


_NAMES = st.sampled_from([
    "token", "access_token", "self.refresh_token", "creds.client_secret", "user", "x",
    'tok["access_token"]', 'tok["expires_at"]', 'os.environ.get("CLIENT_SECRET")',
    'request.headers.get("Authorization")', "len(token)", "token.expires_in", "vault_secrets",
    "creds", "session.token", "api_key", "cur_token", "x[0]", "headers", "secret", "appSecret",
])


def _compose(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        children.map(lambda e: f'f"value {{{e}}}"'),
        st.tuples(children, children).map(lambda p: f"{p[0]} + {p[1]}"),
        children.map(lambda e: f'"%s" % {e}'),
        st.tuples(children, children).map(lambda p: f"({p[0]}, {p[1]})"),
        st.tuples(children, children).map(lambda p: f"[{p[0]}, {p[1]}]"),
        children.map(lambda e: f'{{"access_token": {e}}}'),
        children.map(lambda e: f'{{"user": {e}}}'),
        children.map(lambda e: f"str({e})"),
        children.map(lambda e: f"json.dumps({e})"),
        children.map(lambda e: f'",".join([y for y in {e}])'),
        children.map(lambda e: f"{e}.to_json()"),
        children.map(lambda e: f"*{e}" if not e.startswith("*") else e),
        children.map(lambda e: f"{e}[1:3]"),
    )


_EXPRESSIONS = st.recursive(_NAMES, _compose, max_leaves=4)
_SINKS = st.sampled_from([
    "logger.info({})", "logging.getLogger(__name__).warning({})", "print({})",
    "raise ValueError({})", "click.echo({})", "sys.stderr.write({})", "display.warning({})",
    "log.debug('x', {}, exc_info=True)", "fh.write({})", "json.dump({}, fh)",
    "resp.set_cookie('session', {})", "resp.set_cookie({}, 'v', httponly=True, secure=True)",
    "resp.set_cookie('refresh', {}, secure=True)", "localStorage.setItem('k', {})",
])
_PREAMBLE = st.sampled_from(["", "import requests  # oauth bearer\n", "# a lexer\n",
                             "# refresh_token\n"])


@FUZZ
@given(_PREAMBLE, _SINKS, _EXPRESSIONS)
def test_sinks_give_the_same_findings_without_fast_paths(preamble: str, sink: str,
                                                         expression: str) -> None:
    code = preamble + "def handler(fh, resp, tok, creds):\n    " + sink.format(expression) + "\n"
    _same_with_and_without_fast_paths({"app/module.py": code, "app/module.js": code})


_GAP = st.sampled_from(["", " ", "\n    ", "  # note\n    ", " // note\n  "])
_STATE_READS = st.sampled_from([
    'request.args.get({g}"state"{g})', 'request.args[{g}"state"{g}]', "req.query.state",
    "req.query{g}.state", 'self.get_argument("state")', "new URL(u).searchParams.get('state')",
    'session.get("state")',
])
_CODE_READS = st.sampled_from([
    'request.args.get("code")', "req.body.code", 'request.query_params["code"]',
    "params.get('code')",
])
_CHECKS = st.sampled_from(["", "if state != stored:\n        abort(400)\n    ",
                           "validate_state(state)\n    ", "if state is None:\n        abort(400)\n    "])


@FUZZ
@given(_STATE_READS, _CODE_READS, _CHECKS, _GAP, st.booleans())
def test_callbacks_give_the_same_findings_without_fast_paths(state: str, code: str, check: str,
                                                             gap: str, parameters: bool) -> None:
    if parameters:
        head = f"async def callback(request,{gap}code: str = Query(None),{gap}state{gap}):\n    "
        body = f"{check}return await exchange(code)\n"
    else:
        head = "def callback(request):\n    "
        body = f"code = {code}\n    state = {state.format(g=gap)}\n    {check}return exchange(code)\n"
    js = (f"app.get('/cb', async (req, res) => {{\n  const {{{gap}code,{gap}state{gap}}} = req.query;\n"
          f"  const s = {state.format(g=gap)};\n  res.json(await exchange(code));\n}});\n")
    _same_with_and_without_fast_paths({"app/views.py": head + body, "server/routes.js": js})


_URLS = st.sampled_from([
    'f"{AUTH}?response_type=code&client_id={c}"', '"https://x.io/cb?access_token=" "abcdefgh12"',
    '("https://api.acme.io/me?"\n    "access_token=" + t)', 'f"{API}/me?" f"access_token={t}"',
    '"http://app.acme.io/cb"', '"https://app.acme.io/cb"', '"http%3A%2F%2Fapp.acme.io"',
    '"grant_type=password&username=u"',
])
_KEYS = st.sampled_from(["redirect_uri", "REDIRECT_URIS", "callbackUrl", "response_type",
                         "grant_type", "code_challenge_method", "params", "url", "data"])


@FUZZ
@given(_KEYS, _URLS, st.booleans())
def test_parameters_give_the_same_findings_without_fast_paths(key: str, url: str,
                                                              as_call: bool) -> None:
    code = f"requests.get(URL, {key}={url})\n" if as_call else f"{key} = {url}\n"
    _same_with_and_without_fast_paths({"app/client.py": code})


@pytest.mark.parametrize(("rule", "code"), [
    # Django's session middleware: the flags come from settings, so nothing is missing.
    ("SH409", "response.set_cookie(\n    settings.SESSION_COOKIE_NAME, request.session.session_key,\n"
              "    secure=settings.SESSION_COOKIE_SECURE or None,\n"
              "    httponly=settings.SESSION_COOKIE_HTTPONLY or None,\n)\n"),
    ("SH409", 'response.set_cookie("theme", value)\n'),
    # ansible-core's vault CLI: a join over the secrets' ids is not the secrets.
    ("SH411", 'if len(vault_secrets) > 1:\n    raise AnsibleOptionsError("ids %s" %\n'
              '        ",".join([x[0] for x in vault_secrets]))\n'),
    ("SH411", 'display.warning("token %s" % token)\n'),
    ("SH411", 'logger.info("token expires in %s", token.expires_in)\n'),
    ("SH412", "with open(path, 'w') as f:\n    yaml_dump(self.config, f)\n"
              "payload['refresh_token'] = self.access_token\n"),
    ("SH412", "sys.stdout.write(refresh_token)\n"),
])
def test_framework_code_that_looks_like_a_target_is_not_flagged(rule: str, code: str) -> None:
    assert scan_files({"lib/module.py": code}, select=[rule]).findings == []


@pytest.mark.parametrize(("select", "code"), [
    ("SH4", 'display.warning("token %s" % token)\n'),  # a generic name, no auth in the file
    ("SH4", 'logger.info("token expires in %s", token.expires_in)\n'),
    ("SH4", 'REDIRECT_URI = "https://app.acme.io/cb"\n'),  # no http:// redirect to check
    ("SH410", 'def refresh(token):\n    return token["access_token"]\n'),  # no URL, no query
    ("SH4", "import os\n\n\ndef main():\n    return os.getcwd()\n" * 50),  # no gate's word
    ("SH4", "def apply(old_state):\n    return render(old_state, status_code=200)\n"),  # no `state`
    # `state` and `code` read, but nothing about OAuth in the file (a model's state machine)
    ("SH404", "def transition(self, state, code):\n    return self.machine.move(state, code)\n"),
])
def test_files_that_cannot_hold_a_finding_are_not_parsed(select: str, code: str) -> None:
    assert scan_files({"lib/module.py": code}, select=[select]).findings == []
    assert not _parsed("lib/module.py", code, select)


# A credential and OAuth words, written out through each kind of sink the log check knows.
_TOKEN_REQUEST_HEAD = ('def fetch(code):\n    tokens = oauth.fetch_token(TOKEN_URL, code=code)\n'
                       '    access_token = tokens["access_token"]\n')


@pytest.mark.parametrize(("path", "sink"), [
    ("app.py", "    print(access_token)\n"),
    ("app.py", "    logging.getLogger(__name__).info(access_token)\n"),
    ("app.py", "    warnings.warn(access_token)\n"),
    ("app.py", "    click.echo(access_token)\n"),
    ("app.py", "    sys.stderr.write(access_token)\n"),
    ("app.py", "    raise TokenError(access_token)\n"),
])
def test_a_credential_written_out_is_found_through_every_sink(path: str, sink: str) -> None:
    code = _TOKEN_REQUEST_HEAD + sink
    assert [f.line for f in scan_files({path: code}, select=["SH411"]).findings] == [4]
    # Without any sink's word in the file, the log check does not parse it.
    assert _parsed(path, code, "SH411")
    assert not _parsed(path, _TOKEN_REQUEST_HEAD + "    return access_token\n", "SH411")


# What the log check's text test must let through: each shape leaks, and its file is parsed.
_WRITTEN_OUT = [
    # the credential comes after a `)` inside the message, on a later line of the call
    ("app.py", 'import requests  # oauth\ndef f(user, access_token):\n    logger.info(\n'
               '        "done :) for %s %s",\n        user,\n        access_token,\n    )\n', 6),
    # a triple-quoted message holding a bracket
    ("app.py", 'import requests  # oauth\ndef f(access_token):\n    logger.info("""x)\n"""'
               ', access_token)\n', 4),
    # a name that holds a token by what it was assigned, logged under another name
    ("app.py", 'import requests  # oauth\ndef f(token):\n    link = (\n'
               '        f"https://api.acme.io/x?token={token}"\n    )\n    print(link)\n', 6),
    ("app.py", '# oauth\ndef grant(request):\n    issued = {\n        "user": request.user,\n'
               '        "code": generate_token(),\n    }\n    logger.info(issued)\n', 7),
    # a token request's response, logged whole
    ("app.py", '# oauth\ndef fetch(code):\n    r = requests.post(TOKEN_URL, data={"grant_type": "x"})\n'
               '    logger.debug(r.text)\n', 4),
    ("src/cb.js", "async function cb(code) {\n  const { accessToken } = await oauth.getToken(code);\n"
                  "  throw new Error(`failed ${accessToken}`);\n}\n", 3),
]


@pytest.mark.parametrize(("path", "code", "line"), _WRITTEN_OUT)
def test_the_log_checks_text_test_lets_every_leak_through(path: str, code: str, line: int) -> None:
    assert [f.line for f in _same_with_and_without_fast_paths({path: code})
            if f.rule == "SH411"] == [line]
    assert _parsed(path, code, "SH411")


@pytest.mark.parametrize("code", [
    # credential words and sinks in the file, but no sink's own text holds one
    'import requests  # oauth bearer\ndef f(access_token):\n    logger.info("refreshing")\n'
    '    headers = {"Authorization": f"Bearer {access_token}"}\n'
    '    raise ValueError("no user")\n',
    'TOKEN_URL = "https://acme.io/oauth/token"  # grant_type\nprint("starting")\n'
    'def f(r):\n    logger.info(r.status_code)\n',
])
def test_sinks_that_write_no_credential_are_not_parsed_for_the_log_check(code: str) -> None:
    assert _same_with_and_without_fast_paths({"lib/client.py": code}) == []
    assert not _parsed("lib/client.py", code, "SH411")


def test_a_call_too_long_to_read_is_parsed() -> None:
    message = "x" * 5000
    code = f'import requests  # oauth\ndef f(access_token):\n    logger.info("{message}", access_token)\n'
    assert [f.line for f in _same_with_and_without_fast_paths({"lib/client.py": code})] == [3]
    assert _parsed("lib/client.py", code, "SH411")


@pytest.mark.parametrize("sink", ["console.log(accessToken);", "throw new Error(accessToken);"])
def test_a_credential_written_out_in_javascript_is_found(sink: str) -> None:
    code = ("async function cb(code) {\n  const { accessToken } = await oauth.getToken(code);\n"
            f"  {sink}\n}}\n")
    assert [f.line for f in scan_files({"src/cb.js": code}, select=["SH411"]).findings] == [3]


@pytest.mark.parametrize(("path", "code"), [
    ("app.py", 'REDIRECT_URI = "http://app.acme.io/cb"\n'),
    ("app.py", 'url = f"{API}?access_token={token}"\n'),  # secret-hygiene: ignore[SH410]
    ("cb.py", 'def cb(request):\n    state = request.args.get("state")\n'
              '    return exchange(request.args["code"])\n'),
    ("src/a.js", "app.get('/callback', (req, res) => {\n  const { code, state } = req.query;\n});\n"),
])
def test_files_that_may_hold_a_finding_are_parsed(path: str, code: str) -> None:
    assert _parsed(path, code)


def test_settings_check_columns_and_dev_settings() -> None:
    code = ("# réglages\nSESSION_COOKIE_SECURE = False\nSESSION_COOKIE_HTTPONLY = 0\n"
            "CONF = {'SESSION_COOKIE_SECURE': True}\nsettings.configure(SESSION_COOKIE_HTTPONLY=False)\n"
            "x = 'é'; SESSION_COOKIE_SECURE = False\n")
    found = scan_files({"mysite/settings.py": code}, select=["SH409"]).findings
    assert sorted((f.line, f.column, f.end_line, f.end_column, f.message) for f in found) == [
        (2, 25, 2, 30, "SESSION_COOKIE_SECURE = False lets the session cookie travel over plain http"),
        (3, 27, 3, 28, "SESSION_COOKIE_HTTPONLY = False leaves the session cookie readable by scripts"),
        (5, 44, 5, 49, "SESSION_COOKIE_HTTPONLY = False leaves the session cookie readable by scripts"),
        # columns count characters, not bytes
        (6, 34, 6, 39, "SESSION_COOKIE_SECURE = False lets the session cookie travel over plain http"),
    ]
    assert scan_files({"mysite/settings_dev.py": code}, select=["SH409"]).findings == []
    assert triples(found) == {("mysite/settings.py", line, "SH409") for line in (2, 3, 5, 6)}


# -- TLS switches (SH407): `verify` and `rejectUnauthorized` in every spelling the code model
# reads as False or 0, and the words alone ---------------------------------------------------------

_TLS_GAP = st.sampled_from(["", " ", "  # note\n    ", " /* c */ ", "\\\n    ", "\n    "])
_TLS_VALUES = st.sampled_from(["False", "false", "0", "0.0", "00", "(False)", "(flag := False)",
                               "await false", "<any>false", "None", "1", '"0"', "falsey", "no"])
_TLS_FORMS = st.sampled_from([
    "requests.get(url,{g}verify{g}={g}{v})", "session.verify{g}={g}{v}",
    "self.verify: bool ={g}{v}", 'session["verify"]{g}={g}{v}', "a.verify = b = {v}",
    "client = httpx.Client(verify={g}{v}, auth=token)", "opts = {{rejectUnauthorized:{g}{v}}}",
    'opts = {{"rejectUnauthorized"{g}:{g}{v}}}', "opts = {{['rejectUnauthorized']: {v}}}",
    "https.request({{ rejectUnauthorized: x = {v} }})", "agent.verify = {v};",
    "def verify_password(password, verify={v}):\n    return check(password) == verify",
    "no_verify = {v}", "# verify the session, then {v}", "obj.verify(x) or {v}",
])


@FUZZ
@given(_TLS_FORMS, _TLS_GAP, _TLS_VALUES, st.sampled_from(["app/client.py", "src/client.ts"]))
def test_tls_switches_give_the_same_findings_without_fast_paths(form: str, gap: str, value: str,
                                                                path: str) -> None:
    code = "import requests  # api token\n" + form.format(g=gap, v=value) + "\n"
    if list(TlsExtractor().extract(Document(path, code))):  # its gate wide open
        assert TLS_PATTERN().search(code.lower()), code
    _same_with_and_without_fast_paths({path: code})


@pytest.mark.parametrize("code", [
    "def verify_password(password, encoded):\n    return hasher.verify(password, encoded)\n",
    "# verify the session hash\nif not constant_time_compare(a, b):\n    flush = False\n",
    "VERIFY_SSL = False\nssl_verify = 0\nverify_ssl = False\n",
])
def test_verify_words_alone_are_not_parsed(code: str) -> None:
    assert not _parsed("lib/module.py", code, "SH407")


@pytest.mark.parametrize(("path", "code"), [
    ("app.py", "requests.get(url, verify=False)\n"),
    ("app.py", "s.verify \\\n    = False\n"),
    ("app.py", "class C:\n    def __init__(self):\n        self.verify: bool = False\n"),
    ("app.py", 'opts = {"rejectUnauthorized": False}\n'),
    ("src/a.ts", "const agent = new https.Agent({ rejectUnauthorized: <boolean>false });\n"),
    ("app.py", "ctx = ssl._create_unverified_context()\n"),
    ("app.py", 'os.environ["PYTHONHTTPSVERIFY"] = "0"\n'),
])
def test_tls_switches_are_parsed(path: str, code: str) -> None:
    assert _parsed(path, code, "SH407")
    assert list(TlsExtractor().extract(Document(path, code)))


def test_vendored_javascript_is_never_parsed_for_oauth(tmp_path: Path) -> None:
    code = ("localStorage.setItem('access_token', data.access_token);\n"
            "const agent = new https.Agent({ rejectUnauthorized: false, auth: token });\n")
    files = {"web/static/vendor/auth-sdk/auth.js": code, "web/static/js/auth-sdk.min.js": code,
             "web/src/auth.js": code}
    assert scan_committed(tmp_path / "repo", files, "scan", "--select", "SH4") == (
        1, {("web/src/auth.js", 1, "SH408"), ("web/src/auth.js", 2, "SH407")})
    assert not _parsed("web/static/vendor/auth-sdk/auth.js", code)


def test_translation_catalogs_are_not_searched_for_tls_switches(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Outside code only the environment switches' names count; a catalog full of "Verify ..."
    # is not run through the code's fast path (sentry's catalogs were 31 MB of it).
    consulted: list[str | None] = []
    compiled = Gate.compiled
    monkeypatch.setattr(Gate, "compiled", lambda gate: (consulted.append(gate.pattern),
                                                        compiled(gate))[1])
    catalog = 'msgid "Verify your email"\nmsgstr "E-Mail-Adresse bestätigen"\n' * 50
    extract(Document("app/locale/de/LC_MESSAGES/django.po", catalog),
            build_plan(make_rules(["SH407"]), {}))
    assert TLS_PATTERN().pattern not in consulted
    procfile = "web: NODE_TLS_REJECT_UNAUTHORIZED=0 node server.js --token $API_TOKEN\n"
    assert triples(scan_files({"Procfile": procfile}, select=["SH407"]).findings) == {
        ("Procfile", 1, "SH407")}
