"""What every secret rule shares: it reports the secret values of its kinds, each once, with
the value redacted and fingerprinted; the fake values its examples use."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import ClassVar

from scanner.facts.base import FileFacts
from scanner.facts.secrets import SecretValue
from scanner.model.finding import Confidence, Finding, Fix
from scanner.rules.base import Rule, RuleContext

# Secret rules report in every context: a token in a test or a README is still a token (their
# own filters expect dummies there).
CWE_HARDCODED: tuple[str, ...] = ("CWE-798",)

# Fake values used by the examples (never real credentials).
SECRET = "9f3KpQ2LmX8vB7nR4tW1zY6a"
TOKEN = "Xk3dM9pQ2LmX8vB7nR4tW1aZ5cE6"
JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzdmMtYmlsbGluZyIsImlzcyI6ImF1dGguYWNtZS5p"
       "byIsImV4cCI6MTg5MzQ1NjAwMH0.Qm9vN2tXc3JlZ0ZhbHNlUG9zaXRpdmVTaWduYXR1cmU")
PEM_BODY = "MIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi6Jb9xYq7kq3sV1Yh0cV8m2bH4nQ"


class SecretRule(Rule):
    """Reports the secret values whose kind is in `kinds`."""

    family = "secret"
    kinds: ClassVar[frozenset[str]]
    needs = (SecretValue,)
    cwe: ClassVar[tuple[str, ...]] = CWE_HARDCODED

    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        for found in facts.of(SecretValue):
            if found.kind in self.kinds:
                yield context.report(self, found.span, self.message(found), secret=found.value,
                                     confidence=confidence_in(found, context),
                                     fix=functools.partial(self.fix, found, context))

    def message(self, found: SecretValue) -> str:
        raise NotImplementedError

    def fix(self, found: SecretValue, context: RuleContext) -> Fix | None:
        return None


def confidence_in(found: SecretValue, context: RuleContext) -> Confidence | None:
    """Low where dummies live (tests, docs, examples, docstrings, doctests: the line's context),
    unless the value is a token of a provider's format (those are live-looking wherever they
    are) not given as a documented example; else the rule's own."""
    document = context.document
    if found.via == "prefix":
        return Confidence.LOW if document.gives_example(found.span[0]) else None
    if document.line_context(found.span[0]) in document.DUMMY_CONTEXTS:
        return Confidence.LOW
    return None


def named(found: SecretValue) -> str:
    """How a message names what holds the value: `key` or the credential kind."""
    return f"`{found.key}`" if found.key else "a literal"


def prefix_message(found: SecretValue) -> str:
    """The message for a credential found by its format: what it is and where to revoke it."""
    where = f" ({found.revoke})" if found.revoke else ""
    return (f"{found.credential} hardcoded; revoke it{where} and load it from the environment or "
            "a secret manager")
