"""SH411: a count of an LLM's tokens is no credential. A value the file orders by size or does
arithmetic with, or that a `%d` placeholder takes, is a number; a token logged beside it is not."""

from __future__ import annotations

from tests.support import scan_files

MIDDLEWARE = '''import logging

import requests

logger = logging.getLogger(__name__)


class ResponseLimiter:
    def __init__(self, token_limit: int) -> None:
        self.token_limit = token_limit

    def check(self, tool: str, response: str) -> str:
        estimated_tokens = len(response) // 4
        if estimated_tokens > self.token_limit:
            logger.error("Response blocked for %s: ~%s tokens", tool, estimated_tokens)
            logger.info("audit %s", {"tool": tool, "original_tokens": estimated_tokens})
        return response

    def report(self, tool: str, estimated_tokens: int) -> None:
        logger.warning("Response for %s truncated from ~%d tokens", tool, estimated_tokens)


def refresh(client_id: str, refresh_token: str) -> str:
    response = requests.post("https://auth.example.com/oauth/token",
                             data={"grant_type": "refresh_token", "refresh_token": refresh_token})
    access_token = response.json()["access_token"]
    logger.info("new access token %s for %s", access_token, client_id)
    return access_token
'''


def _lines(code: str) -> list[int]:
    return sorted(f.line for f in scan_files({"svc/limits.py": code}, select=["SH411"]).findings)


def test_counted_tokens_are_not_credentials_but_a_logged_access_token_is() -> None:
    leak = next(i for i, line in enumerate(MIDDLEWARE.splitlines(), 1) if "new access token" in line)
    assert _lines(MIDDLEWARE) == [leak]


def test_without_the_size_comparison_the_name_alone_decides() -> None:
    """Take away the comparison and the `//` arithmetic: nothing says `estimated_tokens` is a
    number but the `%d` placeholder, which covers only its own log line."""
    code = MIDDLEWARE.replace("estimated_tokens = len(response) // 4\n",
                              "estimated_tokens = response.headers[\"x-tokens\"]\n")
    code = code.replace("if estimated_tokens > self.token_limit:", "if estimated_tokens:")
    lines = code.splitlines()
    blocked = next(i for i, line in enumerate(lines, 1) if "Response blocked" in line)
    audited = next(i for i, line in enumerate(lines, 1) if '"original_tokens"' in line)
    leak = next(i for i, line in enumerate(lines, 1) if "new access token" in line)
    assert _lines(code) == [blocked, audited, leak]
