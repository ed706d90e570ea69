"""Fixture projects in every supported framework: the exact (path, line, rule) set per project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scanner.rules.registry import RULES
from tests.support import scan_dir, triples

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "webhooks"

EXPECTED: dict[str, set[tuple[str, int, str]]] = {
    "flask_app": {
        # github_webhook (decorator verifying through app/signatures.py), stripe_webhook
        # (construct_event) and slack_events (blueprint before_request) are verified.
        ("app/hooks.py", 43, "SH302"),  # computed != X-Shopify-Hmac-Sha256
        ("app/hooks.py", 50, "SH301"),  # mailgun_webhook: no verification at all
        ("app/hooks.py", 59, "SH304"),  # if token: compare ... (no else)
        ("app/hooks.py", 67, "SH301"),  # paypal_ipn
        ("app/slack.py", 19, "SH305"),  # Slack timestamp signed, never checked against the clock
    },
    "fastapi_app": {
        # github_webhook (Annotated Depends), partner_webhook (router dependencies), resend_hook
        # (standardwebhooks) and twilio_status (RequestValidator) are verified.
        ("service/routes.py", 27, "SH301"),  # linear_webhook
        ("service/routes.py", 36, "SH303"),  # hmac over json.dumps(await request.json())
        ("service/starlette_routes.py", 18, "SH301"),  # Route("/hooks/sentry", endpoint=...)
    },
    "django_app": {
        ("shop/views.py", 22, "SH305"),  # construct_event(..., tolerance=None)
        ("shop/views.py", 43, "SH301"),  # LegacyWebhookView.post (class-based, as_view())
        ("shop/views.py", 50, "SH301"),  # inbound: csrf_exempt + parses data["type"]
        ("shop/views.py", 58, "SH304"),  # if not settings.PARTNER_WEBHOOK_SECRET: return ...
        ("shop/views.py", 66, "SH301"),  # payment_notify (re_path)
    },
    "django_middleware": set(),  # relay.middleware verifies every view
    "aiohttp_app": {
        ("bot/app.py", 32, "SH302"),  # expected not in request.headers.getall(...)
        ("bot/app.py", 37, "SH301"),  # app.router.add_post("/webhooks/sentry", sentry_hook)
    },
    "express_app": {
        ("server/app.js", 34, "SH303"),  # createHmac().update(JSON.stringify(req.body))
        ("server/app.js", 43, "SH301"),  # /webhooks/sendgrid
        ("server/fastify.js", 4, "SH301"),  # fastify.post("/webhooks/paddle")
        ("server/handlers.js", 5, "SH302"),  # digest !== req.get("X-Shopify-Hmac-Sha256")
        ("web/pages/api/webhooks/resend.ts", 3, "SH301"),  # Next.js pages API route
    },
    "token_app": {
        # A shared token compared with `!=` in a file without `import hmac` once went unreported
        # (issue #12, 1); with `import hmac` it was reported under --select SH3 only (issue #12, 2).
        ("app/bots.py", 15, "SH302"),  # X-Telegram-Bot-Api-Secret-Token != the secret
        ("app/bots.py", 21, "SH301"),  # twitch_notifications: its header is not a known signature
    },
    "index_app": {
        # Verified through the project index: an inherited method (GithubWebhook), a verifier
        # class held by a class attribute (ShopifyWebhook), a FastAPI dependency that is an
        # instance whose __call__ verifies (linear_webhook).
        ("hooks/views.py", 19, "SH301"),  # GitlabWebhook: nothing verifies
        ("hooks/views.py", 35, "SH301"),  # PaddleWebhook: its verifier class accepts everything
        ("service/routes.py", 14, "SH301"),  # vercel_webhook: its dependency only logs
    },
    # Issue #13: shapes found on real projects (see tests/webhooks/test_issue13.py).
    "rw_auth_context": {("tickets/views.py", 64, "SH301"), ("api/endpoints.py", 25, "SH301")},
    "rw_depends": {("service/routes.py", 23, "SH301"), ("service/routes.py", 28, "SH301")},
    "rw_plugins": {("shop/views.py", 27, "SH301")},
    "rw_verifiers": {("hooks/views.py", 55, "SH301"), ("hooks/views.py", 62, "SH301")},
    "rw_presence": {("app/api/billing/route.ts", 11, "SH304"), ("payments/server.py", 18, "SH304"),
                    ("payments/server.py", 36, "SH304"), ("payments/server.py", 44, "SH304"),
                    ("integration/webhook.py", 10, "SH304")},
    "rw_replay": {("bot/slack.py", 9, "SH305")},
    "rw_sdk": {("shopapp/hooks.py", 9, "SH301"), ("shopapp/hooks.py", 10, "SH306")},
    "rw_registry": {("vendor/push.py", 9, "SH301"), ("vendor/push.py", 30, "SH301")},
    "rw_keys": {("inbound/mail.py", 14, "SH304"), ("irrigation/hooks.py", 10, "SH302")},
    "rw_capurl": {("hub/sms_gateway/__init__.py", 16, "SH301"), ("webapp/hooks.py", 19, "SH301"),
                  ("hub/payments/__init__.py", 11, "SH301"),
                  ("webapp/hooks.py", 28, "SH301"), ("webapp/payments.py", 11, "SH301")},
    "rw_drf": {("tracker/endpoints.py", 29, "SH301")},
    # Verification the rule cannot follow is not "never": collected validators, a model's
    # validate(), an IPN postback behind verify(), super().post(); two plain receivers stay.
    "rw_unseen": {("mailhooks/base.py", 71, "SH301"), ("paycallbacks/views.py", 23, "SH301")},
    "rw_lifecycle": {("deskapp/views.py", 20, "SH301")},
    # Verification under a condition the sender or the configuration controls, switched off by
    # a setting, keyed by the request (see tests/webhooks/test_conditional_verification.py).
    "rw_conditional": {("relay/views.py", 35, "SH304"), ("marketplace/installs.py", 17, "SH304"),
                       ("ledger/models.py", 33, "SH306"), ("ledger/models.py", 40, "SH306"),
                       ("ledger/views.py", 23, "SH306"), ("gateway/verify.js", 8, "SH306"),
                       ("gateway/verify.js", 18, "SH306")},
    # Credentials compared with ==/!= and signed timestamps without a window (test_token_equality).
    "rw_tokens": {("billing/helpers.py", 19, "SH302"), ("chatops/inbound.py", 36, "SH302"),
                  ("chatops/signing.py", 10, "SH305"), ("devices/hooks.py", 27, "SH302"),
                  ("mailer/tracking.py", 22, "SH305"), ("relay/server.js", 8, "SH302")},
}


@pytest.mark.parametrize("project", sorted(EXPECTED))
def test_fixture_project_exact_findings(project: str) -> None:
    result = scan_dir(FIXTURES / project, select=["SH3"])
    assert not result.summary.errors
    assert triples(result.findings) == EXPECTED[project]


@pytest.mark.parametrize("project", sorted(EXPECTED))
def test_selection_never_changes_answers(project: str) -> None:
    """Issue #12, 2: each rule alone reports exactly what it reports with the whole family."""
    everything = triples(scan_dir(FIXTURES / project, select=["SH3"]).findings)
    for rule in sorted({r.id for r in RULES if r.family == "webhook"}):
        alone = triples(scan_dir(FIXTURES / project, select=[rule]).findings)
        assert alone == {t for t in everything if t[2] == rule}, rule


def test_every_fixture_project_is_asserted() -> None:
    assert {p.name for p in FIXTURES.iterdir() if p.is_dir()} == set(EXPECTED)


def test_sh301_points_at_the_def_line_and_fingerprints_without_lines() -> None:
    result = scan_dir(FIXTURES / "django_app", select=["SH301"])
    legacy = next(f for f in result.findings if "LegacyWebhookView" in f.message)
    assert legacy.snippet.strip().startswith("def post(self, request):")
    assert legacy.column == 5
    from scanner.rules.base import fingerprint

    assert legacy.fingerprint == fingerprint("SH301", "shop/views.py",
                                             "handler:shop.views.LegacyWebhookView.post")


def test_django_middleware_is_what_verifies(tmp_path: Path) -> None:
    project = tmp_path / "relay"
    shutil.copytree(FIXTURES / "django_middleware", project)
    settings = project / "relay" / "settings.py"
    settings.write_text(settings.read_text().replace(
        '    "relay.middleware.WebhookSignatureMiddleware",\n', ""))
    result = scan_dir(project, select=["SH301"])
    assert triples(result.findings) == {("relay/views.py", 10, "SH301"),
                                        ("relay/views.py", 16, "SH301")}


def test_cross_module_verifier_is_what_verifies_flask(tmp_path: Path) -> None:
    project = tmp_path / "flask"
    shutil.copytree(FIXTURES / "flask_app", project)
    signatures = project / "app" / "signatures.py"
    signatures.write_text(signatures.read_text().replace(
        "return hmac.compare_digest(github_signature(secret, body), header)", "return True"))
    result = scan_dir(project, select=["SH301"])
    assert ("app/hooks.py", 19, "SH301") in triples(result.findings)


def test_express_route_middleware_in_another_module_is_what_verifies(tmp_path: Path) -> None:
    project = tmp_path / "express"
    shutil.copytree(FIXTURES / "express_app", project)
    verify = project / "server" / "middleware" / "verify.js"
    verify.write_text("function verifyGithub(req, res, next) {\n  next();\n}\n"
                      "module.exports = { verifyGithub };\n")
    result = scan_dir(project, select=["SH301"])
    assert ("server/app.js", 51, "SH301") in triples(result.findings)
