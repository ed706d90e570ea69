"""The Rule base class: identity, docs, examples, keywords for the prefilter, finding creation.

A rule family is one module under scanner/plugins/ exposing RULES (and optionally OPTIONS)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from scanner.finding import Category, Finding, Severity
from scanner.parsed import FileKind, ParsedFile
from scanner.redact import redact_text, snippet

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
_SECTION = re.compile(r"^## (.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Example:
    """Code a rule must flag (Bad) or must not flag (Good), run as a test.

    `path` picks the file kind; `files` adds other files of the same project for project rules."""

    code: str
    path: str = "example.py"
    files: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Bad(Example):
    pass


@dataclass(frozen=True)
class Good(Example):
    pass


class Rule:
    """One check. Subclasses set the class attributes and implement `check`.

    `keywords` (lower-case) feed the engine's prefilter: a file reaches `check` only when it holds
    one of them (an empty tuple means every file of the rule's `kinds`). `kinds` limits the file
    kinds (None: every text file). `options` is the rule family's config section. `vocabulary`
    lists the other lower-case words the rule asks `file.has_any` about, so the engine finds them
    all in one pass over each file (a word left out is still answered, one search at a time)."""

    id: ClassVar[str]
    name: ClassVar[str]
    category: ClassVar[Category]
    severity: ClassVar[Severity]
    examples: ClassVar[tuple[Example, ...]] = ()
    keywords: ClassVar[tuple[str, ...]] = ()
    kinds: ClassVar[frozenset[FileKind] | None] = None
    vocabulary: ClassVar[tuple[str, ...]] = ()
    keyword_gated: ClassVar[bool] = False
    cwe: ClassVar[tuple[str, ...]] = ()
    # Severity after config overrides; set by the engine.
    effective_severity: Severity

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        self.options: Mapping[str, Any] = options or {}
        self.effective_severity = self.severity

    def applies_to(self, file: ParsedFile) -> bool:
        if self.kinds is not None and file.kind not in self.kinds:
            return False
        return not self.keywords or file.has_any(self.keywords)

    def check(self, file: ParsedFile) -> Iterable[Finding]:
        raise NotImplementedError

    @classmethod
    def gate_words(cls) -> tuple[str, ...] | None:
        """Words of which a file must hold one for `applies_to` to be True, or None when the
        rule may apply without any (a path, a configured name). The engine skips the rule, unasked,
        for a file its keyword index shows holds none of them. That holds for the default
        `applies_to`; a family that overrides it but still requires a keyword sets
        `keyword_gated` (or overrides this)."""
        gated = cls.applies_to is Rule.applies_to or cls.keyword_gated
        return cls.keywords if gated and cls.keywords else None

    @classmethod
    def words(cls) -> tuple[str, ...]:
        """Every word the rule's prefilter and gates ask about (for the engine's keyword index)."""
        return (*cls.keywords, *cls.vocabulary)

    # -- docs ------------------------------------------------------------------------------------

    @classmethod
    def doc(cls) -> str:
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def doc_sections(cls) -> dict[str, str]:
        text = cls.doc()
        marks = list(_SECTION.finditer(text))
        sections = {}
        for index, mark in enumerate(marks):
            end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
            sections[mark.group(1)] = text[mark.end():end].strip("\n")
        return sections

    @classmethod
    def summary(cls) -> str:
        """The first sentence of "What it does", for tables and SARIF short descriptions."""
        body = " ".join(cls.doc_sections().get("What it does", "").split())
        return body.split(". ")[0].rstrip(".") + "." if body else cls.name

    # -- findings --------------------------------------------------------------------------------

    def finding(
        self,
        file: ParsedFile,
        *,
        line: int,
        column: int,
        end_line: int | None = None,
        end_column: int | None = None,
        message: str,
        secret: str | None = None,
        construct: str | None = None,
    ) -> Finding:
        """A finding in `file`. Pass `secret` for a credential value: it is redacted everywhere
        and fingerprinted; otherwise `construct` (a line-independent description) is fingerprinted."""
        if secret:
            file.secrets_seen.add(secret)
        return self.make_finding(
            path=file.path, line=line, column=column, end_line=end_line, end_column=end_column,
            message=message, line_text=file.line_text(line), secret=secret, construct=construct,
            commit=file.commit, known_secrets=file.secrets_seen,
        )

    def make_finding(
        self,
        *,
        path: str,
        line: int,
        column: int,
        message: str,
        line_text: str,
        end_line: int | None = None,
        end_column: int | None = None,
        secret: str | None = None,
        construct: str | None = None,
        commit: str | None = None,
        known_secrets: Iterable[str] = (),
    ) -> Finding:
        """A finding without a ParsedFile at hand (project rules build these from collected facts)."""
        secrets = {*known_secrets, *([secret] if secret else [])}
        basis = secret if secret else (construct if construct is not None else " ".join(line_text.split()))
        return Finding(
            rule=self.id,
            name=self.name,
            category=self.category,
            severity=self.effective_severity,
            path=path,
            line=line,
            column=column,
            end_line=end_line if end_line is not None else line,
            end_column=end_column if end_column is not None else column,
            message=redact_text(message, secrets),
            snippet=snippet(line_text, column, secrets),
            fingerprint=fingerprint(self.id, path, basis),
            commit=commit,
        )


def fingerprint(rule_id: str, path: str, basis: str) -> str:
    digest = hashlib.sha256()
    digest.update(f"{rule_id}\0{path}\0".encode("utf-8", "surrogatepass"))  # undecodable file names
    digest.update(basis.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@dataclass
class Project:
    """What a project rule may know about the repository beyond the scanned files.

    `load` reads and parses another file of the repository by its relative path (None if absent),
    so a rule can resolve an import that the scan itself did not cover (hook and diff modes)."""

    scanned_paths: tuple[str, ...]
    load: Callable[[str], ParsedFile | None]
    all_paths: Callable[[], tuple[str, ...]] = lambda: ()


class ProjectRule(Rule):
    """A rule that needs the whole repository: per-file facts first (in parallel), then a verdict.

    `collect` returns picklable facts for one file (or None); `check_project` gets every file's
    facts by path and yields findings built with `make_finding`."""

    def check(self, file: ParsedFile) -> Iterable[Finding]:
        return ()

    def collect(self, file: ParsedFile) -> Any:
        raise NotImplementedError

    def check_project(self, facts: Mapping[str, Any], project: Project) -> Iterable[Finding]:
        raise NotImplementedError
