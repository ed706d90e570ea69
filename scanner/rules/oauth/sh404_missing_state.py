"""SH404 missing-state: an authorization request without state or PKCE, or a callback that
never checks the `state` it reads."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.facts.base import FileFacts
from scanner.facts.oauth.callbacks import CallbackStateRead, NullStateStore
from scanner.facts.oauth.params import AuthorizationRequest
from scanner.model.finding import Confidence, Finding, Severity
from scanner.rules.base import Bad, Good, Rule, RuleContext
from scanner.rules.oauth.common import NOT_IN_TESTS, first_per_function


class MissingState(Rule):
    """## What it does
    Finds authorization requests without `state` and callbacks that never check it. A request
    with `response_type=code` is flagged when it sends neither `state` nor a PKCE code challenge
    (nor an OpenID Connect `nonce`); a callback handler is flagged when it reads `code` and
    `state` from the request but never compares `state` with the value it stored.

    ## Why is this bad?
    Without a one-time `state` bound to the user's browser (or PKCE), an attacker can make a
    victim's browser complete the attacker's authorization: login CSRF, account linking to the
    attacker's account. Reading `state` and not checking it is the same hole. Flows run by
    authlib, requests-oauthlib, Flask-Dance or social-auth check `state` themselves and are not
    flagged; neither is a handler that calls `authorize_access_token()` or
    `fetch_token(authorization_response=...)`. A callback is not flagged when it hands `state`
    to code that reads it back: a signed state decoded (`jwt.decode(state, key)`,
    `signing.loads(state)`, a `decode_state(state)` helper), the state looked up as a key of the
    session or cache (`session["oauth_states"][state]`, `get_state_data(session, state)`), or a
    value derived from it compared (`nonce, next = state.split(":")`), nor one handed by its
    caller the values stored under the state (`nonce = kwargs.pop("nonce")` in an
    authentication backend the callback view calls after its lookup). Parameters that a caller
    or a library completes are not requests: an authorization URL built from the caller's
    `params` dict, a provider definition (`authorization: {params: {...}}`) of a library
    that adds state and PKCE to every provider (Auth.js), and the dict an
    `extra_authorize_data`-style method returns for its base class to add to the request it
    builds. A strategy that creates a null state
    store by default (`new NullStateStore()`) is flagged: state is off unless each application
    turns it on. Callback findings are of medium confidence: a check made by the caller is not
    seen.

    ## Example
        @app.route("/callback")
        def callback():
            code = request.args.get("code")
            state = request.args.get("state")
            return exchange(code)

    ## Use instead
        @app.route("/callback")
        def callback():
            code = request.args.get("code")
            state = request.args.get("state")
            if not state or not hmac.compare_digest(state, session.pop("oauth_state", "")):
                abort(400)
            return exchange(code)

    ## References
    - RFC 9700 §2.1 (Protecting Redirect-Based Flows: clients MUST prevent CSRF)
    - RFC 9700 §4.7 (Cross-Site Request Forgery), §4.7.1 (Countermeasures)
    - RFC 6749 §10.12 (Cross-Site Request Forgery)
    """

    id = "SH404"
    name = "missing-state"
    family = "oauth"
    severity = Severity.MEDIUM
    cwe = ("CWE-352",)
    needs = (AuthorizationRequest, CallbackStateRead, NullStateStore)
    contexts = NOT_IN_TESTS
    examples = (
        Bad('AUTH = "https://accounts.acme.io/authorize?response_type=code&client_id=abc"\n', line=1),
        Bad('@app.route("/callback")\ndef callback():\n    code = request.args.get("code")\n'
            '    state = request.args.get("state")\n    return exchange(code)\n', line=4),
        Bad("app.get('/cb', async (req, res) => {\n  const { code, state } = req.query;\n"
            "  res.json(await exchange(code));\n});\n", path="server/routes.js", line=2),
        Bad("app.get('/cb', async (req, res) => {\n  const { state, code } = req.query;\n"
            "  res.json(await exchange(code));\n});\n", path="server/routes.js", line=2),
        Bad("app.get('/cb', async (req, res) => {\n  const tokens = await exchange(req.query.code);\n"
            "  res.redirect(req.query.state);\n});\n", path="server/routes.js", line=3),
        Good('AUTH = "https://accounts.acme.io/authorize?response_type=code&client_id=abc&state={s}"\n'),
        Good('@app.route("/callback")\ndef callback():\n    code = request.args.get("code")\n'
             '    state = request.args.get("state")\n'
             '    if state != session.pop("oauth_state", None):\n        abort(400)\n'
             '    return exchange(code)\n'),
        Good('@app.route("/callback")\ndef callback():\n    state = request.args.get("state")\n'
             '    code = request.args.get("code")\n    token = oauth.github.authorize_access_token()\n'
             '    return token\n'),
        Good("app.get('/cb', (req, res) => {\n  const { code, state } = req.query;\n"
             "  if (state !== req.session.oauthState) return res.sendStatus(400);\n"
             "  res.json(exchange(code));\n});\n", path="server/routes.js"),
        Good('@app.route("/callback")\ndef callback():\n    code = request.args["code"]\n'
             '    if request.args["state"] != session.pop("oauth_state", None):\n        abort(400)\n'
             '    return exchange(code)\n'),
        Good("async def callback(request):\n    user = request.state.user\n"
             '    code = request.query_params["code"]\n    return await exchange(code, user)\n'),
        Good('@router.get("/callback")\nasync def callback(code: str, state: str):\n'
             '    data = jwt.decode(state, settings.SECRET, algorithms=["HS256"])\n'
             '    return await exchange(code, data["user_id"])\n'),
        # A provider class serves both steps: its constructor is given `state` to build the
        # authorization URL; the callback view, its caller, compares the state first.
        Good('class GitHubProvider(OAuthAdapter):\n'
             '    def __init__(self, request, code=None, state=None, callback=None):\n'
             '        self.code = code\n'
             '        url_params = {"client_id": CLIENT_ID, "scope": "read:user",\n'
             '                      "redirect_uri": callback, "state": state}\n'
             '        self.auth_url = AUTH_URL + "?" + urlencode(url_params)\n'),
        # An authorization server's token endpoint reads the client's grant; `state` is echoed.
        Good("class TokenEndpoint(Endpoint):\n"
             "    def post(self, request):\n"
             '        if request.data.get("grant_type") != "authorization_code":\n'
             '            return Response({"error": "unsupported_grant_type"}, status=400)\n'
             '        token = exchange(request.data.get("code"), request.data.get("client_id"))\n'
             '        return Response({**token, "state": request.data.get("state")})\n'),
        # The library's redirect completion compares the state with the request it stored.
        Good('import { RedirectRequestHandler } from "@openid/appauth";\n\n'
             'const handler = new RedirectRequestHandler();\n\n'
             'router.beforeEach((to) => {\n'
             '  if (to.query.code && to.query.state) {\n'
             '    handler.completeAuthorizationRequestIfPossible();\n  }\n});\n',
             path="src/auth/pkceAuthProvider.js"),
        Bad("function Strategy(options) {\n  this._stateStore = options.state\n"
            "    ? new SessionStateStore({ key: this._key })\n    : new NullStateStore();\n}\n",
            path="lib/strategy.js", line=4),
    )

    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        requests = [r for r in facts.of(AuthorizationRequest) if not r.pkce and r.how != "library"]
        for request in first_per_function(r for r in requests if r.how == "url" or not r.library):
            if not request.sends_state:
                yield context.report(self, request.span, "authorization request for "
                                     "response_type=code sends neither `state` nor a PKCE "
                                     "code_challenge (login CSRF)")
        for read in facts.of(CallbackStateRead):
            if read.checked:
                continue
            callback = f"callback `{read.function}`" if read.function else "callback"
            yield context.report(self, read.span, f"{callback} reads `state` but never compares it "
                                 "with the value stored before the redirect",
                                 construct=f"unchecked-state:{read.function}".rstrip(":"),
                                 confidence=Confidence.MEDIUM)
        for store in facts.of(NullStateStore):
            yield context.report(self, store.span, f"`{store.store}` is created: state is neither "
                                 "stored nor checked unless the application configures a store "
                                 "(login CSRF by default)", construct=f"null-state:{store.store}",
                                 confidence=Confidence.MEDIUM)
