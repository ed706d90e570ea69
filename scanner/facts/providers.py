"""The provider catalogue: every known token format (pattern, kind, keywords, where to revoke it)
read from `scanner/data/providers/*.toml`, validated against its own examples, as frozen records.

`catalogue()` loads and checks the shipped files once; `load_catalogue(directory)` does the same
for any directory and raises `CatalogueError` naming the file and the format id of a bad entry."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.abc import Traversable

# The shipped files, found beside the package as the scope catalogs are (importlib.resources and
# the modules it imports cost the hook's start-up about 1% for this one path).
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "providers"
KINDS = frozenset({"client-secret", "access-token", "refresh-token", "api-key", "webhook-signing-secret",
                   "private-key", "password", "other-credential"})
BOUNDARIES = frozenset({"word", "base64", "none"})
# What may not come right before a token whose boundary is "base64" (a key written in base64's
# alphabet): inside a longer base64 run (an embedded font, an image) it is no key.
BASE64_CHARS = "A-Za-z0-9+/"
# What may not touch a token whose boundary is "word", on either side.
WORD_CHARS = "A-Za-z0-9_-"
_WORD = re.compile(f"[{WORD_CHARS}]")
_REQUIRED = ("id", "provider", "kind", "pattern", "boundary", "keywords", "entropy", "revoke", "docs",
             "distinctive", "examples")
_OPTIONAL = ("context_words", "note")
_KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DUMMIES_FILE = "dummies.toml"
# The shipped TOML files parsed, with their digest: JSON reads in a fiftieth of TOML's time.
_BUILT_FILE = "catalogue.json"
_BUILT_FORMAT = "1"
# A dummy this long is also dropped when it is only part of a match (a connection string, a URL).
_DUMMY_INSIDE = 16


class CatalogueError(ValueError):
    """A catalogue file or entry is malformed; the message names the file and the format id."""


@dataclass(frozen=True)
class Examples:
    """A format's own test cases: tokens it must match and texts it must not."""

    positive: tuple[str, ...]  # synthetic tokens of the format: each must match whole
    negative: tuple[str, ...]  # texts a naive pattern would flag: none may yield a match


@dataclass(frozen=True)
class ProviderFormat:
    """One token format of one provider."""

    id: str
    provider: str
    kind: str
    pattern: str  # the token itself, portable to Python `re` and Hyperscan (no boundaries inside)
    boundary: str  # "word": no [A-Za-z0-9_-] right before or after the token; "base64": no
    # [A-Za-z0-9+/] right before it (its own alphabet runs on after it); "none"
    keywords: tuple[str, ...]  # lower-case literals every token holds (ASCII case-insensitive)
    context_words: tuple[str, ...]  # for formats without a distinctive prefix: one must be near
    entropy: float  # minimum Shannon entropy (bits per character) of the token less its keywords
    revoke: str
    docs: str
    distinctive: bool  # the prefix alone makes a match near-certain
    examples: Examples
    source: str  # the catalogue file it came from
    note: str = ""

    @functools.cached_property
    def regex(self) -> re.Pattern[str]:
        """The token with its start boundary, compiled on first use (a run's files match few
        formats, and compiling all of them was a third of the hook's start-up). The end boundary
        is checked on the (greedy) match instead of by a lookahead: a token followed by a word
        character is part of a longer identifier, and backtracking to a shorter match would both
        change that answer and cost quadratic time on long runs."""
        body = f"(?:{self.pattern})"
        if self.boundary == "word":
            body = f"(?<![{WORD_CHARS}]){body}"
        elif self.boundary == "base64":
            body = f"(?<![{BASE64_CHARS}]){body}"
        return re.compile(body)

    def random_part(self, token: str) -> str:
        """The token without its keywords: what the entropy floor is measured on."""
        rest = token
        for keyword in self.keywords:
            at = rest.lower().find(keyword)
            if at >= 0:
                rest = rest[:at] + rest[at + len(keyword):]
        return rest

    def accepts(self, token: str) -> bool:
        """Whether `token` is, as a whole, a token of this format (pattern and entropy floor)."""
        return self.regex.fullmatch(token) is not None and self._random_enough(token)

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of every token of this format in `text` (boundary and entropy applied)."""
        for match in self.regex.finditer(text):
            end = match.end()
            if self.boundary == "word" and end < len(text) and _WORD.match(text, end):
                continue
            if self._random_enough(match.group()):
                yield match.span()

    def _random_enough(self, token: str) -> bool:
        return shannon_entropy(self.random_part(token)) >= self.entropy


@dataclass(frozen=True)
class Dummy:
    """A well-known sample value (RFC examples, vendors' documented keys): never a finding."""

    value: str
    source: str
    note: str


@dataclass(frozen=True)
class Catalogue:
    """The shipped provider formats and the known dummy values."""

    formats: tuple[ProviderFormat, ...]
    dummies: tuple[Dummy, ...]

    @property
    def providers(self) -> frozenset[str]:
        return frozenset(f.provider for f in self.formats)

    def by_id(self, format_id: str) -> ProviderFormat:
        for item in self.formats:
            if item.id == format_id:
                return item
        raise KeyError(format_id)

    def is_dummy(self, token: str) -> bool:
        """Whether `token` is a documented sample value, or holds a long one."""
        return any(token == d.value or (len(d.value) >= _DUMMY_INSIDE and d.value in token)
                   for d in self.dummies)

    def find(self, text: str, item: ProviderFormat) -> Iterator[tuple[int, int]]:
        """Spans of `item`'s tokens in `text`, well-known dummies left out: a match that is a
        dummy, holds one, or lies inside one written in `text` (a part of the jwt.io sample)."""
        inside: list[tuple[int, int]] | None = None
        for start, end in item.spans(text):
            if self.is_dummy(text[start:end]):
                continue
            if inside is None:
                inside = [(m.start(), m.end()) for d in self.dummies
                          for m in re.finditer(re.escape(d.value), text)]
            if not any(left <= start and end <= right for left, right in inside):
                yield start, end


def shannon_entropy(text: str) -> float:
    """Shannon entropy of `text` in bits per character (0 for an empty text)."""
    if not text:
        return 0.0
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in Counter(text).values())


@functools.cache
def catalogue() -> Catalogue:
    """The shipped catalogue, loaded once per process: from `catalogue.json` (the TOML files
    parsed, written by `rebuild_shipped()`) when it was made from the TOML files
    as they are, else from the TOML files. Its patterns are compiled and its examples run against
    them by the test suite (`load_catalogue`), not at each start-up."""
    directory = DATA_DIR
    sources = _sources(directory)
    try:
        built = json.loads((directory / _BUILT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        built = None
    if isinstance(built, dict) and built.get("sources") == _digest(sources):
        return _build(built["files"], self_check=False)
    return _build({f.name: _read(f) for f in sources}, self_check=False)


def load_catalogue(directory: Traversable | Path, *, self_check: bool = True) -> Catalogue:
    """Every `*.toml` of `directory` (and its `dummies.toml`), validated; raises CatalogueError.
    `self_check` also compiles every pattern and runs every format's examples against it."""
    return _build({f.name: _read(f) for f in _sources(directory)}, self_check=self_check)


def write_built(directory: Traversable | Path, target: Path) -> None:
    """Write `catalogue.json` for `directory`: its TOML files parsed and checked, with their digest."""
    sources = _sources(directory)
    files = {f.name: _read(f) for f in sources}
    _build(files, self_check=True)
    target.write_text(json.dumps({"sources": _digest(sources), "files": files}, sort_keys=True,
                                 separators=(",", ":")) + "\n", encoding="utf-8")


def _sources(directory: Traversable | Path) -> list[Traversable | Path]:
    return sorted((f for f in directory.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)


def _digest(sources: Sequence[Traversable | Path]) -> str:
    digest = hashlib.sha256(_BUILT_FORMAT.encode())
    for file in sources:
        data = file.read_bytes()
        digest.update(f"{file.name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _build(files: Mapping[str, Any], *, self_check: bool) -> Catalogue:
    """The catalogue from each file's parsed TOML, by file name (in name order)."""
    names = sorted(files)
    dummy_data = files.get(_DUMMIES_FILE)
    dummies = tuple(_dummies(dummy_data, _DUMMIES_FILE)) if dummy_data is not None else ()
    formats: list[ProviderFormat] = []
    seen: dict[str, str] = {}
    for name in names:
        if name == _DUMMIES_FILE:
            continue
        data = files[name]
        unknown = sorted(set(data) - {"format"})
        if unknown or not isinstance(data.get("format"), list):
            raise CatalogueError(f"{name}: expected only [[format]] tables, found {unknown or 'none'}")
        for entry in data["format"]:
            item = _format(entry, name, self_check)
            if item.id in seen:
                raise CatalogueError(f"{name}: format {item.id!r}: duplicate id (also in {seen[item.id]})")
            seen[item.id] = name
            formats.append(item)
    result = Catalogue(tuple(formats), dummies)
    for item in result.formats if self_check else ():
        _check_examples(result, item)
    return result


def _read(file: Traversable | Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib
    try:
        data: dict[str, Any] = tomllib.loads(file.read_text(encoding="utf-8"))
        return data
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{file.name}: not valid TOML: {exc}") from None


def _dummies(data: Mapping[str, Any], file: str) -> Iterator[Dummy]:
    for entry in data.get("dummy", []):
        value, source = entry.get("value"), entry.get("source")
        if not (isinstance(value, str) and value and isinstance(source, str) and source.startswith("https://")):
            raise CatalogueError(f"{file}: dummy {value!r}: needs a value and an https source")
        yield Dummy(value, source, str(entry.get("note", "")))


def _format(entry: Mapping[str, Any], file: str, self_check: bool) -> ProviderFormat:
    ident = entry.get("id")

    def fail(problem: str) -> CatalogueError:
        return CatalogueError(f"{file}: format {ident!r}: {problem}")

    missing = [key for key in _REQUIRED if key not in entry]
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if missing or unknown:
        raise fail(f"missing {missing}" if missing else f"unknown keys {unknown}")
    if not isinstance(ident, str) or not _KEBAB.fullmatch(ident):
        raise fail("id must be kebab-case")
    texts = {key: entry[key] for key in ("provider", "kind", "pattern", "boundary", "revoke", "docs")}
    if not all(isinstance(value, str) and value for value in texts.values()):
        raise fail("provider, kind, pattern, boundary, revoke and docs must be non-empty strings")
    if entry["kind"] not in KINDS:
        raise fail(f"unknown kind {entry['kind']!r} (one of {', '.join(sorted(KINDS))})")
    if entry["boundary"] not in BOUNDARIES:
        raise fail(f"unknown boundary {entry['boundary']!r} (word, base64 or none)")
    for key in ("revoke", "docs"):
        if not entry[key].startswith("https://"):
            raise fail(f"{key} must be an https URL")
    keywords = _words(entry["keywords"], "keywords", fail)
    context = _words(entry.get("context_words", []), "context_words", fail)
    if not keywords and not context:
        raise fail("a format without keywords needs context_words")
    if not isinstance(entry["distinctive"], bool) or (entry["distinctive"] and not keywords):
        raise fail("distinctive must be a boolean, and true only with keywords")
    entropy = entry["entropy"]
    if isinstance(entropy, bool) or not isinstance(entropy, (int, float)) or not 0 <= entropy <= 8:
        raise fail("entropy must be a number of bits per character, 0 to 8")
    if self_check:
        try:
            re.compile(entry["pattern"])
        except re.error as exc:
            raise fail(f"pattern does not compile: {exc}") from None
    examples = entry["examples"]
    if not isinstance(examples, Mapping) or set(examples) != {"positive", "negative"}:
        raise fail("examples must hold exactly positive and negative lists")
    positive = _strings(examples["positive"], "examples.positive", fail)
    negative = _strings(examples["negative"], "examples.negative", fail)
    if len(positive) < 2 or len(negative) < 2:
        raise fail("needs at least 2 positive and 2 negative examples")
    return ProviderFormat(
        id=ident, provider=entry["provider"], kind=entry["kind"], pattern=entry["pattern"],
        boundary=entry["boundary"], keywords=keywords, context_words=context, entropy=float(entropy),
        revoke=entry["revoke"], docs=entry["docs"], distinctive=entry["distinctive"],
        examples=Examples(positive, negative), source=file, note=str(entry.get("note", "")))


def _words(value: Any, key: str, fail: Any) -> tuple[str, ...]:
    words = _strings(value, key, fail)
    if any(not w or w != w.lower() or not w.isascii() for w in words):
        raise fail(f"{key} must be non-empty lower-case ASCII strings")
    return words


def _strings(value: Any, key: str, fail: Any) -> tuple[str, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise fail(f"{key} must be a list of strings")
    return tuple(value)


def _check_examples(result: Catalogue, item: ProviderFormat) -> None:
    def fail(problem: str) -> CatalogueError:
        return CatalogueError(f"{item.source}: format {item.id!r}: {problem}")

    for token in item.examples.positive:
        if item.regex.fullmatch(token) is None:
            raise fail(f"positive example {_shown(token)} does not match the pattern")
        absent = [k for k in item.keywords if k not in token.lower()]
        if absent:
            raise fail(f"positive example {_shown(token)} lacks keywords {absent}")
        if not item.accepts(token):
            raise fail(f"positive example {_shown(token)} is below the entropy floor {item.entropy}")
        if result.is_dummy(token):
            raise fail(f"positive example {_shown(token)} is a listed dummy")
    for text in item.examples.negative:
        if any(result.find(text, item)):
            raise fail(f"negative example {_shown(text)} yields a match")


def _shown(text: str) -> str:
    # Examples are synthetic, but a message stays short and never repeats a whole token.
    return repr(text[:12] + "…") if len(text) > 12 else repr(text)



def rebuild_shipped() -> Path:
    """Rewrite the shipped `catalogue.json` from the shipped TOML files (after editing them:
    `python -c "from scanner.facts.providers import rebuild_shipped; rebuild_shipped()"`)."""
    directory = Path(__file__).resolve().parent.parent / "data" / "providers"
    write_built(directory, directory / _BUILT_FILE)
    return directory / _BUILT_FILE
