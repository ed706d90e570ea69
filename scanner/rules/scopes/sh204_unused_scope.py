"""SH204 unused-scope: a requested scope that no API call of the repository exercises."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping, Sequence

from scanner.facts.base import FileFacts
from scanner.facts.scopes import (
    ApiUse,
    ClientBinding,
    ClientMethodCall,
    RefreshTokenUse,
    ScopeConstant,
    ScopeRequest,
    SubscribedEvent,
)
from scanner.facts.scopes.catalog import Catalog, load_catalog
from scanner.facts.scopes.resolve import ScopeToken, is_test_path, resolved_requests
from scanner.model.finding import Confidence, Finding, Severity
from scanner.project.index import ProjectIndex
from scanner.rules.base import Bad, Good, ProjectReporter
from scanner.rules.scopes.common import ScopeRule, oauth_context
from scanner.rules.scopes.components import ComponentCalls, integration_packages, preset_directories
from scanner.rules.scopes.usage import (
    CallIndex,
    Endpoint,
    Verdict,
    judge,
    parse_endpoint,
    parse_scope,
)

_CODE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts")


class UnusedScope(ScopeRule):
    """## What it does
    Flags a requested scope that the code never exercises. Either no API call touches the scope's
    resource, or a write scope whose resource is only ever read (then it suggests the read scope).

    How the decision is made:

    1. Each scope is parsed into (resource, access). Common syntaxes are understood:
       `people:read` and `read:org` (resource `people`/`org`, access read), `deals.write`,
       `crm.objects.contacts.read` (the last part before the access word is the resource),
       `Mail.ReadWrite`, `https://www.googleapis.com/auth/drive.readonly` (the API name, here
       `drive`; a bare Google scope like `.../auth/drive` is full access), SmartThings'
       `r:devices:*` (r/l read, w/x write). A catalogued scope has its meaning and the calls that
       exercise it written down. Identity scopes (`openid`, `profile`, `email`, Discord's
       `identify`) and scopes that name no resource are never reported. `offline_access` (and
       Salesforce's `refresh_token`, X's `offline.access`, Google's `access_type=offline`) counts
       as used when the component handles refresh tokens (a `refresh_token` grant or key).
    2. The calls are collected per component: the nearest directory holding a `pyproject.toml`,
       `setup.py`, `setup.cfg` or `package.json` (a monorepo's mobile app is judged on its own
       calls, not the server's), or an integration package: where five or more sibling packages
       each request scopes in their own modules (Home Assistant's `components/<x>/const.py`, a
       `plugins/` directory), each is judged on its own calls (a request outside them still
       sees the whole component's; refresh tokens count across the component: the shared
       OAuth code refreshes them). Calls are the HTTP method and URL path of
       requests/httpx/aiohttp/urllib/fetch/axios calls, URL constants used by them (a URL constant
       no call uses counts with an unknown method), `"GET /path"` route strings (Octokit), SDK
       calls the catalogs map to endpoints (slack_sdk, hubspot-api-client, PyGithub, msgraph,
       Dropbox), and provider clients: `googleapiclient.discovery.build("sqladmin", ...)` and
       `google.cloud` client libraries reach their API's host. In an integration package, a
       client library's methods named like operations (`client.get_installed_app()`, called on
       a name bound to a class imported from a library) are calls too: they touch the words
       after the operation, with unknown access; so do the webhook events it subscribes to
       (`"events": ["pullrequest:fulfilled"]` uses `pullrequest`). Test files do not count.
    3. A call touches a resource when a word of its path (split on `/`, `.` and `:`, singular and
       plural alike, two adjacent segments joined: `notifications/recipients` for
       `notification_recipients`), or its per-API Google host, is the resource or one of its
       catalogued aliases. A client method touches a scope by resource, not by its whole name:
       when it holds the scope's first resource word (`get_hop()` for `read_hop_connection`:
       the scope names a part of what the call reads, and which of two such scopes the server
       checks cannot be told from the code) or two or more of its words in a row
       (`get_account_summary()` for `read_customer_account_summary`). A GraphQL endpoint
       touches every resource. Calls to another
       provider's API host do not count. No touching call: unused. Touching calls that are all
       GET (a POST to a `.../search` endpoint counts as a read) for a write scope with a known
       read twin: broader than needed.
    4. Nothing is reported when no call of the component reaches the request's provider and the
       component imports a package named after the provider (its SDK, whose calls no catalogue
       shows) or, for a catalogued provider, holds a library's client in an integration
       package; for a scope whose API no call reaches while the component imports the
       catalogued provider's SDK (Pub/Sub through a device SDK); when no call is visible at
       all; or in diff and hook scans that cannot list the rest of the repository. Requests that are not clearly OAuth (a plain `scope="billing"`
       with no OAuth client, token URL or scope syntax around it) are not judged; neither are
       requests in test files, a library's provider presets (five or more sibling files each
       requesting scopes: the consuming application makes the calls), nor an authorization
       server issuing its own scopes (values from its own scope enumeration). When not one
       scope of a request to a provider the catalogs do not know matches any call
       (`api.console`), its scope names evidently do not follow the API's paths, and nothing is
       said: map them (below) instead. Findings are medium confidence (low for a provider no
       catalogue knows, or when the component also imports a package named after the provider:
       calls through its SDK may use the scope unseen): a heuristic over visible calls.

    Teach it a provider's scopes in `[tool.secret-hygiene.scopes]` by mapping each scope to the
    endpoints it grants (`METHOD /path`, `*` and `{id}` match any segment; the path may be a tail
    of the called URL). A mapped scope is used when any call matches one of its endpoints:

        [tool.secret-hygiene.scopes]
        map = {"people:read" = ["GET /api/v3/people"], "people:write" = ["POST /api/v3/people"]}
        allow = ["legacy:scope"]  # never reported

    The built-in catalogs live in `scanner/data/scopes_*.json` (GitHub, Google, Slack, Microsoft
    Graph, HubSpot, Salesforce, Atlassian, Zoom, Dropbox, Shopify, Lucid, Discord, X): `scopes`
    (what each grants, the calls that exercise it, broad or not, narrower alternatives),
    `resources` (aliases), `sdk` (call patterns).

    ## Why is this bad?
    Every scope a token carries is exposure without benefit when the code never uses it: a leaked
    token, a compromised dependency or a confused-deputy bug can use it, and users are asked to
    consent to more than the integration needs (least privilege, RFC 9700 section 2.3).

    ## Example
        SCOPES = ["people:read", "payroll:read"]
        session = OAuth2Session(CLIENT_ID, scope=SCOPES)
        session.get("https://api.example.com/api/v3/people")

    ## Use instead
        SCOPES = ["people:read"]
        session = OAuth2Session(CLIENT_ID, scope=SCOPES)
        session.get("https://api.example.com/api/v3/people")

    ## References
    - RFC 9700 (OAuth 2.0 Security Best Current Practice), section 2.3
    - RFC 6749 section 3.3 (Access Token Scope)
    """

    id = "SH204"
    name = "unused-scope"
    family = "scope"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    # Client library calls are read on demand, for integration packages only.
    needs = (ScopeRequest, ScopeConstant, ApiUse, RefreshTokenUse, ClientBinding, ClientMethodCall,
             SubscribedEvent)
    examples = (
        Bad('SCOPES = ["people:read", "payroll:read"]\n'
            'session = OAuth2Session("client", scope=SCOPES)\n'
            'session.get("https://api.example.com/api/v3/people")\n', line=1),
        Bad('SCOPES = ["deals.write"]\n'
            'session = OAuth2Session("client", scope=SCOPES)\n'
            'session.get("https://api.example.com/crm/v3/objects/deals")\n', line=1),
        Bad("const loginRequest = { scopes: [\"User.Read\", \"Mail.Send\"] };\n"
            "export const me = () => fetch(\"https://graph.microsoft.com/v1.0/me\");\n",
            path="src/auth.js", line=1),
        Good('SCOPES = ["people:read", "offline_access"]\n'
             'session = OAuth2Session("client", scope=SCOPES)\n'
             'session.get("https://api.example.com/api/v3/people")\n'
             'session.refresh_token("https://api.example.com/oauth/token")\n'),
        Good('SCOPES = ["people:read", "payroll:read"]\n'
             'session = OAuth2Session("client", scope=SCOPES)\n'),
    )

    def user_map(self) -> dict[str, list[Endpoint]]:
        mapping: dict[str, list[Endpoint]] = {}
        for scope, endpoints in self.options.get("map", {}).items():
            mapping[scope] = [e for e in (parse_endpoint(x) for x in endpoints) if e is not None]
        return mapping

    def findings(self, facts: Mapping[str, FileFacts], index: ProjectIndex,
                 report: ProjectReporter) -> Iterator[Finding]:
        requests = resolved_requests(facts, index)
        if not requests:
            return
        catalog = load_catalog()
        files: list[tuple[str, FileFacts]] = list(facts.items())
        paths: set[str] = set(index.scanned) | set(facts)
        if any(request.request.partial for request in requests):
            # A diff or hook scan sees only the changed files: read the rest of the repository
            # when it can be listed, else say nothing rather than guess.
            listed = index.all_paths()
            others = [p for p in listed if p not in facts and p not in index.scanned]
            if not others:
                return
            paths.update(listed)
            files.extend(_code_facts(index, others))
        # An authorization server issuing its own scopes: its calls are its own endpoints.
        judged = [r for r in requests if oauth_context(r, catalog) and not r.own_registry]
        if not judged:
            return
        components = ComponentCalls.build(index, files, paths,
                                          integration_packages(r.place.path for r in judged))
        presets = preset_directories(requests)
        indexes: dict[int, CallIndex] = {}  # by the id of a memoised `relevant` list
        user_map = self.user_map()
        allowed = self.allowed()
        for request in judged:
            if posixpath.dirname(request.place.path) in presets:
                continue  # a library's provider preset: the consuming app makes the calls
            provider = request.provider
            visible = components.relevant(request)
            if not visible:
                continue  # the code's calls cannot be seen: say nothing rather than guess
            refreshes = components.refreshes(request)
            index_of = indexes.get(id(visible))
            if index_of is None:
                index_of = indexes[id(visible)] = CallIndex(visible)
            verdicts = [(token, judge(token.text, index_of, catalog, user_map, refreshes))
                        for token in request.tokens if token.text not in allowed]
            if provider is None and _names_unrelated_to_paths(verdicts, catalog):
                # No scope of an unknown provider's request matches any call: its scope names do
                # not follow the API's paths (`api.console`), so the calls cannot be told apart.
                verdicts = [(t, v) for t, v in verdicts if v is not None and v.kind == "offline"]
            if all(verdict is None for _, verdict in verdicts):
                continue  # nothing to report: the SDK question (a read of the component) is moot
            sdk = components.provider_sdk(request)
            if provider is not None and sdk is not None:
                # The component also calls a catalogued provider through its own SDK, which no
                # catalogue reads (a Pub/Sub subscriber, a photos client): an API no visible
                # call reaches may be the SDK's.
                verdicts = [(t, v) for t, v in verdicts if v is None or v.kind != "untouched"]
            # Heuristic throughout: a catalogued provider's scope is medium, an unknown one's low,
            # and low too when the component also calls through the provider's SDK, unseen.
            confidence = Confidence.MEDIUM if provider is not None and sdk is None else Confidence.LOW
            for token, verdict in verdicts:
                if verdict is not None:
                    yield self.at(token.place, request, verdict.message,
                                  f"unused-scope:{token.text}", index, report,
                                  confidence=confidence)


def _names_unrelated_to_paths(verdicts: Sequence[tuple[ScopeToken, Verdict | None]],
                              catalog: Catalog) -> bool:
    judged = [v for t, v in verdicts
              if t.text not in catalog.offline
              and (v is not None or parse_scope(t.text, catalog) is not None)
              and t.text not in catalog.identity]
    return bool(judged) and all(v is not None and v.kind == "untouched" for v in judged)


def _code_facts(index: ProjectIndex, paths: Sequence[str]) -> Iterator[tuple[str, FileFacts]]:
    """The facts of other code files of the work tree (tests excluded: their calls do not count)."""
    for path in paths:
        if path.endswith(_CODE_SUFFIXES) and not is_test_path(path):
            loaded = index.load(path)
            if loaded is not None:
                yield path, loaded
