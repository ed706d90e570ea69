"""Scope hygiene rules (SH2xx): scope strings over the provider limit, wildcard/admin scopes,
duplicates, and scopes the code never exercises. Facts come from Python, JS/TS, config and URLs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scanner.model.finding import Category, Finding, Severity
from scanner.model.document import CONFIG_KINDS, JS_KINDS, FileKind, ParsedFile
from scanner.rules import Bad, Good, Project, ProjectRule, Rule

if TYPE_CHECKING:
    from scanner.plugins.scopes_catalog import Catalog
    from scanner.plugins.scopes_model import (
        FileFacts,
        ResolvedScopes,
        ScopeRequest,
        ScopeToken,
        Span,
        Value,
    )
    from scanner.plugins.scopes_usage import Endpoint, Verdict

SECTION = "scopes"
DEFAULT_MAX_LENGTH = 4000
OPTIONS: dict[str, Any] = {
    "max-length": int,
    "host-limits": dict,
    "map": dict,
    "allow": list,
}

_CODE_KINDS = JS_KINDS | {FileKind.PYTHON}
_FACTS_ATTR = "_scope_facts"
_CALLS_ATTR = "_scope_calls_done"
_HINTS_ATTR = "_scope_hints"
# Text that may hold a scope request: the word, or (Python) a client call taking scopes positionally.
POSITIONAL_HINTS = ("acquire_token", "from_client_", "from_authorized_user", "initiate_",
                    "get_authorization_request_url")
SCOPE_HINTS = ("scope", *POSITIONAL_HINTS)
_REFRESH_HINTS = ("refresh_token", "refreshtoken", "auto_refresh", "grant_type=refresh")


def validate_options(raw: Mapping[str, Any]) -> None:
    """Raise ValueError("key: problem") for a bad value in [tool.secret-hygiene.scopes]."""
    max_length = raw.get("max-length")
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, int)
                                   or max_length <= 0):
        raise ValueError("max-length: expected a positive integer")
    limits = raw.get("host-limits", {})
    if not isinstance(limits, dict):
        raise ValueError("host-limits: expected a table of host = limit")
    for host, limit in limits.items():
        if not isinstance(host, str) or not host or "/" in host:
            raise ValueError(f"host-limits: {host!r} is not a host name")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
            raise ValueError(f"host-limits: the limit for {host!r} must be a positive integer")
    mapping = raw.get("map", {})
    if not isinstance(mapping, dict):
        raise ValueError("map: expected a table of scope = [\"METHOD /path\", ...]")
    for scope, endpoints in mapping.items():
        from scanner.plugins.scopes_usage import parse_endpoint  # only when a map is configured

        if not isinstance(endpoints, list) or not endpoints:
            raise ValueError(f"map: {scope!r} needs a non-empty list of \"METHOD /path\" strings")
        for endpoint in endpoints:
            if not isinstance(endpoint, str) or parse_endpoint(endpoint) is None:
                raise ValueError(f"map: {endpoint!r} (for {scope!r}) is not \"METHOD /path\"")
    allow = raw.get("allow", [])
    if not isinstance(allow, list) or not all(isinstance(s, str) for s in allow):
        raise ValueError("allow: expected a list of scope strings")


# -- facts (shared by the four rules, cached on the ParsedFile) ---------------------------------


def _catalog() -> Catalog:
    from scanner.plugins.scopes_catalog import load_catalog

    return load_catalog()


@lru_cache(maxsize=1)
def _call_hints() -> tuple[str, ...]:
    from scanner.plugins.scopes_text import CALL_HINTS

    return CALL_HINTS + _catalog().sdk_needles()


_THIRD_PARTY_DIRS = ("/node_modules/", "/vendor/", "/third_party/", "/bower_components/")


def _third_party(path: str) -> bool:
    """Vendored and minified code: not the project's own OAuth configuration or API calls.
    (String tests: this runs on every file, and path objects cost more than the check.)"""
    lowered = "/" + path.lower()
    return lowered.endswith((".min.js", ".bundle.js")) or any(d in lowered for d in _THIRD_PARTY_DIRS)


def _hints(file: ParsedFile) -> tuple[bool, bool, bool]:
    """(may request scopes, handles refresh tokens, may make API calls), computed once a file."""
    cached: tuple[bool, bool, bool] | None = getattr(file, _HINTS_ATTR, None)
    if cached is None and _third_party(file.path):
        cached = (False, False, False)
        setattr(file, _HINTS_ATTR, cached)
    if cached is None:
        scopes = file.has_token("scope") or (file.kind is FileKind.PYTHON
                                             and file.has_any(POSITIONAL_HINTS))
        code = file.kind in _CODE_KINDS
        refresh = code and file.has_token("refresh") and file.has_any(_REFRESH_HINTS)
        calls = code and file.has_any(_call_hints()) and not file.is_test
        cached = (scopes, refresh, calls)
        setattr(file, _HINTS_ATTR, cached)
    return cached


def scope_facts(file: ParsedFile, *, calls: bool) -> FileFacts:
    """The file's scope requests, constants and imports (and its API calls when asked)."""
    from scanner.plugins.scopes_model import FileFacts

    may_request, refresh, may_call = _hints(file)
    facts: FileFacts | None = getattr(file, _FACTS_ATTR, None)
    if facts is None:
        facts = FileFacts(file.path)
        if may_request:
            _collect_scopes(file, facts)
        facts.refresh_tokens = refresh
        facts.partial = file.changed_lines is not None
        setattr(file, _FACTS_ATTR, facts)
    if calls and may_call and not getattr(file, _CALLS_ATTR, False):
        setattr(file, _CALLS_ATTR, True)
        from scanner.plugins.scopes_text import collect_calls

        collect_calls(file, facts, _catalog())
    return facts


def _collect_scopes(file: ParsedFile, facts: FileFacts) -> None:
    from scanner.plugins.scopes_text import config_scope_requests, url_scope_requests

    if file.is_test:
        return  # requests in tests are not judged; a test module's constants are not production's
    if file.kind is FileKind.PYTHON:
        from scanner.plugins.scopes_prescreen import is_candidate

        if is_candidate(file):
            from scanner.plugins.scopes_python import collect_python

            collect_python(file, facts)
    elif file.kind in JS_KINDS:
        from scanner.plugins.scopes_js import collect_js
        from scanner.plugins.scopes_js import is_candidate as js_candidate

        if js_candidate(file):
            collect_js(file, facts)
    elif file.kind in CONFIG_KINDS:
        config_scope_requests(file, facts)
    url_scope_requests(file, facts)


def _definitions(file: ParsedFile) -> FileFacts:
    """Constants and imports of a file the scan did not collect (read through `project.load`)."""
    from scanner.plugins.scopes_model import FileFacts

    facts = FileFacts(file.path)
    if file.kind is FileKind.PYTHON:
        from scanner.plugins.scopes_python import collect_python

        collect_python(file, facts)
    elif file.kind in JS_KINDS:
        from scanner.plugins.scopes_js import collect_js

        collect_js(file, facts)
    return facts


class _ProjectView:
    """Every file's facts plus lazily loaded modules, and name lookup across imports."""

    _JS_SUFFIXES = (".ts", ".js", ".tsx", ".jsx", ".mjs", "/index.ts", "/index.js")

    def __init__(self, facts: Mapping[str, FileFacts], project: Project) -> None:
        from scanner.plugins.scopes_model import build_module_index

        self.facts = dict(facts)
        self.project = project
        self.modules = build_module_index({**{p: None for p in project.scanned_paths}, **self.facts})
        self.loaded: dict[str, FileFacts | None] = {}

    def facts_of(self, path: str) -> FileFacts | None:
        if path in self.facts:
            return self.facts[path]
        if path not in self.loaded:
            file = self.project.load(path)
            self.loaded[path] = _definitions(file) if file is not None else None
        return self.loaded[path]

    def module_path(self, module: str) -> str | None:
        if module.startswith("js:"):
            base = module[3:]
            for suffix in self._JS_SUFFIXES:
                if self.facts_of(base + suffix) is not None:
                    return base + suffix
            return None
        known = self.modules.get(module)
        if known is not None:
            return known
        relative = module.replace(".", "/")
        for candidate in (f"{relative}.py", f"{relative}/__init__.py", f"src/{relative}.py"):
            if self.facts_of(candidate) is not None:
                return candidate
        return None

    def lookup(self, path: str, name: str) -> tuple[str, Value] | None:
        return self._lookup(path, name, 0)

    def _lookup(self, path: str, name: str, depth: int) -> tuple[str, Value] | None:
        facts = self.facts_of(path)
        if facts is None or depth > 8:
            return None
        if name in facts.constants:
            return path, facts.constants[name]
        parts = name.split(".")
        imported = facts.imports.get(parts[0])
        if imported is None:
            return None
        module, attribute = imported
        rest = parts[1:]
        if attribute is not None:
            # `from pkg import mod` then `mod.NAME`, or `from mod import NAME`.
            submodule = self.module_path(f"{module}.{attribute}") if rest else None
            if submodule is not None:
                return self._lookup(submodule, ".".join(rest), depth + 1)
            target = self.module_path(module)
            return self._lookup(target, ".".join([attribute, *rest]), depth + 1) if target else None
        # `import pkg.mod [as m]` then `m.NAME` / `pkg.mod.NAME`: the longest module prefix wins.
        for cut in range(len(rest) - 1, -1, -1):
            target = self.module_path(".".join([module, *rest[:cut]]))
            if target is not None and rest[cut:]:
                return self._lookup(target, ".".join(rest[cut:]), depth + 1)
        return None


_SCOPE_CONSTANT = re.compile(r"^(?:\w*_)?scopes?$", re.IGNORECASE)


def resolved_requests(facts: Mapping[str, FileFacts], project: Project) -> list[tuple[ScopeRequest, ResolvedScopes]]:
    """Every scope request of the scanned (non-test) files with its resolved scopes, plus scope
    constants (`SCOPES = [...]`) that no request uses (passed in a way we do not recognise)."""
    from scanner.plugins.scopes_model import Ref, Resolver, ScopeRequest

    view = _ProjectView(facts, project)
    resolver = Resolver(view.lookup)
    paths = [path for path in sorted(facts) if not ParsedFile(path, "").is_test]
    results = [(request, scopes) for path in paths for request in facts[path].requests
               if _is_oauth(scopes := resolver.scopes(request))]
    candidates: list[tuple[ScopeRequest, ResolvedScopes, set[tuple[str, str]]]] = []
    for path in paths:
        for name, value in facts[path].constants.items():
            short = name.split(".")[-1]
            if not _SCOPE_CONSTANT.match(short) or (path, short) in resolver.visited:
                continue
            own = Resolver(view.lookup)
            request = ScopeRequest(Ref(name, value.span), f"{name} constant", None, value.span)
            candidates.append((request, own.scopes(request), own.visited - {(path, short)}))
    used_by_others = {key for *_rest, visited in candidates for key in visited}
    for request, scopes, _visited in candidates:
        key = (request.span.path, request.value.name.split(".")[-1]) if isinstance(request.value, Ref) else None
        if key not in used_by_others and scopes.tokens and _is_oauth(scopes):
            results.append((request, scopes))
    return results


# Words in a request's origin (callee, variable, config key) that say it is about OAuth.
_OAUTH_CONTEXT = ("oauth", "auth", "session", "flow", "credential", "client", "register",
                  "consent", "login", "signin", "msal", "sso", "openid", "oidc", "urlsearchparams",
                  "google", "github", "slack", "microsoft", "azure", "graph", "hubspot", "okta", "salesforce",
                  "zoom", "dropbox", "url parameter", "constant")


def oauth_context(request: ScopeRequest, tokens: list[ScopeToken], catalog: Catalog) -> bool:
    """Is this request clearly OAuth? A plain `scope="all"` passed to some unrelated API is not:
    SH204 and SH202's generic words (`all`, `admin` ...) then stay silent."""
    origin = request.origin.lower()
    if request.provider_url or any(word in origin for word in _OAUTH_CONTEXT):
        return True
    if origin.endswith("(config)") and "scopes" in origin:
        return True
    return any(
        any(ch in token.text for ch in ":./") or token.text in catalog.explicit
        or token.text in catalog.identity or token.text == "offline_access"
        for token in tokens
    )


def _is_oauth(scopes: ResolvedScopes) -> bool:
    from scanner.plugins.scopes_model import NOT_OAUTH_SCOPES

    return not scopes.tokens or any(t.text.lower() not in NOT_OAUTH_SCOPES for t in scopes.tokens)


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower() if host else None


class _ScopeRule(ProjectRule):
    """Shared plumbing: facts collection, de-duplicated findings at a span."""

    keywords = SCOPE_HINTS

    @classmethod
    def words(cls) -> tuple[str, ...]:
        return (*cls.keywords, "refresh", *_REFRESH_HINTS, *_call_hints())

    keyword_gated = True  # applies_to (scope hints) requires one of the keywords

    def applies_to(self, file: ParsedFile) -> bool:
        return _hints(file)[0]

    def collect(self, file: ParsedFile) -> Any:
        facts = scope_facts(file, calls=False)
        return facts if (facts.requests or facts.constants or facts.imports) else None

    def at(self, span: Span, message: str, construct: str, *, request: ScopeRequest | None = None,
           project: Project | None = None) -> Finding:
        if request is not None and project is not None and span.path not in project.scanned_paths:
            # The literal is in a module the scan did not cover (hook/diff mode): report where
            # the scanned file requests it.
            span = request.span
        return self.make_finding(path=span.path, line=span.line, column=span.column, end_line=span.end_line,
                                 end_column=span.end_column, message=message, line_text=span.line_text,
                                 construct=construct)

    def check_project(self, facts: Mapping[str, Any], project: Project) -> Iterable[Finding]:
        seen: set[tuple[str, int, int, str]] = set()
        for finding in self.findings(facts, project):
            key = (finding.path, finding.line, finding.column, finding.message)
            if key not in seen:
                seen.add(key)
                yield finding

    def findings(self, facts: Mapping[str, Any], project: Project) -> Iterator[Finding]:
        raise NotImplementedError

    def allowed(self) -> frozenset[str]:
        return frozenset(self.options.get("allow", ()))


class ScopeStringTooLong(_ScopeRule):
    """## What it does
    Flags a scope string longer than the provider accepts. The scopes of one request, joined with
    spaces, are longer than the limit (4,000 characters unless configured). When only part of the list is known statically (the rest
    comes from the environment or a call), it reports when the known part alone is over the limit.

    ## Why is this bad?
    Authorization servers and proxies cap the `scope` parameter (and the URL or header carrying
    it). Past the limit the authorize redirect fails, or the server silently truncates the list,
    so the integration breaks in production in a way that is hard to trace. A list that long also
    asks users to grant far more than any one integration should hold.

    ## Example
        # hr/permissions.py: 300 entries
        EMPLOYEE_ACCESS = ["hris.employees.personal.read", "hris.employees.personal.write", ...]

        # hr/oauth.py
        from hr.permissions import EMPLOYEE_ACCESS
        session = OAuth2Session(CLIENT_ID, scope=" ".join(EMPLOYEE_ACCESS + ["offline_access"]))

    ## Use instead
    Request only the scopes the integration calls, or split it into several integrations:

        session = OAuth2Session(CLIENT_ID, scope=["hr.employees.read"])

    Configure the limit globally, or per token/authorize host (a suffix matches subdomains) or
    catalogued provider name (`github`, `google`, `slack`, `microsoft`, `hubspot`):

        [tool.secret-hygiene.scopes]
        max-length = 4000
        host-limits = {"api.example.com" = 2000, "google" = 3000}

    ## References
    - RFC 6749 section 3.3 (Access Token Scope)
    - Microsoft identity platform: request URL limits
    """

    id = "SH201"
    name = "scope-string-too-long"
    category = Category.SCOPE
    severity = Severity.MEDIUM
    examples = (
        Bad("from requests_oauthlib import OAuth2Session\n"
            "session = OAuth2Session('client', scope=' '.join(['contacts.read'] * 2) + ' ' + '"
            + "x" * 4100 + "')\n"),
        Bad("SCOPES = [\n" + "".join(f'    "hr.employees.field{n:03}.read",\n' for n in range(300)) + "]\n",
            path="hr/scopes.py",
            files={"hr/sync.py": "from hr.scopes import SCOPES\n"
                                 "session = OAuth2Session('client', scope=' '.join(SCOPES))\n"}),
        Good("from requests_oauthlib import OAuth2Session\n"
             "session = OAuth2Session('client', scope=['contacts.read', 'deals.read'])\n"),
        Good("import os\nsession = OAuth2Session('client', scope=os.environ['SCOPES'].split())\n"),
    )

    def findings(self, facts: Mapping[str, Any], project: Project) -> Iterator[Finding]:
        default = self.options.get("max-length", DEFAULT_MAX_LENGTH)
        host_limits: Mapping[str, int] = self.options.get("host-limits", {})
        for request, scopes in resolved_requests(facts, project):
            limit, where = default, ""
            host = _host(request.provider_url)
            provider = _request_provider(request, scopes.tokens, _catalog())
            for known, value in sorted(host_limits.items()):
                key = known.lower()
                if (host and (host == key or host.endswith("." + key))) or key == provider:
                    limit, where = value, f" for {known}"
            if scopes.length <= limit:
                continue
            count = len(scopes.tokens)
            if scopes.complete:
                message = (f"scope string is {scopes.length:,} characters once space-joined ({count} scopes); "
                           f"the limit{where} is {limit:,}")
            else:
                message = (f"the statically known part of the scope string is already {scopes.length:,} "
                           f"characters ({count} scopes); the limit{where} is {limit:,}")
            anchor = scopes.anchor
            yield self.at(anchor, message, f"scope-length:{request.origin}:{scopes.tokens[0].text if count else ''}",
                          request=request, project=project)


class WildcardOrAdminScope(_ScopeRule):
    """## What it does
    Flags wildcard and admin scopes where narrower ones exist. It covers wildcard and
    administrative scopes (`*`, `all`, `admin`, `full_access`, `root`), GitHub's
    classic `repo` and `admin:*` scopes, Google's `cloud-platform`, full Drive and full Gmail
    scopes, Microsoft Graph's `Directory.ReadWrite.All`, and the other catalogued scopes for which
    the provider offers narrower ones.

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
    category = Category.SCOPE
    severity = Severity.HIGH
    cwe = ("CWE-250",)
    examples = (
        Bad('github = oauth.register("github", client_kwargs={"scope": "repo read:org"})\n'),
        Bad('flow = Flow.from_client_secrets_file("client.json", '
            'scopes=["https://www.googleapis.com/auth/cloud-platform"])\n'),
        Bad("auth:\n  scopes:\n    - admin\n    - contacts.read\n", path="config.yaml"),
        Good('github = oauth.register("github", client_kwargs={"scope": "public_repo read:org"})\n'),
        Good('@pytest.fixture(scope="session")\ndef db():\n    return 1\n'),
    )

    def findings(self, facts: Mapping[str, Any], project: Project) -> Iterator[Finding]:
        catalog = _catalog()
        allowed = self.allowed()
        for request, scopes in resolved_requests(facts, project):
            oauth = oauth_context(request, scopes.tokens, catalog)
            for token in scopes.tokens:
                if token.text in allowed:
                    continue
                why = _broad_reason(token.text, catalog, generic=oauth)
                if why is not None:
                    reason, instead = why
                    yield self.at(token.span, f"scope `{token.text}` {reason}; prefer {instead}",
                                  f"scope:{token.text}", request=request, project=project)


def _broad_reason(scope: str, catalog: Catalog, *, generic: bool) -> tuple[str, str] | None:
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


class DuplicateScope(_ScopeRule):
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
    category = Category.SCOPE
    severity = Severity.LOW
    examples = (
        Bad('SCOPES = ["contacts.read", "deals.read", "contacts.read"]\n'),
        Bad('const SCOPES = ["openid", "profile", "openid"];\n', path="src/auth.ts"),
        Good('SCOPES = ["contacts.read", "deals.read"]\n'),
        Good('SCOPES = ["contacts.read"]\nOTHER_SCOPES = ["contacts.read"]\n'),
    )

    def findings(self, facts: Mapping[str, Any], project: Project) -> Iterator[Finding]:
        for request, scopes in resolved_requests(facts, project):
            seen: set[str] = set()
            for token in scopes.tokens:
                if token.text in seen:
                    yield self.at(token.span, f"scope `{token.text}` is requested more than once",
                                  f"duplicate-scope:{token.text}", request=request, project=project)
                seen.add(token.text)


class UnusedScope(_ScopeRule):
    """## What it does
    Flags a requested scope that the code never exercises. Either no API call touches the scope's
    resource, or a write scope whose resource is only ever read (then it suggests the read scope).

    How the decision is made:

    1. Each scope is parsed into (resource, access). Common syntaxes are understood:
       `people:read` and `read:org` (resource `people`/`org`, access read), `deals.write`,
       `crm.objects.contacts.read` (the last part before the access word is the resource),
       `Mail.ReadWrite`, `https://www.googleapis.com/auth/drive.readonly` (the API name, here
       `drive`; a bare Google scope like `.../auth/drive` is full access). A scope without an
       access word (`forms`) is judged on its resource only. Identity scopes (`openid`, `profile`,
       `email`) and scopes that name no resource are never reported. `offline_access` counts as
       used when the code handles refresh tokens (a `refresh_token` grant or key).
    2. The repository's API calls are collected: HTTP method and URL path of
       requests/httpx/aiohttp/urllib/fetch/axios calls, URL constants used by them (a URL constant
       no call uses counts with an unknown method), `"GET /path"` route strings (Octokit), and SDK
       calls the catalogs map to endpoints (slack_sdk, hubspot-api-client, googleapiclient,
       PyGithub, msgraph). Test files do not count.
    3. A call touches a resource when a word of its path (split on `/`, `.` and `:`, singular and
       plural alike) is the resource or one of its catalogued aliases (Microsoft Graph `Mail` ->
       `messages`, `mailFolders`, `sendMail`; Slack `channels` -> `conversations`). Calls to
       another provider's API host do not count. No touching call: unused. Touching calls that are
       all GET (a POST to a `.../search` endpoint counts as a read) for a write scope with a known
       read twin: broader than needed.
    4. When no call is visible at all for the request's provider, nothing is reported; likewise
       in diff and hook scans, which see only the changed files, unless the rest of the
       repository can be listed. Requests that are not clearly OAuth (a plain `scope="billing"`
       passed to an unrelated API, with no OAuth client, token URL or scope syntax around it) are
       not judged. Requests in test files are not judged either. When not one scope of a request
       to a provider the catalogs do not know matches any call (`api.console`), its scope names
       evidently do not follow the API's paths, and nothing is said: map them (below) instead.

    Teach it a provider's scopes in `[tool.secret-hygiene.scopes]` by mapping each scope to the
    endpoints it grants (`METHOD /path`, `*` and `{id}` match any segment; the path may be a tail
    of the called URL). A mapped scope is used when any call matches one of its endpoints:

        [tool.secret-hygiene.scopes]
        map = {"people:read" = ["GET /api/v3/people"], "people:write" = ["POST /api/v3/people"]}
        allow = ["legacy:scope"]  # never reported

    The built-in catalogs live in `scanner/data/scopes_*.json` (GitHub, Google, Slack, Microsoft
    Graph, HubSpot): `scopes` (explicit meanings), `resources` (aliases), `sdk` (call patterns).

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
    category = Category.SCOPE
    severity = Severity.MEDIUM
    examples = (
        Bad('SCOPES = ["people:read", "payroll:read"]\n'
            'session = OAuth2Session("client", scope=SCOPES)\n'
            'session.get("https://api.example.com/api/v3/people")\n'),
        Bad('SCOPES = ["deals.write"]\n'
            'session = OAuth2Session("client", scope=SCOPES)\n'
            'session.get("https://api.example.com/crm/v3/objects/deals")\n'),
        Good('SCOPES = ["people:read", "offline_access"]\n'
             'session = OAuth2Session("client", scope=SCOPES)\n'
             'session.get("https://api.example.com/api/v3/people")\n'
             'session.refresh_token("https://api.example.com/oauth/token")\n'),
        Good('SCOPES = ["people:read", "payroll:read"]\n'
             'session = OAuth2Session("client", scope=SCOPES)\n'),
    )

    @classmethod
    def gate_words(cls) -> tuple[str, ...] | None:
        return (*cls.keywords, "refresh", *_call_hints())  # any of the three hints

    def applies_to(self, file: ParsedFile) -> bool:
        return any(_hints(file))

    def collect(self, file: ParsedFile) -> Any:
        facts = scope_facts(file, calls=True)
        if facts.requests or facts.constants or facts.imports or facts.calls or facts.refresh_tokens:
            return facts
        return None

    def user_map(self) -> dict[str, list[Endpoint]]:
        from scanner.plugins.scopes_usage import parse_endpoint

        mapping: dict[str, list[Endpoint]] = {}
        for scope, endpoints in self.options.get("map", {}).items():
            parsed = [e for e in (parse_endpoint(x) for x in endpoints) if e is not None]
            mapping[scope] = parsed
        return mapping

    def findings(self, facts: Mapping[str, Any], project: Project) -> Iterator[Finding]:
        from scanner.plugins.scopes_usage import judge, relevant_calls

        requests = list(resolved_requests(facts, project))
        if not requests:
            return
        catalog = _catalog()
        every_file = list(facts.values())
        if any(file_facts.partial for file_facts in every_file):
            # A diff or hook scan sees only the changed files: read the rest of the repository
            # when the project can list it, else say nothing rather than guess.
            others = [p for p in project.all_paths() if p not in facts and p not in project.scanned_paths]
            if not others:
                return
            every_file.extend(_calls_of(project, others))
        calls = [call for file_facts in every_file for call in file_facts.calls]
        refresh = any(file_facts.refresh_tokens for file_facts in every_file)
        user_map = self.user_map()
        allowed = self.allowed()
        for request, scopes in requests:
            if not oauth_context(request, scopes.tokens, catalog):
                continue
            provider = _request_provider(request, scopes.tokens, catalog)
            visible = relevant_calls(calls, provider, catalog)
            if not visible:
                continue  # the code's calls cannot be seen: say nothing rather than guess
            verdicts = [(token, judge(token.text, visible, catalog, user_map, refresh))
                        for token in scopes.tokens if token.text not in allowed]
            if provider is None and _names_unrelated_to_paths(verdicts, catalog):
                # No scope of an unknown provider's request matches any call: its scope names do
                # not follow the API's paths (`api.console`), so the calls cannot be told apart.
                verdicts = [(t, v) for t, v in verdicts if v is not None and v.kind == "offline"]
            for token, verdict in verdicts:
                if verdict is not None:
                    yield self.at(token.span, verdict.message, f"unused-scope:{token.text}",
                                  request=request, project=project)


def _names_unrelated_to_paths(verdicts: list[tuple[ScopeToken, Verdict | None]], catalog: Catalog) -> bool:
    from scanner.plugins.scopes_usage import parse_scope

    judged = [v for t, v in verdicts
              if t.text != "offline_access" and (v is not None or parse_scope(t.text, catalog) is not None)
              and t.text not in catalog.identity]
    return bool(judged) and all(v is not None and v.kind == "untouched" for v in judged)


def _calls_of(project: Project, paths: Iterable[str]) -> Iterator[FileFacts]:
    code_suffixes = (".py", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts")
    for path in paths:
        if path.endswith(code_suffixes):
            file = project.load(path)
            if file is not None:
                yield scope_facts(file, calls=True)


def _request_provider(request: ScopeRequest, tokens: list[ScopeToken], catalog: Catalog) -> str | None:
    provider = catalog.provider_of_host(_host(request.provider_url))
    if provider is not None:
        return provider
    for token in tokens:
        provider = catalog.provider_of_scope(token.text)
        if provider is not None:
            return provider
    return None


RULES: tuple[type[Rule], ...] = (ScopeStringTooLong, WildcardOrAdminScope, DuplicateScope, UnusedScope)
