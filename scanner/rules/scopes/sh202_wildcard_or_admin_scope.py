"""SH202 wildcard-or-admin-scope: a wildcard, admin or catalogued broad scope is requested."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping, Sequence

from scanner.facts.base import FileFacts
from scanner.facts.scopes import ApiUse, ScopeConstant, ScopeRequest
from scanner.facts.scopes.catalog import Catalog, load_catalog
from scanner.facts.scopes.resolve import resolved_requests
from scanner.model.finding import Confidence, Finding, Severity
from scanner.project.index import ProjectIndex
from scanner.rules.base import Bad, Good, ProjectReporter
from scanner.rules.scopes.common import ScopeRule, oauth_context
from scanner.rules.scopes.components import ComponentCalls, preset_directories
from scanner.rules.scopes.usage import names_resource_and_access


class WildcardOrAdminScope(ScopeRule):
    """## What it does
    Flags wildcard and admin scopes where narrower ones exist. It covers wildcard and
    administrative scopes (`*`, `all`, `admin`, `full_access`, `root`), GitHub's
    classic `repo` and `admin:*` scopes, Google's `cloud-platform`, full Drive and full Gmail
    scopes, Microsoft Graph's `Directory.ReadWrite.All`, Zoom's `:admin` scopes, Salesforce's
    `full`, and the other catalogued scopes for which the provider offers narrower ones. The
    generic words count only where the request is clearly OAuth (an OAuth client, a token URL,
    authorize parameters or scope syntax around it), and are medium confidence. `r:devices:*`
    (an access on one resource's objects) is no wildcard. `cloud-platform` is reported with the
    narrower scopes of the Google APIs the component calls, not at all when one of them defines
    no narrower scope (Vertex AI, Cloud Run ...), and with low confidence when no call is seen.
    Likewise a generic word that is all a request asks of a provider the catalogue does not know
    (`{"scope": "*"}` in a dict of authorize parameters) is reported with low confidence: nothing
    says that provider has a narrower scope, and some define `*` or `all` as their only one.
    Next to other scopes, or for a catalogued provider, it stays medium.

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
    # Its calls tell whether `cloud-platform` has a narrower alternative for what the code calls.
    needs = (ScopeRequest, ScopeConstant, ApiUse)
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
        requests = resolved_requests(facts, index)
        components: ComponentCalls | None = None
        presets = preset_directories(requests)
        for request in requests:
            generic = oauth_context(request, catalog) \
                and posixpath.dirname(request.place.path) not in presets
            for token in request.tokens:
                if token.text in allowed:
                    continue
                why: tuple[str, str, Confidence | None] | None
                if token.text in catalog.umbrella:
                    if components is None:
                        components = ComponentCalls.build(index, facts.items(), index.scanned)
                    why = _umbrella_reason(token.text, components.of(request), catalog)
                else:
                    why = _broad_reason(token.text, catalog, generic=generic,
                                        provider=request.provider,
                                        alone=request.complete and len(request.tokens) == 1)
                if why is not None:
                    reason, instead, confidence = why
                    yield self.at(token.place, request,
                                  f"scope `{token.text}` {reason}; prefer {instead}",
                                  f"scope:{token.text}", index, report, confidence=confidence)


def _umbrella_reason(scope: str, calls: Sequence[ApiUse],
                     catalog: Catalog) -> tuple[str, str, Confidence | None] | None:
    """(why, what instead, confidence) for a scope over many APIs (`cloud-platform`): silent when an
    API the component calls defines no narrower scope; the narrower scopes of the APIs it calls
    otherwise; unsure (low confidence) when no call to the provider is visible."""
    provider = catalog.provider_of_scope(scope)
    words = {_api_name(c) for c in calls if c.provider == provider}
    if words & catalog.cloud_platform_only:
        return None
    narrower = sorted({s for w in words for s in catalog.narrower.get(w, ())})
    known = catalog.broad.get(scope)
    why = known[0] if known else "grants every API of the provider"
    if narrower:
        return why, " or ".join(narrower), None
    return why, "the API-specific scopes of the APIs the code calls", Confidence.LOW


def _api_name(call: ApiUse) -> str:
    """The API a call reaches: a per-API host's first label (`sqladmin.googleapis.com`), else
    the first path word (`/drive/v3/files`)."""
    label = call.host.split(".")[0] if call.host else ""
    if label and label not in ("www", "api") and call.host and call.host.count(".") >= 2:
        return label.lower()
    return call.segments[0].lower() if call.segments else ""


def _broad_reason(scope: str, catalog: Catalog, *, generic: bool, provider: str | None,
                  alone: bool) -> tuple[str, str, Confidence | None] | None:
    """(why the scope is broad, what to request instead); the generic words and wildcards only
    where the request is clearly OAuth. `r:devices:*` (an access on one resource's objects) is
    not a wildcard over a whole API. `alone`: the scope is all the request asks for."""
    known = catalog.broad.get(scope)
    owner = catalog.broad_provider.get(scope)
    # A plain word (`full`, `repo`) is one provider's broad scope only in that provider's request.
    if owner == "generic":
        mine = generic
    else:
        mine = owner == provider or any(ch in scope for ch in ":./") or (provider is None and generic)
    if known is not None and mine:
        # A generic word is a guess about an uncatalogued provider: medium.
        return _generic_reason(known, provider, alone) if owner == "generic" else (*known, None)
    known = catalog.broad.get(scope.lower()) if generic else None
    if known is not None:
        return _generic_reason(known, provider, alone)
    if not generic:
        return None
    if scope.endswith((":*", ".*", "/*")) and not names_resource_and_access(scope):
        return ("is a wildcard over a whole API", "the specific scopes the integration calls",
                Confidence.MEDIUM)
    return None


def _generic_reason(known: tuple[str, str], provider: str | None,
                    alone: bool) -> tuple[str, str, Confidence | None]:
    """A generic word (`*`, `all`, `admin`): medium; low when it is all a request of a provider
    the catalogue does not know asks for. Then nothing says a narrower scope exists: some APIs
    define `*` or `all` as their only scope."""
    why, instead = known
    if provider is None and alone:
        return (f"{why}, if it defines narrower scopes (it is not in the scope catalogue and this "
                "is the only scope asked for: it may be the provider's only scope; if so, list it "
                "under `allow`)", instead, Confidence.LOW)
    return why, instead, Confidence.MEDIUM
