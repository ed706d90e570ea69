"""SH411: a token response logged only when it lacks the token (`if not isinstance(doc, dict) or
"access_token" not in doc:`, `doc = result.json()`) is an error answer; logged when it has one,
or whatever it holds, it carries the token."""

from __future__ import annotations

from tests.support import scan_files

VIEW = '''import logging

import requests
from django.conf import settings

logger = logging.getLogger(__name__)


def add_complete(request):
    data = {"client_id": settings.CHAT_CLIENT_ID, "client_secret": settings.CHAT_CLIENT_SECRET,
            "code": request.GET.get("code"), "grant_type": "authorization_code"}
    result = requests.post("https://chat.example.com/api/oauth2/token", data=data)
    doc = result.json()
    if not isinstance(doc, dict) or "access_token" not in doc:
        logger.warning("Unexpected OAuth response: %s", result.content)
        return None
    return doc["access_token"]
'''


def _lines(code: str) -> list[int]:
    return [f.line for f in scan_files({"chat/views.py": code}, select=["SH411"]).findings]


def test_a_token_response_logged_only_when_it_lacks_the_token_is_an_error_answer() -> None:
    assert _lines(VIEW) == []


def test_logged_when_it_has_the_token_or_unconditionally_it_is_reported() -> None:
    has = VIEW.replace('if not isinstance(doc, dict) or "access_token" not in doc:',
                       'if "access_token" in doc:')
    logged = next(i for i, line in enumerate(VIEW.splitlines(), 1) if "logger.warning" in line)
    assert _lines(has) == [logged]
    other = VIEW.replace('"access_token" not in doc', '"error" in doc')
    assert _lines(other) == [logged]
