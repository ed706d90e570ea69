"""The Rule base class: identity, docs, examples, the facts a rule needs, and finding creation.

A rule is one module under scanner/rules/<family>/ holding its docs, examples, decision and fix;
rules decide from facts only, never from a syntax tree."""

from __future__ import annotations

import functools
import hashlib
import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from scanner.credentials import credential_literals
from scanner.facts.base import Fact, FileFacts, Span
from scanner.model.finding import Confidence, Finding, Fix, Severity
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

if TYPE_CHECKING:
    from scanner.model.document import Document
    from scanner.project.index import ProjectIndex

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
_SECTION = re.compile(r"^## (.+?)\s*$", re.MULTILINE)
CONTEXTS = frozenset({"code", "test", "docs", "example", "generated"})


@dataclass(frozen=True)
class Example:
    """Code a rule must flag (Bad, at `line`) or must not flag (Good), run as a test.

    `path` picks the file kind; `files` adds other files of the same project for project rules;
    `fixed` is the code after the rule's fix (checked by a test where the rule has a fix)."""

    code: str
    path: str = "example.py"
    files: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Bad(Example):
    """An example the rule flags: the line of its finding and the fixed code."""

    line: int = 0  # 1-based line of the finding; 0 only for rules whose findings have no line
    fixed: str | None = None


@dataclass(frozen=True)
class Good(Example):
    """An example the rule must not flag."""


class Rule:
    """One check. Subclasses set the class attributes and implement `check`.

    `needs` lists the fact types the rule reads: the scan plan runs the extractors that produce
    them, on the files their gates admit. `contexts` are the file contexts the rule reports in
    (a rule that never reports in tests lets the plan skip extraction there)."""

    id: ClassVar[str]
    name: ClassVar[str]
    family: ClassVar[str]  # secret, scope, webhook, oauth
    severity: ClassVar[Severity]
    confidence: ClassVar[Confidence] = Confidence.HIGH
    needs: ClassVar[tuple[type[Fact], ...]] = ()
    contexts: ClassVar[frozenset[str]] = CONTEXTS
    examples: ClassVar[tuple[Example, ...]] = ()
    cwe: ClassVar[tuple[str, ...]] = ()
    has_fix: ClassVar[bool] = False
    # Severity after config overrides; set by the registry.
    effective_severity: Severity

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        self.options: Mapping[str, Any] = options or {}
        self.effective_severity = self.severity

    def check(self, facts: FileFacts, context: RuleContext) -> Iterable[Finding]:
        raise NotImplementedError

    # -- docs ------------------------------------------------------------------------------------

    @classmethod
    def doc(cls) -> str:
        """The rule's documentation; `## Example` and `## Use instead` come from the first Bad
        example (and its fix, or the first Good one) unless the docstring writes them."""
        text = inspect.cleandoc(cls.__doc__ or "")
        sections = _sections(text)
        extra = []
        bad = next((e for e in cls.examples if isinstance(e, Bad)), None)
        good = next((e for e in cls.examples if isinstance(e, Good)), None)
        if "Example" not in sections and bad is not None:
            extra.append(("Example", bad.code))
        if "Use instead" not in sections and bad is not None:
            fixed = bad.fixed if bad.fixed is not None else (good.code if good is not None else "")
            if fixed:
                extra.append(("Use instead", fixed))
        if not extra:
            return text
        blocks = "\n\n".join(f"## {title}\n" + _indent(code) for title, code in extra)
        marks = list(_SECTION.finditer(text))
        after_why = next((m for m in marks if m.group(1) not in ("What it does", "Why is this bad?")),
                         None)
        if after_why is None:
            return text.rstrip() + "\n\n" + blocks
        return text[:after_why.start()] + blocks + "\n\n" + text[after_why.start():]

    @classmethod
    def doc_sections(cls) -> dict[str, str]:
        return _sections(cls.doc())

    @classmethod
    def summary(cls) -> str:
        """The first sentence of "What it does", for tables and SARIF short descriptions."""
        body = " ".join(cls.doc_sections().get("What it does", "").split())
        return body.split(". ")[0].rstrip(".") + "." if body else cls.name


class ProjectRule(Rule):
    """A rule that needs the whole repository: the engine gathers its facts from every scanned
    file, then `check_project` decides with a project index (names across modules, other files
    of the work tree loaded on demand)."""

    def check(self, facts: FileFacts, context: RuleContext) -> Iterable[Finding]:
        return ()

    def check_project(self, facts: Mapping[str, FileFacts], index: ProjectIndex,
                      report: ProjectReporter) -> Iterable[Finding]:
        raise NotImplementedError


def _sections(text: str) -> dict[str, str]:
    marks = list(_SECTION.finditer(text))
    sections = {}
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
        sections[mark.group(1)] = text[mark.end():end].strip("\n")
    return sections


def _indent(code: str) -> str:
    return "\n".join(("    " + line) if line.strip() else "" for line in code.rstrip("\n").split("\n"))


# -- findings ------------------------------------------------------------------------------------


def fingerprint(rule_id: str, path: str, basis: str) -> str:
    digest = hashlib.sha256()
    digest.update(f"{rule_id}\0{path}\0".encode("utf-8", "surrogatepass"))  # undecodable names
    digest.update(basis.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


# PBKDF2 rounds for weak values: about 30 ms here, for everyone who fingerprints (and guesses).
KDF_ITERATIONS = 100_000
# A flagged construct's lines searched for credential literals (a call spread over lines).
_CONSTRUCT_LINES = 20
# How far from a finding's column its line is searched for credential literals (a minified
# line holding thousands of findings is not searched whole for each).
_LITERAL_REACH = 4096


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


def _literals_near(line_text: str, column: int) -> set[str]:
    """The credential literals of the part of a line its snippet can show."""
    return credential_literals(snippet_window(line_text, column, _LITERAL_REACH)[0])


def _masked(line_text: str, literals: Iterable[str]) -> str:
    """The line with its credential literals replaced, so a line-based fingerprint holds none."""
    for literal in sorted(literals, key=len, reverse=True):
        line_text = line_text.replace(literal, "\u2026")
    return line_text


def build_finding(rule: Rule, *, path: str, span: Span, message: str, line_text: str,
                  secret: str | None = None, construct: str | None = None,
                  commit: str | None = None, known_secrets: Iterable[str] = (),
                  confidence: Confidence | None = None, context: str = "code",
                  fix: Fix | None = None, literals: Iterable[str] | None = None) -> Finding:
    """A finding. `secret` is a credential value: redacted everywhere and fingerprinted with
    `secret_fingerprint`; otherwise `construct` (a line-independent description) is
    fingerprinted. Outside the secret family, credential-looking literals of the line
    (`literals`, or searched for here) are redacted too and never fingerprinted."""
    line, column, end_line, end_column = span
    values = as_values(known_secrets)
    if rule.family == "secret":
        literals = set()
    elif literals is None:
        literals = _literals_near(line_text, column)
    literals = set(literals)
    own = literals | ({secret} if secret else set())
    if any(value not in values for value in own):
        values = values.extended(own)
    if secret:
        digest = secret_fingerprint(rule.id, path, secret)
    else:
        basis = construct if construct is not None else " ".join(_masked(line_text, literals).split())
        digest = fingerprint(rule.id, path, basis)
    return Finding(
        rule=rule.id, name=rule.name, category=rule.family, severity=rule.effective_severity,
        path=path, line=line, column=column, end_line=end_line, end_column=end_column,
        message=redact_text(message, values), snippet=snippet(line_text, column, values),
        fingerprint=digest, commit=commit,
        confidence=confidence if confidence is not None else rule.confidence, context=context,
        fix=fix)


class FixRefused(Exception):
    """Raised by a rule's fix that will not rewrite this finding; its text is the note's reason."""


class RuleContext:
    """What a rule sees of the document it checks, besides the facts: its path, kind and file
    context, and `report` to make a finding (snippet, redaction, fingerprint)."""

    def __init__(self, document: Document, *, want_fixes: bool = False) -> None:
        self.document = document
        self.path = document.path
        self.kind = document.kind
        self.file_context = document.context
        self.want_fixes = want_fixes

    def report(self, rule: Rule, span: Span, message: str, *, secret: str | None = None,
               construct: str | None = None, confidence: Confidence | None = None,
               fix: Fix | Callable[[], Fix | None] | None = None) -> Finding:
        """A finding in the document. Every value it redacts joins `document.secrets_seen`: the
        document's other snippets and its cache entry are checked against it. `fix` may be a
        function, called only when fixes are wanted: one that raises costs its fix (a note),
        never the finding."""
        document = self.document
        if callable(fix):
            fix = self._fix(rule, fix) if self.want_fixes else None
        line, _, end_line, _ = span
        line_text = document.line_text(line)
        values = {secret} if secret else set()
        literals: frozenset[str] = frozenset()
        if rule.family != "secret":
            literals = self.line_literals(line)
            for number in range(line, min(end_line, line + _CONSTRUCT_LINES) + 1):
                values |= self.line_literals(number)
        elif secret and has_key_header(line_text):
            # Key material shows no more than the default form, whatever --redact asks.
            document.secrets_seen.update([*values, *key_body_lines(document.lines, line - 1)],
                                         key=True)
        document.secrets_seen.update(values)
        made = build_finding(rule, path=document.path, span=span, message=message,
                             line_text=line_text, secret=secret, construct=construct,
                             commit=document.commit, known_secrets=document.secrets_seen,
                             confidence=confidence, context=document.line_context(line),
                             fix=fix if self.want_fixes else None, literals=literals)
        document.secrets_seen.mark(made)
        return made

    def _fix(self, rule: Rule, make: Callable[[], Fix | None]) -> Fix | None:
        try:
            return make()
        except FixRefused as refused:
            self.document.notes.append(f"{self.path}: {rule.id} not fixed: {refused}")
            return None
        except Exception as exc:  # a fix bug costs its fix, never the finding or other rules
            self.document.notes.append(f"{self.path}: the {rule.id} fix failed "
                                       f"({type(exc).__name__}); reported without a fix")
            return None

    def line_literals(self, line: int) -> frozenset[str]:
        """The credential literals of a line, searched once per document (a minified line can
        hold thousands of findings)."""
        cache = self.document.literals_by_line
        found = cache.get(line)
        if found is None:
            found = cache[line] = frozenset(credential_literals(self.document.line_text(line)))
        return found


@dataclass
class ProjectReporter:
    """Makes findings for a project rule from facts: the line text travels with the fact."""

    commits: Mapping[str, str | None] = field(default_factory=dict)
    contexts: Mapping[str, str] = field(default_factory=dict)
    hidden: int | None = None  # --redact: percent of a value hidden (None: the default form)

    def report(self, rule: Rule, path: str, span: Span, message: str, line_text: str, *,
               construct: str | None = None, confidence: Confidence | None = None) -> Finding:
        return build_finding(rule, path=path, span=span, message=message, line_text=line_text,
                             construct=construct, commit=self.commits.get(path),
                             known_secrets=SecretValues(hidden=self.hidden),
                             confidence=confidence, context=self.contexts.get(path, "code"))
