"""Our OAuth-specific detectors as detect-secrets plugins, shared with the secret family.

Load them with `detect-secrets scan --plugin scanner/facts/secrets/detect_secrets_plugins.py` (run from
inside the scanned tree); the line syntax they share with our rules is in `secrets_syntax`."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Any

from detect_secrets.core.potential_secret import PotentialSecret
from detect_secrets.plugins.base import BasePlugin, RegexBasedDetector
from detect_secrets.util.code_snippet import CodeSnippet

from scanner.facts.secrets.syntax import (
    ACCESS_TOKEN,
    API_KEY,
    CLIENT_SECRET,
    ENV_CREDENTIAL,
    GENERIC_SECRET,
    LOOSE,
    PASSWORD,
    REFRESH_TOKEN,
    SECRET_KEY,
    find_assignments,
    find_bearer,
    is_env_filename,
    mode_for_filename,
)

# -- detect-secrets plugins -----------------------------------------------------------------


class _KeywordDetector(BasePlugin):
    """Values assigned to keys of some credential kinds. `mode` is set per file by
    `analyze_line` (detect-secrets passes the filename); direct callers may pass it."""

    kinds: frozenset[str] = frozenset()
    bearer: bool = False

    def __init__(self, mode: str = LOOSE, env: bool = False) -> None:
        self.mode = mode
        self.env = env

    def analyze_string(self, string: str, mode: str | None = None,
                       env: bool | None = None) -> Generator[str, None, None]:
        for found in find_assignments(string, mode or self.mode,
                                      env=self.env if env is None else env):
            if found.kind in self.kinds and found.value:
                yield found.value
        if self.bearer:
            for value, _, _ in find_bearer(string):
                yield value

    def analyze_line(self, filename: str, line: str, line_number: int = 0,
                     context: CodeSnippet | None = None, **kwargs: Any) -> set[PotentialSecret]:
        return {PotentialSecret(type=self.secret_type, filename=filename, secret=value,
                                line_number=line_number)
                for value in self.analyze_string(line, mode_for_filename(filename),
                                                 is_env_filename(filename))}


class OAuthClientSecretDetector(_KeywordDetector):
    """`client_secret`, `consumer_secret`, `app_secret` given a literal value."""

    secret_type = "OAuth Client Secret"
    kinds = frozenset({CLIENT_SECRET})


class OAuthAccessTokenDetector(_KeywordDetector):
    """`access_token`/`api_token`/`bearer_token` literals and `Authorization: Bearer` headers."""

    secret_type = "OAuth Access Token"
    kinds = frozenset({ACCESS_TOKEN})
    bearer = True


class OAuthRefreshTokenDetector(_KeywordDetector):
    """`refresh_token` given a literal value."""

    secret_type = "OAuth Refresh Token"
    kinds = frozenset({REFRESH_TOKEN})


class HardcodedPasswordDetector(_KeywordDetector):
    """Passwords and generic secrets (`password`, `secret_key`, `api_key`) given a literal."""

    secret_type = "Hardcoded Password"
    kinds = frozenset({PASSWORD, GENERIC_SECRET, SECRET_KEY, API_KEY, ENV_CREDENTIAL})


class GoogleOAuthClientSecretDetector(RegexBasedDetector):
    """Google OAuth client secrets (`GOCSPX-` prefix, since 2021)."""

    secret_type = "Google OAuth Client Secret"
    denylist = (re.compile(r"(?<![\w-])GOCSPX-[A-Za-z0-9_\-]{28}(?![\w-])"),)


class GoogleOAuthAccessTokenDetector(RegexBasedDetector):
    """Google OAuth 2.0 access tokens (`ya29.` prefix)."""

    secret_type = "Google OAuth Access Token"
    denylist = (re.compile(r"(?<![\w.])ya29\.[A-Za-z0-9_\-]{30,}"),)


class GoogleOAuthRefreshTokenDetector(RegexBasedDetector):
    """Google OAuth 2.0 refresh tokens (`1//0` prefix)."""

    secret_type = "Google OAuth Refresh Token"
    denylist = (re.compile(r"(?<![\w/])1//0[A-Za-z0-9_\-]{40,}"),)


# Patterns whose attempts read an unbounded stretch of the line (`sk-[...]*...T3BlbkFJ`,
# `//.+/:_authToken=`): run only on windows around the literal every match holds, (characters
# before, characters after). Repeated `sk-` or `//` would otherwise cost a full read each.
_WINDOWED = {"OpenAIDetector": ("T3BlbkFJ", 512, 32), "NpmDetector": ("/:_authToken=", 512, 512)}
# `key *(=|:| +) *value`: three space runs in a row backtrack cubically on a long run of spaces
# (IBM, Cloudant, SoftLayer); matching is the same with every run of 3+ spaces cut to two.
_SPACE_RUNS = re.compile(" {3,}")


def spans(detector: BasePlugin, line: str) -> Iterable[tuple[str, int, int]]:
    """(value, start, end) of each secret `detector` finds on `line`.

    A plain RegexBasedDetector's `analyze_string` yields the first group when its pattern has
    groups, which is sometimes the secret (AWS, npm) and sometimes only a prefix (GitHub's
    `ghp`): here the longest group counts if it is 8+ characters long, else the whole match.
    Detectors with their own `analyze_string` are located by the values it yields."""
    if (isinstance(detector, RegexBasedDetector)
            and type(detector).analyze_string is RegexBasedDetector.analyze_string):
        for pattern in detector.denylist:
            for match, shift in _matches(type(detector).__name__, pattern, line):
                groups = [i for i in range(1, (match.lastindex or 0) + 1) if match.group(i)]
                best = max(groups, key=lambda i: len(match.group(i)), default=0)
                if best and len(match.group(best)) < 8:
                    best = 0
                value = match.group(best).strip().strip('"=:').strip()
                if value:
                    start = match.start(best) + match.group(best).index(value)
                    yield value, shift(start), shift(start) + len(value)
        return
    cursor: dict[str, int] = {}
    try:
        values = list(detector.analyze_string(line))
    except RecursionError:  # detect-secrets' JWT check json-decodes a header nested thousands deep
        return
    for value in values:
        if not value:
            continue
        start = line.find(value, cursor.get(value, 0))
        if start < 0:
            continue
        cursor[value] = start + len(value)
        yield value, start, start + len(value)


def _unshifted(offset: int) -> int:
    return offset


def _matches(name: str, pattern: re.Pattern[str],
             line: str) -> Iterator[tuple[re.Match[str], Callable[[int], int]]]:
    """`pattern.finditer(line)` with bounded work per attempt, and for each match the function
    that maps its offsets back to `line` (matches never hold a shortened space run)."""
    windowed = _WINDOWED.get(name)
    if windowed is not None:
        literal, before, after = windowed
        covered = 0  # the end of the last match: the next window starts no earlier
        index = line.find(literal)
        while index != -1:
            # One window for a group of occurrences less than `before` apart.
            last = following = index
            while following != -1 and following - index <= before:
                last, following = following, line.find(literal, following + 1)
            low, high = max(covered, index - before), min(len(line), last + len(literal) + after)
            for match in pattern.finditer(line, low, high):
                covered = match.end()
                yield match, _unshifted
            index = following
        return
    if "(?: *)" not in pattern.pattern or "   " not in line:
        for match in pattern.finditer(line):
            yield match, _unshifted
        return
    # Cut each long space run to two spaces, remembering where the text shifted.
    kept: list[int] = []  # offsets in the cut text after which `removed` more were dropped
    removed: list[int] = []
    pieces: list[str] = []
    position = total = 0
    for run in _SPACE_RUNS.finditer(line):
        pieces.append(line[position:run.start() + 2])
        total += len(run.group()) - 2
        kept.append(run.start() + 2 - (total - (len(run.group()) - 2)))
        removed.append(total)
        position = run.end()
    pieces.append(line[position:])

    def shift(offset: int) -> int:
        index = bisect.bisect_right(kept, offset) - 1
        return offset + (removed[index] if index >= 0 else 0)

    for match in pattern.finditer("".join(pieces)):
        yield match, shift
