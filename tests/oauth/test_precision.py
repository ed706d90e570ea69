"""SH4xx one rule at a time: the positives, and the negatives a naive pattern would flag."""

from __future__ import annotations

import pytest

from tests.support import scan_files, triples


def hits(rule: str, code: str, path: str = "app.py") -> set[int]:
    """Lines of `path` that `rule` flags."""
    result = scan_files({path: code}, select=[rule])
    assert not [e for e in result.summary.errors if "failed" in e], result.summary.errors
    return {line for p, line, r in triples(result.findings) if r == rule and p == path}


# -- SH401 insecure-redirect-uri ----------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "http://localhost:8000/cb", "http://127.0.0.1/cb", "http://127.8.9.10:9000/cb",
    "http://[::1]:3000/cb", "http://app.localhost/cb", "https://app.acme.io/cb",
    "http://{host}/cb", "http://example.com/cb", "http://myapp.test/cb", "/relative/cb",
])
def test_sh401_loopback_https_templated_and_placeholder_hosts_are_fine(url: str) -> None:
    assert hits("SH401", f'REDIRECT_URI = "{url}"\n') == set()


@pytest.mark.parametrize(("path", "code", "line"), [
    ("app.py", 'flow = Flow(client_config, redirect_uri="http://10.0.0.7/cb")\n', 1),
    ("app.py", 'cfg = {"callback_url": "http://0.0.0.0:8080/cb"}\n', 1),
    ("src/a.ts", "const c = {\n  redirectUri: 'http://auth.acme.io/cb',\n};\n", 2),
    ("oauth.json", '{\n  "web": {\n    "redirect_uris": ["https://a.acme.io/cb", "http://b.acme.io/cb"]\n  }\n}\n', 3),
    (".env", "OAUTH_REDIRECT_URI=http://app.acme.io/cb\n", 1),
    ("settings.toml", '[oauth]\nredirect_uri = "http://app.acme.io/cb"\n', 2),
])
def test_sh401_positives(path: str, code: str, line: int) -> None:
    assert hits("SH401", code, path) == {line}


# -- SH402 pkce-plain ---------------------------------------------------------------------------

def test_sh402_s256_via_library_and_hashed_challenge_are_fine() -> None:
    assert hits("SH402", 'client = OAuth2Session(cid, code_challenge_method="S256")\n') == set()
    assert hits("SH402", 'params = {"code_challenge": create_s256_code_challenge(code_verifier)}\n') == set()
    assert hits("SH402", "const p = { codeChallenge: await s256(codeVerifier) };\n", "src/a.js") == set()


def test_sh402_js_verifier_as_challenge_and_plain_method() -> None:
    code = "const p = {\n  codeChallenge: codeVerifier,\n  codeChallengeMethod: 'plain',\n};\n"
    assert hits("SH402", code, "src/a.js") == {2, 3}


# -- SH403 missing-pkce -------------------------------------------------------------------------

def test_sh403_library_with_pkce_default_is_fine() -> None:
    code = ("import msal\nimport webbrowser\n"
            "app = msal.PublicClientApplication(CLIENT_ID, authority=AUTHORITY)\n"
            'flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri="http://localhost:8400")\n')
    assert hits("SH403", code, "cli.py") == set()
    code = ("from google_auth_oauthlib.flow import InstalledAppFlow\nimport click\n"
            'flow = InstalledAppFlow.from_client_secrets_file("client.json", SCOPES)\n'
            "creds = flow.run_local_server(port=0)\n")
    assert hits("SH403", code, "cli.py") == set()


def test_sh403_requests_oauthlib_in_a_cli_without_pkce() -> None:
    code = ("import webbrowser\nfrom requests_oauthlib import OAuth2Session\n"
            'session = OAuth2Session(CLIENT_ID, redirect_uri="http://127.0.0.1:8765/cb")\n'
            "url, state = session.authorization_url(AUTH_URL)\n")
    assert hits("SH403", code, "cli.py") == {4}
    with_pkce = code.replace("authorization_url(AUTH_URL)", 'authorization_url(AUTH_URL)  # pkce="S256"')
    assert hits("SH403", with_pkce.replace('redirect_uri=', 'pkce="S256", redirect_uri='), "cli.py") == set()


def test_sh403_confidential_server_is_not_a_public_client() -> None:
    code = ("app.get('/login', (req, res) => {\n"
            "  res.redirect(`${AUTH}?response_type=code&client_id=${ID}&state=${s}`);\n});\n"
            "const CLIENT_SECRET = process.env.CLIENT_SECRET;\n")
    assert hits("SH403", code, "server/routes.js") == set()


# -- SH404 missing-state ------------------------------------------------------------------------

def test_sh404_requests_oauthlib_and_flask_dance_check_state_themselves() -> None:
    code = ('@app.route("/callback")\ndef callback():\n'
            '    github = OAuth2Session(CLIENT_ID, state=session["oauth_state"])\n'
            "    token = github.fetch_token(TOKEN_URL, client_secret=SECRET,\n"
            "                               authorization_response=request.url)\n"
            "    return token\n")
    assert hits("SH404", code) == set()
    code = ('@app.route("/callback")\ndef callback():\n    code = request.args["code"]\n'
            '    state = request.args["state"]\n'
            "    token = github.fetch_token(TOKEN_URL, authorization_response=request.url)\n"
            "    return token\n")
    assert hits("SH404", code) == set()
    code = ("from flask_dance.contrib.github import make_github_blueprint\n"
            'bp = make_github_blueprint(client_id=CID, client_secret=SECRET, scope="read:user")\n')
    assert hits("SH404", code) == set()


def test_sh404_a_none_check_is_not_a_comparison() -> None:
    code = ('@app.route("/callback")\ndef callback():\n    code = request.args.get("code")\n'
            '    state = request.args.get("state")\n    if state is None:\n        abort(400)\n'
            "    return exchange(code)\n")
    assert hits("SH404", code) == {4}


def test_sh404_nonce_or_state_in_the_request_is_fine() -> None:
    assert hits("SH404", 'url = f"{AUTH}?response_type=code&client_id={c}&nonce={n}"\n') == set()
    code = 'def login():\n    params = {"response_type": "code", "client_id": CID, "state": new_state()}\n'
    assert hits("SH404", code) == set()
    code = 'def login():\n    params = {"response_type": "code", "client_id": CID}\n    return params\n'
    assert hits("SH404", code) == {2}


def test_sh404_state_read_from_the_session_is_not_a_request_read() -> None:
    code = ('def callback():\n    code = request.args.get("code")\n'
            '    state = session.get("state")\n    return exchange(code, state)\n')
    assert hits("SH404", code) == set()


# -- SH405 / SH406 ------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "flagged"), [
    ("token", True), ("id_token token", True), ("code token", True), ("token id_token", True),
    ("code", False), ("id_token", False), ("code id_token", False),
])
def test_sh405_response_types(value: str, flagged: bool) -> None:
    assert bool(hits("SH405", f'params = {{"response_type": "{value}"}}\n')) is flagged


def test_sh406_only_requests_not_comparisons_or_other_grants() -> None:
    assert hits("SH406", 'data = {"grant_type": "client_credentials"}\n') == set()
    assert hits("SH406", 'if grant_type == "password":\n    reject()\n') == set()
    assert hits("SH406", "const r = { grantType: 'password' };\n", "src/a.ts") == {1}
    assert hits("SH406", "token:\n  grant_type: password\n", "auth.yaml") == {2}


# -- SH407 tls-verification-disabled -------------------------------------------------------------

def test_sh407_no_credentials_no_finding() -> None:
    assert hits("SH407", 'r = requests.get("https://status.acme.io/health", verify=False)\n') == set()


def test_sh407_session_verify_and_unverified_context() -> None:
    code = ("def client(token):\n    s = requests.Session()\n    s.verify = False\n"
            '    s.headers["Authorization"] = f"Bearer {token}"\n    return s\n')
    assert hits("SH407", code) == {3}
    code = ("import ssl\ndef fetch_token():\n    ctx = ssl._create_unverified_context()\n"
            "    return urlopen(TOKEN_URL, context=ctx)\n")
    assert hits("SH407", code) == {3}


def test_sh407_tests_and_local_servers_are_fine() -> None:
    code = 'def test_token():\n    requests.post(URL + "/token", data={"client_secret": "x"}, verify=False)\n'
    assert hits("SH407", code, "tests/test_token.py") == set()
    code = ("const agent = new https.Agent({ rejectUnauthorized: false });\n"
            "get('https://localhost:8443/token', { agent, rejectUnauthorized: false });\n")
    assert hits("SH407", code, "server/dev.js") == {1}
    assert hits("SH407", "export NODE_TLS_REJECT_UNAUTHORIZED=0\n", "scripts/run.sh") == {1}
    assert hits("SH407", "# NODE_TLS_REJECT_UNAUTHORIZED=0 is never ok\n", "scripts/run.sh") == set()


# -- SH408 token-in-browser-storage --------------------------------------------------------------

def test_sh408_storage_assignments_and_window_prefix() -> None:
    code = ("window.localStorage.setItem('id_token', t);\nlocalStorage.jwt = jwt;\n"
            "sessionStorage['codeVerifier'] = verifier;\ncache.setItem('access_token', t);\n")
    assert hits("SH408", code, "src/a.js") == {1, 2}


# -- SH409 insecure-token-cookie -----------------------------------------------------------------

def test_sh409_starlette_keywords_and_unknown_options() -> None:
    code = 'response.set_cookie(key="access_token", value=token, httponly=True, secure=settings.SECURE)\n'
    assert hits("SH409", code) == set()
    assert hits("SH409", 'response.set_cookie(key="jwt", value=token, httponly=True)\n') == {1}
    assert hits("SH409", 'response.set_cookie("csrftoken", token)\n') == set()
    assert hits("SH409", "document.cookie = 'theme=dark';\n", "src/a.js") == set()
    assert hits("SH409", "Cookies.set('access_token', token);\n", "src/a.js") == {1}


def test_sh409_flask_config_update() -> None:
    assert hits("SH409", "app.config.update(SESSION_COOKIE_SECURE=False)\n") == {1}
    assert hits("SH409", 'app.config["SESSION_COOKIE_HTTPONLY"] = False\n') == {1}
    assert hits("SH409", "SESSION_COOKIE_SECURE = not DEBUG\n", "settings.py") == set()


# -- SH410 token-in-url --------------------------------------------------------------------------

def test_sh410_literal_token_is_redacted() -> None:
    token = "EAABsbCS1iHgBAKZCzQ7xPq9"
    code = f'resp = requests.get("https://graph.acme.io/me?fields=id&access_token={token}")\n'
    result = scan_files({"app.py": code}, select=["SH410"])
    assert triples(result.findings) == {("app.py", 1, "SH410")}
    for finding in result.findings:
        assert token not in finding.message
        assert token not in finding.snippet
        assert token not in str(finding.to_json())


def test_sh410_bodies_codes_and_other_parameters_are_fine() -> None:
    assert hits("SH410", 'body = "grant_type=refresh_token&refresh_token=" + rt\n') == set()
    assert hits("SH410", 'url = f"{CB}?code={code}&state={state}"\n') == set()
    assert hits("SH410", 'url = f"{REVOKE}?token_type_hint=access_token"\n') == set()
    assert hits("SH410", 'requests.post(TOKEN_URL, data={"refresh_token": rt})\n') == set()


def test_sh410_js_axios_params() -> None:
    code = "axios.get(`${API}/me`, { params: { access_token: token, fields: 'id' } });\n"
    assert hits("SH410", code, "src/a.js") == {1}


# -- SH411 secret-in-logs ------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    'logger.info("len %d", len(access_token))',
    'logger.info("expires %s", token["expires_at"])',
    'logger.info("expires %s", token.expires_at)',
    'logger.info("prefix %s", access_token[:6])',
    'logger.info("url %s", token_url)',
    'logger.info("next page %s", next_page_token)',
    'logger.info("fp %s", fingerprint(refresh_token))',
    'logger.info("has token: %s", has_token)',
    'print("token endpoint:", TOKEN_ENDPOINT)',
    'logger.info("user %s", user_id)',
])
def test_sh411_lengths_expiries_and_names_are_fine(call: str) -> None:
    assert hits("SH411", call + "\n") == set()


@pytest.mark.parametrize("call", [
    'logging.getLogger(__name__).info("t=%s", access_token)',
    'logger.warning("refresh failed for %s", creds.refresh_token)',
    'logger.info("headers %s", {"Authorization": f"Bearer {tok}"})',
    'print("secret", os.environ.get("CLIENT_SECRET"))',
    'logger.error("bad: " + id_token)',
])
def test_sh411_positives(call: str) -> None:
    assert hits("SH411", call + "\n") == {1}


def test_sh411_js_negatives() -> None:
    code = ("console.error(err);\nconsole.log('token length', token.length);\n"
            "logger.info({ expiresIn: tokens.expires_in });\n")
    assert hits("SH411", code, "src/a.js") == set()


# -- SH412 long-lived-token-storage --------------------------------------------------------------

def test_sh412_sqlalchemy_mapped_annotation_and_encrypted_type() -> None:
    code = "class Account(Base):\n    refresh_token: Mapped[str]\n    refresh_token_enc: Mapped[bytes] = mapped_column(EncryptedType(String))\n"
    assert hits("SH412", code) == {2}


def test_sh412_pydantic_field_is_not_a_column() -> None:
    assert hits("SH412", "class TokenResponse(BaseModel):\n    refresh_token: str\n") == set()


# -- robustness ---------------------------------------------------------------------------------

def test_broken_and_minified_files_leave_no_crash() -> None:
    files = {"broken.py": 'REDIRECT_URI = "http://app.acme.io/cb"\ndef (:\n',
             "ok.py": 'REDIRECT_URI = "http://app.acme.io/cb"\n',
             "min.js": "var a={redirectUri:'http://x.acme.io/cb'};" * 40 + "\n",
             # A bundle (lines of 2,000+ characters) is not application source: not parsed.
             "dist/bundle.js": "var a={redirectUri:'http://x.acme.io/cb'};" * 2000 + "\n"}
    result = scan_files(files, select=["SH4"])
    found = triples(result.findings)
    assert {("ok.py", 1, "SH401"), ("broken.py", 1, "SH401"), ("min.js", 1, "SH401")} <= found
    assert not [path for path, _, _ in found if path == "dist/bundle.js"]
    assert not [e for e in result.summary.errors if "failed" in e]


def test_messages_never_carry_literals() -> None:
    code = ('with open("t.txt", "w") as fh:\n'
            '    fh.write("refresh_token=" + "1//0gSuperSecretRefreshValue")\n')
    result = scan_files({"app.py": code}, select=["SH412"])
    assert triples(result.findings) == {("app.py", 2, "SH412")}
    assert all("SuperSecret" not in f.message for f in result.findings)
    code = "fs.writeFileSync(p, 'refresh_token=' + '1//0gSuperSecretRefreshValue');\n"
    result = scan_files({"cli/store.js": code}, select=["SH412"])
    assert triples(result.findings) == {("cli/store.js", 1, "SH412")}
    assert all("SuperSecret" not in f.message for f in result.findings)


def test_sh404_state_handed_to_a_checking_helper_is_fine() -> None:
    code = ('@app.route("/cb")\ndef cb():\n    code = request.args.get("code")\n'
            '    state = request.args.get("state")\n'
            "    profile, error = linkedin.handle_callback(code, state)\n    return profile\n")
    assert hits("SH404", code) == set()


def test_sh411_private_and_chained_loggers() -> None:
    assert hits("SH411", 'self._log.debug("token %s", self.access_token)\n') == {1}
    assert hits("SH411", 'structlog.get_logger().info("login", token=refresh_token)\n') == {1}


def test_sh411_bare_secret_and_lexer_tokens_are_not_credentials() -> None:
    assert hits("SH411", "for _, secret in secrets:\n    print(secret)\n") == set()
    assert hits("SH411", 'raise SyntaxError(f"unexpected token {token!r}")\n', "lexer.py") == set()
    code = 'AUTH = {"Authorization": "Bearer"}\nraise SyntaxError(f"unexpected token {token!r}")\n'
    assert hits("SH411", code, "client.py") == {2}


def test_sh403_native_app_known_by_its_loopback_redirect() -> None:
    code = ('REDIRECT_URI = "http://127.0.0.1:8765/callback"\n'
            'def login(state):\n'
            '    return f"{AUTH}?response_type=code&client_id={CID}&redirect_uri={REDIRECT_URI}&state={state}"\n')
    assert hits("SH403", code, "desktop/auth.py") == {3}


@pytest.mark.parametrize("reads", [
    ('code = self.get_argument("code")', 'state = self.get_argument("state")'),
    ('code = request.rel_url.query.get("code")', 'state = request.rel_url.query.get("state")'),
    ('code = request.query_params["code"]', 'state = request.query_params["state"]'),
])
def test_sh404_tornado_aiohttp_starlette_callbacks(reads: tuple[str, str]) -> None:
    code = f"async def callback(self, request):\n    {reads[0]}\n    {reads[1]}\n    return await finish(code)\n"
    assert hits("SH404", code) == {3}
    checked = code.replace("    return", '    if state != self.session["oauth_state"]:\n        raise Forbidden()\n    return')
    assert hits("SH404", checked) == set()


def test_deeply_nested_code_is_a_note_not_a_failure() -> None:
    code = "print(" + " + ".join(["access_token"] * 3000) + ")\n"
    result = scan_files({"gen.js": code.replace("print", "console.log")}, select=["SH411"])
    assert not [e for e in result.summary.errors if "failed" in e], result.summary.errors
