"""SH203 duplicate-scope: a scope requested twice in the same request."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from scanner.facts.base import FileFacts
from scanner.facts.scopes.resolve import resolved_requests
from scanner.model.finding import Finding, Severity
from scanner.project.index import ProjectIndex
from scanner.rules.base import Bad, Good, ProjectReporter
from scanner.rules.scopes.common import ScopeRule


class DuplicateScope(ScopeRule):
    """## What it does
    Flags a scope requested twice in the same request. The check runs after resolving constants,
    joins and concatenation, and reports the second occurrence.

    ## Why is this bad?
    Duplicates are harmless to the provider but a sign the list is maintained by copy and paste:
    it is longer than it needs to be (see SH201), hard to review, and a scope removed in one place
    silently survives in the other.

    ## Example
        SCOPES = ["contacts.read", "deals.read", "contacts.read"]

    ## Use instead
        SCOPES = ["contacts.read", "deals.read"]

    ## References
    - RFC 6749 section 3.3 (Access Token Scope)
    """

    id = "SH203"
    name = "duplicate-scope"
    family = "scope"
    severity = Severity.LOW
    examples = (
        Bad('SCOPES = ["contacts.read", "deals.read", "contacts.read"]\n', line=1),
        Bad('const SCOPES = ["openid", "profile", "openid"];\n', path="src/auth.ts", line=1),
        Bad('BASE = ["openid", "email"]\n'
            'session = OAuth2Session("id", scope=" ".join(BASE) + " email")\n', line=2),
        Good('SCOPES = ["contacts.read", "deals.read"]\n'),
        Good('SCOPES = ["contacts.read"]\nOTHER_SCOPES = ["contacts.read"]\n'),
    )

    def findings(self, facts: Mapping[str, FileFacts], index: ProjectIndex,
                 report: ProjectReporter) -> Iterator[Finding]:
        for request in resolved_requests(facts, index):
            seen: set[str] = set()
            for token in request.tokens:
                if token.text in seen:
                    yield self.at(token.place, request,
                                  f"scope `{token.text}` is requested more than once",
                                  f"duplicate-scope:{token.text}", index, report)
                seen.add(token.text)
