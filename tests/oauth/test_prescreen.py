"""The `ast` prescreen in front of SH409/SH411/SH412 never hides a finding of the libcst analysis,
and keeps libcst away from the framework code that only looks like those rules' targets."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.model.document import Document
from scanner.plugins import oauth, oauth_prescreen, oauth_python
from scanner.rules.registry import RULES_BY_ID
from scanner.rules.base import Example
from tests.support import scan_files, triples

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCREENED = sorted(oauth_prescreen.SCREENED)


def _python_corpus() -> list[tuple[str, str]]:
    files = [(str(p.relative_to(FIXTURES)), p.read_text(encoding="utf-8"))
             for p in sorted(FIXTURES.rglob("*.py"))]
    for rule_id in SCREENED:
        examples: tuple[Example, ...] = RULES_BY_ID[rule_id].examples
        files += [(e.path, e.code) for e in examples if e.path.endswith(".py")]
    return files


@pytest.mark.parametrize("rule", SCREENED)
def test_every_libcst_hit_in_the_fixtures_passes_the_screen(rule: str) -> None:
    reported = 0
    for path, text in _python_corpus():
        file = Document(path, text)
        if list(oauth_python.check(rule, file)):
            reported += 1
            assert oauth_prescreen.needs_analysis(rule, file), (rule, path)
    assert reported >= 2, f"{rule}: the corpus must hold files the analysis reports"


_NAMES = st.sampled_from([
    "token", "access_token", "self.refresh_token", "creds.client_secret", "user", "x",
    'tok["access_token"]', 'tok["expires_at"]', 'os.environ.get("CLIENT_SECRET")',
    'request.headers.get("Authorization")', "len(token)", "token.expires_in", "vault_secrets",
    "creds", "session.token", "api_key", "cur_token", "x[0]", "headers", "secret",
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
    "resp.set_cookie('refresh', {}, secure=True)",
])
_PREAMBLE = st.sampled_from(["", "import requests  # oauth bearer\n", "# a lexer\n"])


@settings(max_examples=400, deadline=None)
@given(_PREAMBLE, _SINKS, _EXPRESSIONS)
def test_screen_is_a_superset_of_the_analysis(preamble: str, sink: str, expression: str) -> None:
    code = preamble + "def handler(fh, resp, tok, creds):\n    " + sink.format(expression) + "\n"
    file = Document("app/module.py", code)
    if file.python is None:
        return  # not valid Python (a starred expression where it is not allowed)
    for rule in SCREENED:
        if list(oauth_python.check(rule, Document("app/module.py", code))):
            assert oauth_prescreen.needs_analysis(rule, file), (rule, code)


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
def test_framework_code_skips_libcst(rule: str, code: str) -> None:
    file = Document("lib/module.py", code)
    assert not oauth_prescreen.needs_analysis(rule, file)
    assert "python" not in file.__dict__  # libcst never parsed it


@pytest.mark.parametrize("rule", SCREENED)
def test_unparsable_code_goes_to_libcst(rule: str) -> None:
    assert oauth_prescreen.needs_analysis(rule, Document("app.py", "def broken(:\n"))


def test_settings_check_without_libcst() -> None:
    code = ("# réglages\nSESSION_COOKIE_SECURE = False\nSESSION_COOKIE_HTTPONLY = 0\n"
            "CONF = {'SESSION_COOKIE_SECURE': True}\nsettings.configure(SESSION_COOKIE_HTTPONLY=False)\n"
            "x = 'é'; SESSION_COOKIE_SECURE = False\n")
    hits = sorted(oauth_prescreen.settings_hits(Document("mysite/settings.py", code)),
                  key=lambda h: h.span)
    assert [(h.span, h.construct) for h in hits] == [
        ((2, 25, 2, 30), "setting:SESSION_COOKIE_SECURE"),
        ((3, 27, 3, 28), "setting:SESSION_COOKIE_HTTPONLY"),
        ((5, 44, 5, 49), "setting:SESSION_COOKIE_HTTPONLY"),
        ((6, 34, 6, 39), "setting:SESSION_COOKIE_SECURE"),  # columns count characters, not bytes
    ]
    assert not list(oauth_prescreen.settings_hits(Document("mysite/settings_dev.py", code)))
    found = scan_files({"mysite/settings.py": code}, select=["SH409"])
    assert triples(found.findings) == {("mysite/settings.py", line, "SH409") for line in (2, 3, 5, 6)}
    assert all(f.column == h.span[1] for f, h in zip(sorted(found.findings, key=lambda f: f.line),
                                                       hits, strict=True))


def test_screened_rules_are_oauth_rules() -> None:
    assert {rule.id for rule in oauth.RULES} >= oauth_prescreen.SCREENED
