"""What the scope rules share: the project rule that reports each finding once at a scope (or
at the request when the scope's module was not scanned), and whether a request is about OAuth."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import ClassVar

from scanner.facts.base import Fact, FileFacts
from scanner.facts.scopes import ScopeConstant, ScopeRequest
from scanner.facts.scopes.catalog import Catalog
from scanner.facts.scopes.resolve import Place, ResolvedRequest
from scanner.model.finding import Confidence, Finding
from scanner.project.index import ProjectIndex
from scanner.rules.base import CONTEXTS, ProjectReporter, ProjectRule

# Words in a request's origin (callee, variable, config key) that say it is about OAuth.
_OAUTH_CONTEXT = ("oauth", "auth", "session", "flow", "credential", "client", "register",
                  "consent", "login", "signin", "msal", "sso", "openid", "oidc", "urlsearchparams",
                  "google", "github", "slack", "microsoft", "azure", "graph", "hubspot", "okta",
                  "salesforce", "zoom", "dropbox")


class ScopeRule(ProjectRule):
    """A scope rule: it judges resolved requests across the project (names resolve through
    other modules), never in test files, and reports each finding once."""

    needs: ClassVar[tuple[type[Fact], ...]] = (ScopeRequest, ScopeConstant)
    # Requests in tests are not judged (a test's dummy list is not production's), nor generated
    # files (source maps, lock files, packaging metadata): a request is written in the code or
    # configuration they come from (a bundle's own copy is skipped as third-party code).
    contexts = CONTEXTS - {"test", "generated"}

    def check_project(self, facts: Mapping[str, FileFacts], index: ProjectIndex,
                      report: ProjectReporter) -> Iterable[Finding]:
        seen: set[tuple[str, int, int, str]] = set()
        for finding in self.findings(facts, index, report):
            key = (finding.path, finding.line, finding.column, finding.message)
            if key not in seen:
                seen.add(key)
                yield finding

    def findings(self, facts: Mapping[str, FileFacts], index: ProjectIndex,
                 report: ProjectReporter) -> Iterator[Finding]:
        raise NotImplementedError

    def at(self, place: Place, request: ResolvedRequest, message: str, construct: str,
           index: ProjectIndex, report: ProjectReporter,
           confidence: Confidence | None = None) -> Finding:
        """A finding at `place`, or at the request when `place` is in a module the scan did not
        cover (hook and diff modes read other modules only to resolve names)."""
        if place.path not in index.scanned:
            place = request.place
        if confidence is None and request.request.source == "scope constant":
            confidence = Confidence.MEDIUM  # no request was seen to use the constant
        return report.report(self, place.path, place.span, message, place.line_text,
                             construct=construct, confidence=confidence)

    def allowed(self) -> frozenset[str]:
        return frozenset(self.options.get("allow", ()))


def oauth_context(request: ResolvedRequest, catalog: Catalog) -> bool:
    """Is this request clearly OAuth? A plain `scope="all"` passed to some unrelated API is not:
    the generic words (`all`, `admin` ...) then stay silent."""
    fact = request.request
    origin = fact.origin.lower()
    # A URL's scope parameter says so itself; a constant merely named like scopes does not (a UI
    # filter list `SCOPES = ['all', 'products']`).
    if fact.provider_url or fact.source == "url" or any(word in origin for word in _OAUTH_CONTEXT):
        return True
    if fact.source == "config" and "scopes" in origin:
        return True
    return any(
        any(ch in token.text for ch in ":./") or token.text in catalog.offline
        # A catalogued plain word (`api`, `bot`, `content`) is too common to say OAuth alone.
        or (token.text in catalog.explicit and "_" in token.text)
        or token.text in catalog.identity
        for token in request.tokens
    )
