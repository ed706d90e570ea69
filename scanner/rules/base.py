"""The Rule base class: identity, docs, examples, the facts a rule needs, and finding creation.

A rule is one module under scanner/rules/<family>/ holding its docs, examples, decision and fix;
rules decide from facts only, never from a syntax tree."""

from __future__ import annotations

import hashlib
import inspect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from scanner.facts.base import Fact, FileFacts, Span
from scanner.model.finding import Confidence, Finding, Fix, Severity
from scanner.redact import redact_text, snippet

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
    line: int = 0  # 1-based line of the finding; 0 only for rules whose findings have no line
    fixed: str | None = None


@dataclass(frozen=True)
class Good(Example):
    pass


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


def build_finding(rule: Rule, *, path: str, span: Span, message: str, line_text: str,
                  secret: str | None = None, construct: str | None = None,
                  commit: str | None = None, known_secrets: Iterable[str] = (),
                  confidence: Confidence | None = None, context: str = "code",
                  fix: Fix | None = None) -> Finding:
    """A finding. `secret` is a credential value: redacted everywhere and fingerprinted;
    otherwise `construct` (a line-independent description) is fingerprinted."""
    line, column, end_line, end_column = span
    secrets = {*known_secrets, *([secret] if secret else [])}
    basis = secret if secret else (construct if construct is not None else " ".join(line_text.split()))
    return Finding(
        rule=rule.id, name=rule.name, category=rule.family, severity=rule.effective_severity,
        path=path, line=line, column=column, end_line=end_line, end_column=end_column,
        message=redact_text(message, secrets), snippet=snippet(line_text, column, secrets),
        fingerprint=fingerprint(rule.id, path, basis), commit=commit,
        confidence=confidence if confidence is not None else rule.confidence, context=context,
        fix=fix)


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
               fix: Fix | None = None) -> Finding:
        document = self.document
        if secret:
            document.secrets_seen.add(secret)
        return build_finding(rule, path=document.path, span=span, message=message,
                             line_text=document.line_text(span[0]), secret=secret,
                             construct=construct, commit=document.commit,
                             known_secrets=document.secrets_seen, confidence=confidence,
                             context=self.file_context, fix=fix if self.want_fixes else None)


@dataclass
class ProjectReporter:
    """Makes findings for a project rule from facts: the line text travels with the fact."""

    commits: Mapping[str, str | None] = field(default_factory=dict)
    contexts: Mapping[str, str] = field(default_factory=dict)

    def report(self, rule: Rule, path: str, span: Span, message: str, line_text: str, *,
               construct: str | None = None, confidence: Confidence | None = None) -> Finding:
        return build_finding(rule, path=path, span=span, message=message, line_text=line_text,
                             construct=construct, commit=self.commits.get(path),
                             confidence=confidence, context=self.contexts.get(path, "code"))
