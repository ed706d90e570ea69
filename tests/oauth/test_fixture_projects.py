"""SH4xx over realistic fixture projects: the exact (path, line, rule) set each must produce.

Every project mixes flagged code with the code a naive pattern would also flag (loopback
redirects, library-run flows, tokens' lengths and expiries in logs, tests against local servers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import scan_dir, triples

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "oauth"

EXPECTED: dict[str, set[tuple[str, int, str]]] = {
    "flask_login": {
        ("app.py", 14, "SH401"),  # http redirect_uri on a public host
        ("app.py", 22, "SH404"),  # response_type=code without state or PKCE
        ("app.py", 29, "SH404"),  # callback reads state, never compares it
        ("app.py", 33, "SH407"),  # verify=False on the token call
        ("app.py", 36, "SH411"),  # access token logged (37/38 log expiry and length: fine)
        ("app.py", 39, "SH410"),  # ?access_token= in the API URL
        ("app.py", 41, "SH409"),  # token cookie without HttpOnly/Secure (42: theme cookie, fine)
    },
    "django_app": {
        ("mysite/settings.py", 7, "SH409"),
        ("mysite/settings.py", 8, "SH409"),
        ("mysite/settings.py", 14, "SH401"),
        ("mysite/settings.py", 16, "SH405"),
        ("accounts/models.py", 8, "SH412"),  # plain TextField; EncryptedTextField below is fine
        ("accounts/views.py", 17, "SH406"),
        ("accounts/views.py", 23, "SH411"),  # Authorization header printed
        ("accounts/views.py", 26, "SH411"),  # token in an exception message
        ("accounts/tokens.py", 13, "SH412"),  # UPDATE ... refresh_token without encryption
    },
    "fastapi_bff": {
        (".env", 1, "SH407"),  # PYTHONHTTPSVERIFY=0 (.env.test is fine)
        ("app/main.py", 16, "SH404"),  # code and state parameters, no comparison
        ("app/main.py", 17, "SH407"),
        ("app/main.py", 23, "SH411"),
        # 24: refresh token in an HttpOnly + Secure cookie (SH412 since issue #13: fine)
        ("app/main.py", 25, "SH409"),  # session cookie without HttpOnly
        ("app/main.py", 34, "SH410"),  # params={"access_token": ...}
        ("app/settings.yaml", 4, "SH401"),  # http post_logout_redirect_uri
    },
    "react_spa": {
        ("src/auth/login.js", 7, "SH403"),
        ("src/auth/login.js", 7, "SH404"),
        ("src/auth/login.js", 12, "SH405"),
        ("src/auth/login.js", 18, "SH404"),
        ("src/auth/login.js", 24, "SH408"),
        ("src/auth/login.js", 25, "SH408"),  # 26 stores the expiry: fine
        ("src/auth/login.js", 27, "SH411"),  # 28 logs expires_in: fine
        ("src/api/client.js", 5, "SH408"),  # token read back for the Authorization header
        ("src/api/client.js", 11, "SH410"),
    },
    "express_server": {
        ("server/app.js", 5, "SH407"),
        ("server/app.js", 15, "SH401"),
        ("server/app.js", 15, "SH404"),
        ("server/app.js", 20, "SH404"),
        ("server/app.js", 21, "SH407"),
        ("server/app.js", 28, "SH411"),
        ("server/app.js", 29, "SH409"),
        ("server/app.js", 30, "SH412"),
        ("server/app.js", 36, "SH406"),
        ("server/app.js", 44, "SH411"),
    },
    "cli_device": {
        ("acmecli/login.py", 21, "SH403"),  # loopback redirect itself (line 15) is fine
        ("acmecli/login.py", 39, "SH411"),  # 40 prints the expiry: fine
        ("acmecli/login.py", 48, "SH412"),
        ("acmecli/legacy_pkce.py", 14, "SH402"),
        ("acmecli/legacy_pkce.py", 15, "SH402"),
        ("acmecli/google_login.py", 10, "SH412"),
    },
}


@pytest.mark.parametrize("project", sorted(EXPECTED))
def test_fixture_project_findings(project: str) -> None:
    result = scan_dir(FIXTURES / project, select=["SH4"])
    assert triples(result.findings) == EXPECTED[project]
    assert result.summary.errors == []


def test_every_rule_fires_somewhere_in_the_fixtures() -> None:
    fired = {rule for expected in EXPECTED.values() for _, _, rule in expected}
    assert fired == {f"SH4{n:02d}" for n in range(1, 13)}


def test_good_files_stay_quiet() -> None:
    quiet = ["flask_login/good.py", "flask_login/config/dev.env", "flask_login/tests/test_callback.py",
             "django_app/mysite/settings_dev.py", "fastapi_bff/app/auth_good.py",
             "fastapi_bff/.env.test", "react_spa/src/auth/pkce.js", "react_spa/src/auth/oidc.ts",
             "express_server/server/good.js", "express_server/test/token.test.js",
             "cli_device/acmecli/pkce_login.py"]
    for relative in quiet:
        project, _, path = relative.partition("/")
        result = scan_dir(FIXTURES / project, select=["SH4"])
        assert [f for f in result.findings if f.path == path] == [], relative
