"""Handler discovery and verification resolution, one framework idiom at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.engine.plan import build_plan
from scanner.facts.webhooks import FunctionSummaryExtractor, WebhookEntryExtractor
from scanner.facts.webhooks.model import (
    FunctionSummary,
    Guard,
    MarkedView,
    MiddlewareSetting,
    Route,
    webhook_reason,
)
from scanner.model.document import Document
from scanner.rules import webhooks
from tests.support import make_rules, scan_files, triples

UNVERIFIED_BODY = "    payload = request.get_json()\n    return handle(payload)\n"


def sh301(files: dict[str, str], **options: object) -> set[tuple[str, int, str]]:
    result = scan_files(files, select=["SH301"],
                        options={"webhooks": options} if options else None)
    assert not result.summary.errors, result.summary.errors
    return triples(result.findings)


@pytest.mark.parametrize(("decorator", "flagged"), [
    ('@app.route("/webhooks/github", methods=["POST"])', True),
    ('@bp.post("/stripe/webhook")', True),
    ('@app.post("/slack/events")', True),
    ('@router.post("/payments/callback")', True),
    ('@app.post("/paypal/ipn")', True),
    ('@app.api_route("/hooks/x", methods=["POST", "GET"])', True),
    ('@app.route("/webhooks/github")', False),  # Flask default: GET only
    ('@app.get("/webhooks")', False),  # listing webhooks in an admin UI
    ('@app.post("/oauth/callback")', False),  # an OAuth redirect, not a webhook
    ('@app.post("/auth/events")', False),
    ('@app.post("/api/orders")', False),
    ('@app.post("/login")', False),
])
def test_route_words_and_methods(decorator: str, flagged: bool) -> None:
    code = f"from flask import request\n\n{decorator}\ndef receive():\n{UNVERIFIED_BODY}"
    assert sh301({"app.py": code}) == ({("app.py", 4, "SH301")} if flagged else set())


def test_handler_named_webhook_on_a_neutral_route() -> None:
    code = f'@app.post("/in")\ndef stripe_webhook():\n{UNVERIFIED_BODY}'
    assert sh301({"app.py": code}) == {("app.py", 2, "SH301")}


def test_reading_a_signature_or_event_header_makes_a_webhook() -> None:
    code = ('@app.post("/in")\ndef receive():\n'
            '    kind = request.headers["X-GitHub-Event"]\n    return handle(kind)\n')
    assert sh301({"app.py": code}) == {("app.py", 2, "SH301")}


def test_starlette_add_route_and_apiroute() -> None:
    code = ("from starlette.routing import Route\nfrom fastapi.routing import APIRoute\n\n\n"
            "async def hook(request):\n    return await request.json()\n\n\n"
            "async def other(request):\n    return await request.json()\n\n\n"
            'app.add_route("/hooks/a", hook, methods=["POST"])\n'
            'routes = [APIRoute("/webhooks/b", other, methods=["POST"])]\n')
    assert sh301({"svc.py": code}) == {("svc.py", 5, "SH301"), ("svc.py", 9, "SH301")}


def test_aiohttp_add_route_with_method() -> None:
    code = ("async def hook(request):\n    return web.Response()\n\n\n"
            'app.router.add_route("POST", "/webhooks/x", hook)\n')
    assert sh301({"bot.py": code}) == {("bot.py", 1, "SH301")}


def test_django_view_in_a_file_without_keywords_is_loaded_through_urls() -> None:
    views = "import json\n\n\ndef github(request):\n    return json.loads(request.body)\n"
    urls = 'from django.urls import path\nfrom shop import views\n\nurlpatterns = [path("hooks/github/", views.github)]\n'
    assert sh301({"shop/urls.py": urls, "shop/views.py": views}) == {("shop/views.py", 4, "SH301")}


def test_verifier_in_another_module_resolved_through_relative_import() -> None:
    views = ("from .security import check\n\n\n@app.post('/webhooks/x')\ndef receive():\n"
             "    check(request)\n    return 'ok'\n")
    security = ("import hmac\n\n\ndef check(request):\n"
                "    if not hmac.compare_digest(sign(request.data), request.headers['X-Sig']):\n"
                "        abort(401)\n")
    assert sh301({"pkg/views.py": views, "pkg/security.py": security}) == set()
    # The same verifier that compares nothing does not count.
    assert sh301({"pkg/views.py": views,
                  "pkg/security.py": "def check(request):\n    return True\n"}) == {
        ("pkg/views.py", 5, "SH301")}


def test_configured_verifier() -> None:
    code = ("from myapp.security import check_sig\n\n\n@app.post('/webhooks/x')\ndef receive():\n"
            "    check_sig(request)\n    return 'ok'\n")
    assert sh301({"app.py": code}) == {("app.py", 5, "SH301")}
    assert sh301({"app.py": code}, verifiers=["myapp.security.check_sig"]) == set()


def test_provider_libraries_count_as_verification() -> None:
    for body in (
        "    stripe.Webhook.construct_event(request.data, request.headers['Stripe-Signature'], S)\n",
        "    SignatureVerifier(S).is_valid_request(request.get_data(), request.headers)\n",
        "    RequestValidator(T).validate(request.url, request.form, request.headers['X-Twilio-Signature'])\n",
        "    validate_event(request.data, signature=request.headers['X-Hub-Signature'], secret=S)\n",
    ):
        code = (f"import stripe\nfrom slack_sdk.signature import SignatureVerifier\n"
                f"from twilio.request_validator import RequestValidator\n"
                f"from gidgethub.sansio import validate_event\n\n\n"
                f"@app.post('/webhooks/x')\ndef receive():\n{body}    return 'ok'\n")
        assert sh301({"app.py": code}) == set(), body


def test_flask_before_request_on_another_blueprint_does_not_count() -> None:
    code = ("import hmac\n\n\n@admin.before_request\ndef guard():\n"
            "    if not hmac.compare_digest(a, request.headers['X-Sig']):\n        abort(401)\n\n\n"
            f"@hooks.post('/webhooks/x')\ndef receive():\n{UNVERIFIED_BODY}")
    assert sh301({"app.py": code}) == {("app.py", 11, "SH301")}
    assert sh301({"app.py": code.replace("@admin.before_request", "@hooks.before_request")}) == set()


def test_fastapi_decorator_dependencies() -> None:
    code = ("from fastapi import Depends\nfrom app.deps import verify\n\n\n"
            "@router.post('/webhooks/x', dependencies=[Depends(verify)])\n"
            "async def receive(request):\n    return await request.json()\n")
    deps = "import hmac\n\n\nasync def verify(request):\n    assert hmac.compare_digest(a, b)\n"
    assert sh301({"app/api.py": code, "app/deps.py": deps}) == set()
    assert sh301({"app/api.py": code}) == {("app/api.py", 6, "SH301")}


def test_express_app_use_verifies_and_fastify_route() -> None:
    js = ('const app = express();\napp.use(verifySignature);\n'
          'app.post("/webhooks/x", (req, res) => res.sendStatus(200));\n'
          'function verifySignature(req, res, next) {\n'
          '  if (!crypto.timingSafeEqual(a, b)) return res.sendStatus(401);\n  next();\n}\n')
    assert sh301({"server.js": js}) == set()
    fastify = ('fastify.route({ method: "POST", url: "/hooks/y", handler: async (request) => {\n'
               '  return jobs.add(request.body);\n} });\n')
    assert sh301({"srv.ts": fastify}) == {("srv.ts", 1, "SH301")}


def test_octokit_and_express_raw_timing_safe_equal() -> None:
    js = ('import { Webhooks } from "@octokit/webhooks";\n'
          'const webhooks = new Webhooks({ secret });\n'
          'app.post("/webhooks/gh", express.text({ type: "*/*" }), async (req, res) => {\n'
          '  if (!(await webhooks.verify(req.body, req.get("X-Hub-Signature-256")))) {\n'
          '    return res.sendStatus(401);\n  }\n  res.sendStatus(200);\n});\n')
    assert sh301({"server.mjs": js}) == set()


def test_nextjs_app_router_post_export() -> None:
    code = "export async function POST(request: Request) {\n  await queue(await request.json());\n}\n"
    assert sh301({"app/api/webhooks/stripe/route.ts": code}) == {
        ("app/api/webhooks/stripe/route.ts", 1, "SH301")}
    assert sh301({"app/api/contact/route.ts": code}) == set()


def test_syntax_error_is_no_crash_and_the_recovered_handler_is_judged() -> None:
    # tree-sitter recovers around the broken parameter list (libcst gave up on the whole file).
    result = scan_files({"app.py": "@app.post('/webhooks/x')\ndef receive(:\n    pass\n"},
                        select=["SH3"])
    assert triples(result.findings) == {("app.py", 2, "SH301")}
    assert not [e for e in result.summary.errors if "failed" in e]


def test_fingerprint_survives_moving_lines() -> None:
    code = f"@app.post('/webhooks/x')\ndef receive():\n{UNVERIFIED_BODY}"
    first = scan_files({"app.py": code}, select=["SH301"]).findings
    moved = scan_files({"app.py": "import os\n\n\n" + code}, select=["SH301"]).findings
    assert [f.line for f in first] == [2] and [f.line for f in moved] == [5]
    assert first[0].fingerprint == moved[0].fingerprint


def _admitted(document: Document) -> bool:
    """Whether the plan of SH301 lets `document` reach the entry extractor."""
    plan = build_plan(make_rules(["SH301"]), {})
    planned = next(p for p in plan.extractors if isinstance(p.extractor, WebhookEntryExtractor))
    return plan.admits(planned, document)


def test_files_without_candidate_keywords_are_never_parsed() -> None:
    plain = Document("app/models.py", "class User:\n    def save(self):\n        return self.id\n")
    assert not _admitted(plain)
    words_only = Document("docs/notes.py", "# we notify users about events via callback\nX = 1\n")
    assert not _admitted(words_only)
    result = scan_files({"app/models.py": plain.text, "docs/notes.py": words_only.text},
                        select=["SH3"])
    assert not result.findings and not result.summary.errors
    assert "code" not in plain.__dict__ and "code" not in words_only.__dict__  # never parsed


def test_validate_options() -> None:
    webhooks.validate_options({"verifiers": ["a.b.check"]})
    with pytest.raises(ValueError, match="verifiers"):
        webhooks.validate_options({"verifiers": ["", 3]})


def test_http_clients_posting_with_callbacks_are_not_handlers() -> None:
    js = ('$.post("/webhooks/test", data, function (resp) { show(resp); });\n'
          'axios.post("/hooks/replay", payload, () => done());\n')
    assert sh301({"src/admin.js": js}) == set()


def test_starlette_route_without_methods_is_get_only() -> None:
    code = ("async def hook(request):\n    return await request.json()\n\n\n"
            'routes = [Route("/hooks/a", hook)]\n')
    assert sh301({"svc.py": code}) == set()
    class_endpoint = ("class Hook(HTTPEndpoint):\n    async def post(self, request):\n"
                      "        return await request.json()\n\n\n"
                      'routes = [Route("/hooks/a", Hook)]\n')
    assert sh301({"svc.py": class_endpoint}) == {("svc.py", 2, "SH301")}


def test_test_files_are_not_reported() -> None:
    code = f"@app.post('/webhooks/x')\ndef receive():\n{UNVERIFIED_BODY}"
    assert sh301({"tests/test_app.py": code, "app/conftest.py": code}) == set()


def test_verifiers_option_through_pyproject(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "pyproject.toml").write_text(
        '[tool.secret-hygiene.webhooks]\nverifiers = ["myapp.security.check_sig"]\n')
    (tmp_path / "app.py").write_text(
        "from myapp.security import check_sig\n\n\n@app.post('/webhooks/x')\ndef receive():\n"
        "    check_sig(request)\n    return 'ok'\n")
    command = [sys.executable, "-m", "scanner.cli", "scan", "--all-files", str(tmp_path),
               "--select", "SH3", "--format", "json"]
    run = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    (tmp_path / "pyproject.toml").write_text("[tool.secret-hygiene.webhooks]\n")
    run = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert run.returncode == 1 and '"SH301"' in run.stdout, run.stdout + run.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.secret-hygiene.webhooks]\nverifiers = "x"\n')
    run = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert run.returncode == 2
    assert "webhooks.verifiers" in run.stderr


def test_fastapi_header_parameter_marks_a_handler() -> None:
    code = ("from fastapi import Header\n\n\n@app.post('/in')\n"
            "async def receive(payload: dict, x_hub_signature_256: str = Header(...)):\n"
            "    return payload\n")
    assert sh301({"api.py": code}) == {("api.py", 5, "SH301")}


def test_slack_bolt_and_gidgethub_without_secret() -> None:
    bolt = ("from slack_bolt import App\nfrom slack_bolt.adapter.flask import SlackRequestHandler\n\n"
            "handler = SlackRequestHandler(App())\n\n\n@flask_app.post('/slack/events')\n"
            "def slack_events():\n    return handler.handle(request)\n")
    assert sh301({"bolt_app.py": bolt}) == set()
    gidget = ("from gidgethub import sansio\n\n\n@routes.post('/webhooks/gh')\n"
              "async def receive(request):\n"
              "    event = sansio.Event.from_http(request.headers, await request.read())\n"
              "    return event\n")
    assert sh301({"bot.py": gidget}) == {("bot.py", 5, "SH301")}
    assert sh301({"bot.py": gidget.replace("await request.read())",
                                           "await request.read(), secret=SECRET)")}) == set()


def test_a_marked_view_is_summarised_only_when_it_may_receive() -> None:
    """A DRF endpoint's decorated `post` is marked by its decorators, yet no receiver: named like
    no webhook, in a file without a provider header, CSRF exemption or open permissions, its
    file's functions are not summarised in the scan (nor for SH301). Named as a receiver, or
    reading a provider's event header, it is, and SH301 judges it."""
    endpoint = ("class MemberEndpoint(OrganizationEndpoint):\n"
                '    @transaction_start("MemberEndpoint")\n'
                "    def post(self, request):\n        return Response(request.data)\n")
    facts = list(WebhookEntryExtractor().extract(Document("api/members.py", endpoint)))
    assert [type(fact) for fact in facts] == [MarkedView]
    assert sh301({"api/members.py": endpoint}) == set()
    named = endpoint.replace("MemberEndpoint", "StripeWebhookEndpoint")
    reading = endpoint.replace("return Response(request.data)",
                               'return Response(request.headers["X-GitHub-Event"])')
    for text in (named, reading):
        facts = list(WebhookEntryExtractor().extract(Document("api/members.py", text)))
        assert MarkedView in {type(fact) for fact in facts}
        assert FunctionSummary in {type(fact) for fact in facts}
        assert sh301({"api/members.py": text}) == {("api/members.py", 3, "SH301")}


def _entry_facts(path: str, text: str, *, named_only: bool = True) -> list[object]:
    """What SH301 could start from in a file: a route that names a webhook, a guard, a view
    marked by its decorators or reading a provider header (middleware settings and other
    function summaries only help resolve names)."""
    document = Document(path, text)
    facts = [*WebhookEntryExtractor().extract(document),
             *FunctionSummaryExtractor().extract(document)]
    return [f for f in facts if isinstance(f, (Guard, MarkedView)) or (
        isinstance(f, Route) and (not named_only or webhook_reason(
            f.path, f.handler.rsplit(".", 1)[-1]))) or (
        isinstance(f, FunctionSummary) and (f.reads_signature or f.methods == ("POST",)))]


# Framework code from Django and ansible-core that once reached libcst on the text gate alone:
# it may pass the word gate now, but it holds nothing SH301 starts from.
@pytest.mark.parametrize("text", [
    'def csrf_exempt(view_func):\n    return view_func\n',
    'if not getattr(view, "csrf_exempt", False):\n    view = csrf_protect(view)\n',
    "# Copy attributes set by decorators, e.g. @csrf_exempt, from the view.\n"
    "def view(request):\n    pass\n",
    "from django.views.decorators.csrf import csrf_exempt\n",
    "class Manager:\n    def send(self):\n        self.put(CallbackSend(method_name=1))\n",
    'MIDDLEWARE = ["django.middleware.csrf.CsrfViewMiddleware"]\n'
    "# secret keys used to verify the validity of signatures\n",
    'SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")\nheaders = {}\n'
    'urlpatterns = [path("", index)]\n',
    "# Apply view middleware; the callback is the view\nfor method in self._view_middleware:\n"
    "    response = method(request, callback)\n",
])
def test_framework_code_is_not_a_candidate(text: str) -> None:
    assert _entry_facts("pkg/module.py", text) == []
    assert not scan_files({"pkg/module.py": text}, select=["SH301"]).findings


@pytest.mark.parametrize("text", [
    "@csrf_exempt\ndef receive(request):\n    pass\n",
    'urlpatterns = [path("in/", csrf_exempt(receive))]\n',
    'def view(request):\n    sig = request.META.get("HTTP_X_HUB_SIGNATURE_256")\n'
    'urlpatterns = [path("in/", view)]\n',
    '@app.post("/payments/notify")\ndef receive():\n    pass\n',
    '@app.post("/in")\ndef stripe_events():\n    pass\n',
    "app.post('/github/callback', (req, res) => res.end())\n",
])
def test_webhook_shapes_are_candidates(text: str) -> None:
    path = "srv/app.js" if text.startswith("app.post('/") else "srv/app.py"
    assert _admitted(Document(path, text))
    assert _entry_facts(path, text, named_only=False)


def test_middleware_settings_are_candidates() -> None:
    text = 'MIDDLEWARE = [\n    "relay.middleware.WebhookSignatureMiddleware",\n]\n'
    assert _admitted(Document("relay/settings.py", text))
    facts = list(WebhookEntryExtractor().extract(Document("relay/settings.py", text)))
    assert [f.entries for f in facts if isinstance(f, MiddlewareSetting)] == [
        ("relay.middleware.WebhookSignatureMiddleware",)]


def test_another_familys_parse_never_changes_handler_discovery() -> None:
    # urls.py holds no webhook word, so the entry gate keeps it out; the TLS extractor parses it
    # for SH407. Its route must not reach SH301 through that parse alone.
    files = {
        "shop/urls.py": 'import requests\n\nrequests.get(URL, verify=False)\n'
                        'urlpatterns = [path("in/", views.receive)]\n',
        "shop/views.py": 'def receive(request):\n'
                         '    sig = request.META.get("HTTP_STRIPE_SIGNATURE")\n'
                         '    return handle(request.body)\n',
    }
    alone = triples(scan_files(files, select=["SH301"]).findings)
    with_tls = {t for t in triples(scan_files(files, select=["SH301", "SH407"]).findings)
                if t[2] == "SH301"}
    assert alone == with_tls == set()
