"""The scan plan, derived in one place from the rules' and extractors' declarations: which
extractors run, on which documents, and which words the one-pass keyword index looks for.

`scan`, `diff`, `hook` and `history` all use it; nothing else decides what reaches an extractor."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from scanner.facts.base import Extractor, Fact
from scanner.keywords import KeywordIndex, index_for
from scanner.model.document import MemoKey
from scanner.rules.base import ProjectRule, Rule

if TYPE_CHECKING:
    from scanner.model.document import Document

# Words the engine itself looks for: inline suppression directives.
DIRECTIVE_WORDS = ("secret-hygiene", "pragma")
# Per document: which gate pattern branches matched its lower-cased text (a branch shared by two
# gates is searched once).
_GATE_BRANCHES = MemoKey[dict[str, bool]]("gate pattern branches")


def _no_branch_searched(document: Document) -> dict[str, bool]:
    return {}


# Per document: whether it holds a character outside ASCII that lower-cases into ASCII.
_LOWERS_INTO_ASCII = MemoKey[bool]("lowers into ASCII")


def _lowers_into_ascii(document: Document) -> bool:
    text = document.text
    return not text.isascii() and ("\u212a" in text or "\u0130" in text)


@dataclass(frozen=True)
class Planned:
    """An extractor with the file contexts where at least one of its consumers reports, and its
    gate's word groups as sets (answered by set operations on the index's one pass)."""

    extractor: Extractor
    contexts: frozenset[str]
    words: frozenset[str] = frozenset()
    requires: tuple[frozenset[str], ...] = ()
    no_path_words: bool = True  # its gate lets no file in by its path alone

    @classmethod
    def of(cls, extractor: Extractor, contexts: frozenset[str]) -> Planned:
        gate = extractor.gate
        return cls(extractor, contexts, frozenset(gate.words),
                   tuple(frozenset(group) for group in gate.requires), not gate.path_words)


@dataclass(frozen=True)
class Plan:
    rules: tuple[Rule, ...]
    extractors: tuple[Planned, ...]
    index: KeywordIndex
    project_facts: frozenset[type[Fact]]  # fact types that project rules gather across files
    fast_paths: bool = True
    by_sets: bool = False  # every gate word is a word of `index` (and Hyperscan is there)
    # file kind -> the extractors whose gate takes that kind (filled on first use).
    _by_kind: dict[object, tuple[Planned, ...]] = field(default_factory=dict, compare=False,
                                                        repr=False)
    _missing: dict[tuple[object, frozenset[Planned]], frozenset[type[Fact]]] = field(
        default_factory=dict, compare=False, repr=False)

    @cached_property
    def file_rules(self) -> tuple[Rule, ...]:
        """The rules that judge one file at a time, in order."""
        return tuple(rule for rule in self.rules if not isinstance(rule, ProjectRule))

    @cached_property
    def rules_needing_nothing(self) -> tuple[Rule, ...]:
        """The file rules that run on a file whatever facts it holds (most need some)."""
        return tuple(rule for rule in self.file_rules if not rule.needs)

    def missing_kinds(self, kind: object, admitted: frozenset[Planned]) -> frozenset[type[Fact]]:
        """The project fact types a document of this kind lacks when only `admitted` ran on it
        (remembered per kind and admitted set: most files share a few)."""
        key = (kind, admitted)
        found = self._missing.get(key)
        if found is None:
            found = self._missing[key] = frozenset(
                fact for planned in self.for_kind(kind) if planned not in admitted
                for fact in planned.extractor.produces if fact in self.project_facts)
        return found

    @cached_property
    def on_demand_facts(self) -> frozenset[type[Fact]]:
        """The fact types of the extractors that run only when a project rule asks."""
        return frozenset(kind for planned in self.extractors if planned.extractor.gate.on_demand
                         for kind in planned.extractor.produces)

    def for_kind(self, kind: object) -> tuple[Planned, ...]:
        """The extractors that may admit a document of this kind (the others never do)."""
        found = self._by_kind.get(kind)
        if found is None:
            found = self._by_kind[kind] = tuple(
                planned for planned in self.extractors
                if not planned.extractor.gate.kinds or kind in planned.extractor.gate.kinds)
        return found

    def admits(self, planned: Planned, document: Document) -> bool:
        """Whether `planned`'s gate lets `document` through (the only gate there is)."""
        gate = planned.extractor.gate
        if gate.on_demand or document.context not in planned.contexts:
            return False
        if document.sparse and not planned.extractor.line_local:
            return False
        if gate.kinds and document.kind not in gate.kinds:
            return False
        if not gate.vendored and document.is_vendored:
            return False
        if self.by_sets and document.keyword_index is self.index:
            # Every gate word is a word of the plan's index: its one pass answers them all.
            present = document.keywords_present()
            if planned.words and present.isdisjoint(planned.words):
                lowered = document.path.lower()
                if not any(word in lowered for word in gate.path_words):
                    return False
            if any(present.isdisjoint(group) for group in planned.requires):
                return False
        else:
            if gate.words and not document.has_any(gate.words):
                lowered = document.path.lower()
                if not any(word in lowered for word in gate.path_words):
                    return False
            if not all(document.has_any(group) for group in gate.requires):
                return False
        if self.fast_paths:
            if not gate.bundles and document.is_bundle:
                return False
            if not gate.vendored and document.is_data_module:
                return False  # one big literal, told from its lines (once its words are in)
            pattern = gate.compiled()
            if pattern is not None and not pattern.found_in(
                    document.lower, document.memo(_GATE_BRANCHES, _no_branch_searched),
                    self._lacks(document), document.prose_spans if gate.code_only else None):
                return False
            if gate.text_test is not None and not gate.text_test(document.lower):
                return False
        return True

    def _lacks(self, document: Document) -> Callable[[str], bool] | None:
        """What the keyword index's one pass says a document's lower-cased text lacks: a word of
        the index it did not find. Its pass is ASCII case-insensitive over the bytes, and only
        U+212A (to `k`) and U+0130 (to `i` and a dot) lower-case into ASCII from elsewhere: a
        word with `k` or `i` is lacking surely only when the text holds neither."""
        if not (self.by_sets and document.keyword_index is self.index):
            return None
        present = document.keywords_present()
        tokens = self.index.tokens

        def lacks(word: str) -> bool:
            if word not in tokens or word in present:
                return False
            return ("k" not in word and "i" not in word) or not document.memo(
                _LOWERS_INTO_ASCII, _lowers_into_ascii)

        return lacks

    def needs_whole(self, document: Document) -> bool:
        """Whether a sparse document (a commit's added lines) must be read whole: the added lines
        let in an analysis that parses the file (one gathering evidence only never does)."""
        from scanner.model.document import FileKind

        if document.kind is FileKind.NOTEBOOK:  # its cells are found in its JSON structure
            return True
        if self.index.accelerated and document.keyword_index is None:
            document.keyword_index = self.index
        # Most gates turn the added lines away for want of a word: told by one set operation
        # each, as in `extract` (`admits` answers the same, after its other checks).
        present = document.keywords_present() if self.by_sets and \
            document.keyword_index is self.index else None

        def admits(planned: Planned) -> bool:
            if present is not None and planned.words and planned.no_path_words \
                    and present.isdisjoint(planned.words):
                return False
            return self.admits(planned, document)

        document.sparse = False
        try:
            # Whether code ships to the browser may be told by its text only (SH105's kinds).
            candidates = self.for_kind(document.kind)
            if document.frontend_by_path is None and any(
                    admits(planned) for planned in candidates if planned.extractor.line_local):
                return True
            return any(admits(planned) for planned in candidates
                       if not planned.extractor.line_local and not planned.extractor.evidence_only)
        finally:
            document.sparse = True

    def prefilter(self) -> HistoryPrefilter | None:
        """What a history blob's added lines or its path must hold to be scanned at all, or None
        when some extractor admits files without a word, or some rule runs without facts (then
        every blob is scanned)."""
        words: set[str] = set()
        path_words: set[str] = set()
        for planned in self.extractors:
            gate = planned.extractor.gate
            if gate.on_demand:
                continue  # never run on a blob
            if not gate.words:
                return None
            words.update(gate.words)
            path_words.update(gate.path_words)
        if self.rules_needing_nothing:
            return None
        return HistoryPrefilter(tuple(sorted(words)), tuple(sorted(path_words)))


class HistoryPrefilter(NamedTuple):
    """A history blob is scanned only when its added lines hold one of `words` or its lower-cased
    path one of `path_words` (the gates' own, all of them): no extractor admits any other."""

    words: tuple[str, ...]
    path_words: tuple[str, ...]


def extractor_classes() -> Mapping[type[Fact], type[Extractor]]:
    """Which extractor produces each fact type (every family's extractors)."""
    from scanner.facts import EXTRACTORS

    producers: dict[type[Fact], type[Extractor]] = {}
    for extractor in EXTRACTORS:
        for fact in extractor.produces:
            producers[fact] = extractor
    return producers


def build_plan(rules: Sequence[Rule], options: Mapping[str, Mapping[str, Any]], *,
               fast_paths: bool = True) -> Plan:
    """The plan for these rules: the extractors producing what they need (each once), and each
    extractor's contexts (the union of its consumers')."""
    producers = extractor_classes()
    contexts: dict[type[Extractor], set[str]] = {}
    for rule in rules:
        for fact in rule.needs:
            producer = producers.get(fact)
            if producer is None:
                raise LookupError(f"rule {rule.id} needs {fact.__name__}, which no extractor produces")
            contexts.setdefault(producer, set()).update(rule.contexts)
    extractors = tuple(
        Planned.of(cls(options.get(cls.options_section, {}) if cls.options_section else {}),
                   frozenset(contexts[cls]))
        for cls in sorted(contexts, key=lambda c: c.name))
    words = {word for planned in extractors for word in planned.extractor.gate.words}
    words.update(word for planned in extractors for group in planned.extractor.gate.requires
                 for word in group)
    index = index_for(frozenset(words | set(DIRECTIVE_WORDS)))
    # Gates answered by set operations on the index's one pass: when it holds every gate word.
    by_sets = index.accelerated and all(word in index.tokens for word in words)
    project_facts = frozenset(fact for rule in rules if isinstance(rule, ProjectRule)
                              for fact in rule.needs)
    return Plan(tuple(rules), extractors, index, project_facts, fast_paths, by_sets=by_sets)
