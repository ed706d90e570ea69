"""Redaction: the only way a secret value may appear in anything we print or write.

A redacted value shows a provider prefix, or 4 characters of a long random value (more under
--redact, never under the floor of `most_shown`), never enough to use or brute-force; short or
weak values and private keys show nothing more, and short or weak ones not even their length."""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from scanner.lazy import compiled_on_use

_SNIPPET_WIDTH = 160
_SURROGATES = compiled_on_use("[\ud800-\udfff]")
# Values shorter than this are never searched for in text (they would match everywhere).
MIN_REDACTED = 4
HIDDEN = "…(redacted)"
# In every redacted form, at every --redact level: a result without it shows no value at all.
REDACTED_MARK = "…("
# Estimated strength (bits) above which brute force is hopeless: the value may be fingerprinted
# with a fast hash, and a long one may show its first characters.
STRONG_BITS = 80
_SHOWN = 4
# Provider prefixes without a separator; any other prefix is letters/digits ending in _ - or .
_BARE_PREFIXES = ("AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "AIza", "eyJ")
_SEPARATED_PREFIX = compiled_on_use(r"(?:[A-Za-z][A-Za-z0-9]{0,7}[_\-.]){1,3}")
_PREFIX_MAX = 12


_CLASSES = ((26, frozenset(string.ascii_lowercase)), (26, frozenset(string.ascii_uppercase)),
            (10, frozenset(string.digits)))


def strength_bits(value: str) -> float:
    """A cautious estimate of how many guesses `value` takes: its length times the smaller of
    the bits of its character classes and its Shannon entropy per character (so repeats and
    short values score low)."""
    if not value:
        return 0.0
    counts = Counter(value)
    chars = counts.keys()
    pool = sum(size for size, members in _CLASSES if not members.isdisjoint(chars))
    pool += 33 if any(not c.isalnum() or not c.isascii() for c in chars) else 0
    pool = max(pool, 10)
    entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return len(value) * min(math.log2(pool), entropy)


def provider_prefix(value: str) -> str:
    """`ghp_`, `sk_live_`, `xoxb-`, `AKIA`, `ya29.` ...: the public part of a provider token,
    shown only when what follows is long and random; "" otherwise."""
    bare = next((p for p in _BARE_PREFIXES if value.startswith(p)), "")
    if bare:
        return bare if len(value) - len(bare) >= 12 else ""
    match = _SEPARATED_PREFIX().match(value)
    prefix = match.group() if match and len(match.group()) <= _PREFIX_MAX else ""
    rest = value[len(prefix):]
    # The prefix of a guessable value (`Summer-2024-x`) is part of the secret: not shown.
    return prefix if prefix and len(rest) >= 16 and strength_bits(rest) >= STRONG_BITS else ""


def redact(value: str, hidden: int | None = None) -> str:
    """`ghp_…(40 chars)` for a provider token, `9f3K…(32 chars)` for a long random value,
    `…(redacted)` for anything short or guessable (no character, no length). `hidden` (0-100,
    --redact) asks for that percent of a long random value hidden instead, never under the floor
    (`most_shown`); None keeps the form above."""
    prefix = provider_prefix(value)
    if prefix:
        shown = len(prefix)
    elif len(value) >= 20 and strength_bits(value[_SHOWN:]) >= STRONG_BITS:
        shown = _SHOWN
    else:
        return HIDDEN
    if hidden is not None:
        wanted = len(value) * (100 - hidden) // 100
        shown = wanted if wanted <= shown else min(wanted, most_shown(value, shown))
    if not shown:
        return HIDDEN
    return f"{value[:shown]}…({len(value)} chars)"


# The floor of --redact: whatever level is asked, at least this share of a value's characters,
# this many characters, and STRONG_BITS of estimated strength stay hidden.
MIN_HIDDEN_SHARE = 25
MIN_HIDDEN_CHARS = 8


def most_shown(value: str, default: int) -> int:
    """How many leading characters of `value` may be shown at most: the rest keeps a quarter of
    the characters, 8 of them and 80 bits (a committed baseline holds a fast hash of a strong
    value: what stays hidden must still defeat brute force). Never less than `default`, what
    the default form shows."""
    keep = max(MIN_HIDDEN_CHARS, -(-len(value) * MIN_HIDDEN_SHARE // 100))
    low, high = default, len(value) - keep
    # The hidden part's strength falls as more is shown: the largest strong enough, by bisection.
    while low < high:
        middle = (low + high + 1) // 2
        if strength_bits(value[middle:]) >= STRONG_BITS:
            low = middle
        else:
            high = middle - 1
    return low if low > default and strength_bits(value[low:]) >= STRONG_BITS else default


# Up to this many values, each is searched for on its own.
_FEW_VALUES = 32


class SecretValues:
    """The secret values seen in one file, and how much of each to show (`hidden`: the --redact
    percent, None for the default form; private key material never shows more than that).
    Which of them occur in a text is found in time linear in the text (an index on each
    value's last characters), whatever the number of values."""

    __slots__ = ("_by_head", "_keys", "_marks", "_order", "_shown", "hidden", "longest")

    def __init__(self, values: Iterable[str] = (), hidden: int | None = None) -> None:
        self.hidden = hidden
        self._keys: set[str] = set()  # printable forms of private key material
        self._order: dict[str, int] = {}  # value -> insertion number
        self._shown: dict[str, int] = {}  # printable form -> first insertion number
        # Printable values by their last characters: a redacted form shows a value's first
        # characters, so text that holds only redacted forms rarely brings up a candidate.
        self._by_head: dict[str, list[str]] = {}
        # id(finding) -> (finding, how many values were known when it was redacted)
        self._marks: dict[int, tuple[object, int]] = {}
        self.longest = 0
        self.update(values)

    def add(self, value: str, *, key: bool = False) -> None:
        """Add a value; `key`: private key material, shown in the default form at any level."""
        if key and len(value) >= MIN_REDACTED:
            self._keys.add(printable(value))
        if value in self._order:
            return
        self._order[value] = len(self._order)
        if len(value) >= MIN_REDACTED:
            shown = printable(value)
            if shown not in self._shown:
                self._shown[shown] = self._order[value]
                self._by_head.setdefault(shown[-MIN_REDACTED:], []).append(shown)
                self.longest = max(self.longest, len(shown))

    def update(self, values: Iterable[str], *, key: bool = False) -> None:
        keys = values._keys if isinstance(values, SecretValues) else ()
        for value in values:
            self.add(value, key=key or printable(value) in keys)

    def extended(self, values: Iterable[str]) -> SecretValues:
        """A copy with `values` added: the same level and private key material."""
        copy = SecretValues(self, hidden=self.hidden)
        copy.update(values)
        return copy

    def hidden_for(self, shown: str) -> int | None:
        """The level to redact a value (in printable form) at: the default form for key material."""
        return None if shown in self._keys else self.hidden

    def __ior__(self, other: Iterable[str]) -> SecretValues:
        self.update(other)
        return self

    def __contains__(self, value: object) -> bool:
        return value in self._order

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __bool__(self) -> bool:
        return bool(self._order)

    def number(self, shown: str) -> int:
        """When a value (in the printable form `occurring_in` returns) was added; -1 if never."""
        return self._shown.get(shown, -1)

    def mark(self, finding: object) -> None:
        """Remember that `finding` was redacted against every value known now."""
        self._marks[id(finding)] = (finding, len(self._order))

    def known_when(self, finding: object) -> int | None:
        """How many values were known when `finding` was redacted (None: not marked)."""
        mark = self._marks.get(id(finding))
        return mark[1] if mark is not None and mark[0] is finding else None

    def occurring_in(self, text: str) -> list[str]:
        """The values (in printable form) that occur in `text` (compared in printable form)."""
        if not self._by_head or len(text) < MIN_REDACTED:
            return []
        if _SURROGATES().search(text):
            text = printable(text)
        if len(self._shown) <= _FEW_VALUES:  # a few searches in C beat a pass in Python
            return [value for value in self._shown if value in text]
        grams = {text[i:i + MIN_REDACTED] for i in range(len(text) - MIN_REDACTED + 1)}
        # Set intersection runs in C over the smaller side.
        return [value for head in self._by_head.keys() & grams
                for value in self._by_head[head] if value in text]


def as_values(secrets: Iterable[str]) -> SecretValues:
    return secrets if isinstance(secrets, SecretValues) else SecretValues(secrets)


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """Replace every private key block and every occurrence of each secret (longest first) with
    its redacted form. Text and secrets are compared in printable form: a parser may report an
    undecodable byte as U+FFFD."""
    if "-----BEGIN" in text:
        text = redact_key_blocks(text)
    values = as_values(secrets)
    wanted = values.occurring_in(text)
    if not wanted:
        return text
    text = printable(text)
    for secret in sorted(wanted, key=len, reverse=True):
        if secret in text:
            text = _replace_token(text, secret, values.hidden_for(secret))
    return text


# A detector may match only part of a credential (a fixed-length prefix of a longer key): the
# whole run of token characters around each occurrence is redacted, never just the match.
_LEFT_TOKEN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_RIGHT_TOKEN = _LEFT_TOKEN | frozenset("+/=.~")
_MAX_EXTEND = 512


def _replace_token(text: str, secret: str, hidden: int | None) -> str:
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
        parts.append(redact(text[start:end], hidden))
        position = end
    parts.append(text[position:])
    return "".join(parts)


# -- private keys ------------------------------------------------------------------------------

# A PEM or PGP private key header; its body runs to the matching footer, written with real
# newlines, `\n` or `\\n` escapes, or none at all (one long base64 run).
_KEY_HEADER = compiled_on_use(r"-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----")
# Where a key cut short (no footer) ends on a line: the string that holds it closes.
_STRING_END = re.compile(r"[\"'`]")
_KEY_LINE = re.compile(r"[A-Za-z0-9+/=]{8,}")
_KEY_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9-]*: ")
_KEY_LINE_JUNK = " \t\"'`,;+()[]{}"
_KEY_MAX_LINES = 400
# How far back a snippet window looks for the header of a key block it starts inside.
_KEY_REACH = 64 * 1024
KEY_BODY = "…(redacted)…"


def redact_key_blocks(text: str) -> str:
    """Every private key block in `text` keeps its header and footer; all between them (or, cut
    short, up to the end of the string holding it) becomes `…(redacted)…`."""
    parts: list[str] = []
    position = 0
    for header in _KEY_HEADER().finditer(text):
        if header.start() < position:
            continue  # inside a block already redacted
        footer = f"-----END {header.group(1)}-----"
        end = text.find(footer, header.end())
        if end == -1:
            closing = _STRING_END.search(text, header.end())
            end = closing.start() if closing else len(text)
            footer = ""
        if not text[header.end():end].strip(" \t\r\n\\n"):
            continue  # a bare header (code that looks for keys): nothing to hide
        parts.append(text[position:header.end()])
        parts.append(KEY_BODY + footer)
        position = end + len(footer)
    parts.append(text[position:])
    return "".join(parts)


def key_body_lines(lines: Sequence[str], header_index: int) -> list[str]:
    """The key material on the lines after a private key header written with real newlines
    (PEM in a file, a triple-quoted string, a YAML block, string pieces joined across lines):
    each line's base64 run, so that a snippet of any of those lines is redacted too."""
    body: list[str] = []
    for text in lines[header_index + 1:header_index + 1 + _KEY_MAX_LINES]:
        if "-----END" in text:
            break
        piece = text.replace("\\\\n", "").replace("\\n", "").strip(_KEY_LINE_JUNK)
        if not piece or _KEY_FIELD.match(piece):
            continue  # a blank line or an encrypted PEM's header field
        run = _KEY_LINE.fullmatch(piece)
        if run is None:
            break
        body.append(piece)
    return body


def has_key_header(text: str) -> bool:
    return "-----BEGIN" in text and _KEY_HEADER().search(text) is not None


def printable(text: str) -> str:
    """Text safe to print: lone surrogates from undecodable bytes become U+FFFD."""
    return _SURROGATES().sub("\ufffd", text)


_CONTROL = compiled_on_use("[\x00-\x1f\x7f-\x9f]")


def one_line(text: str) -> str:
    """Printable text on one line for a terminal: control characters (newlines, escape
    sequences from hostile file names or contents) become visible `\\xNN` escapes."""
    return _CONTROL().sub(lambda m: f"\\x{ord(m.group()):02x}", printable(text))


def snippet_window(line_text: str, column: int, longest: int) -> tuple[str, int, bool, bool]:
    """The part of a line a snippet is made from: the whole line, or for a long one a window
    around `column` with a margin that holds whole any secret (and token run) reaching into it,
    reaching back to the header of a private key block it starts in.
    Returns (text, column in it, cut before, cut after)."""
    text = line_text.rstrip("\r\n")
    margin = _SNIPPET_WIDTH + _MAX_EXTEND + longest
    if len(text) <= 4 * margin:
        return text, column, False, False
    low, high = max(0, column - 1 - margin), column - 1 + margin
    header = text.rfind("-----BEGIN", max(0, low - _KEY_REACH), low)
    if header != -1:
        match = _KEY_HEADER().match(text, header)
        if match and text.find(f"-----END {match.group(1)}-----", header, low) == -1:
            low = header
    return text[low:high], column - low, low > 0, high < len(text)


def snippet(line_text: str, column: int, secrets: Iterable[str]) -> str:
    """The finding's line, stripped, redacted, and cut to a window around `column` (1-based)."""
    values = as_values(secrets)
    # A minified line can be megabytes long and hold thousands of findings: redact only around
    # the window.
    text, column, cut_before, cut_after = snippet_window(line_text, column, values.longest)
    text = redact_text(text, values)
    stripped = text.strip()
    if len(stripped) <= _SNIPPET_WIDTH:
        return printable(stripped)
    start = max(0, min(column - 1 - _SNIPPET_WIDTH // 4, len(text) - _SNIPPET_WIDTH))
    window = text[start : start + _SNIPPET_WIDTH].strip()
    prefix = "…" if start > 0 or cut_before else ""
    suffix = "…" if start + _SNIPPET_WIDTH < len(text) or cut_after else ""
    return printable(prefix + window + suffix)
