"""Provider tokens found by their format: every catalogue format with a literal (and every user
rule) runs in the secrets family's one compiled pass; Python decides on a small window per match.

Hyperscan reports where a format's fixed-length head starts (start of match); the format's own
regex then reads at most the token's maximum width from there, never a whole minified line.
Formats with no literal of their own are looked for right after one of their context words
(reported only where one of their heads follows the word, however often a bundle names it)."""

from __future__ import annotations

import base64
import binascii
import functools
import importlib
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from scanner.facts.providers import WORD_CHARS, Catalogue, ProviderFormat, catalogue
from scanner.facts.secrets import syntax, values
from scanner.lazy import compiled_on_use
from scanner.model.document import Document

# The regex parser measures a pattern's widest match (`sre_parse` before Python 3.11).
_sre_parse: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")

_hyperscan: Any
try:  # an optional accelerator: the fallback below gives the same answers
    import hyperscan as _hyperscan
except ImportError:  # pragma: no cover - exercised through `accelerated=False` in tests
    _hyperscan = None

# The longest token a format may match (an unbounded repeat reads no further than this).
MAX_TOKEN = 4_096
# How far after a context word a token of a format without a literal may start (same line).
CONTEXT_REACH = 160
# How far around a token a non-distinctive format's context word may stand.
CONTEXT_AROUND = 300
# What may stand between a context word and the token it names: the rest of a key name, a
# closing quote or bracket, and one operator (`HUBSPOT_API_KEY = "`, `hapikey=`, `<zoom_secret>`);
# not a path or an `@` (`github:org/repo@<commit sha>` names a commit, not a secret).
_NAMES_THE_VALUE = compiled_on_use(r"""[\w.\-]*["'`\]]?[ \t]*(?:=>|:=|[=:,>(]|\|\||\?\?)?[ \t]*["'`]?""")
# Up to this many possible starts are tried one by one (a hit's head or literal fixes them).
_FEW_STARTS = 8
# A file with more reports than this is indexed whole rather than read in windows.
_WINDOWED_HITS = 64
# Characters read on each side of a hit's window (context words, documented samples around it).
_MARGIN = CONTEXT_AROUND + CONTEXT_REACH
_NOT_WORD = f"[^{WORD_CHARS}]"
_WORD = re.compile(f"[{WORD_CHARS}]")
# Words inside a token's random part that mark a documentation placeholder.
_DUMMY_WORDS = ("example", "sample", "dummy", "fake", "placeholder", "changeme", "replace", "your",
                "xxxx", "redacted", "insert", "randomstring", "stringhere", "tokenhere", "keyhere",
                "secrethere", "notreal", "lorem", "foobar", "mock", "test")
_COUNTING = ("01234", "12345", "abcde")
_BASE64_CHARS = re.compile(r"[A-Za-z0-9+/]+")
_ALTERNATING = compiled_on_use(r"(?:[A-Za-z][0-9]|[0-9][A-Za-z]){4,}[A-Za-z0-9]?")
# A variable quantifier: `?`, `*`, `+` or `{n,}` / `{n,m}` with n != m.
_QUANTIFIER = re.compile(r"\?|\*|\+|\{(\d+)(?:,(\d*))?\}")
# The longest repeat a head keeps: with start of match, Hyperscan refuses long ones.
_HEAD_REPEAT = 16
# A token of hex digits in one case, where the format's alphabet has both cases of letters
# beyond `f`, is a digest or a content hash when a random token would be so this rarely.
_HEX_CHANCE = 1e-9
_SINGLE_CASE_HEX = re.compile(r"[0-9a-f]+|[0-9A-F]+")
# The name characters around a context word (`MY_ZOOM_SECRET`, `flamegraphZoomView`).
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_$.-")
_NAME_REACH = 100


@dataclass(frozen=True)
class Token:
    """A token of `format` at text[start:end] (character offsets). An encoded token's span and
    value are the encoded run as written; `encoding` says how it was read through."""

    format: ProviderFormat
    start: int
    end: int
    value: str
    encoding: str = ""


# Runs of each encoding a token may hide in, and how far one is read.
_RUNS = {"base64": re.compile(r"[A-Za-z0-9+/_-]+={0,2}"), "hex": re.compile(r"[0-9A-Fa-f]+"),
         "url": re.compile(r"[^\s\"'`<>]+")}
_RUN_CHARS = {"base64": frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-="),
              "hex": frozenset("0123456789ABCDEFabcdef")}
MAX_ENCODED = 4_096
# The same runs read backwards (on the reversed text before a keyword), at C speed.
_RUNS_BACK = {"base64": re.compile(r"[A-Za-z0-9+/_=-]*"), "hex": re.compile(r"[0-9A-Fa-f]*"),
              "url": re.compile(r"""[^ \t\r\n"'`<>]*""")}


def encoded_forms(word: str) -> Iterator[tuple[str, str]]:
    """(literal, encoding): the parts of `word`'s base64 (at each of the three alignments), hex
    and percent-encoding that every encoding of a text holding it holds."""
    data = word.encode()
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + data).decode()
        first, last = -(-8 * offset // 6), 8 * (offset + len(data)) // 6
        if last - first >= 4:
            yield encoded[first:last], "base64"
    if len(data) >= 4:
        yield data.hex(), "hex"
    quoted = quote(word, safe="")
    if quoted != word:
        yield quoted.lower(), "url"


def decode_run(run: str, encoding: str) -> str | None:
    """One layer of `encoding` taken off `run`, or None when it does not decode."""
    try:
        if encoding == "base64":
            padded = run.rstrip("=") + "=" * (-len(run.rstrip("=")) % 4)
            raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        elif encoding == "hex":
            raw = bytes.fromhex(run[:len(run) // 2 * 2])
        else:
            return unquote(run)
    except (ValueError, binascii.Error):
        return None
    return raw.decode("utf-8", "replace")


def head_pattern(pattern: str) -> str:
    """The pattern cut at its first variable part: a repeat of one atom keeps its minimum count,
    a variable group is dropped with everything after it. Every token of `pattern` starts with a
    match of the head, and a head has few lengths, so Hyperscan reports each token about once."""
    depth, index, atom_start = 0, 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            atom_start, index = index, index + 2
        elif char == "[":
            atom_start = index
            index += 1
            if index < len(pattern) and pattern[index] == "^":
                index += 1
            if index < len(pattern) and pattern[index] == "]":
                index += 1
            while index < len(pattern) and pattern[index] != "]":
                index += 2 if pattern[index] == "\\" else 1
            index += 1
        elif char == "(":
            depth += 1
            index += 1
            if depth == 1:
                group_start = index - 1
        elif char == ")":
            depth -= 1
            index += 1
            if depth == 0:
                atom_start = group_start
        else:
            match = _QUANTIFIER.match(pattern, index)
            if match is None:
                if char not in "|":
                    atom_start = index
                index += 1
                continue
            low = match.group(1)
            high = match.group(2) if "," in match.group() else low
            if depth > 0:
                # A variable part inside a group: the head ends before the group.
                return _head(pattern[:_group_open(pattern, index)])
            atom = pattern[atom_start:index]
            if low is not None and low == high and (int(low) <= _HEAD_REPEAT
                                                    or not _has_literal(pattern[:atom_start])):
                index = match.end()
                continue
            count = int(low) if low is not None else (1 if char == "+" else 0)
            count = min(count, _HEAD_REPEAT)
            if atom.startswith("("):
                return _head(pattern[:atom_start])
            return _head(pattern[:atom_start] + (f"{atom}{{{count}}}" if count else ""))
    return pattern


def _group_open(pattern: str, index: int) -> int:
    """Where the outermost group holding `index` opens."""
    depth, opened = 0, 0
    position = 0
    while position < index:
        char = pattern[position]
        if char == "\\":
            position += 2
            continue
        if char == "[":
            position += 1
            while position < len(pattern) and pattern[position] != "]":
                position += 2 if pattern[position] == "\\" else 1
        elif char == "(":
            if depth == 0:
                opened = position
            depth += 1
        elif char == ")":
            depth -= 1
        position += 1
    return opened


def _head(text: str) -> str:
    return text


def _has_literal(text: str) -> bool:
    """Whether a head so far holds three literal characters in a row (outside classes)."""
    bare = re.sub(r"\[(?:\\.|[^\]])*\](?:\{\d+(?:,\d*)?\})?", "\x00", text).replace("\\", "")
    return re.search(r"[^\x00(){}|?*+]{3}", bare) is not None


def _widths(pattern: str) -> tuple[int, int]:
    low, high = _sre_parse.parse(pattern).getwidth()
    return int(low), int(min(high, MAX_TOKEN))


def max_width(item: ProviderFormat) -> int:
    """The longest token `item` matches, capped at MAX_TOKEN."""
    return min(MAX_TOKEN, int(_sre_parse.parse(item.pattern).getwidth()[1]))


def _anchor(item: ProviderFormat) -> str:
    """The literal the fallback search finds a format by: its longest keyword (every token holds
    all of them); a format without keywords is found by its context words instead."""
    return max(item.keywords, key=len)


def _cased_anchor(item: ProviderFormat) -> str:
    """The anchor as the first positive example writes it."""
    anchor = _anchor(item)
    example = item.examples.positive[0]
    at = example.lower().find(anchor)
    return example[at:at + len(anchor)]


def _chance_literal(literal: str, head: str) -> bool:
    """A literal that encoded data holds by chance: four base64 characters starting the head."""
    return len(literal) == 4 and _BASE64_CHARS.fullmatch(literal) is not None \
        and head.startswith(literal)


def _anchor_offset(item: ProviderFormat) -> int:
    """How far into a token its anchor may stand (from the positive examples)."""
    anchor = _anchor(item)
    return max(token.lower().find(anchor) for token in item.examples.positive)


class FormatSet:
    """Formats ordered most specific first (a span goes to the first format that matches it),
    with the literals and heads the one pass compiles."""

    def __init__(self, formats: Sequence[ProviderFormat], dummies: Catalogue) -> None:
        def order(item: ProviderFormat) -> tuple[int, int]:
            rank = 0 if item.distinctive else 1 if item.keywords else 2
            return rank, -max((len(k) for k in item.keywords), default=0)

        self.formats = tuple(sorted(formats, key=order))
        self.rank = {f.id: index for index, f in enumerate(self.formats)}
        self.dummies = dummies
        self.prefixed = tuple(f for f in self.formats if f.keywords)
        self.contextual = tuple(f for f in self.formats if not f.keywords)
        words: dict[str, list[ProviderFormat]] = {}
        for item in self.contextual:
            for word in item.context_words:
                words.setdefault(word, []).append(item)
        self.context_words = tuple(sorted(words))
        self.by_context_word = {word: tuple(found) for word, found in words.items()}
        anchors: dict[str, list[ProviderFormat]] = {}
        for item in self.prefixed:
            anchors.setdefault(_anchor(item), []).append(item)
        self.by_anchor = {word: tuple(found) for word, found in anchors.items()}
        self.anchor_offsets = {f.id: _anchor_offset(f) for f in self.prefixed}
        # Formats whose head holds no literal of their own (a host name after a variable label)
        # are reported by their anchor instead, and read back up to their width before it.
        self.heads = {f.id: head_pattern(f.pattern) for f in self.prefixed}
        self.by_anchor_only = frozenset(
            f.id for f in self.prefixed
            if _anchor(f) not in self.heads[f.id].replace("\\", "").lower())
        # A keyword of four characters or more is reported as a literal, written as the tokens
        # write it (a literal costs a fraction of a head to compile); shorter ones by their head,
        # and so are four base64 characters that start the head (`EAAA`, `AKIA`): source maps'
        # and base64 runs hold those by chance, thousands of times a file.
        self.by_literal = {f.id: _cased_anchor(f) for f in self.prefixed
                           if f.id not in self.by_anchor_only and len(_anchor(f)) >= 4
                           and not _chance_literal(_cased_anchor(f), self.heads[f.id])}
        self.anchor_widths = {f.id: len(_anchor(f)) for f in self.prefixed}
        # A keyword of one repeated character (Dropbox's `AAAAAAAAAA`) is reported once per run
        # of that character, at its start (base64 of zero bytes holds runs of `A`s a megabyte
        # long), and the whole run is read in one search: linear work, not a report per byte.
        self.runs = {f.id: re.compile(f"(?:{re.escape(_anchor(f)[0])})+", re.IGNORECASE)
                     for f in self.prefixed if f.id in self.by_literal and len(set(_anchor(f))) == 1}
        encoded: dict[tuple[str, str], None] = {}
        for item in self.prefixed:
            anchor = _anchor(item)
            if len(anchor) >= 3:
                # The keyword as tokens write it (keywords are lower-case; base64 is not).
                for found in encoded_forms(_cased_anchor(item)):
                    encoded[found] = None
        self.encoded = tuple(encoded)

    @functools.cached_property
    def widths(self) -> dict[str, int]:
        """Each format's widest match (parsing every pattern costs more than a hook's scan)."""
        return {f.id: max_width(f) for f in self.formats}

    @functools.cached_property
    def head_widths(self) -> dict[str, tuple[int, int]]:
        return {f.id: _widths(self.heads[f.id]) for f in self.prefixed}

    @functools.cached_property
    def gate_words(self) -> tuple[str, ...]:
        """Words a file must hold to have any token: a format's context words when it needs
        them, else its longest keyword."""
        words: set[str] = set()
        for item in self.formats:
            words.update(item.context_words if item.context_words else (_anchor(item),))
        words.update(literal.lower() for literal, _ in self.encoded)
        return tuple(sorted(words))

    def hyperscan_expressions(self) -> list[tuple[bytes, int]]:
        """(expression, flags) per prefixed format's head, then per context word, in that order."""
        assert _hyperscan is not None
        # No start of match: a head's few widths give its start from its end (cheaper to build).
        caseless = _hyperscan.HS_FLAG_CASELESS
        found: list[tuple[bytes, int]] = []
        for item in self.prefixed:
            if item.id in self.by_anchor_only:
                found.append((re.escape(_anchor(item)).encode("ascii"), caseless))
            elif item.id in self.by_literal:
                literal = re.escape(self.by_literal[item.id])
                if item.id in self.runs:
                    literal = f"(?:^|[^{re.escape(self.by_literal[item.id][0])}]){literal}"
                found.append((literal.encode("ascii"), 0))
            else:
                found.append((self.heads[item.id].encode("ascii"), 0))
        found.extend((self.word_expression(word).encode("ascii"), 0) for word in self.context_words)
        # Keywords' base64 forms are case-sensitive; hex and percent-encoding are not.
        found.extend((re.escape(literal).encode("ascii"), 0 if encoding == "base64" else caseless)
                     for literal, encoding in self.encoded)
        return found

    @functools.cached_property
    def word_heads(self) -> dict[str, tuple[str, ...]]:
        """Per context word, the heads of the formats it serves (every token starts with one)."""
        return {word: tuple(dict.fromkeys(head_pattern(f.pattern) for f in found))
                for word, found in self.by_context_word.items()}

    @functools.cached_property
    def word_head_widths(self) -> dict[str, tuple[int, int]]:
        """Per context word, the shortest and the longest of its formats' heads."""
        widths = {word: [_widths(head) for head in heads] for word, heads in self.word_heads.items()}
        return {word: (min(low for low, _ in found), max(high for _, high in found))
                for word, found in widths.items()}

    @functools.cached_property
    def context_gaps(self) -> dict[str, int]:
        """Per context word, how far apart two reports of its expression may end for the
        windows `_context_mentions` reads for them to touch: the window of a report ending at
        E runs from E - longest - CONTEXT_REACH - len(word) to E - shortest - len(word)."""
        return {word: longest - shortest + CONTEXT_REACH + 1
                for word, (shortest, longest) in self.word_head_widths.items()}

    def word_expression(self, word: str) -> str:
        """The compiled pass's expression for a context word: the word (any ASCII case), what
        may name the value after it, then the head of a token the word serves. Only a mention
        a token can follow is reported, at the head's end (`sentry` is in a bundle 180,000
        times, followed by a token almost never); `_context_mentions` finds the word back.
        The gap is `_NAMES_THE_VALUE` on bytes, so it accepts all that `_after_context_word`
        accepts: an ASCII name within the reach (few reports in a long identifier), or one
        with a non-ASCII letter, unbounded (its bytes are not its characters)."""
        cased = "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)
        name = rf"(?:[\w.\-]{{0,{CONTEXT_REACH}}}|[\w.\-\x80-\xff]*[\x80-\xff][\w.\-\x80-\xff]*)"
        rest = r"""["'`\]]?[ \t]*(?:=>|:=|[=:,>(]|\|\||\?\?)?[ \t]*["'`]?"""
        return f"{cased}{name}{rest}(?:{'|'.join(self.word_heads[word])})"

    @functools.cached_property
    def word_finders(self) -> dict[str, re.Pattern[str]]:
        """Each context word in any ASCII case (as the compiled pass matches it)."""
        return {word: re.compile(re.escape(word), re.IGNORECASE | re.ASCII)
                for word in self.context_words}

    @functools.cached_property
    def encoded_search(self) -> re.Pattern[str]:
        """The encoded keywords as one regex (no Hyperscan, and inside decoded text); a match
        is looked up in `encodings_of` by its lower-case text."""
        literals = sorted({literal for literal, _ in self.encoded}, key=len, reverse=True)
        return re.compile("|".join(re.escape(literal) for literal in literals), re.IGNORECASE)

    @functools.cached_property
    def encodings_of(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, dict[str, None]] = {}
        for literal, encoding in self.encoded:
            found.setdefault(literal.lower(), {})[encoding] = None
        return {literal: tuple(encodings) for literal, encodings in found.items()}

    @functools.cached_property
    def fallback(self) -> re.Pattern[str]:
        """One regex of every anchor and context word (the path without Hyperscan), reporting
        each position where one starts (the longest there; `starting_with` gives the others)."""
        words = sorted({*self.by_anchor, *self.context_words}, key=len, reverse=True)
        run_words = {_anchor(f) for f in self.prefixed if f.id in self.runs}
        return re.compile("(?=(" + "|".join(f"(?<!{re.escape(w[0])}){re.escape(w)}" if w in run_words
                                            else re.escape(w) for w in words) + "))", re.IGNORECASE)

    @functools.cached_property
    def starting_with(self) -> dict[str, tuple[str, ...]]:
        """Per word, the words it starts with (itself included): they start where it does."""
        words = {*self.by_anchor, *self.context_words}
        return {w: tuple(v for v in words if w.startswith(v)) for w in words}

    @functools.cached_property
    def run_indexes(self) -> frozenset[int]:
        """The expressions of run keywords, by their index in the compiled pass."""
        return frozenset(index for index, item in enumerate(self.prefixed) if item.id in self.runs)

    def last_anchor(self, text: str, item: ProviderFormat, at: int) -> int:
        """Where the last place `item`'s anchor may stand from text[at] on: `at` itself, or for
        a run keyword reported at its run's start, the run's end less the keyword."""
        run = self.runs.get(item.id)
        if run is None:
            return at
        found = run.match(text, at)
        return at if found is None else max(at, found.end() - self.anchor_widths[item.id])

    def ordered(self, tokens: list[Token]) -> list[Token]:
        """Most specific format first, then by position: the first claim of a span wins."""
        return sorted(tokens, key=lambda t: (self.rank[t.format.id], t.start))

    # -- the decisions, the same on both paths ---------------------------------------------------

    def tokens_at(self, text: str, item: ProviderFormat, low: int, high: int,
                  latest_start: int, reach: dict[int | str, int] | None = None) -> Iterator[Token]:
        """Tokens of `item` starting in text[low:latest_start + 1], read from text[low:high];
        `reach[item.id]` keeps the end of the furthest match read (filters aside)."""
        low, high = max(0, low), min(len(text), high)
        if latest_start - low <= _FEW_STARTS:
            # A few known starts: try each, rather than search a token-wide window for one.
            matches: Iterable[re.Match[str] | None] = (
                item.regex.match(text, start, high) for start in range(low, latest_start + 1))
        else:
            matches = item.regex.finditer(text, low, high)
        for match in matches:
            if match is None:
                continue
            start, end = match.span()
            if reach is not None:
                reach[item.id] = max(reach.get(item.id, -1), end)
            if start > latest_start:
                return
            if item.boundary == "word" and end < len(text) and _WORD.match(text, end):
                continue
            token = match.group()
            if self.is_dummy(item, token, text, start, end):
                continue
            if item.context_words and item.keywords and not self._context_near(item, text, start, end):
                continue
            yield Token(item, start, end, token)

    def _context_near(self, item: ProviderFormat, text: str, start: int, end: int) -> bool:
        around = text[max(0, start - CONTEXT_AROUND):end + CONTEXT_AROUND].lower()
        return any(word in around for word in item.context_words)

    def is_dummy(self, item: ProviderFormat, token: str, text: str, start: int, end: int) -> bool:
        """Below the entropy floor, a documented sample, or made of placeholders, sequences or an
        alternating `1a2b3c4d` run; UUID, word and "secret"-in-the-prefix checks do not apply."""
        if not item.accepts(token) or self.dummies.is_dummy(token):
            return True
        random = item.random_part(token)
        lower = random.lower()
        if (values.has_low_variety(random) or _is_counting(random)
                or any(word in lower for word in _DUMMY_WORDS) or values.is_templated(token)
                or _is_alternating_dummy(random) or _is_hash_shaped(item, random)):
            return True
        if not item.keywords and values.is_word_like(token):
            return True  # a bare shape with no prefix of its own: identifiers are not tokens
        # A part of a longer documented sample (a slice of the jwt.io token).
        near = text[max(0, start - 200):end + 200]
        return any(len(d.value) >= 16 and d.value in near and token in d.value
                   for d in self.dummies.dummies)


def _is_hash_shaped(item: ProviderFormat, random: str) -> bool:
    """Hex digits in one case where the format's alphabet mixes both cases of letters: a commit
    id, a digest or a bundler's content hash, since a random token of that alphabet is so only
    with a chance of (16 / alphabet size) ** length (about 1e-19 for 32 of 62 symbols)."""
    if _SINGLE_CASE_HEX.fullmatch(random) is None:
        return False
    size = _mixed_case_alphabet_size(item.pattern)
    return size > 16 and (16 / size) ** len(random) < _HEX_CHANCE


@functools.cache
def _mixed_case_alphabet_size(pattern: str) -> int:
    """How many characters the pattern's classes accept, when they hold upper- and lower-case
    letters beyond hex (`[A-Za-z0-9]`: 62); 0 for any other alphabet (hex, digits, one case)."""
    chars = _class_chars(_sre_parse.parse(pattern))
    mixed = any(c in chars for c in "GHIJKLMNOPQRSTUVWXYZ") and any(c in chars for c in "ghijklmnopqrstuvwxyz")
    return len(chars) if mixed else 0


def _class_chars(parsed: Any) -> set[str]:
    """The characters that the classes (`[...]`, `\\w`, `.`) of a parsed pattern accept."""
    found: set[str] = set()
    for op, argument in parsed:
        name = _opcode(op)
        if name == "IN":
            for kind, value in argument:
                kind_name = _opcode(kind)
                if kind_name == "LITERAL":
                    found.add(chr(value))
                elif kind_name == "RANGE":
                    found.update(chr(c) for c in range(value[0], value[1] + 1))
                elif kind_name == "CATEGORY":
                    found.update(_CATEGORY_CHARS.get(_opcode(value), ""))
                elif kind_name == "NEGATE":
                    return set(_PRINTABLE)
        elif name == "ANY":
            return set(_PRINTABLE)
        elif name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            found |= _class_chars(argument[2])
        elif name in {"SUBPATTERN", "ATOMIC_GROUP"}:
            found |= _class_chars(argument[-1])
        elif name == "BRANCH":
            for branch in argument[1]:
                found |= _class_chars(branch)
    return found


def _opcode(code: Any) -> str:
    """A parsed pattern's opcode by name (an int subclass that prints as a number before 3.11)."""
    return str(getattr(code, "name", code))


_PRINTABLE = "".join(chr(c) for c in range(33, 127))
_CATEGORY_CHARS = {
    "CATEGORY_DIGIT": "0123456789",
    "CATEGORY_WORD": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_",
}


def _names_provider(text: str, start: int, end: int, limit: int | None = None) -> bool:
    """Whether the mention of a provider's context word at text[start:end] names the provider:
    a word of its own (`ZOOM_SECRET`, `zoomClientSecret`, `box.com`), or glued inside a longer
    word (`flamegraphZoomView`, `multipleCheckbox_`, `zoomed`) in a name that also names a
    credential (`myZoomSecret`); a longer word holding it by chance is weak context. The name
    is read up to `limit` (where the value it may name starts)."""
    before = text[start - 1:start]
    glued_before = before.isascii() and before.isalnum() and text[start].isalnum()
    last, after = text[end - 1], text[end:end + 1]
    glued_after = (last.isalpha() and after.isascii() and after.isalpha()
                   and (after.islower() or last.isupper()))
    if not (glued_before or glued_after):
        return True
    low, high = start, end
    while low > max(0, start - _NAME_REACH) and text[low - 1] in _NAME_CHARS:
        low -= 1
    while high < min(len(text) if limit is None else limit, end + _NAME_REACH) and text[high] in _NAME_CHARS:
        high += 1
    name = text[low:high].lower()
    return any(word in name for word in syntax.KEY_WORDS)


def _is_counting(random: str) -> bool:
    """`12345`, `abcde`, `0123`...: counting from the start of the digits or the alphabet, as
    hand-written dummies do (a random token holds such a run almost never)."""
    lower = random.lower()
    return any(start in lower for start in _COUNTING)


def _is_alternating_dummy(random: str) -> bool:
    """`1a2b3c4d`, `A1B2C3D4`: letters and digits taking turns, each counting up."""
    for run in _ALTERNATING().finditer(random):
        text = run.group()
        letters = "".join(c for c in text if c.isalpha())
        digits = "".join(c for c in text if c.isdigit())
        if values.has_sequence(letters, run=4) and values.has_sequence(digits, run=4):
            return True
    return False


@functools.cache
def shipped() -> FormatSet:
    shipped_catalogue = catalogue()
    return FormatSet(shipped_catalogue.formats, shipped_catalogue)


# -- finding tokens in a document ----------------------------------------------------------------

def from_hits(document: Document, formats: FormatSet, hits: Iterable[tuple[int, int, int]],
              depth: int = 1) -> list[Token]:
    """Tokens from the one pass's reports: (expression index among `hyperscan_expressions`,
    start byte, end byte). A file with non-ASCII text is read in small decoded windows, so no
    hit costs an index of the whole file's lines."""
    data = document.utf8
    reports = sorted({(index, end) for index, _, end in hits}, key=lambda hit: hit[1])
    # A run keyword's report stands for its whole run, which may go past any window.
    runs = formats.run_indexes
    if data.isascii() or len(reports) > _WINDOWED_HITS or any(index in runs for index, _ in reports):
        ends = [end for _, end in reports] if data.isascii() else _char_offsets(data, reports)
        return _read_reports(document.text, formats, reports, ends, depth)
    seen: set[tuple[str, int]] = set()
    found: list[Token] = []
    for index, end in reports:
        low = max(0, end - MAX_TOKEN - _MARGIN)
        window = data[low:end + MAX_TOKEN + _MARGIN].decode("utf-8", "surrogateescape")
        relative_end = len(data[low:end].decode("utf-8", "surrogateescape"))
        tokens = list(_tokens_for_hit(formats, window, index, relative_end, depth, {}))
        if tokens:
            base = document.char_offset(low)
            _add(found, seen, (Token(t.format, base + t.start, base + t.end, t.value, t.encoding)
                               for t in tokens))
    return formats.ordered(found)


def _read_reports(text: str, formats: FormatSet, reports: Sequence[tuple[int, int]],
                  ends: Sequence[int], depth: int) -> list[Token]:
    """The tokens of the reports (sorted by end; `ends` in characters of `text`) read in order."""
    seen: set[tuple[str, int]] = set()
    found: list[Token] = []
    # Per expression, where the last read stopped: a run of hits (a pumped keyword) reads each
    # stretch of text once, and an encoded run is decoded once however many keywords it holds.
    progress: dict[int | str, int] = {}
    context_from = len(formats.prefixed)
    encoded_from = context_from + len(formats.context_words)
    position, count = 0, len(reports)
    while position < count:
        index, end = reports[position][0], ends[position]
        position += 1
        if not context_from <= index < encoded_from:
            _add(found, seen, _tokens_for_hit(formats, text, index, end, depth, progress))
            continue
        # A context word's reports that follow one another in the list and whose windows touch
        # (a chance mention inside a long base64 run is reported at every end a head may have:
        # hundreds of thousands of reports in a bundle's embedded fonts) are read as one
        # window, in the same order: the same mentions, once.
        word = formats.context_words[index - context_from]
        gap = formats.context_gaps[word]
        last = end
        while position < count and reports[position][0] == index and ends[position] - last <= gap:
            last = ends[position]
            position += 1
        _add(found, seen, _context_mentions(text, formats, word, end, progress, last))
    return formats.ordered(found)


@functools.cache
def _token_pass(formats: FormatSet) -> Any:
    """The formats' expressions alone as one compiled database (built once per process, kept
    on disk like the one pass), or None without Hyperscan."""
    if _hyperscan is None:
        return None
    from scanner import patterns_cache

    expressions = formats.hyperscan_expressions()
    return patterns_cache.block_database([e for e, _ in expressions], [f for _, f in expressions])


def search_decoded(text: str, formats: FormatSet, depth: int) -> list[Token]:
    """The tokens in a decoded run: by the formats' compiled pass (the fallback's alternation
    tried at every position cost 0.55 s on sentry's data: URIs), or by the fallback without
    Hyperscan; the same tokens either way, read by the same decisions."""
    database = _token_pass(formats)
    if database is None:
        return search_text(text, formats, depth)
    data = text.encode("utf-8", "surrogateescape")
    hits: set[tuple[int, int]] = set()

    def on_match(index: int, start: int, end: int, flags: int, context: object) -> None:
        hits.add((index, end))

    database.scan(data, match_event_handler=on_match)
    reports = sorted(hits, key=lambda hit: hit[1])
    ends = [end for _, end in reports] if data.isascii() else _char_offsets(data, reports)
    return _read_reports(text, formats, reports, ends, depth)


def _char_offsets(data: bytes, hits: Sequence[tuple[int, int]]) -> list[int]:
    """Character offsets of the hits' byte ends (sorted; each ends an ASCII literal), in one pass."""
    offsets: list[int] = []
    previous = chars = 0
    for _, end in hits:
        chars += len(data[previous:end].decode("utf-8", "surrogateescape"))
        previous = end
        offsets.append(chars)
    return offsets


def _tokens_for_hit(formats: FormatSet, text: str, index: int, end: int, depth: int,
                    progress: dict[int | str, int]) -> Iterator[Token]:
    """The tokens a report of expression `index` ending at `end` (characters of `text`) holds;
    `progress` says how far earlier reports of the same expression read."""
    prefixed = formats.prefixed
    encoded_from = len(prefixed) + len(formats.context_words)
    if index >= encoded_from:
        if depth > 0:
            literal, encoding = formats.encoded[index - encoded_from]
            yield from decoded_tokens(formats, text, end - len(literal), encoding, depth, progress)
        return
    if index >= len(prefixed):
        yield from _context_mentions(text, formats, formats.context_words[index - len(prefixed)],
                                     end, progress)
        return
    item = prefixed[index]
    width = formats.widths[item.id]
    if item.id in formats.by_anchor_only:
        at = end - formats.anchor_widths[item.id]
        yield from formats.tokens_at(text, item, at - min(width, MAX_TOKEN), at + width + 1, at)
        return
    if item.id in formats.by_literal:
        at = end - formats.anchor_widths[item.id]
        offset = formats.anchor_offsets[item.id]
        last = formats.last_anchor(text, item, at)
        low, read = at - offset, progress.get(item.id, -1)
        if low < read:
            if read > last - offset:
                return  # inside a match already read (a keyword repeated in one long run)
            low = read  # the rest of a run
        yield from formats.tokens_at(text, item, low - 1, last - offset + width + 1, last, progress)
        return
    shortest, longest = formats.head_widths[item.id]
    low = end - longest
    if end - shortest < progress.get(item.id, -1):
        return
    yield from formats.tokens_at(text, item, low, low + width + 1, end - shortest, progress)


def _context_mentions(text: str, formats: FormatSet, word: str, end: int,
                      progress: dict[int | str, int], last_end: int | None = None) -> Iterator[Token]:
    """The tokens after the mentions of `word` that a report of its expression (a head of its
    formats ending at `end`) may follow: the mentions ending from the reach before the head to
    its start, each read once (`progress` keeps the last start looked at per word). With
    `last_end`, for the reports ending from `end` to `last_end` whose windows touch (see
    `FormatSet.context_gaps`): what reading each of them in turn reads."""
    shortest, longest = formats.word_head_widths[word]
    key = f"mentions of {word}"
    first = max(0, end - longest - CONTEXT_REACH - len(word), progress.get(key, -1) + 1)
    last = (end if last_end is None else last_end) - shortest - len(word)
    if first > last:
        return
    progress[key] = last
    for mention in formats.word_finders[word].finditer(text, first, last + len(word)):
        yield from _after_context_word(text, formats, word, mention.start(), mention.end())


def _after_context_word(text: str, formats: FormatSet, word: str, start: int,
                        end: int) -> Iterator[Token]:
    # Only the reach is read: on a one-line bundle the line's end may be megabytes away.
    line_end = text.find("\n", end, end + CONTEXT_REACH)
    limit = min(len(text), end + CONTEXT_REACH) if line_end == -1 else line_end
    for item in formats.by_context_word[word]:
        width = formats.widths[item.id]
        for token in formats.tokens_at(text, item, end, limit + width, limit):
            if (_NAMES_THE_VALUE().fullmatch(text, end, token.start)
                    and _names_provider(text, start, end, token.start)):
                yield token


def by_search(document: Document, formats: FormatSet, depth: int = 1) -> list[Token]:
    """The same tokens found without Hyperscan: one regex of literals, then the same windows."""
    return search_text(document.text, formats, depth)


def search_text(text: str, formats: FormatSet, depth: int) -> list[Token]:
    seen: set[tuple[str, int]] = set()
    found: list[Token] = []
    for match in formats.fallback.finditer(text):
        for word in formats.starting_with[match.group(1).lower()]:
            _search_word(text, formats, word, match.start(), found, seen)
    if depth > 0:
        progress: dict[int | str, int] = {}
        for match in formats.encoded_search.finditer(text):
            for encoding in formats.encodings_of[match.group().lower()]:
                _add(found, seen, decoded_tokens(formats, text, match.start(), encoding, depth,
                                                 progress, search_text))
    return formats.ordered(found)


_LONG_RUN = re.compile(r"[A-Za-z0-9+/_-]{32,}={0,2}")


def deep_tokens(text: str, formats: FormatSet, depth: int) -> list[Token]:
    """With a decode depth of 2 or more (opt-in: it reads every long run of the file), tokens
    under nested encodings: each base64 or hex run of 32+ characters is decoded."""
    seen: set[tuple[str, int]] = set()
    found: list[Token] = []
    progress: dict[int | str, int] = {}
    for run in _LONG_RUN.finditer(text):
        encodings = ("hex", "base64") if _RUN_CHARS["hex"].issuperset(run.group()) else ("base64",)
        for encoding in encodings:
            _add(found, seen, decoded_tokens(formats, text, run.start(), encoding, depth, progress))
    return found


def decoded_tokens(formats: FormatSet, text: str, at: int, encoding: str, depth: int,
                   progress: dict[int | str, int] | None = None,
                   search: Callable[[str, FormatSet, int], list[Token]] | None = None) -> Iterator[Token]:
    """Tokens inside the run of `encoding` that holds text[at]: the run, decoded one layer (and
    `depth` - 1 more inside it), searched like any text (by `search`, else `search_decoded`);
    each reported at the encoded run. `progress` holds where the last run of each encoding
    ended (it is decoded once)."""
    if progress is not None and at < progress.get(encoding, -1):
        return
    limit = max(0, at - MAX_ENCODED)
    back = _RUNS_BACK[encoding].match(text[limit:at][::-1])
    low = at - (back.end() if back else 0)
    run = _RUNS[encoding].match(text, low, min(len(text), low + MAX_ENCODED))
    if run is None or run.end() <= at:
        return
    if progress is not None:
        # The whole run is this one read: a run longer than MAX_ENCODED is read once, near
        # its first keyword (a pumped run would otherwise be decoded once per keyword in it).
        whole = _RUNS[encoding].match(text, at)
        progress[encoding] = max(run.end(), whole.end() if whole else 0)
    decoded = decode_run(run.group(), encoding)
    if not decoded or decoded == run.group():
        return
    for token in (search or search_decoded)(decoded, formats, depth - 1):
        yield Token(token.format, run.start(), run.end(), run.group(), encoding)


def _search_word(text: str, formats: FormatSet, word: str, at: int, found: list[Token],
                 seen: set[tuple[str, int]]) -> None:
    for item in formats.by_anchor.get(word, ()):
        width = formats.widths[item.id]
        if item.id in formats.by_anchor_only:
            _add(found, seen, formats.tokens_at(text, item, at - min(width, MAX_TOKEN),
                                                at + width + 1, at))
            continue
        offset = formats.anchor_offsets[item.id]
        last = formats.last_anchor(text, item, at)
        # As the head's leading boundary reports it: at the token or one character before.
        _add(found, seen, formats.tokens_at(text, item, at - offset - 1, last - offset + width + 1,
                                            last))
    if word in formats.by_context_word:
        _add(found, seen, _after_context_word(text, formats, word, at, at + len(word)))


def _add(found: list[Token], seen: set[tuple[str, int]], tokens: Iterable[Token]) -> None:
    for token in tokens:
        key = (token.format.id, token.start)
        if key not in seen:
            seen.add(key)
            found.append(token)


def accelerated() -> bool:
    return _hyperscan is not None
