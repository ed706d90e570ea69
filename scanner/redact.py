"""Redaction: the only way a secret value may appear in anything we print or write.

A redacted value keeps a short prefix and the length, never enough to use or brute-force."""

from __future__ import annotations

import re
from collections.abc import Iterable

_SNIPPET_WIDTH = 160
_SURROGATES = re.compile("[\ud800-\udfff]")


def redact(value: str) -> str:
    """`9f3K…(40 chars)`: at most 4 visible characters, fewer for short values."""
    visible = min(4, len(value) // 4)
    return f"{value[:visible]}…({len(value)} chars)"


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each secret (longest first) with its redacted form. Text and
    secrets are compared in printable form: a parser may report an undecodable byte as U+FFFD."""
    wanted = {s for s in secrets if len(s) >= 4}
    if _SURROGATES.search(text) or any(_SURROGATES.search(s) for s in wanted):
        text, wanted = printable(text), {printable(s) for s in wanted}
    for secret in sorted(wanted, key=len, reverse=True):
        if secret in text:
            text = _replace_token(text, secret)
    return text


# A detector may match only part of a credential (a fixed-length prefix of a longer key): the
# whole run of token characters around each occurrence is redacted, never just the match.
_LEFT_TOKEN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_RIGHT_TOKEN = _LEFT_TOKEN | frozenset("+/=.~")
_MAX_EXTEND = 512


def _replace_token(text: str, secret: str) -> str:
    parts: list[str] = []
    position = 0
    while True:
        index = text.find(secret, position)
        if index == -1:
            break
        start, end = index, index + len(secret)
        while start > position and index - start < _MAX_EXTEND and text[start - 1] in _LEFT_TOKEN:
            start -= 1
        limit = min(len(text), end + _MAX_EXTEND)
        while end < limit and text[end] in _RIGHT_TOKEN:
            end += 1
        parts.append(text[position:start])
        parts.append(redact(text[start:end]))
        position = end
    parts.append(text[position:])
    return "".join(parts)


def printable(text: str) -> str:
    """Text safe to print: lone surrogates from undecodable bytes become U+FFFD."""
    return _SURROGATES.sub("\ufffd", text)


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def one_line(text: str) -> str:
    """Printable text on one line for a terminal: control characters (newlines, escape
    sequences from hostile file names or contents) become visible `\\xNN` escapes."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", printable(text))


def snippet(line_text: str, column: int, secrets: Iterable[str]) -> str:
    """The finding's line, stripped, redacted, and cut to a window around `column` (1-based)."""
    text = line_text.rstrip("\r\n")
    secrets = list(secrets)
    # A minified line can be megabytes long and hold thousands of findings: redact only around
    # the window, with a margin that holds whole any secret (and token run) reaching into it.
    margin = _SNIPPET_WIDTH + _MAX_EXTEND + max((len(s) for s in secrets), default=0)
    cut_before = cut_after = False
    if len(text) > 4 * margin:
        low, high = max(0, column - 1 - margin), column - 1 + margin
        cut_before, cut_after = low > 0, high < len(text)
        text, column = text[low:high], column - low
    text = redact_text(text, secrets)
    stripped = text.strip()
    if len(stripped) <= _SNIPPET_WIDTH:
        return printable(stripped)
    start = max(0, min(column - 1 - _SNIPPET_WIDTH // 4, len(text) - _SNIPPET_WIDTH))
    window = text[start : start + _SNIPPET_WIDTH].strip()
    prefix = "…" if start > 0 or cut_before else ""
    suffix = "…" if start + _SNIPPET_WIDTH < len(text) or cut_after else ""
    return printable(prefix + window + suffix)
