"""SH403 missing-pkce: an authorization-code request from a public client without PKCE."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.facts.base import FileFacts
from scanner.facts.oauth.params import AuthorizationRequest
from scanner.model.finding import Finding, Severity
from scanner.rules.base import Bad, Good, Rule, RuleContext
from scanner.rules.oauth.common import NOT_IN_TESTS, first_per_function


class MissingPkce(Rule):
    """## What it does
    Finds an authorization-code request from a public client without a PKCE code challenge.
    Public clients are browser apps, mobile and desktop apps and CLIs; the request is a
    `response_type=code` URL or parameter set that sends no `code_challenge`.

    ## Why is this bad?
    A public client has no secret, so nothing stops an attacker who intercepts the authorization
    code (a malicious app registered on the same custom scheme, a leaked redirect) from redeeming
    it. PKCE binds the code to the client instance that started the flow. A client is taken as
    public when it is browser code, or code without a `client_secret` that drives a browser
    (webbrowser, click/argparse CLIs, a loopback listener, Electron, React Native). Libraries
    that add PKCE by default (oidc-client-ts, MSAL, AppAuth, expo-auth-session,
    google-auth-oauthlib...) are not flagged.

    ## Example
        import webbrowser
        url = f"{AUTH_URL}?response_type=code&client_id={CLIENT_ID}&state={state}"
        webbrowser.open(url)

    ## Use instead
        url = (f"{AUTH_URL}?response_type=code&client_id={CLIENT_ID}&state={state}"
               f"&code_challenge={challenge}&code_challenge_method=S256")

    ## References
    - RFC 9700 §2.1.1 (Authorization Code Grant: public clients MUST use PKCE)
    - RFC 9700 §4.5 (Authorization Code Injection), §4.5.3.1 (PKCE)
    - RFC 7636 (Proof Key for Code Exchange by OAuth Public Clients)
    """

    id = "SH403"
    name = "missing-pkce"
    family = "oauth"
    severity = Severity.HIGH
    cwe = ("CWE-345",)
    needs = (AuthorizationRequest,)
    contexts = NOT_IN_TESTS
    examples = (
        Bad('import webbrowser\nurl = f"{AUTH_URL}?response_type=code&client_id={CID}&state={s}"\n'
            "webbrowser.open(url)\n", path="cli.py", line=2),
        Bad("export function login() {\n  const state = crypto.randomUUID();\n"
            "  window.location.href = `${AUTH}?response_type=code&client_id=${ID}&state=${state}`;\n}\n",
            path="src/auth.js", line=3),
        Bad("import webbrowser\nfrom requests_oauthlib import OAuth2Session\n"
            "url, state = OAuth2Session(CLIENT_ID).authorization_url(AUTH_URL)\n",
            path="cli.py", line=3),
        Good('import webbrowser\nurl = f"{AUTH_URL}?response_type=code&client_id={CID}&state={s}'
             '&code_challenge={ch}&code_challenge_method=S256"\nwebbrowser.open(url)\n', path="cli.py"),
        Good('url = f"{AUTH_URL}?response_type=code&client_id={CID}&state={s}"\n'
             'token = exchange(code, client_secret=CLIENT_SECRET)\n', path="web/views.py"),
        # A Next.js app's server module sits under `apps/web/` too: it sends its client secret.
        Good('export function authUrl(state) {\n'
             '  const params = new URLSearchParams({ client_id: process.env.ADS_CLIENT_ID,\n'
             '    redirect_uri: REDIRECT_URI, response_type: "code", state });\n'
             '  return `${AUTH_URL}?${params}`;\n}\n'
             'export async function exchange(code) {\n'
             '  return fetch(TOKEN_URL, { method: "POST", body: new URLSearchParams({ code,\n'
             '    client_secret: process.env.ADS_CLIENT_SECRET, grant_type: "authorization_code" }) });\n'
             '}\n', path="apps/web/lib/integrations/ads/oauth.ts"),
        Good("import { UserManager } from 'oidc-client-ts';\n"
             "const um = new UserManager({ authority, client_id, response_type: 'code' });\n",
             path="src/auth.js"),
    )

    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        requests = [r for r in facts.of(AuthorizationRequest) if r.public_client and not r.pkce]
        built = first_per_function(r for r in requests if r.how == "url" or (
            r.how == "params" and not r.library))
        for request in sorted([*built, *(r for r in requests if r.how == "library")],
                              key=lambda r: r.span):
            yield context.report(self, request.span, "authorization-code request from a public "
                                 f"client ({request.public_client}) without a PKCE code_challenge")
