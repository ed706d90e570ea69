"""The webhook extractors' gates: their evidence words and fast paths never hide a finding (the
same findings with and without the fast paths over generated code that stresses every spelling
the patterns allow), and they keep the parser away from code that only looks like a webhook."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.engine.plan import build_plan
from scanner.engine.runner import extract
from scanner.facts.base import Fact
from scanner.facts.webhooks import (
    PresenceCheckExtractor,
    SignatureComparisonExtractor,
    VerificationBypassExtractor,
    WebhookEntryExtractor,
)
from scanner.facts.webhooks.model import (
    EVENT_HEADERS,
    Guard,
    is_event_header,
    is_header_read,
    is_signature_header,
)
from scanner.model.document import DATA_MODULE_CHARS, Document, split_lines
from tests.gitrepo import scan_committed
from tests.support import make_rules, same_with_and_without_fast_paths, scan_files, triples

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _relevant(fact: Fact) -> bool:
    """A fact a rule can start from: every fact but guards (function summaries are built only
    when a name leads to their file, by the project index)."""
    return not isinstance(fact, Guard)


def _fast_paths_hold(files: dict[str, str]) -> None:
    """Every document where an extractor with a fast path, its gate wide open, finds a relevant
    fact matches the pattern and holds a word of each evidence group."""
    for path, text in files.items():
        lower = text.lower()
        for extractor in (WebhookEntryExtractor, SignatureComparisonExtractor,
                          PresenceCheckExtractor, VerificationBypassExtractor):
            found = [f for f in extractor().extract(Document(path, text)) if _relevant(f)]
            gate = extractor.gate
            if not found or gate.pattern is None:
                continue
            assert re.search(gate.pattern, lower), (extractor.name, text)
            # ... and outside comments and docstrings, where it counts (`Gate.code_only`).
            prose = Document(path, text).prose_spans if gate.code_only else None
            compiled = gate.compiled()
            assert compiled is not None and compiled.found_in(lower, {}, None, prose), \
                (extractor.name, text)
            for group in gate.requires[1:] if extractor in _EVIDENCE_GROUPS else ():
                assert any(word in lower for word in group), (extractor.name, text)


_EVIDENCE_GROUPS = (SignatureComparisonExtractor, PresenceCheckExtractor)


def _check(files: dict[str, str]) -> None:
    _fast_paths_hold(files)
    same_with_and_without_fast_paths(files, ["SH3"])


def _parsed(path: str, text: str) -> bool:
    """Whether scanning `path` with the webhook rules parses it."""
    document = Document(path, text)
    extract(document, build_plan(make_rules(["SH3"]), {}))
    return "code" in document.__dict__


# -- comparisons and presence checks ---------------------------------------------------------------

_GAPS = st.sampled_from(["", " ", "\n    ", "  # note\n    ", " /* c */ ", "\t"])
_PARAMETERS = st.sampled_from([
    "sig", "signature", "x_sig", "expected_signature", "sig_header", "signature_header",
    "header_signature", "received", "provided", "token", "body", "digest",
    "x_hub_signature_256: str = Header(None)", "x_github_event: str = Header(None)",
    "svix_id: str = Header(None)", "x_custom_token: str = Header(None)", "*sig", "**provided",
])
_VALUES = st.sampled_from([
    "sig", "signature", "x_sig", "received", "provided", "token", "secret", "self.secret",
    "settings.WEBHOOK_SECRET", "webhook_key", "body", "digest", "expected",
    'request.headers["X-Hub-Signature-256"]', "request.headers.get('Stripe-Signature')",
    'request.META.get("HTTP_X_GITLAB_TOKEN")', 'headers["x-custom-sig"]', '"signature"',
    "request.headers['Webhook-Id']", "hmac.new(key, body, 'sha256').hexdigest()",
    "x_hub_signature_256", "x_github_event", "svix_id", "x_custom_token", "sig_header",
    "signature_header", "header_signature", "expected_signature",
])
_OPERATORS = st.sampled_from(["==", "!=", "in", "not in", "is"])
_TESTS = st.sampled_from(["not {v}", "{v}", "{v} is None", "({v})", "not ({v})",
                          "'X-Hub-Signature' in {v}", "{v} == None"])
_PROSE = st.sampled_from([
    "", '    """Compare the value received, if provided, with the signature."""\n',
    "    # the token provided: checked below\n", "    # signature) and sig, provided\n",
])


def _python_function(prose: str, params: list[str], gap: str, compare: tuple[str, str, str],
                     test: str, keyword: str) -> str:
    left, operator, right = compare
    head = f"def check({gap}{f',{gap}'.join(params)}{gap}):\n" if keyword == "def" else (
        f"check = lambda {', '.join(p.split(':')[0].lstrip('*') for p in params)}: {left}\n"
        "def other(request):\n")
    return (f"import hmac\n\n\n{head}{prose}    if {test}:\n        return False\n"
            f"    expected = {left}\n    if expected {operator} {right}:\n        abort(401)\n"
            "    return True\n")


@FUZZ
@given(_PROSE, st.lists(_PARAMETERS, min_size=1, max_size=3), _GAPS,
       st.tuples(_VALUES, _OPERATORS, _VALUES), _TESTS, _VALUES,
       st.sampled_from(["def", "lambda"]), st.booleans())
def test_comparisons_and_presence_checks_without_fast_paths(
        prose: str, params: list[str], gap: str, compare: tuple[str, str, str], test: str,
        tested: str, keyword: str, with_hmac: bool) -> None:
    code = _python_function(prose, params, gap, compare, test.format(v=tested), keyword)
    if not with_hmac:
        code = code.replace("import hmac\n", "").replace("hmac.new", "make")
    _check({"hooks/verify.py": code})


_JS_PARAMETERS = st.sampled_from(["sig", "received", "provided", "signature", "xSig", "token",
                                  "...sig", "private received: string", "@Body() provided"])


@FUZZ
@given(_JS_PARAMETERS, _VALUES, _OPERATORS, _VALUES, _TESTS, st.booleans(), _GAPS)
def test_javascript_comparisons_without_fast_paths(param: str, left: str, operator: str,
                                                   right: str, test: str, arrow: bool,
                                                   gap: str) -> None:
    operator = {"==": "===", "!=": "!==", "in": "in", "not in": "in", "is": "==="}[operator]
    condition = test.format(v=left).replace("not ", "!").replace(" is None", " == null")
    body = (f"{{\n  if ({condition}) {{ return false; }}\n"
            f"  if ({left} {operator} {right}) {{ throw new Error('bad'); }}\n  return true;\n}}")
    name = param.split(":")[0].split()[-1].lstrip(".")
    code = (f"const check = {'async ' if gap == ' ' else ''}{name}{gap}=> {body};\n" if arrow
            else f"function check({gap}{param},{gap}secret{gap}) {body}\n")
    code = "const crypto = require('crypto');\n" + code
    _check({"src/verify.ts": code})


# -- routes ----------------------------------------------------------------------------------------

_ROUTES = st.sampled_from([
    '@app.post("/webhooks/{w}")', '@app . post ("/hooks/{w}")', '@bp.put("/{w}")',
    '@app.route("/{w}", methods=["POST"])', '@app.route(\n    "/{w}",\n    methods=["POST"],\n)',
    '@app.get("/{w}", methods=["POST"])', '@app.route(rule="/{w}", methods=["POST"])',
    '@app.delete(path="/{w}", methods=(u"PUT",))',
    '@routes.view("/{w}")', '@router.api_route("/{w}", methods=["POST"])', "@csrf_exempt",
    "@require_POST", '@require_http_methods(["POST"])', '@app.route("/{w}")', "@login_required",
])
_TABLES = st.sampled_from([
    'urlpatterns = [path("{w}/", receive)]', 'urlpatterns = [re_path(r"^{w}$", receive)]',
    'urlpatterns = [url(r"^{w}$", receive)]', 'urlpatterns = [path(\n    "{w}/",\n    receive,\n)]',
    'routes = [Route("/{w}", endpoint=receive, methods=["POST"])]',
    'app.router.add_route("POST", "/{w}", receive)', 'app.router.add_post("/{w}", receive)',
    "app.add_routes([web.post('/{w}', receive)])", 'MIDDLEWARE = ["relay.{w}.Middleware"]',
    'MIDDLEWARE += ["relay.{w}.Middleware"]', 'MIDDLEWARE: list = ["relay.{w}.Middleware"]',
    "", "urlpatterns = [path(_('{w}/'), receive)]",
])
_WORDS = st.sampled_from(["webhooks/stripe", "payments/notify", "events", "in", "ipn"])


@FUZZ
@given(_ROUTES, _TABLES, _WORDS, st.sampled_from(["receive", "stripe_webhook", "on_event"]),
       st.booleans())
def test_python_routes_without_fast_paths(decorator: str, table: str, word: str, name: str,
                                          in_class: bool) -> None:
    function = (f"{decorator.format(w=word)}\ndef {name}(request):\n"
                "    payload = request.get_json()\n    return handle(payload)\n")
    if in_class:
        function = (f"class Receiver(View):\n    {decorator.format(w=word)}\n"
                    "    def post(self, request):\n        return handle(request.body)\n")
    code = f"{function}\n\n{table.format(w=word).replace('receive', name)}\n"
    _check({"shop/views.py": code})


_JS_ROUTES = st.sampled_from([
    "app.post('/{w}', (req, res) => res.end());",
    "router.put(`/{w}`, handler);", "app.all('/{w}', handler);", "app . all (\n  '/{w}', handler);",
    "fastify.route({{ url: '/{w}', method: 'POST', handler }});",
    "export default async function handler(req, res) {{ res.end(); }}",
    "export async function POST(req) {{ return new Response(); }}",
    "module.exports = (req, res) => res.end();", "const handler = (req, res) => res.end();",
])


@FUZZ
@given(_JS_ROUTES, _WORDS, st.sampled_from(["server.js", "pages/api/{w}.js",
                                            "app/api/{w}/route.ts"]))
def test_javascript_routes_without_fast_paths(route: str, word: str, path: str) -> None:
    _check({path.format(w=word.replace("/", "-")): route.format(w=word) + "\n"})


# -- what the fast paths keep from the parser ------------------------------------------------------

@pytest.mark.parametrize("code", [
    # Django's docstrings and locals: prose and `inspect.signature`, not a signature parameter.
    'def get(self, pk):\n    """Return the row; if pk is provided, the cache is skipped\n'
    '    and the key received from the caller is used."""\n    return self.rows[pk]\n',
    "import inspect\n\n\ndef accepts(func, token):\n"
    "    return inspect.signature(func).parameters.get(token)\n",
    # A query set's `.all()`, a helper's `..._path(`, and settings read, not written.
    "def rows(qs, key):\n    return [r for r in qs.all() if r.key == key]\n",
    'def view(request, event):\n    return builtin_template_path("500.html")\n',
    "def chain(settings, callback):\n    for middleware in settings.MIDDLEWARE:\n"
    "        callback(middleware)\n",
    # Django's definition of a decorator, a setting changed in a test.
    "def csrf_exempt(view_func):\n    def wrapped_view(*args, **kwargs):\n"
    "        return view_func(*args, **kwargs)\n    wrapped_view.csrf_exempt = True\n"
    "    return wrapped_view\n",
    '@modify_settings(middleware={"append": "x.Middleware"})\ndef view(request, callback):\n'
    "    return callback(request)\n",
    # A secret checked by a call, a comment that says verify near an event.
    "def check(key, token):\n    if not _check_secret_key(key):\n        return None\n"
    "    return verify_signature(token)\n",
    "def lookup(event, names):\n    # verify that the last lookup is a transform\n"
    "    return names[-1]\n",
    # An English `provided,` after a word; a secret read without a signature in sight.
    "def save(secret_key, token):\n    # stored as provided, then hashed\n"
    "    return hash(secret_key) + token\n",
    # Prose ending a line, a quoted word, and statements binding `signature` or `sig` (Django's
    # templates, middleware and models): no parameter.
    'def render(token):\n    """Raise an error. The following information is\n    provided:\n\n'
    '    message\n        The message.\n    """\n    return token\n',
    'def cache_key(request, token):\n    # tell "provided, but empty" apart from missing\n'
    "    return token or request\n",
    "def check(fields, token):\n    for f in fields:\n        signature = (f.name, f.kind, token)\n"
    "        yield signature\n",
    # A template tag named like a route table (Django's `{% url %}`): a definition, not a call.
    '@register.tag\ndef url(parser, token):\n    """Return an absolute URL (a callback)."""\n'
    "    return parser.compile_filter(token)\n",
    "def create(self, token):\n    name = self._name()\n    sig = [self.settings[token], name]\n"
    "    return sig\n",
    # A name passed to a call is an argument, not a parameter (Django's model checks, a
    # fingerprint helper); a model flag named like an export, not a Next.js export.
    "def check(fields, token):\n    seen = []\n    for f in fields:\n"
    "        seen.append(signature)\n    return token\n",
    "def fingerprint(event, token):\n    return sha1(signature).hexdigest() + token\n",
    # A function's local variable named like the setting (Django's handler and decorators).
    "class Handler:\n    def load(self, paths, callback):\n        for path in paths:\n"
    "            middleware = import_string(path)\n            callback(middleware)\n",
    "class Release(Model):\n    __include_in_export__ = False\n\n"
    "    def notify(self, event):\n        return event\n\n"
    "    def get_absolute_url(self):\n        return reverse('release', args=[self.pk])\n",
    # DRF views' undecorated `post` (after their class line, a blank line or a docstring) mark
    # nothing; an HTTP client's `.post(url, ...)` sends a request and serves none.
    "class EventList(APIView):\n    def post(self, request):\n"
    "        return Response(request.data)\n",
    'class EventDetails(APIView):\n    """Events of a project."""\n\n    def post(self, request):\n'
    "        return Response(request.data)\n\n    def put(self, request):\n        pass\n",
    "class EventList(APIView):\r\n    permission = 1\r\n\r\n    def post(self, request):\r\n"
    "        return Response(request.data)\r\n",
    "def notify(event, url):\n    return requests.post(url, json=event.payload, timeout=5)\n",
    "class EventTest(TestCase):\n    def test_send(self):\n"
    "        self.client.post(self.url, {'event': 1})\n",
    # A framework's docstrings and comments showing routes and middleware settings, in modules
    # whose code holds the gate's words (an event, a callback) but no route.
    'def url_tag(parser, token, callback=None):\n    """\n    Example::\n\n'
    "        path('client/<int:id>/', views.client_details, name='client-detail-view')\n"
    '    """\n    return parser.compile_filter(token, callback)\n',
    "def cache_page(view, callback):\n    # urlpatterns = [path('foo/', cache_page(60)(my_view))]\n"
    "    return callback(view)\n",
])
def test_code_that_only_looks_like_a_webhook_is_not_parsed(code: str) -> None:
    assert not _parsed("pkg/module.py", code)
    assert scan_files({"pkg/module.py": code}, select=["SH3"]).findings == []


_SHAPES = [
    # Parameters named like a signature, in every place the grammars allow one.
    ("hooks.py", "def check(body, received, token):\n    return received == token\n"),
    ("hooks.py", "check = lambda provided, secret: provided == secret\n"),
    ("hooks.py", "def check(\n    body,  # raw\n    sig_header,\n    key,\n):\n"
                 "    return sig_header != key\n"),
    ("hooks.py", "def check(signature_header=None, *, token):\n"
                 "    return signature_header == token\n"),
    ("hooks.py", "def check(header_signature, secret):\n    if not header_signature:\n"
                 "        return False\n    return True\n"),
    ("hooks.py", "def check(*sig, token):\n    return sig in token\n"),
    ("hooks.ts", "const check = (received) => received === process.env.SECRET;\n"),
    ("hooks.ts", "const check = async received => received === webhookToken;\n"),
    ("hooks.ts", "function check(...sig) {\n  return sig === apiToken;\n}\n"),
    ("hooks.ts", "class C {\n  constructor(private received: string, token: string) {\n"
                 "    if (received == token) { throw new Error(); }\n  }\n}\n"),
    ("hooks.ts", "class C {\n  handle(@Body() provided: string, token: string) {\n"
                 "    return provided !== token;\n  }\n}\n"),
    # Headers, digests, the secret.
    ("hooks.py", 'def f(request, token):\n    return request.headers["X-Api-Token"] == token\n'),
    ("hooks.py", "def f(request, secret):\n    return request.META['HTTP_X_HUB_SIG'] == secret\n"),
    ("hooks.py", 'SIG = "signature"\n\n\ndef f(request, token):\n'
                 "    return request.headers[SIG] == token\n"),
    ("hooks.py", "def f(body, key, given):\n"
                 "    expected = hmac.new(key, body, 'sha1').hexdigest()\n"
                 "    return expected == given\n"),
    ("hooks.py", "def f(request):\n    if not settings.WEBHOOK_SECRET:\n        return None\n"
                 "    verify_signature(request)\n"),
    ("hooks.py", "def f(request):\n    if x:\n        pass\n    elif (not signing_key):\n"
                 "        return None\n    verify_signature(request)\n"),
    ("hooks.py", "from fastapi import Header\n\n\n"
                 "async def f(x_github_event: str = Header(None), token: str = ''):\n"
                 "    if x_github_event != token:\n        return 1\n"),
    ("hooks.py", "def f(request):\n    if not self.secret[0]:\n        return None\n"
                 "    verify_signature(request)\n"),
    # Bypasses.
    ("hooks.py", "def f(payload):\n    return webhook.construct_event_without_verification(payload)\n"),
    ("hooks.py", "def f(request):\n    return stripe.Event.construct_from(request.json, KEY)\n"),
    ("hooks.py", "def f(h, body):\n    return sansio.Event.from_http(h, body, verify=(False))\n"),
    ("hooks.py", "def f(w, body):\n    return w.webhook.check(body, check_signature  =  False)\n"),
    # Routes, marked views, middleware settings.
    ("views.py", '@app.post("/webhooks/x")\ndef receive():\n    return "", 204\n'),
    ("views.py", '@app.route(rule="/hooks/x", methods=["POST"])\ndef receive():\n    pass\n'),
    ("views.py", '@app.route(\n    "/hooks/x",\n    methods=["POST"],\n)\n'
                 "def receive():\n    pass\n"),
    ("views.py", "class Hook(View):\n    @method_decorator(csrf_exempt)\n"
                 "    def dispatch(self, request):\n        pass\n"),
    ("views.py", "@ decorators.require_POST\ndef hook(request):\n    pass\n"),
    ("views.py", '@require_http_methods(\n    ["POST"],\n)\ndef hook(request):\n    pass\n'),
    ("views.py", "class Hook(View):\n    @method_decorator(login_required)\n"
                 "    def post(self, request):\n        pass\n"),
    ("views.py", "class Hook(View):\n    @method_decorator(\n        login_required,\n    )\n"
                 "    def post(self, request):\n        pass\n"),
    ("views.py", "class Hook(View):\n    @method_decorator(login_required)\n    # the relay\n"
                 "    def post(self, request):\n        pass\n"),
    ("views.py", "@router.post(settings.WEBHOOK_PATH)\ndef receive():\n    pass\n"),
    ("views.py", "@router.post(\n    HOOK,\n)\ndef receive():\n    pass\n"),
    ("server.js", "router.post(\n  // the relay\n  '/hooks/x', onHook);\n"),
    ("urls.py", 'urlpatterns = [path("hooks/x/", views.receive)]\n'),
    ("urls.py", "urlpatterns = [\n    re_path(\n        r'^hooks/$',  # the hook\n"
                "        views.receive,\n    ),\n]\n"),
    ("settings.py", 'MIDDLEWARE = ["relay.webhooks.SignatureMiddleware"]\n'),
    ("settings.py", 'MIDDLEWARE += ("relay.webhooks.SignatureMiddleware",)\n'),
    ("settings.py", 'MIDDLEWARE: list[str] = ["relay.webhooks.SignatureMiddleware"]\n'),
    ("settings.py", 'if DEBUG:\n    MIDDLEWARE += ["relay.webhooks.SignatureMiddleware"]\n'),
    ("settings.py", "class Dev(Configuration):\n"
                    '    MIDDLEWARE = ["relay.webhooks.SignatureMiddleware"]\n'),
    ("settings.py", 'BASE = MIDDLEWARE = ["relay.webhooks.SignatureMiddleware"]\n'),
    ("server.js", "app.all('/hooks/x', (req, res) => res.end());\n"),
    ("server.js", "fastify.route({ url: '/hooks/x', method: 'POST', handler: onHook });\n"),
    # A registry imported under an alias; a body value against the webhook's credential; the
    # HMAC key's source tested for presence.
    ("hub.py", "from hub.webhook import register as webhook_register\n\n\n"
               "def setup(hub, entry):\n"
               "    webhook_register(hub, 'd', 'Door', entry.data['hook_id'], on_ring)\n"),
    ("hooks.py", "async def f(request, person):\n    data = await request.json()\n"
                 "    return data['id'] == person.webhook_auth\n"),
    ("hooks.py", "def f(state, token, signature):\n    if CONFIG not in state:\n"
                 "        return True\n    key = state[CONFIG]\n"
                 "    return hmac.compare_digest(hmac.new(key, token, 'sha256').hexdigest(), signature)\n"),
    ("app/api/hook/route.ts", "export async function POST(req) {\n  return new Response();\n}\n"),
    ("pages/api/hook.js", "module.exports = (req, res) => res.end();\n"),
    ("app/api/hook/route.ts", "async function handle(req) {\n  return new Response();\n}\n\n"
                              "export { handle as POST };\n"),
    # The last parameter in parentheses, before what ends a definition in each grammar.
    ("hooks.py", "def check(body, token, received) -> bool:\n    return received == token\n"),
    ("hooks.ts", "function check(token: string, received)\n{\n  return received === token;\n}\n"),
    ("hooks.ts", "const check = (token, provided): boolean => provided === token;\n"),
    # The same shapes after prose that ends before them; a `/*` inside a string opens no comment.
    ("urls.py", '"""Routes.\n\npath("x/", v)\n"""\n# path("y/", w)\n'
                "urlpatterns = [path('hooks/stripe/', views.stripe_hook)]\n"),
    ("server.js", "/**\n * app.post('/hooks/x', h)\n */\n"
                  "app.use('/api/*', auth); app.post('/hooks/stripe', onHook);\n"),
    ("server.js", "// app.post('/hooks/a', a)\napp.post('/hooks/stripe', onHook);\n"),
]


@pytest.mark.parametrize(("path", "code"), _SHAPES)
def test_code_that_may_hold_a_webhook_fact_is_parsed(path: str, code: str) -> None:
    assert _parsed(path, code)
    _fast_paths_hold({path: code})
    found = [f for extractor in (WebhookEntryExtractor, SignatureComparisonExtractor,
                                 PresenceCheckExtractor, VerificationBypassExtractor)
             for f in extractor().extract(Document(path, code)) if _relevant(f)]
    assert found  # each shape really is a fact the fast paths must let through


# -- other projects' JavaScript shipped in the tree -----------------------------------------------

@pytest.mark.parametrize(("path", "vendored"), [
    ("django/contrib/admin/static/admin/js/vendor/jquery/jquery.js", True),
    ("web/node_modules/express/lib/router/index.js", True),
    ("static/js/select2.full.js", True),
    ("static/js/lodash.core.min.mjs", True),
    ("assets/chart-min.js", True),
    ("third_party/xregexp/xregexp-all.js", True),
    ("static/js/jquery-3.7.1.js", True),
    ("sentry/static/sentry/dist/chunks/app_views.455373cb9a0885d6aac3.js", True),
    ("pretix/static.dist/pretixcontrol/js/ui/tabs.cae79cc97fe4.js", True),
    ("web/build/static/js/main.8c2f1a3b.chunk.js", True),
    ("src/utils/deadbeef.js", False),
    ("src/feed-facade.js", False),
    ("src/jqueryHelpers.js", False),
    ("src/server.js", False),
    ("pages/api/webhooks/stripe.ts", False),
    ("vendor/acme/client.py", False),  # Python under vendor/: often a fork the team owns
    ("venv/lib/python3.10/site-packages/requests/sessions.py", True),  # what pip installed
    ("env/Lib/site-packages/jinja2/filters.py", True),
    ("usr/lib/python3/dist-packages/yaml/__init__.py", True),
    ("venv/lib/python3.10/site-packages/django/contrib/admin/static/admin/js/core.js", True),
    ("docs/site-packages.py", False),  # a file of that name, not a directory
])
def test_vendored_code_is_known_by_its_place(path: str, vendored: bool) -> None:
    assert Document(path, "var x = 1;\n").is_vendored is vendored


@pytest.mark.parametrize(("ending", "vendored"), [
    ("//# sourceMappingURL=pdf.mjs.map\n", True),  # a build names its source map last
    ("//@ sourceMappingURL=pdf.mjs.map", True),
    ("//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozfQ==\n\n", True),
    ("// see sourceMappingURL= in the docs\n", False),  # a comment about it
    ("var url = '//# sourceMappingURL=x';\nvar y = 2;\n", False),  # not the last line
])
def test_javascript_that_names_its_source_map_is_a_build(ending: str, vendored: bool) -> None:
    text = "export function render(page) {\n  return page;\n}\n" + ending
    assert Document("build/pdf.mjs", text).is_vendored is vendored


_HANDLER = ("const app = require('express')();\n"
            "app.post('/webhooks/stripe', (req, res) => {\n  fulfil(req.body);\n  res.end();\n});\n"
            "function check(sig, token) {\n  return sig === token;\n}\n")


def test_vendored_javascript_is_never_parsed_for_webhooks(tmp_path: Path) -> None:
    files = {"static/vendor/express-demo/index.js": _HANDLER, "static/js/app.min.js": _HANDLER,
             "build/server.mjs": _HANDLER + "//# sourceMappingURL=server.mjs.map\n",
             "server/app.js": _HANDLER}
    assert scan_committed(tmp_path / "repo", files, "scan", "--select", "SH3") == (
        1, {("server/app.js", 2, "SH301"), ("server/app.js", 7, "SH302")})
    assert not _parsed("static/vendor/express-demo/index.js", _HANDLER)


_HEADER_TEXT = st.one_of(
    st.text(alphabet=" \t\u00a0xXsSwWpPhHK\u212a\u0130-_abcdgikmnortuv", max_size=24),
    st.builds(lambda head, tail: head + tail,
              st.sampled_from(["x-", "X_", "HTTP_", "http_", " Stripe-", "svix-", "Webhook-",
                               "paypal-", "signature", *sorted(EVENT_HEADERS)]),
              st.text(alphabet="-_ sigSIGhmacHMACtokenid", max_size=12)))


@settings(max_examples=500, deadline=None)
@given(_HEADER_TEXT)
def test_the_header_prescreen_answers_as_the_header_tests(text: str) -> None:
    """A unit's strings are told apart by their first letter before they are normalised (most
    strings of a data module are no header): the answer is the two tests' own."""
    assert is_header_read(text) == (is_signature_header(text) or is_event_header(text))


def test_a_module_that_is_one_literal_is_not_parsed() -> None:
    """A table pasted from a CSV (an Android device list whose one model is named "Signature")
    holds no handler and no check: the code families pass it over; with functions in it, it is
    code again."""
    items = "".join(f'    "model-{number}": "Device {number}",\n' for number in range(2000))
    data = f'"""Models, from the store\'s CSV."""\n\nDEVICES = {{\n{items}    "lm-v520n": "Signature",\n}}\n'
    assert len(data) >= DATA_MODULE_CHARS and Document("app/devices.py", data).is_data_module
    assert not _parsed("app/devices.py", data)
    script = "export const DEVICES = {\n" + items.replace('"model-', "model_").replace('":', ":") + "};\n"
    assert Document("web/devices.js", script).is_data_module
    checks = "".join(f"\n\ndef check_{number}(signature, token):\n    return signature == token\n"
                     for number in range(30))
    assert not Document("app/devices.py", data + checks).is_data_module
    assert _parsed("app/devices.py", data + checks)
    compared = {number for number, line in enumerate((data + checks).splitlines(), 1)
                if line.endswith("signature == token")}
    assert len(compared) == 30
    assert triples(scan_files({"app/devices.py": data + checks}, select=["SH302"]).findings) == {
        ("app/devices.py", line, "SH302") for line in compared}


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_data_module_allows_one_line_in_a_hundred_whatever_its_line_ends(newline: str) -> None:
    """The data-module test counts lines without splitting the file: one line in a hundred may
    be other than data (here the assignment and code lines), with every line ending editors
    count; one more makes it code."""
    items = [f'    "model-{number}": "Device {number}",' for number in range(2000)]

    def module(code_lines: int) -> str:
        code = [f"x{number} = f({number})" for number in range(code_lines)]
        return newline.join(["DEVICES = {", *code, *items, "}"]) + newline

    # 2,003 lines and 19 code lines (2,022 in all): 20 lines other than data, the most allowed.
    assert len(module(19)) >= DATA_MODULE_CHARS
    assert Document("app/devices.py", module(19)).is_data_module
    assert not Document("app/devices.py", module(20)).is_data_module


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a" * 700, "b" * 1999, "c", "\n", "\r\n", "\r", "\n\r", ""]),
                max_size=12), st.sampled_from(["web/app.min.js", "web/app.ts", "app/views.py"]))
def test_a_bundle_is_told_from_its_line_count_without_splitting(parts: list[str], path: str) -> None:
    """Minified code is told by its characters per line (over 2,000), its lines counted as
    editors end them (CRLF, LF, a lone CR): the same answer as from the split lines, whether or
    not they were split before."""
    text = "".join(parts)
    expected = path.endswith((".js", ".ts")) and len(text) > 2000 * len(split_lines(text))
    assert Document(path, text).is_bundle == expected
    split = Document(path, text)
    assert len(split.lines) >= 1 and split.is_bundle == expected
