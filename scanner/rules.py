"""The Rule base class: identity, docs, examples, keywords for the prefilter, finding creation.

A rule family is one module under scanner/plugins/ exposing RULES (and optionally OPTIONS)."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from scanner.credentials import credential_literals
from scanner.finding import Category, Finding, Severity
from scanner.parsed import FileKind, ParsedFile
from scanner.redact import (
    STRONG_BITS,
    SecretValues,
    as_values,
    has_key_header,
    key_body_lines,
    redact_text,
    snippet,
    snippet_window,
    strength_bits,
)

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
        and fingerprinted; otherwise `construct` (a line-independent description) is fingerprinted.
        Every value redacted joins `file.secrets_seen`: the file's other snippets and its cache
        entry are checked against it."""
        line_text = file.line_text(line)
        values = {secret} if secret else set()
        literals: frozenset[str] = frozenset()
        if self.category is not Category.SECRET:
            literals = _line_literals(file, line)
            last = min(end_line if end_line is not None else line, line + _CONSTRUCT_LINES)
            for number in range(line, last + 1):
                values |= _line_literals(file, number)
        elif secret and has_key_header(line_text):
            values.update(key_body_lines(file.lines, line - 1))
        file.secrets_seen.update(values)
        made = self.make_finding(
            path=file.path, line=line, column=column, end_line=end_line, end_column=end_column,
            message=message, line_text=line_text, secret=secret, construct=construct,
            commit=file.commit, known_secrets=file.secrets_seen, literals=literals,
        )
        file.secrets_seen.mark(made)
        return made

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
        literals: Iterable[str] | None = None,
    ) -> Finding:
        """A finding without a ParsedFile at hand (project rules build these from collected facts).
        Outside the secret family, credential-looking literals of the line (`literals`, or
        searched for here) are redacted too."""
        values = as_values(known_secrets)
        if self.category is Category.SECRET:
            literals = set()
        elif literals is None:
            literals = _literals_near(line_text, column)
        literals = set(literals)
        own = literals | ({secret} if secret else set())
        if any(value not in values for value in own):
            values = SecretValues([*values, *own])
        if secret:
            digest = secret_fingerprint(self.id, path, secret)
        else:
            basis = construct if construct is not None else " ".join(_masked(line_text, literals).split())
            digest = fingerprint(self.id, path, basis)
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
            message=redact_text(message, values),
            snippet=snippet(line_text, column, values),
            fingerprint=digest,
            commit=commit,
        )


# A flagged construct's lines searched for credential literals (a call spread over lines).
_CONSTRUCT_LINES = 20
# PBKDF2 rounds for weak values: about 30 ms here, for everyone who fingerprints (and guesses).
KDF_ITERATIONS = 100_000


# How far from a finding's column its line is searched for credential literals (a minified
# line holding thousands of findings is not searched whole for each).
_LITERAL_REACH = 4096


def _literals_near(line_text: str, column: int) -> set[str]:
    """The credential literals of the part of a line its snippet can show."""
    return credential_literals(snippet_window(line_text, column, _LITERAL_REACH)[0])


def _line_literals(file: ParsedFile, line: int) -> frozenset[str]:
    """The credential literals of a line, searched once per file (a minified line can hold
    thousands of findings)."""
    found = file.literals_by_line.get(line)
    if found is None:
        found = file.literals_by_line[line] = frozenset(credential_literals(file.line_text(line)))
    return found


def _masked(line_text: str, literals: Iterable[str]) -> str:
    """The line with its credential literals replaced, so a line-based fingerprint holds none."""
    for literal in sorted(literals, key=len, reverse=True):
        line_text = line_text.replace(literal, "\u2026")
    return line_text


def fingerprint(rule_id: str, path: str, basis: str) -> str:
    digest = hashlib.sha256()
    digest.update(f"{rule_id}\0{path}\0".encode("utf-8", "surrogatepass"))  # undecodable file names
    digest.update(basis.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def secret_fingerprint(rule_id: str, path: str, value: str) -> str:
    """`fingerprint` over a value that brute force cannot recover from it: the value itself
    when it is strong (>= 80 bits estimated), else PBKDF2-HMAC-SHA256 of it salted with the rule
    and path. The same on every machine and run; a committed baseline gives weak passwords away
    only at 100,000 hash rounds a guess."""
    return fingerprint(rule_id, path, derived_value(rule_id, path, value))


@functools.lru_cache(maxsize=4096)
def derived_value(rule_id: str, path: str, value: str) -> str:
    if strength_bits(value) >= STRONG_BITS:
        return value
    salt = f"secret-hygiene/2\0{rule_id}\0{path}".encode("utf-8", "surrogatepass")
    derived = hashlib.pbkdf2_hmac("sha256", value.encode("utf-8", "surrogatepass"), salt,
                                  KDF_ITERATIONS)
    return "pbkdf2:" + derived.hex()


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
