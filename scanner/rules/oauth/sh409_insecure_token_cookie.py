"""SH409 insecure-token-cookie: token and session cookies without HttpOnly and Secure."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from scanner.facts.base import FileFacts
from scanner.facts.oauth.cookies import CookieSettingOff, CookieWrite
from scanner.facts.oauth.names import is_session_cookie_name
from scanner.model.finding import Finding, Severity
from scanner.rules.base import Bad, Good, Rule, RuleContext
from scanner.rules.oauth.common import NOT_IN_TESTS

_DEV_SETTINGS = frozenset({"dev", "development", "local", "test", "tests", "testing", "ci"})
_SETTING_EFFECTS = {"SESSION_COOKIE_SECURE": "lets the session cookie travel over plain http",
                    "SESSION_COOKIE_HTTPONLY": "leaves the session cookie readable by scripts"}


class InsecureTokenCookie(Rule):
    """## What it does
    Finds token and session cookies without `HttpOnly` and `Secure`. That covers a cookie set
    without both flags (Flask/Django/Starlette `set_cookie`, Express `res.cookie`), cookies with
    tokens written by script (`document.cookie`, js-cookie), and Django/Flask `SESSION_COOKIE_SECURE = False` /
    `SESSION_COOKIE_HTTPONLY = False` outside development or test settings and outside a
    framework's own defaults (`global_settings.py`, a `default_config = {...}` mapping) and
    outside mappings named or commented as development settings (`TALISMAN_DEV_CONFIG`, "for
    local development").

    ## Why is this bad?
    Without `HttpOnly`, any script on the page (XSS, a compromised dependency) reads the token;
    without `Secure`, the browser sends it over plain http where the network can read it.
    Every framework named above defaults both to off. Options passed as a variable are not
    flagged (they cannot be seen); neither are CSRF or preference cookies.

    ## Example
        resp.set_cookie("access_token", token)

    ## Use instead
        resp.set_cookie("access_token", token, httponly=True, secure=True, samesite="Lax")

    ## References
    - RFC 9700 §4.10 (Misuse of Stolen Access Tokens), §4.14 (Refresh Token Protection)
    - RFC 6265 §4.1.2.5 (The Secure Attribute), §4.1.2.6 (The HttpOnly Attribute)
    """

    id = "SH409"
    name = "insecure-token-cookie"
    family = "oauth"
    severity = Severity.MEDIUM
    cwe = ("CWE-1004", "CWE-614")
    needs = (CookieWrite, CookieSettingOff)
    contexts = NOT_IN_TESTS
    examples = (
        Bad('resp.set_cookie("access_token", token)\n', line=1),
        Bad('resp.set_cookie("session_id", sid, httponly=True)\n', line=1),
        Bad("res.cookie('token', jwt, { httpOnly: true });\n", path="server/app.js", line=1),
        Bad("document.cookie = `access_token=${token}; path=/`;\n", path="src/auth.js", line=1),
        Bad("SESSION_COOKIE_SECURE = False\n", path="mysite/settings.py", line=1),
        Good('resp.set_cookie("access_token", token, httponly=True, secure=True, samesite="Lax")\n'),
        Good('resp.set_cookie("theme", "dark")\n'),
        Good("res.cookie('token', jwt, cookieOptions);\n", path="server/app.js"),
        Good('resp.set_cookie("session", sid, **COOKIE_OPTIONS)\n'),
        Good("SESSION_COOKIE_SECURE = False\n", path="mysite/settings/dev.py"),
        Good("SESSION_COOKIE_SECURE = False\n", path="django/conf/global_settings.py"),
        Good('class Flask:\n    default_config = ImmutableDict({"SESSION_COOKIE_SECURE": False})\n'),
        Good('TALISMAN_DEV_CONFIG = {"force_https": False, "session_cookie_secure": False}\n'),
        Good('# Session settings for local development\n'
             'SESSION_OPTIONS = {"SESSION_COOKIE_SECURE": False}\n'),
        Bad('# Production session settings\nSESSION_OPTIONS = {"SESSION_COOKIE_SECURE": False}\n',
            line=2),
    )

    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        for cookie in facts.of(CookieWrite):
            if cookie.name is not None and not is_session_cookie_name(cookie.name):
                continue
            label = cookie.name or cookie.value_name
            if not label:
                continue
            if cookie.api == "document.cookie":
                yield context.report(self, cookie.span, "document.cookie stores a token from "
                                     "script, so the cookie can never be HttpOnly",
                                     construct="document-cookie")
            elif cookie.api == "js-cookie":
                yield context.report(self, cookie.span, f"cookie `{label}` holding a token is set "
                                     "from script, so it can never be HttpOnly",
                                     construct=f"cookie:{label}")
            elif cookie.missing:
                yield context.report(self, cookie.span, f"cookie `{label}` holds a token or session "
                                     f"but is set without {' and '.join(cookie.missing)}",
                                     construct=f"cookie:{label}")
        if _is_dev_settings(context.path) or _is_defaults_module(context.path):
            return
        for setting in facts.of(CookieSettingOff):
            if setting.in_defaults:
                continue
            yield context.report(self, setting.span, f"{setting.setting} = False "
                                 f"{_SETTING_EFFECTS[setting.setting]}",
                                 construct=f"setting:{setting.setting}")


def _is_defaults_module(path: str) -> bool:
    """A framework's module of defaults (Django's `conf/global_settings.py`): each application
    overrides them in its own settings, so the default is not the application's mistake."""
    stem = PurePosixPath(path).stem.lower()
    return stem in {"global_settings", "default_settings", "defaults", "settings_defaults"}


def _is_dev_settings(path: str) -> bool:
    stem = PurePosixPath(path).stem.lower()
    return bool(set(re.split(r"[_.\-]", stem)) & _DEV_SETTINGS)
