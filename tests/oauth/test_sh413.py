"""SH413 refresh-token-not-rotated: refresh grants whose new refresh token is dropped, over a
fixture project (Flask + SQLAlchemy, Celery, scripts, Express, Next.js) and shapes one by one."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.engine.plan import build_plan
from scanner.engine.runner import extract
from scanner.facts.oauth.refresh import RefreshGrantExtractor
from scanner.model.document import Document
from tests.gitrepo import scan_committed
from tests.support import make_rules, scan_dir, scan_files, triples

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "oauth" / "sh413"

EXPECTED = {
    # (path, line): confidence
    ("crm/integrations/calendar.py", 15): "medium",  # account.refresh_token never updated
    ("worker/tasks.py", 23): "medium",  # Celery task, body built in a variable
    ("scripts/export_reports.py", 14): "high",  # os.environ refresh token, only access_token read
    ("scripts/export_reports.py", 26): "high",  # requests-oauthlib refresh_token(), result dropped
    ("scripts/backfill.py", 15): "high",  # aiohttp `async with ... as resp`, config constant
    ("web/server/routes/lucid.js", 9): "medium",  # Express + axios, session keeps the old one
    ("web/app/api/token/route.ts", 12): "medium",  # Next.js route: cookie keeps the old one
    ("web/lib/vendaze.ts", 22): "medium",  # .then chain returning only the access token
}


def hits(code: str, path: str = "app.py") -> set[int]:
    result = scan_files({path: code}, select=["SH413"])
    assert result.summary.errors == []
    return {line for _, line, _ in triples(result.findings)}


def test_fixture_project_findings_and_confidence() -> None:
    result = scan_dir(FIXTURE, select=["SH413"])
    found = {(f.path, f.line): f.confidence.value for f in result.findings}
    assert found == EXPECTED
    assert result.summary.errors == []


# Grants of the fixture whose new refresh token is kept, and how.
KEPT = {
    ("crm/integrations/calendar.py", 33): "read",  # tokens.get("refresh_token", old)
    ("worker/tasks.py", 37): "handed",  # store_tokens(account, tokens)
    ("web/server/routes/lucid.js", 20): "read",  # response.data.refresh_token || old
    ("web/lib/vendaze.ts", 11): "read",  # .then((r) => r.json()), then tokens.refresh_token
    ("good/authlib_client.py", 18): "library",  # authlib calls update_token
    ("good/msal_and_google.py", 12): "library",  # MSAL's token cache
    ("good/msal_and_google.py", 17): "read",  # refresh_grant's second value kept
    ("good/returns_tokens.py", 8): "handed",  # returned to the caller
    ("good/saved_by_callback.py", 7): "handed",  # token_saver(token)
    ("good/saved_by_callback.py", 12): "handed",  # store.save(session.token)
    ("good/tokens.js", 4): "read",  # destructured refresh_token
    ("good/tokens.js", 14): "handed",  # store.save(tokens) in a then callback
}


def test_fixture_grants_that_keep_the_new_token() -> None:
    kept = {}
    for path in sorted(FIXTURE.rglob("*")):
        if path.is_file():
            relative = path.relative_to(FIXTURE).as_posix()
            document = Document(relative, path.read_text(encoding="utf-8"))
            for grant in RefreshGrantExtractor().extract(document):
                if grant.kept:
                    kept[(relative, grant.span[0])] = grant.kept
    assert kept == KEPT
    result = scan_dir(FIXTURE, select=["SH4"])
    assert not {(f.path, f.line) for f in result.findings if f.rule == "SH413"} & set(KEPT)
    assert not [f for f in result.findings if f.rule == "SH413" and f.path.startswith("good/")]


def test_cli_reports_it_in_a_git_repository(tmp_path: Path) -> None:
    code = ('import os, requests\n'
            'def token():\n'
            '    r = requests.post(URL, data={"grant_type": "refresh_token",\n'
            '                                 "refresh_token": os.environ["RT"]})\n'
            '    return r.json()["access_token"]\n')
    exit_code, found = scan_committed(tmp_path / "repo", {"app/sync.py": code}, "scan", ".",
                                      "--select", "SH413")
    assert (exit_code, found) == (1, {("app/sync.py", 3, "SH413")})


def test_selection_never_changes_the_answer() -> None:
    files = {path.relative_to(FIXTURE).as_posix(): path.read_text(encoding="utf-8")
             for path in FIXTURE.rglob("*") if path.is_file()}
    alone = triples(scan_files(files, select=["SH413"]).findings)
    family = {t for t in triples(scan_files(files, select=["SH4"]).findings) if t[2] == "SH413"}
    assert alone == family and alone


# -- shapes that are findings -------------------------------------------------------------------

@pytest.mark.parametrize(("path", "code", "line"), [
    # a form string, the token concatenated
    ("app.py", 'def renew(rt):\n    r = requests.post(URL, data="grant_type=refresh_token&refresh_token=" + rt)\n'
               '    return r.json()["access_token"]\n', 2),
    # URLSearchParams built with append(), answer destructured for the access token only
    ("src/a.ts", "async function renew(user) {\n  const p = new URLSearchParams();\n"
                 "  p.append('grant_type', 'refresh_token');\n"
                 "  p.append('refresh_token', user.refreshToken);\n"
                 "  const r = await fetch(URL, { method: 'POST', body: p });\n"
                 "  const { access_token } = await r.json();\n  return access_token;\n}\n", 5),
    # authlib fetch_token(grant_type="refresh_token"), no update_token anywhere
    ("app.py", "from authlib.integrations.requests_client import OAuth2Session\n"
               "def renew(client, account):\n"
               "    t = client.fetch_token(URL, grant_type='refresh_token', refresh_token=account.rt)\n"
               "    account.access_token = t['access_token']\n", 3),
    # httpx-oauth: the refresh token is the first argument
    ("app.py", "from httpx_oauth.clients.google import GoogleOAuth2\n"
               "async def renew(client, account):\n"
               "    t = await client.refresh_token(account.refresh_token)\n"
               "    account.access_token = t['access_token']\n", 3),
    # google-auth's low-level helper: the new refresh token is unpacked into `_`
    ("app.py", "from google.oauth2 import _client\n"
               "def renew(account):\n"
               "    access, _, expiry, _ = _client.refresh_grant(req, URL, account.refresh_token, a, b)\n"
               "    return access\n", 3),
    # JS: a property named like the answer (`tokens:`) is not a use of the answer
    ("src/a.ts", "async function renew(user) {\n"
                 "  const res = await fetch(URL, { method: 'POST', body: new URLSearchParams({\n"
                 "    grant_type: 'refresh_token', refresh_token: user.refreshToken }) });\n"
                 "  const tokens = await res.json();\n"
                 "  await cache.set({ tokens: tokens.access_token, at: Date.now() });\n}\n", 2),
    # asyncio.run() gives the coroutine's answer: only its access token is read
    ("app.py", "from httpx_oauth.clients.microsoft import MicrosoftGraphOAuth2\n"
               "def renew(client, account):\n"
               "    t = asyncio.run(client.refresh_token(refresh_token=account.refresh_token))\n"
               "    account.password = t['access_token']\n", 3),
    # a then-callback destructuring the access token only
    ("src/a.js", "function r(s) {\n  return fetch(U, { body: new URLSearchParams({ grant_type: "
                 "'refresh_token', refresh_token: s.rt }) }).then((x) => x.json())"
                 ".then(({ access_token }) => access_token);\n}\n", 2),
    # requests-oauthlib calls token_updater on its automatic refresh only, never on refresh_token()
    ("app.py", "from requests_oauthlib import OAuth2Session\n"
               "def renew(account):\n"
               "    s = OAuth2Session(CID, token=account.token, token_updater=save_token)\n"
               "    s.refresh_token(URL, refresh_token=account.refresh_token)\n"
               "    return s.get(API).json()\n", 4),
    # the name holding the answer is given another answer before anything reads it
    ("app.py", 'def sync(a):\n    r = requests.post(URL, data={"grant_type": "refresh_token", '
               '"refresh_token": a.rt})\n    token = r.json()["access_token"]\n'
               '    r = requests.get(API, headers={"Authorization": "Bearer " + token})\n'
               '    a.rt = r.json().get("refresh_token", a.rt)\n', 2),
    # openid-client: v6 refreshTokenGrant(), v5 client.refresh()
    ("src/auth.ts", "import * as client from 'openid-client';\n"
                    "export async function renew(session) {\n"
                    "  const tokens = await client.refreshTokenGrant(config, session.refreshToken);\n"
                    "  session.accessToken = tokens.access_token;\n}\n", 3),
    ("src/auth.js", "const { Issuer } = require('openid-client');\n"
                    "async function renew(oidc, user) {\n"
                    "  const { access_token } = await oidc.refresh(user.refreshToken);\n"
                    "  user.accessToken = access_token;\n}\n", 3),
    # the result thrown away
    ("app.py", 'def ping():\n    requests.post(URL, data={"grant_type": "refresh_token", '
               '"refresh_token": REFRESH_TOKEN})\n', 2),
])
def test_positives(path: str, code: str, line: int) -> None:
    assert hits(code, path) == {line}


def test_a_constant_refresh_token_is_high_confidence_and_never_shown() -> None:
    token = "1//0gLq3vT7xYzKpA9bCdEfGhIjKlMnOpQrStUvWxYz0123456789"
    code = (f'RT = "{token}"\n'
            'def access():\n'
            '    r = httpx.post(URL, data={"grant_type": "refresh_token", "refresh_token": RT})\n'
            '    return r.json()["access_token"]\n')
    finding, = scan_files({"app.py": code}, select=["SH413"]).findings
    assert (finding.line, finding.confidence.value) == (3, "high")
    assert token not in finding.message and token not in finding.snippet
    inline = code.replace('"refresh_token": RT', f'"refresh_token": "{token}"')
    finding, = scan_files({"app.py": inline}, select=["SH413"]).findings
    assert finding.confidence.value == "high" and token not in finding.message
    fallback = code.replace('"refresh_token": RT', f'"refresh_token": acct.rt or "{token * 3}"')
    finding, = scan_files({"app.py": fallback}, select=["SH413"]).findings
    assert "`acct.rt or ...`" in finding.message and token[:12] not in finding.message


def test_a_token_received_earlier_in_the_function_is_low_confidence() -> None:
    code = ('def connect(code):\n'
            '    data = requests.post(URL, data={"grant_type": "authorization_code", "code": code}).json()\n'
            '    test = requests.post(URL, data={"grant_type": "refresh_token",\n'
            '                                    "refresh_token": data["refresh_token"]}).json()\n'
            '    save(data["refresh_token"], test["publishable_key"])\n')
    finding, = scan_files({"app.py": code}, select=["SH413"]).findings
    assert (finding.line, finding.confidence.value) == (3, "low")


# -- shapes that are not ------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "code"), [
    # the answer's refresh token read, with a fallback
    ("app.py", 'def renew(a):\n    t = requests.post(URL, data={"grant_type": "refresh_token", '
               '"refresh_token": a.rt}).json()\n    a.rt = t.get("refresh_token") or a.rt\n'),
    # the whole answer stored / returned / passed on
    ("app.py", 'def renew(a):\n    r = requests.post(URL, data={"grant_type": "refresh_token", '
               '"refresh_token": a.rt})\n    a.token = r.json()\n'),
    ("app.py", 'def renew(rt):\n    return requests.post(URL, data={"grant_type": "refresh_token", '
               '"refresh_token": rt}).json()\n'),
    ("app.py", 'def renew(a, update_token):\n    r = requests.post(URL, data={"grant_type": "refresh_token", '
               '"refresh_token": a.rt})\n    update_token(r.json(), refresh_token=a.rt)\n'),
    # a client handed on after it refreshed itself
    ("app.py", "from requests_oauthlib import OAuth2Session\n"
               "def session(rt):\n    s = OAuth2Session(CID)\n    s.refresh_token(URL, refresh_token=rt)\n"
               "    return s\n"),
    # authlib calls update_token itself
    ("app.py", "from authlib.integrations.requests_client import OAuth2Session\n"
               "client = OAuth2Session(CID, update_token=save_token)\n"
               "def renew():\n    client.refresh_token(URL)\n"),
    # MSAL keeps it in its token cache
    ("app.py", "def migrate(rt):\n    r = app.acquire_token_by_refresh_token(rt, scopes=S)\n"
               "    return r['access_token']\n"),
    # a client class's own machinery, and a backend describing the body for its base class
    ("app.py", "from authlib.oauth2.rfc7521 import AssertionClient\n"
               "class C(AssertionClient):\n    def request(self):\n        self.refresh_token()\n"),
    ("app.py", 'class Backend:\n    def refresh_token_params(self, token):\n'
               '        return {"refresh_token": token, "grant_type": "refresh_token"}\n'),
    # an authorization server reading the grant type
    ("app.py", 'def token(request):\n    if request.POST["grant_type"] == "refresh_token":\n'
               '        return issue(request.POST["refresh_token"])\n'),
    # JS: the answer saved whole (shorthand property), or read in a callback
    ("src/a.js", "async function r(s) {\n  const tokens = await fetch(U, { method: 'POST', body: "
                 "new URLSearchParams({ grant_type: 'refresh_token', refresh_token: s.rt }) })"
                 ".then((x) => x.json());\n  await save({ tokens });\n}\n"),
    ("src/a.js", "function r(s) {\n  return fetch(U, { body: new URLSearchParams({ grant_type: "
                 "'refresh_token', refresh_token: s.rt }) }).then((x) => x.json())"
                 ".then(({ access_token, refresh_token }) => s.set(access_token, refresh_token));\n}\n"),
    # a log call is not the request
    ("app.py", 'def renew(a):\n    log.debug("body %s", {"grant_type": "refresh_token", "scope": a.scope})\n'),
    # one answer per branch, read after the branches (an assignment in another branch is not
    # a new value for the first answer)
    ("app.py", "from httpx_oauth.clients.google import GoogleOAuth2\n"
               "def renew(self, account):\n"
               "    if account.kind == 'gmail':\n"
               "        result = asyncio.run(self.gmail.refresh_token(refresh_token=account.rt))\n"
               "    else:\n"
               "        result = asyncio.run(self.outlook.refresh_token(refresh_token=account.rt))\n"
               "    account.rt = result.get('refresh_token', account.rt)\n"),
    ("src/auth.ts", "import * as client from 'openid-client';\n"
                    "export async function renew(session) {\n"
                    "  const tokens = await client.refreshTokenGrant(config, session.refreshToken);\n"
                    "  Object.assign(session, { accessToken: tokens.access_token,\n"
                    "                           refreshToken: tokens.refresh_token ?? session.refreshToken });\n}\n"),
    # aiohttp: the answer named by `async with ... as resp` and saved whole
    ("app.py", "async def renew(session, store):\n"
               "    async with session.post(URL, data={'grant_type': 'refresh_token',\n"
               "                                       'refresh_token': store.rt}) as resp:\n"
               "        store.save(await resp.json())\n"),
    # test code drives flows against fakes on purpose
    ("tests/test_refresh.py", 'def test_refresh():\n    requests.post(URL, data={"grant_type": '
                              '"refresh_token", "refresh_token": "x"})\n'),
])
def test_negatives(path: str, code: str) -> None:
    assert hits(code, path) == set()


def test_the_gate_keeps_files_without_refresh_tokens_away_from_the_parser() -> None:
    plan = build_plan(make_rules(["SH413"]), {})
    quiet = Document("app.py", 'requests.post(URL, data={"grant_type": "authorization_code"})\n')
    extract(quiet, plan)
    assert "code" not in quiet.__dict__
    loud = Document("app.py", 'requests.post(URL, data={"grant_type": "refresh_token"})\n')
    extract(loud, plan)
    assert "code" in loud.__dict__
