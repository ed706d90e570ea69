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
    FOLDS_TO_ASCII,
    GENERIC_SECRET,
    LOOSE,
    PASSWORD,
    REFRESH_TOKEN,
    SECRET_KEY,
    TAKEN_FOR_ASCII,
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
_SPACE_RUNS = re.compile("   +")  # spelled with a literal head: sre skips to it fast


def _whole_run(characters: str, length: int) -> re.Pattern[str]:
    """A run of exactly `length` of `characters` (a class), none beside it. Spelled out case by
    case, not IGNORECASE: the search then runs three times faster."""
    return re.compile(f"(?<![{characters}])[{characters}]{{{length}}}(?![{characters}])")


# Patterns that try a match at every position of a line (the IBM ones): every match holds one of
# these words and, with space runs cut, is at most `reach` characters long (a test checks both
# against the patterns), so only windows of `reach` around the words are read. Its value is a
# whole run of the value's characters (an operator, a space or a quote stands before it): a
# window without one is not read.
_KEYED: dict[str, tuple[tuple[str, ...], int, re.Pattern[str]]] = {
    "IbmCloudIamDetector": (("key", "pwd", "pass", "token"), 128,
                            _whole_run("a-zA-Z0-9_\\-" + "".join(TAKEN_FOR_ASCII), 44)),
    "IbmCosHmacDetector": (("secret",), 128, _whole_run("a-fA-F0-9", 48)),
}


def spans(detector: BasePlugin, line: str, lower: str | None = None,
          memo: dict[str, Any] | None = None) -> Iterable[tuple[str, int, int]]:
    """(value, start, end) of each secret `detector` finds on `line`.

    A plain RegexBasedDetector's `analyze_string` yields the first group when its pattern has
    groups, which is sometimes the secret (AWS, npm) and sometimes only a prefix (GitHub's
    `ghp`): here the longest group counts if it is 8+ characters long, else the whole match.
    Detectors with their own `analyze_string` are located by the values it yields. `lower`:
    `line.lower()`, when the caller has it already; `memo`: a dict the caller keeps for `line`,
    where detectors share its cut and folded forms."""
    if (isinstance(detector, RegexBasedDetector)
            and type(detector).analyze_string is RegexBasedDetector.analyze_string):
        for pattern in detector.denylist:
            for match, shift in _matches(type(detector).__name__, pattern, line, lower, memo):
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


def _matches(name: str, pattern: re.Pattern[str], line: str, lower: str | None = None,
             memo: dict[str, Any] | None = None,
             ) -> Iterator[tuple[re.Match[str], Callable[[int], int]]]:
    """`pattern.finditer(line)` with bounded work per attempt, and for each match the function
    that maps its offsets back to `line` (matches never hold a shortened space run). `memo`
    (one per line) keeps the cut and folded forms of the line for the next pattern."""
    memo = {} if memo is None else memo
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
    text: str = line
    shift: Callable[[int], int] = _unshifted
    if "(?: *)" in pattern.pattern and "   " in line:
        if "cut" not in memo:
            memo["cut"] = _cut_space_runs(line)
        text, shift = memo["cut"]
        lower = None
    keyed = _KEYED.get(name)
    if keyed is not None:
        words, reach, value = keyed
        if lower is None or not text.isascii() or len(lower) != len(text):
            key = "folded cut" if text is not line else "folded"
            if key not in memo:
                memo[key] = folded(text)
            lower = memo[key]
        if len(lower) == len(text):
            for match in near_words(pattern, text, lower, words, reach, value):
                yield match, shift
            return
    for match in pattern.finditer(text):
        yield match, shift


def folded(text: str) -> str:
    """`text` lowered as case-insensitive matching compares it to ASCII words: each character
    that matches an ASCII letter becomes that letter (one character each, so offsets hold);
    other characters stay as they are."""
    for char, letter in FOLDS_TO_ASCII.items():
        if char in text:
            text = text.replace(char, letter)
    if text.isascii():
        return text.lower()
    # Lowering only ASCII letters (as bytes do) runs twice as fast as `str.lower` beyond ASCII.
    return text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")


def near_words(pattern: re.Pattern[str], text: str, lower: str, words: Iterable[str],
               reach: int, value: re.Pattern[str] | None = None) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)` when every match holds one of `words` (as `lower`, the lowered
    text of the same length, shows them) and is at most `reach` characters long: the pattern
    runs only on the merged windows of `reach` around the words, so a megabyte line costs a
    few word searches. (The pattern sees the text before a window: look-behinds still work.)
    `value`: a pattern every match holds a match of, searched first in each window (faster)."""
    starts: list[int] = []
    longest = 0
    for word in words:
        longest = max(longest, len(word))
        index = lower.find(word)
        while index != -1:
            starts.append(index)
            index = lower.find(word, index + 1)
    covered = 0  # the end of the last match: finditer goes on from there
    low = high = -1
    for start in sorted(starts):
        if start - reach <= high:  # overlaps the current window: widen it
            high = start + longest + reach
            continue
        if high >= 0:
            for match in _in_window(pattern, text, max(low, covered), min(high, len(text)), value):
                covered = match.end()
                yield match
        low, high = max(0, start - reach), start + longest + reach
    if high >= 0:
        yield from _in_window(pattern, text, max(low, covered), min(high, len(text)), value)


def _in_window(pattern: re.Pattern[str], text: str, low: int, high: int,
               value: re.Pattern[str] | None) -> Iterator[re.Match[str]]:
    if value is None or value.search(text, low, high):
        yield from pattern.finditer(text, low, high)


def _cut_space_runs(line: str) -> tuple[str, Callable[[int], int]]:
    """`line` with each run of 3+ spaces cut to two, and the function mapping offsets in the
    cut text back to `line` (its table is built on first use: most lines yield no match)."""
    kept: list[int] = []  # offsets in the cut text after which `removed` more were dropped
    removed: list[int] = []

    def shift(offset: int) -> int:
        if not kept:
            total = 0
            for run in _SPACE_RUNS.finditer(line):
                kept.append(run.start() + 2 - total)
                total += len(run.group()) - 2
                removed.append(total)
        index = bisect.bisect_right(kept, offset) - 1
        return offset + (removed[index] if index >= 0 else 0)

    return _SPACE_RUNS.sub("  ", line), shift
