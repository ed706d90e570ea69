"""Facts and extractors: what rules decide from, and the declarations the scan plan is derived from.

A fact is a small, picklable, language-neutral record with a span. An extractor turns one
document into facts and says, as data, which files can hold any (its gate)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from scanner.model.document import FileKind

if TYPE_CHECKING:
    from scanner.model.document import Document

Span = tuple[int, int, int, int]  # 1-based line, column, end line, end column (characters)
F = TypeVar("F", bound="Fact")
T = TypeVar("T")


@dataclass(frozen=True)
class Fact:
    """A record an extractor found at `span`; rules decide from facts."""

    span: Span


@dataclass(frozen=True)
class Gate:
    """Which documents an extractor can find anything in, as data.

    A document passes when its kind is in `kinds` (empty: any text file), it holds one of the
    lower-case `words` (empty: no word needed) or its lower-cased path holds one of `path_words`,
    and it holds a word of every group in `requires`. With `vendored` False, other projects'
    code shipped in the tree (`Document.is_vendored`: jQuery, `*.min.js`, `node_modules`, any
    file under `site-packages/`) does not pass: no fact there is the project's own; nor does a
    module that is one big literal (`Document.is_data_module`, a fast path), which holds no code.
    With `bundles` False, neither does minified JavaScript (very long lines), asked only once the
    words let it through.
    With `on_demand`, no document passes in a scan: the extractor's facts matter only in files a
    project rule is led to, and the project index runs it on those. `pattern`, when set, is a
    fast path: a regular expression over the lower-cased text that every document holding a
    fact must match; `text_test`, when set, is one too: a function of the lower-cased text that
    is true for every document holding a fact (what a pattern cannot say, such as the text of a
    call up to its closing bracket). With `code_only`, a match of `pattern` inside a comment
    that fills its line or a docstring (`Document.prose_spans`) does not count: an extractor
    whose facts all come from code never finds one in prose (a framework's docstring showing
    `path("webhook/", view)`). The differential tests run every fixture with and without the
    fast paths and require identical findings."""

    kinds: frozenset[FileKind] = frozenset()
    words: tuple[str, ...] = ()
    path_words: tuple[str, ...] = ()
    requires: tuple[tuple[str, ...], ...] = ()
    pattern: str | None = None
    vendored: bool = True
    bundles: bool = True  # False: minified or generated JavaScript (`Document.is_bundle`) stays out
    # True: the extractor never runs in a scan; the project index runs it on a file when a
    # project rule asks for its facts by name (they are missing from a scanned file, unless an
    # extractor the scan ran gave that file's facts of its kinds, whole).
    on_demand: bool = False
    text_test: Callable[[str], bool] | None = None
    code_only: bool = False
    _compiled: list[AnyOf] = field(default_factory=list, compare=False, repr=False)

    def compiled(self) -> AnyOf | None:
        if self.pattern is None:
            return None
        if not self._compiled:  # compiled once per gate, on first use
            self._compiled.append(AnyOf(self.pattern))
        return self._compiled[0]


class AnyOf:
    """A pattern searched branch by branch: `a|b|c` matches somewhere exactly when one of `a`,
    `b`, `c` does, and Python's `re` tries a long alternation at every position far more slowly
    than each branch on its own (which skips ahead to its literal start)."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        sources = top_level_branches(pattern)
        # Each branch is compiled when first searched: a run that never meets a branch's
        # literal never pays for it (compiling the gates' branches was a fifth of a hook run).
        self.sources = tuple(sources)
        self._branches: list[re.Pattern[str] | None] = [None] * len(sources)
        # The text every match of a branch starts with ("" when unknown): a branch whose
        # literal a file lacks is not searched (see `found_in`).
        self.literals = branch_literals(pattern, sources)

    @property
    def branches(self) -> tuple[re.Pattern[str], ...]:
        """Every branch, compiled."""
        return tuple(self._branch(index) for index in range(len(self.sources)))

    def _branch(self, index: int) -> re.Pattern[str]:
        compiled = self._branches[index]
        if compiled is None:
            compiled = self._branches[index] = re.compile(self.sources[index])
        return compiled

    def search(self, text: str) -> re.Match[str] | None:
        for index in range(len(self.sources)):
            found = self._branch(index).search(text)
            if found is not None:
                return found
        return None

    def found_in(self, text: str, searched: dict[str, bool],
                 lacks: Callable[[str], bool] | None = None,
                 prose: Callable[[], tuple[list[int], list[int]]] | None = None) -> bool:
        """Whether the pattern matches `text`, reusing and filling `searched` (a branch's text ->
        whether it matches this same `text`): gates whose patterns share branches (the webhook
        comparison and presence gates share their signature branches) search each once a file.
        `lacks(literal)`: True only when `text` surely does not hold `literal` (the keyword
        index's one pass says so); a branch starting with such a literal is not searched. Else
        a branch is searched from its literal's first place (`str.find` skips ahead far faster
        than the pattern does; its lookbehinds still see the text before).
        `prose()`: the starts and ends of the text's comments and docstrings, in order (see
        `Gate.code_only`); a match starting in one does not count, and the search goes on after it."""
        for index, (source, literal) in enumerate(zip(self.sources, self.literals, strict=True)):
            key = source if prose is None else f"code:{source}"
            found = searched.get(key)
            if found is None:
                if literal and lacks is not None and lacks(literal):
                    found = False
                else:
                    start = text.find(literal) if literal else 0
                    found = start >= 0 and self._search_code(index, text, start, prose)
                searched[key] = found
            if found:
                return True
        return False

    def _search_code(self, index: int, text: str, start: int,
                     prose: Callable[[], tuple[list[int], list[int]]] | None) -> bool:
        branch = self._branch(index)
        while True:
            match = branch.search(text, start)
            if match is None:
                return False
            if prose is None:
                return True
            starts, ends = prose()
            at = bisect.bisect_right(starts, match.start()) - 1
            if at < 0 or match.start() >= ends[at]:
                return True
            start = ends[at]  # in a comment or docstring: look again after it


# Characters of a pattern's leading literal text, as written (lower-case: gates search lower-cased
# text) and the quantifiers that make the character before them optional or repeated.
_LITERAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")
_QUANTIFIERS = frozenset("?*{")


def branch_literals(pattern: str, branches: list[str] | None = None) -> tuple[str, ...]:
    """The literal each top-level branch of `pattern` starts with ("" when unknown)."""
    sources = top_level_branches(pattern) if branches is None else branches
    # A pattern left whole because splitting it would change it may still hold a top-level bar.
    return tuple(literal_prefix(branch) if len(sources) > 1 or not _unsplittable(pattern) else ""
                 for branch in sources)


def literal_prefix(pattern: str) -> str:
    """The literal text every match of `pattern` starts with (`scopes?(...)` -> `scope`), or ""."""
    end = 0
    while end < len(pattern) and pattern[end] in _LITERAL_CHARS:
        end += 1
    if end < len(pattern) and pattern[end] in _QUANTIFIERS:
        end -= 1  # `s?`, `s*`, `s{0,2}`: the last character may be absent
    return pattern[:max(end, 0)]


# What `top_level_branches` looks at: an escape (two characters), a bracket, a parenthesis, a bar.
_SPECIAL = re.compile(r"\\.|[\[\]()|]", re.DOTALL)


def _unsplittable(pattern: str) -> bool:
    """Splitting at the outermost `|` could change the pattern's meaning: global inline flags,
    back-references, conditionals."""
    return (pattern.startswith("(?") and not pattern.startswith(("(?:", "(?=", "(?!", "(?<", "(?P"))) \
        or re.search(r"\\[1-9]|\(\?P=|\(\?\(", pattern) is not None


def top_level_branches(pattern: str) -> list[str]:
    """The alternatives of `pattern`'s outermost `|`; the whole pattern when splitting could
    change its meaning (global inline flags, back-references, conditionals)."""
    if _unsplittable(pattern):
        return [pattern]
    branches: list[str] = []
    depth, start, skip_to, in_class = 0, 0, 0, False
    for match in _SPECIAL.finditer(pattern):  # only escapes, brackets, parentheses and bars
        index, token = match.start(), match.group()
        if index < skip_to or token[0] == "\\":
            continue
        if in_class:
            in_class = token != "]"
        elif token == "[":
            in_class, skip_to = True, index + 1
            if pattern[skip_to:skip_to + 1] == "^":
                skip_to += 1
            if pattern[skip_to:skip_to + 1] == "]":  # `[]...]`: a `]` first is a member
                skip_to += 1
        elif token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
        elif token == "|" and depth == 0:
            branches.append(pattern[start:index])
            start = index + 1
    branches.append(pattern[start:])
    return branches


class Extractor:
    """Turns a document into facts. Subclasses set `produces` and `gate` and implement
    `extract`; `options_section` names the config section whose options it reads (if any).
    An extractor never depends on which rules are selected: selection cannot change answers."""

    name: ClassVar[str]
    produces: ClassVar[tuple[type[Fact], ...]]
    gate: ClassVar[Gate] = Gate()
    options_section: ClassVar[str | None] = None
    # Its facts on a line follow from that line and its neighbours alone (no parse of the file):
    # history may run it on a commit's added lines without reading the whole blob.
    line_local: ClassVar[bool] = False
    # Its facts are evidence about other facts (API calls that exercise a scope), never reported
    # from themselves: they never make history read a commit's whole blob.
    evidence_only: ClassVar[bool] = False

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        self.options: Mapping[str, Any] = options or {}

    def extract(self, document: Document) -> Iterable[Fact]:
        raise NotImplementedError

    def keyed(self, document: Document) -> Keyed[Any, Any] | None:
        """Its facts of `document` by key, each built when first asked for, for a project rule
        led to the file by name (the project index, when fast paths are on); None: this
        extractor's facts come from `extract` alone."""
        return None


class Keyed(Mapping[str, F], Generic[T, F]):
    """One kind of fact of one file by key, each built the first time it is asked for: a
    project rule led to a module needs few of its facts (the summaries of a handler and of what
    it calls, not of every function). `items` are what the facts are built from, in the order
    `extract` yields their facts, `key` names an item's fact without building it; of two items
    with one key, the later one's fact is the key's (as a dict built from all the facts would
    hold). A fact whose building fails is absent (`extract` loses it too, with those after it)."""

    def __init__(self, kind: type[F], items: Sequence[T], key: Callable[[T], str],
                 build: Callable[[T], F]) -> None:
        self.kind = kind
        self._items = items
        self._build = build
        self._by_key = {key(item): index for index, item in enumerate(items)}
        self._built: dict[int, F | None] = {}

    def _fact(self, index: int) -> F | None:
        if index in self._built:
            return self._built[index]
        try:
            fact: F | None = self._build(self._items[index])
        except Exception:  # a module only consulted; its own scan reports its problems
            fact = None
        self._built[index] = fact
        return fact

    def __getitem__(self, key: str) -> F:
        fact = self._fact(self._by_key[key])
        if fact is None:
            raise KeyError(key)
        return fact

    def __iter__(self) -> Iterator[str]:
        return (key for key, index in self._by_key.items() if self._fact(index) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:
        return bool(self._by_key)  # told without building any (a fact that fails is rare)

    def all(self) -> list[F]:
        """Every fact, in `extract`'s order."""
        return [fact for index in range(len(self._items))
                if (fact := self._fact(index)) is not None]


class FileFacts:
    """The facts of one document, by type. `missing` holds the project fact types that an
    extractor's gate kept out of it (none: complete): a project rule that needs one of them from
    this file (a module an import leads to) must have it loaded."""

    __slots__ = ("_by_type", "_keyed", "missing")

    def __init__(self, *, missing: frozenset[type[Fact]] = frozenset()) -> None:
        self._by_type: dict[type[Fact], list[Fact]] = {}
        # Kinds loaded on demand whose facts are built when asked for (see `Keyed`).
        self._keyed: dict[type[Fact], Keyed[Any, Any]] = {}
        self.missing = missing

    @property
    def complete(self) -> bool:
        return not self.missing

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FileFacts):
            return NotImplemented
        return self.missing == other.missing and self._built() == other._built()

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        counts = ", ".join(f"{kind.__name__}: {len(self.of(kind))}" for kind in self.types())
        return f"FileFacts({counts}{'' if self.complete else ', incomplete'})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (a worker's result, the cache) with every fact built: a `Keyed` holds a parse.
        return _file_facts, (self._built(), self.missing)

    def _built(self) -> dict[type[Fact], list[Fact]]:
        for kind in list(self._keyed):
            self.of(kind)
        return self._by_type

    def add(self, fact: Fact) -> None:
        self._by_type.setdefault(type(fact), []).append(fact)

    def add_keyed(self, keyed: Keyed[Any, Any]) -> None:
        """Facts of `keyed.kind`, built when asked for (`by_key`) or all at once (`of`)."""
        self._keyed[keyed.kind] = keyed

    def of(self, kind: type[F]) -> list[F]:
        keyed = self._keyed.pop(kind, None)
        if keyed is not None:
            self._by_type.setdefault(kind, []).extend(keyed.all())
        return self._by_type.get(kind, [])  # type: ignore[return-value]

    def by_key(self, kind: type[F], key: Callable[[F], str]) -> Mapping[str, F]:
        """The facts of `kind` by `key` (the later of two with one key), built only as they are
        asked for when they were loaded on demand."""
        keyed = self._keyed.get(kind)
        if keyed is not None:
            return keyed
        return {key(fact): fact for fact in self.of(kind)}

    def __bool__(self) -> bool:
        return any(self._by_type.values()) or any(map(bool, self._keyed.values()))

    def types(self) -> Iterable[type[Fact]]:
        return (*self._by_type, *(kind for kind in self._keyed if kind not in self._by_type))

    def merged(self, loaded: FileFacts) -> FileFacts:
        """These facts completed by `loaded` (the same file's facts of some missing types)."""
        merged = FileFacts(missing=self.missing & loaded.missing)
        merged._by_type = {kind: list(found) for kind, found in self._by_type.items()}
        merged._keyed = dict(self._keyed)
        for kind in loaded.types():
            if kind in self.missing or (kind not in merged._by_type and kind not in merged._keyed):
                merged._by_type.pop(kind, None)
                keyed = loaded._keyed.get(kind)
                if keyed is not None:
                    merged._keyed[kind] = keyed
                else:
                    merged._keyed.pop(kind, None)
                    merged._by_type[kind] = list(loaded.of(kind))
        return merged


def _file_facts(by_type: dict[type[Fact], list[Fact]], missing: frozenset[type[Fact]]) -> FileFacts:
    facts = FileFacts(missing=missing)
    facts._by_type = {kind: list(found) for kind, found in by_type.items()}
    return facts
