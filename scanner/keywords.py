"""Which of the rules' keywords a file holds, found in one pass over its text.

Every rule asks "does this file hold one of my words?" before it does any work. Answered word by
word, that is one scan of the file per word: about 100 scans of every file. Here Hyperscan (one
compiled automaton over every word, each reported once) answers for all the words in a single
pass at memory speed. Matching is ASCII case-insensitive, which for the rules' ASCII words is
what `word in text.lower()` means. `LineIndex` does the same for a few regular expressions and
reports the lines they match on (the secrets family's candidate lines).

Hyperscan is a dependency on Linux x86-64, where it has wheels. Elsewhere nothing is
precomputed: each word is searched on its own and the lines are found word by word, with the same
answers (tests compare the two paths)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from scanner import patterns_cache

_hyperscan: Any
try:  # an optional accelerator: the answers are the same without it
    import hyperscan as _hyperscan
except ImportError:  # pragma: no cover - exercised through the `accelerated=False` path in tests
    _hyperscan = None


class KeywordIndex:
    """The set of lower-case ASCII `tokens` a text holds, computed in one pass."""

    def __init__(self, tokens: Iterable[str]) -> None:
        self.tokens: frozenset[str] = frozenset(t for t in tokens if t and t.isascii() and t == t.lower())
        self._ordered = sorted(self.tokens)
        self._database: Any = None
        self.accelerated = _hyperscan is not None and bool(self._ordered)

    def __getstate__(self) -> dict[str, Any]:
        # A compiled database does not pickle; a worker compiles its own on first use.
        return {**self.__dict__, "_database": None}

    def _compile(self) -> Any:
        assert _hyperscan is not None
        flags = _hyperscan.HS_FLAG_CASELESS | _hyperscan.HS_FLAG_SINGLEMATCH
        return patterns_cache.block_database([re.escape(t).encode("ascii") for t in self._ordered],
                                             [flags] * len(self._ordered))

    def present(self, text: str) -> frozenset[str]:
        """The tokens `text` holds (ASCII case-insensitive). Only call when `accelerated`."""
        return self.present_bytes(text.encode("utf-8", "surrogateescape"))

    def present_bytes(self, data: bytes) -> frozenset[str]:
        """The tokens UTF-8 `data` holds (ASCII case-insensitive). Only call when `accelerated`."""
        if self._database is None:
            self._database = self._compile()
        found: list[int] = []

        def on_match(token_id: int, start: int, end: int, flags: int, context: object) -> None:
            found.append(token_id)

        self._database.scan(data, match_event_handler=on_match)
        ordered = self._ordered
        return frozenset(ordered[i] for i in found)

    def any_in(self, data: bytes) -> bool:
        """Whether `data` holds any token (the fallback searches the lower-cased bytes): the
        pass stops at the first (a big patch holds dozens of tokens, each a call back)."""
        if self.accelerated:
            if self._database is None:
                self._database = self._compile()
            try:
                self._database.scan(data, match_event_handler=_stop)
            except _hyperscan.ScanTerminated:
                return True
            return False
        lower = data.lower()
        return any(token.encode("ascii") in lower for token in self._ordered)


def _stop(token_id: int, start: int, end: int, flags: int, context: object) -> bool:
    return True  # a match ends the scan (Hyperscan raises ScanTerminated)


class LineIndex:
    """The lines on which each of some regular expressions (bytes, ASCII case-insensitive, never
    spanning a newline) matches, found in one Hyperscan pass. Only call when `accelerated`."""

    def __init__(self, patterns: Sequence[bytes]) -> None:
        self._patterns = list(patterns)
        self._database: Any = None
        self.accelerated = _hyperscan is not None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_database": None}

    def line_starts(self, data: bytes) -> list[set[int]]:
        """Per pattern, the offsets of the starts of the lines where it matches."""
        assert _hyperscan is not None
        if self._database is None:
            self._database = patterns_cache.block_database(
                self._patterns, [_hyperscan.HS_FLAG_CASELESS] * len(self._patterns))
        found: list[set[int]] = [set() for _ in self._patterns]
        # The line of the last report per pattern: a line reported once needs no second look.
        line_ends = [-1] * len(self._patterns)

        def on_match(pattern: int, start: int, end: int, flags: int, context: object) -> None:
            if end <= line_ends[pattern]:
                return
            line_start, line_ends[pattern] = line_around(data, end)
            found[pattern].add(line_start)

        self._database.scan(data, match_event_handler=on_match)
        return found


class PatternPresence:
    """Which of some regular expressions match anywhere in a text: one Hyperscan pass over its
    UTF-8 bytes, else each pattern's `search`. The patterns are ASCII and case-sensitive with
    ASCII-only classes, so bytes and characters answer alike (other characters encode to bytes
    no class holds)."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = tuple(re.compile(pattern) for pattern in patterns)
        self._database: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_database": None}

    def present(self, text: str) -> frozenset[int]:
        """The indexes of the patterns that match somewhere in `text`."""
        if _hyperscan is None:
            return frozenset(i for i, pattern in enumerate(self.patterns) if pattern.search(text))
        if self._database is None:
            self._database = _hyperscan.Database()
            self._database.compile(
                expressions=[pattern.pattern.encode("ascii") for pattern in self.patterns],
                ids=list(range(len(self.patterns))), elements=len(self.patterns),
                flags=[_hyperscan.HS_FLAG_SINGLEMATCH] * len(self.patterns))
        found: set[int] = set()

        def on_match(pattern: int, start: int, end: int, flags: int, context: object) -> None:
            found.add(pattern)

        # `surrogatepass`: any lone surrogate becomes bytes no ASCII class holds.
        self._database.scan(text.encode("utf-8", "surrogatepass"), match_event_handler=on_match)
        return frozenset(found)


def line_around(data: bytes, end: int) -> tuple[int, int]:
    """The start and end offsets of the line holding a match that ends at `end`."""
    line_end = data.find(b"\n", end - 1)
    return data.rfind(b"\n", 0, end - 1) + 1, len(data) if line_end == -1 else line_end


_indexes: dict[frozenset[str], KeywordIndex] = {}


def index_for(tokens: frozenset[str]) -> KeywordIndex:
    """One index per vocabulary per process (compiling costs a few milliseconds)."""
    index = _indexes.get(tokens)
    if index is None:
        index = _indexes[tokens] = KeywordIndex(tokens)
    return index
