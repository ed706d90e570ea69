"""SH202 wildcard-or-admin-scope: a wildcard, admin or catalogued broad scope is requested."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from scanner.facts.base import FileFacts
from scanner.facts.scopes.catalog import Catalog, load_catalog
from scanner.facts.scopes.resolve import resolved_requests
from scanner.model.finding import Finding, Severity
from scanner.project.index import ProjectIndex
from scanner.rules.base import Bad, Good, ProjectReporter
from scanner.rules.scopes.common import ScopeRule, oauth_context


class WildcardOrAdminScope(ScopeRule):
    """## What it does
    Flags wildcard and admin scopes where narrower ones exist. It covers wildcard and
    administrative scopes (`*`, `all`, `admin`, `full_access`, `root`), GitHub's
    classic `repo` and `admin:*` scopes, Google's `cloud-platform`, full Drive and full Gmail
    scopes, Microsoft Graph's `Directory.ReadWrite.All`, and the other catalogued scopes for which
    the provider offers narrower ones. The generic words count only where the request is clearly
    OAuth (an OAuth client, a token URL, scope syntax around it).

    ## Why is this bad?
    A leaked or misused token is worth exactly what its scopes grant. A wildcard or admin scope
    turns a bug in one integration into control of the whole account or organization, and users
    who see the consent screen learn to click through it.

    ## Example
        SCOPES = ["repo", "read:org"]

    ## Use instead
        SCOPES = ["public_repo", "read:org"]  # or a fine-grained token

    List an accepted scope under `allow` in `[tool.secret-hygiene.scopes]` to silence it.

    ## References
    - RFC 9700 (OAuth 2.0 Security Best Current Practice), section 2.3: privilege restriction
    - GitHub: scopes for OAuth apps; Google: choose the narrowest scopes
    """

    id = "SH202"
    name = "wildcard-or-admin-scope"
    family = "scope"
    severity = Severity.HIGH
    cwe = ("CWE-250",)
    examples = (
        Bad('github = oauth.register("github", client_kwargs={"scope": "repo read:org"})\n', line=1),
        Bad('flow = Flow.from_client_secrets_file("client.json", '
            'scopes=["https://www.googleapis.com/auth/cloud-platform"])\n', line=1),
        Bad("auth:\n  scopes:\n    - admin\n    - contacts.read\n", path="config.yaml", line=3),
        Bad("const msalRequest = {\n  scopes: [\"Directory.ReadWrite.All\"],\n};\n",
            path="src/auth.ts", line=2),
        Good('github = oauth.register("github", client_kwargs={"scope": "public_repo read:org"})\n'),
        Good('@pytest.fixture(scope="session")\ndef db():\n    return 1\n'),
        Good('cache.clear(scope="all")\n'),
    )

    def findings(self, facts: Mapping[str, FileFacts], index: ProjectIndex,
                 report: ProjectReporter) -> Iterator[Finding]:
        catalog = load_catalog()
        allowed = self.allowed()
        for request in resolved_requests(facts, index):
            generic = oauth_context(request, catalog)
            for token in request.tokens:
                if token.text in allowed:
                    continue
                why = _broad_reason(token.text, catalog, generic=generic)
                if why is not None:
                    reason, instead = why
                    yield self.at(token.place, request,
                                  f"scope `{token.text}` {reason}; prefer {instead}",
                                  f"scope:{token.text}", index, report)


def _broad_reason(scope: str, catalog: Catalog, *, generic: bool) -> tuple[str, str] | None:
    """(why the scope is broad, what to request instead); the generic words and wildcards only
    where the request is clearly OAuth."""
    known = catalog.broad.get(scope)
    if known is not None and (generic or catalog.broad_provider.get(scope) != "generic"):
        return known
    known = catalog.broad.get(scope.lower()) if generic else None
    if known is not None:
        return known
    if not generic:
        return None
    if scope.endswith((":*", ".*", "/*")):
        return "is a wildcard over a whole API", "the specific scopes the integration calls"
    return None
