"""SH201 scope-string-too-long: the scopes of one request, space-joined, over the provider limit."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from scanner.facts.base import FileFacts
from scanner.facts.scopes.resolve import resolved_requests
from scanner.model.finding import Finding, Severity
from scanner.project.index import ProjectIndex
from scanner.rules.base import Bad, Good, ProjectReporter
from scanner.rules.scopes.common import ScopeRule

DEFAULT_MAX_LENGTH = 4000
_HR_PERMISSIONS = "EMPLOYEE_ACCESS = [\n" + "".join(
    f'    "hris.employees.{group}.{operation}",\n'
    for group in ("personal", "contact", "address", "emergency", "payroll", "benefits", "documents",
                  "performance", "time", "leave")
    for operation in ("read", "write", "history", "audit", "export", "import", "approve", "delete",
                      "archive", "restore", "notify", "share", "comment", "attach", "sign")
) + "]\n"


class ScopeStringTooLong(ScopeRule):
    """## What it does
    Flags a scope string longer than the provider accepts. The scopes of one request, joined
    with spaces, are longer than the limit (4,000 characters unless configured), after resolving
    constants (of other modules too), joins and concatenation. When only part of the list is
    known statically (the rest comes from the environment or a call), it reports when the known
    part alone is over the limit.

    ## Why is this bad?
    Authorization servers and proxies cap the `scope` parameter (and the URL or header carrying
    it). Past the limit the authorize redirect fails, or the server silently truncates the list,
    so the integration breaks in production in a way that is hard to trace. A list that long also
    asks users to grant far more than any one integration should hold.

    ## Example
        # hr/permissions.py holds 150 of them:
        # EMPLOYEE_ACCESS = ["hris.employees.personal.read", "hris.employees.personal.write", ...]

        # hr/oauth.py
        from hr.permissions import EMPLOYEE_ACCESS
        session = OAuth2Session(CLIENT_ID, scope=" ".join(EMPLOYEE_ACCESS + ["offline_access"]))

    ## Use instead
    Request only the scopes the integration calls, or split it into several integrations:

        session = OAuth2Session(CLIENT_ID, scope=["hr.employees.read"])

    ## Options
    Configure the limit globally, or per token/authorize host (a suffix matches subdomains) or
    catalogued provider name (`github`, `google`, `slack`, `microsoft`, `hubspot`, `salesforce`,
    `atlassian`, `zoom`, `dropbox`, `shopify`, `lucid`, `discord`, `x`):

        [tool.secret-hygiene.scopes]
        max-length = 4000
        host-limits = {"api.example.com" = 2000, "google" = 3000}

    ## References
    - RFC 6749 section 3.3 (Access Token Scope)
    - Microsoft identity platform: request URL limits
    """

    id = "SH201"
    name = "scope-string-too-long"
    family = "scope"
    severity = Severity.MEDIUM
    examples = (
        Bad("from hr.permissions import EMPLOYEE_ACCESS\n"
            "session = OAuth2Session(CLIENT_ID, scope=\" \".join(EMPLOYEE_ACCESS + "
            "[\"offline_access\"]))\n",
            path="hr/oauth.py", line=2, files={"hr/permissions.py": _HR_PERMISSIONS}),
        Bad("from requests_oauthlib import OAuth2Session\n"
            "session = OAuth2Session('client', scope=' '.join(['contacts.read'] * 2) + ' ' + '"
            + "x" * 4100 + "')\n", line=2),
        Bad("SCOPES = [\n" + "".join(f'    "hr.employees.field{n:03}.read",\n' for n in range(300))
            + "]\n", path="hr/scopes.py", line=1,
            files={"hr/sync.py": "from hr.scopes import SCOPES\n"
                                 "session = OAuth2Session('client', scope=' '.join(SCOPES))\n"}),
        Good("from requests_oauthlib import OAuth2Session\n"
             "session = OAuth2Session('client', scope=['contacts.read', 'deals.read'])\n"),
        Good("import os\nsession = OAuth2Session('client', scope=os.environ['SCOPES'].split())\n"),
    )

    def findings(self, facts: Mapping[str, FileFacts], index: ProjectIndex,
                 report: ProjectReporter) -> Iterator[Finding]:
        default = self.options.get("max-length", DEFAULT_MAX_LENGTH)
        host_limits: Mapping[str, int] = self.options.get("host-limits", {})
        for request in resolved_requests(facts, index):
            limit, where = default, ""
            host = request.host
            for known, value in sorted(host_limits.items()):
                key = known.lower()
                if (host and (host == key or host.endswith("." + key))) or key == request.provider:
                    limit, where = value, f" for {known}"
            if request.length <= limit:
                continue
            count = len(request.tokens)
            if request.complete:
                message = (f"scope string is {request.length:,} characters once space-joined "
                           f"({count} scopes); the limit{where} is {limit:,}")
            else:
                message = (f"the statically known part of the scope string is already "
                           f"{request.length:,} characters ({count} scopes); the limit{where} "
                           f"is {limit:,}")
            first = request.tokens[0].text if count else ""
            yield self.at(request.anchor, request, message,
                          f"scope-length:{request.request.origin}:{first}", index, report)
