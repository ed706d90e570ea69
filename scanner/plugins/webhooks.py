"""Webhook rules (SH3xx): handlers that accept unsigned or badly verified deliveries.

Python is analysed with libcst and JS/TS with tree-sitter, only in files the keywords select."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from scanner.model.finding import Category, Finding, Severity
from scanner.model.document import JS_KINDS, FileKind, ParsedFile
from scanner.plugins.webhooks_model import FileFacts
from scanner.rules import Bad, Good, Project, ProjectRule, Rule

SECTION = "webhooks"
OPTIONS: dict[str, Any] = {"verifiers": list}

_KINDS = frozenset({FileKind.PYTHON, *JS_KINDS})
# Case-sensitive markers of a route, a view or middleware (cheap checks before any parse).
_ROUTE_MARKERS = (".route(", ".post(", ".put(", "api_route(", "add_route(", "add_api_route(",
                  "Route(", "add_post(", "add_put(", 'path("', "path('", "re_path(", "csrf_exempt",
                  "require_POST", "def post(", "before_request", "MIDDLEWARE", "export default",
                  "function POST", "const POST", "Depends(", "as_view(")
# The markers that put a route on a line; a webhook word near one makes the file a candidate.
_ROUTE_LINE_MARKERS = ("route(", ".post(", ".put(", "add_post(", "add_put(", 'path("', "path('",
                       "re_path(", "def post(", "function post", "const post", "as_view(")
_WEBHOOK_WORDS = ("webhook", "hook", "ipn", "notify", "notification", "event", "callback")
# A webhook word where a route names it: in a path string or a handler's name. "callback" and
# "event" are everywhere in framework code (callback arguments, event loops), never as a route.
_ROUTE_WORD = re.compile(r"""(?:["'][^"'\n]*|\b(?:def|function)\s+\w*)"""
                         r"(?:webhook|hook|ipn|notify|notification|event|callback)")
# CSRF exemption applied (a decorator, a call, a method_decorator argument), not defined,
# imported, read as an attribute or named in a string or comment.
_CSRF_EXEMPT_USE = re.compile(r"""(?m)^(?![ \t]*(?:#|from\b|import\b|def\b|async\s+def\b))"""
                              r"""[^#\n]*(?<![\w."'])csrf_exempt(?![\w"'])""")
# Django settings that install a middleware whose dotted path says it verifies webhooks.
_MIDDLEWARE_SETTING = re.compile(r"^MIDDLEWARE\s*\+?=", re.MULTILINE)
_WEBHOOK_DOTTED_PATH = re.compile(r"""["'][\w.]*(?:webhook|signature|hmac)[\w.]*["']""",
                                  re.IGNORECASE)
# A provider header name next to header access marks a handler whatever its route is called.
_HEADER_MARKERS = ("-signature", "x-hub-", "x-github-", "x-gitlab-", "x-shopify-",
                   "svix-", "webhook-id", "x-twilio-", "x-slack-", "x-event-key", "x_hub_",
                   "x_github_", "x_gitlab_", "x_slack_", "x_shopify_", "x_twilio_")
# Django's META keys: HTTP_X_HUB_SIGNATURE_256, HTTP_STRIPE_SIGNATURE, HTTP_X_GITLAB_TOKEN.
_META_HEADER = re.compile(r"http_(?:x_)?\w*(?:signature|hmac|hub_|github|gitlab|slack|shopify|"
                          r"twilio|svix|webhook)")
_HEADER_ACCESS = ("headers", "meta", ".get(", "header(")
# Code that computes an HMAC (Python must import the module; Node calls createHmac).
_HMAC_USE = ("import hmac", "from hmac import", "createhmac(")
# Lines after a route marker that may still belong to it (decorators, then the def).
_ROUTE_WINDOW = 3


def validate_options(raw: Mapping[str, Any]) -> None:
    verifiers = raw.get("verifiers", [])
    if not all(isinstance(v, str) and v.strip() for v in verifiers):
        raise ValueError("verifiers: expected a list of dotted function names")


def _verifiers(options: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(v).strip() for v in options.get("verifiers", ()) if str(v).strip())


def _is_candidate(file: ParsedFile, verifiers: tuple[str, ...]) -> bool:
    """Worth a parse for SH301: a file that may define or wire a webhook handler. Cheap text
    checks only; verifier modules are parsed later, when a handler's call leads to them."""
    if file.kind not in _KINDS or _is_bundle(file) or file.is_test:
        return False
    if file.kind is not FileKind.PYTHON and not _may_route_js(file):
        return False
    text = file.text
    if file.kind is FileKind.PYTHON and "csrf_exempt" in text and _CSRF_EXEMPT_USE.search(text):
        return True
    if not any(m in text for m in _ROUTE_MARKERS):
        return False
    lower = file.lower
    if "MIDDLEWARE" in text and _MIDDLEWARE_SETTING.search(text) \
            and _WEBHOOK_DOTTED_PATH.search(text):
        return True
    if any(w in file.path.lower() for w in _WEBHOOK_WORDS):
        return True
    if any(a in lower for a in _HEADER_ACCESS) and (
            any(h in lower for h in _HEADER_MARKERS) or _META_HEADER.search(lower)):
        return True
    if verifiers and any(v.rsplit(".", 1)[-1].lower() in lower for v in verifiers):
        return True
    lines = file.lines
    for number in file.lines_with(_ROUTE_LINE_MARKERS):
        window = "\n".join(lines[number - 1:number - 1 + _ROUTE_WINDOW + 1]).lower()
        if _ROUTE_WORD.search(window):
            return True
    return False


_JS_ROUTE_MARKERS = (".post(", ".put(", ".route(")
_NEXT_ROUTE = ("pages/api/", "/api/", "app/api/")


def _may_route_js(file: ParsedFile) -> bool:
    """JS/TS: an Express/Fastify route call, or a Next.js API route file."""
    path = file.path.lower()
    return any(m in path for m in _NEXT_ROUTE) or file.has_any(_JS_ROUTE_MARKERS)


def _is_bundle(file: ParsedFile) -> bool:
    """Minified or generated bundles (very long lines): not application source, and costly."""
    return file.kind in JS_KINDS and len(file.text) > 2000 * max(1, len(file.lines))


def analyse_facts(file: ParsedFile, verifiers: tuple[str, ...]) -> FileFacts | None:
    """Facts of one file (Python or JS/TS); None when the file does not parse."""
    if file.kind is FileKind.PYTHON:
        from scanner.plugins import webhooks_py

        analysis = webhooks_py.analyse(file, verifiers)
        return analysis.facts if analysis is not None else None
    if file.kind in JS_KINDS:
        from scanner.plugins import webhooks_js

        js_analysis = webhooks_js.analyse(file, verifiers)
        return js_analysis.facts if js_analysis is not None else None
    return None


class _LocalRule(Rule):
    """A webhook rule decided within one file, from the shared per-file analysis."""

    kinds: ClassVar[frozenset[FileKind] | None] = _KINDS
    # Cheap extra gate before a parse: the file must hold a word of every group (lower-case).
    requires: ClassVar[tuple[tuple[str, ...], ...]] = ()

    @classmethod
    def words(cls) -> tuple[str, ...]:
        return (*cls.keywords, *_JS_ROUTE_MARKERS, *(w for group in cls.requires for w in group))

    def check(self, file: ParsedFile) -> Iterable[Finding]:
        # Tests compute and compare signatures on purpose (and SH306 allows bypasses there).
        if file.is_test or not all(file.has_any(group) for group in self.requires):
            return
        verifiers = _verifiers(self.options)
        if file.kind is FileKind.PYTHON:
            from scanner.plugins import webhooks_prescreen

            # libcst (import and parse) only when a cheap `ast` pass says this rule may fire.
            if not webhooks_prescreen.is_analysed(file) \
                    and self.id not in webhooks_prescreen.may_fire(file):
                return
            from scanner.plugins import webhooks_py

            analysis = webhooks_py.analyse(file, verifiers)
            if analysis is None:
                return
            for local in analysis.findings:
                if local.rule == self.id:
                    line, column, end_line, end_column = local.span
                    yield self.finding(file, line=line, column=column, end_line=end_line,
                                       end_column=end_column, message=local.message,
                                       construct=local.construct)
        elif not _is_bundle(file):
            from scanner.plugins import webhooks_js

            js_analysis = webhooks_js.analyse(file, verifiers)
            if js_analysis is None:
                return
            for js_local in js_analysis.findings:
                if js_local.rule == self.id:
                    yield self.finding(file, line=js_local.line, column=js_local.column,
                                       end_line=js_local.end_line, end_column=js_local.end_column,
                                       message=js_local.message, construct=js_local.construct)


class WebhookSignatureNotVerified(ProjectRule):
    """## What it does
    Finds webhook handlers that never verify the sender's signature. It covers Flask, FastAPI,
    Starlette, Django, aiohttp, Express, Fastify and Next.js API routes that never verify the sender's signature on any path: not in the handler,
    not in the functions it calls (followed across modules), not in its decorators, FastAPI
    dependencies, Flask `before_request` hooks, or Django/Express middleware.

    A handler is a webhook handler when its route or name says so (`webhook`, `hook`, `events`,
    `callback`, `notify`, `ipn`...), when it reads a provider signature or event header, or when
    it is CSRF-exempt and parses a provider event. Verification is `hmac.compare_digest` /
    `crypto.timingSafeEqual` over an HMAC, a provider library (`stripe.Webhook.construct_event`,
    `slack_sdk` `SignatureVerifier`, `svix`/`standardwebhooks` `Webhook.verify`, Twilio
    `RequestValidator`, `gidgethub`, `@octokit/webhooks`), or a function you name in
    `[tool.secret-hygiene.webhooks] verifiers = ["myapp.security.check_sig"]`.

    ## Why is this bad?
    A webhook URL is public. Without checking the signature, anyone who finds the URL can forge
    "payment succeeded" or "push" events and make the application act on them.

    ## Example
        @app.post("/webhooks/github")
        def github_webhook():
            handle(request.get_json())
            return "", 204

    ## Use instead
        @app.post("/webhooks/github")
        def github_webhook():
            expected = "sha256=" + hmac.new(SECRET, request.get_data(), hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, request.headers.get("X-Hub-Signature-256", "")):
                abort(401)
            handle(request.get_json())
            return "", 204

    ## References
    - https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
    - https://docs.stripe.com/webhooks#verify-events
    - https://cwe.mitre.org/data/definitions/345.html
    """

    id = "SH301"
    name = "webhook-signature-not-verified"
    category = Category.WEBHOOK
    severity = Severity.HIGH
    cwe = ("CWE-345", "CWE-347")
    kinds = _KINDS
    # Words a handler file holds; verifier modules need none (they are loaded on demand).
    keywords = ("hook", "signature", "csrf_exempt", "ipn", "notif", "event", "callback",
                "x-gitlab-token", "middleware")
    vocabulary = _JS_ROUTE_MARKERS
    examples = (
        Bad('from flask import Flask, request\n\napp = Flask(__name__)\n\n\n'
            '@app.post("/webhooks/github")\ndef github_webhook():\n'
            '    handle(request.get_json())\n    return "", 204\n'),
        Bad('const express = require("express");\nconst app = express();\n'
            'app.post("/stripe/webhook", express.json(), (req, res) => {\n'
            '  fulfil(req.body);\n  res.sendStatus(200);\n});\n', path="server.js"),
        Good('import hashlib\nimport hmac\nimport os\n\nfrom flask import Flask, abort, request\n\n'
             'app = Flask(__name__)\n\n\n@app.post("/webhooks/github")\ndef github_webhook():\n'
             '    secret = os.environ["GITHUB_WEBHOOK_SECRET"].encode()\n'
             '    expected = "sha256=" + hmac.new(secret, request.get_data(), hashlib.sha256).hexdigest()\n'
             '    if not hmac.compare_digest(expected, request.headers.get("X-Hub-Signature-256", "")):\n'
             '        abort(401)\n    handle(request.get_json())\n    return "", 204\n'),
        Good('from flask import Flask, request\n\nfrom app.security import require_signature\n\n'
             'app = Flask(__name__)\n\n\n@app.post("/hooks/github")\ndef on_push():\n'
             '    require_signature(request)\n    return "", 204\n',
             path="app/views.py",
             files={"app/security.py": 'import hashlib\nimport hmac\n\n\n'
                    'def require_signature(request):\n'
                    '    digest = hmac.new(b"k", request.get_data(), hashlib.sha256).hexdigest()\n'
                    '    if not hmac.compare_digest("sha256=" + digest, '
                    'request.headers.get("X-Hub-Signature-256", "")):\n'
                    '        raise PermissionError("bad signature")\n'}),
        Good('from flask import Flask, request\n\napp = Flask(__name__)\n\n\n'
             '@app.post("/api/orders")\ndef create_order():\n'
             '    return save(request.get_json()), 201\n'),
    )

    def applies_to(self, file: ParsedFile) -> bool:
        if file.kind not in _KINDS:
            return False
        # JS/TS first needs a route call or a Next.js route path ("event" is everywhere in JS).
        if file.kind is not FileKind.PYTHON and not _may_route_js(file):
            return False
        if file.has_any(self.keywords):
            return True
        # Next.js API routes and the like: the file name alone may say "webhook".
        if "hook" in file.path.lower():
            return True
        verifiers = _verifiers(self.options)
        return bool(verifiers) and file.has_any(tuple(v.rsplit(".", 1)[-1].lower()
                                                        for v in verifiers))

    def collect(self, file: ParsedFile) -> FileFacts | None:
        verifiers = _verifiers(self.options)
        if not _is_candidate(file, verifiers):
            return None
        facts = analyse_facts(file, verifiers)
        if facts is None or not (facts.functions or facts.routes or facts.middleware):
            return None
        return facts

    def check_project(self, facts: Mapping[str, Any], project: Project) -> Iterable[Finding]:
        from scanner.plugins.webhooks_project import ProjectIndex

        verifiers = _verifiers(self.options)

        def load(path: str) -> FileFacts | None:
            parsed = project.load(path)
            return analyse_facts(parsed, verifiers) if parsed is not None else None

        index = ProjectIndex(facts, load, verifiers)
        for handler in list(index.handlers()):
            if index.handler_verified(handler):
                continue
            function = handler.function
            module = index.files[handler.path].module if handler.path in index.files else ""
            display = function.qualname.split("::", 1)[-1]
            if display.startswith(module + "."):
                display = display[len(module) + 1:]
            yield self.make_finding(
                path=handler.path, line=function.line, column=function.column,
                message=f"webhook handler `{display}` ({handler.reason}) never verifies the "
                        "sender's signature on any path",
                line_text=function.line_text, construct=f"handler:{function.qualname}",
            )


class NonConstantTimeSignatureCompare(_LocalRule):
    """## What it does
    Finds a webhook signature compared in non-constant time. A signature, HMAC digest or webhook
    token is compared with `==`, `!=` or `in` (Python) or `===`/`!==` (JavaScript) instead of a
    constant-time comparison.

    ## Why is this bad?
    Ordinary string comparison stops at the first differing character, so its timing reveals how
    much of a guessed signature is right; an attacker can recover a valid signature byte by byte.
    `secret-hygiene fix --select SH302` rewrites the Python comparison to `hmac.compare_digest`.

    ## Example
        expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
        if expected != request.headers["X-Hub-Signature-256"]:
            abort(401)

    ## Use instead
        expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers["X-Hub-Signature-256"]):
            abort(401)

    ## References
    - https://docs.python.org/3/library/hmac.html#hmac.compare_digest
    - https://nodejs.org/api/crypto.html#cryptotimingsafeequala-b
    - https://cwe.mitre.org/data/definitions/208.html
    """

    id = "SH302"
    name = "non-constant-time-signature-compare"
    category = Category.WEBHOOK
    severity = Severity.HIGH
    cwe = ("CWE-208",)
    keywords = (*_HMAC_USE, "x-gitlab-token", "webhook-token", "http_x_gitlab_token")
    examples = (
        Bad('import hashlib\nimport hmac\n\n\ndef verify(secret, body, signature):\n'
            '    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()\n'
            '    return expected == signature\n'),
        Bad('const crypto = require("crypto");\nfunction verify(body, sig) {\n'
            '  const digest = crypto.createHmac("sha256", SECRET).update(body).digest("hex");\n'
            '  return digest === sig;\n}\n', path="verify.js"),
        Good('import hashlib\nimport hmac\n\n\ndef verify(secret, body, signature):\n'
             '    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()\n'
             '    return hmac.compare_digest(expected, signature)\n'),
        Good('import hashlib\nimport hmac\n\n\ndef sign(secret, body):\n'
             '    digest = hmac.new(secret, body, hashlib.sha256).hexdigest()\n'
             '    if digest == "":\n        raise ValueError\n    return len(digest) == 64\n'),
    )


class SignatureOverReserializedBody(_LocalRule):
    """## What it does
    Finds a webhook HMAC computed over a re-serialized body instead of the raw bytes. The body is
    rebuilt with `json.dumps(request.json)` or `JSON.stringify(req.body)` instead of using the
    raw bytes the provider signed.

    ## Why is this bad?
    Re-serializing changes key order, whitespace and number formatting, so genuine deliveries fail
    and teams "fix" it by loosening or disabling the check; and two different raw bodies can parse
    to the same object, so the check no longer binds the signature to what was sent.

    ## Example
        digest = hmac.new(secret, json.dumps(request.json).encode(), hashlib.sha256).hexdigest()

    ## Use instead
        digest = hmac.new(secret, request.get_data(), hashlib.sha256).hexdigest()

    ## References
    - https://docs.stripe.com/webhooks#verify-events
    - https://cwe.mitre.org/data/definitions/347.html
    """

    id = "SH303"
    name = "signature-over-reserialized-body"
    category = Category.WEBHOOK
    severity = Severity.MEDIUM
    cwe = ("CWE-347",)
    keywords = _HMAC_USE
    requires = (("dumps", "stringify"), ("request", "req."))
    examples = (
        Bad('import hashlib\nimport hmac\nimport json\n\nfrom flask import request\n\n\n'
            'def signature_ok(secret):\n'
            '    body = json.dumps(request.get_json()).encode()\n'
            '    digest = hmac.new(secret, body, hashlib.sha256).hexdigest()\n'
            '    return hmac.compare_digest(digest, request.headers["X-Signature"])\n'),
        Bad('const crypto = require("crypto");\napp.post("/webhook", express.json(), (req, res) => {\n'
            '  const digest = crypto.createHmac("sha256", SECRET).update(JSON.stringify(req.body))'
            '.digest("hex");\n  res.sendStatus(200);\n});\n', path="hook.js"),
        Good('import hashlib\nimport hmac\n\nfrom flask import request\n\n\ndef signature_ok(secret):\n'
             '    digest = hmac.new(secret, request.get_data(), hashlib.sha256).hexdigest()\n'
             '    return hmac.compare_digest(digest, request.headers["X-Signature"])\n'),
        Good('import hashlib\nimport hmac\nimport json\n\n\ndef sign_outgoing(secret, event):\n'
             '    body = json.dumps(event).encode()\n'
             '    return hmac.new(secret, body, hashlib.sha256).hexdigest()\n'),
    )


class VerificationSkippedWhenHeaderMissing(_LocalRule):
    """## What it does
    Finds webhook verification that is skipped when the signature or secret is missing. The check
    runs only when the signature header (or the configured secret) is present: `if sig: verify(...)` with no `else` that rejects, or `if not secret: return
    process()`.

    ## Why is this bad?
    An attacker simply leaves the header out, and an unset secret in one environment silently turns
    the check off. A missing signature must be a rejected request.

    ## Example
        signature = request.headers.get("X-Hub-Signature-256")
        if signature:
            verify(signature, request.get_data())
        process(request.get_json())

    ## Use instead
        signature = request.headers.get("X-Hub-Signature-256")
        if not signature:
            abort(401)
        verify(signature, request.get_data())
        process(request.get_json())

    ## References
    - https://owasp.org/www-project-web-security-testing-guide/
    - https://cwe.mitre.org/data/definitions/636.html
    """

    id = "SH304"
    name = "verification-skipped-when-header-missing"
    category = Category.WEBHOOK
    severity = Severity.HIGH
    cwe = ("CWE-636", "CWE-345")
    keywords = (*_HMAC_USE, "signature", "webhook")
    requires = ((*_HMAC_USE, "compare_digest", "construct_event", "signatureverifier",
                 "requestvalidator", "validate_event", "verify_signature", "check_signature",
                 "verify_webhook", "is_valid_request", "signature_ok", "valid_signature(",
                 "check_sig", "verify_sig", "timingsafeequal", "constructevent",
                 "verifysignature", "verifywebhook"),
                ("headers[", "headers.get(", "request.headers", "http_x_", "meta[", "meta.get(",
                 "webhook", "req.get(", "req.header("))
    examples = (
        Bad('from flask import request\n\n\ndef github_webhook():\n'
            '    signature = request.headers.get("X-Hub-Signature-256")\n'
            '    if signature:\n        verify_signature(signature, request.get_data())\n'
            '    process(request.get_json())\n    return "", 204\n'),
        Bad('import hmac\nimport os\n\n\ndef check_webhook(body, signature):\n'
            '    secret = os.environ.get("WEBHOOK_SECRET")\n'
            '    if not secret:\n        return True\n'
            '    return hmac.compare_digest(sign(secret, body), signature)\n'),
        Bad('function verifyGithub(req, res, next) {\n'
            '  const secret = process.env.GITHUB_WEBHOOK_SECRET;\n'
            '  if (!secret) return next();\n'
            '  if (!crypto.timingSafeEqual(sign(secret, req.body), req.get("X-Hub-Signature-256"))) {\n'
            '    return res.sendStatus(401);\n  }\n  next();\n}\n', path="middleware/verify.js"),
        Good('from flask import abort, request\n\n\ndef github_webhook():\n'
             '    signature = request.headers.get("X-Hub-Signature-256")\n'
             '    if not signature:\n        abort(401)\n'
             '    verify_signature(signature, request.get_data())\n'
             '    process(request.get_json())\n    return "", 204\n'),
        Good('import hmac\nimport os\n\n\ndef check_webhook(body, signature):\n'
             '    secret = os.environ.get("WEBHOOK_SECRET")\n'
             '    if not secret:\n        raise RuntimeError("WEBHOOK_SECRET is not set")\n'
             '    return hmac.compare_digest(sign(secret, body), signature)\n'),
    )


class NoReplayWindow(_LocalRule):
    """## What it does
    Finds webhook verification with no replay window. It covers manual verification for providers
    that sign a timestamp (Stripe, Slack, Standard Webhooks/Svix) where the signed timestamp is never compared with the clock, and Stripe
    verification with `tolerance` set to 0 or None.

    ## Why is this bad?
    The timestamp is signed so that a captured delivery cannot be replayed later. If nobody
    compares it with the current time, a recorded request stays valid forever.

    ## Example
        signed = f"v0:{timestamp}:{body}".encode()
        expected = "v0=" + hmac.new(secret, signed, hashlib.sha256).hexdigest()

    ## Use instead
        if abs(time.time() - int(timestamp)) > 300:
            abort(401)
        signed = f"v0:{timestamp}:{body}".encode()
        expected = "v0=" + hmac.new(secret, signed, hashlib.sha256).hexdigest()

    ## References
    - https://api.slack.com/authentication/verifying-requests-from-slack
    - https://docs.stripe.com/webhooks#replay-attacks
    - https://cwe.mitre.org/data/definitions/294.html
    """

    id = "SH305"
    name = "no-replay-window"
    category = Category.WEBHOOK
    severity = Severity.MEDIUM
    cwe = ("CWE-294",)
    keywords = (*_HMAC_USE, "construct_event", "constructevent", "verify_header")
    requires = (("timestamp", "v0:", "tolerance", "construct_event", "constructevent",
                 "verify_header", "webhook-"),)
    examples = (
        Bad('import hashlib\nimport hmac\n\n\ndef slack_ok(secret, body, headers):\n'
            '    timestamp = headers["X-Slack-Request-Timestamp"]\n'
            '    signed = f"v0:{timestamp}:{body}".encode()\n'
            '    expected = "v0=" + hmac.new(secret, signed, hashlib.sha256).hexdigest()\n'
            '    return hmac.compare_digest(expected, headers["X-Slack-Signature"])\n'),
        Bad('import stripe\n\n\ndef stripe_event(payload, sig_header, secret):\n'
            '    return stripe.Webhook.construct_event(payload, sig_header, secret, tolerance=0)\n'),
        Good('import hashlib\nimport hmac\nimport time\n\n\ndef slack_ok(secret, body, headers):\n'
             '    timestamp = headers["X-Slack-Request-Timestamp"]\n'
             '    if abs(time.time() - int(timestamp)) > 300:\n        return False\n'
             '    signed = f"v0:{timestamp}:{body}".encode()\n'
             '    expected = "v0=" + hmac.new(secret, signed, hashlib.sha256).hexdigest()\n'
             '    return hmac.compare_digest(expected, headers["X-Slack-Signature"])\n'),
        Good('import stripe\n\n\ndef stripe_event(payload, sig_header, secret):\n'
             '    return stripe.Webhook.construct_event(payload, sig_header, secret)\n'),
    )


class VerificationDisabled(_LocalRule):
    """## What it does
    Finds code that deliberately bypasses webhook verification outside tests. It flags
    `construct_event_without_verification`-style calls, `verify_signature=False`, or a Stripe
    event built straight from the request body with `stripe.Event.construct_from`.

    ## Why is this bad?
    Test conveniences leak into production: a bypass left in the handler accepts forged events
    exactly as if no signature existed.

    ## Example
        event = stripe.Event.construct_from(json.loads(request.data), stripe.api_key)

    ## Use instead
        event = stripe.Webhook.construct_event(request.data, request.headers["Stripe-Signature"],
                                               endpoint_secret)

    ## References
    - https://docs.stripe.com/webhooks#verify-events
    - https://cwe.mitre.org/data/definitions/347.html
    """

    id = "SH306"
    name = "verification-disabled"
    category = Category.WEBHOOK
    severity = Severity.HIGH
    cwe = ("CWE-347",)
    keywords = ("without_verification", "withoutverification", "skip_verification",
                "skipverification", "construct_from", "verify_signature=false", "skip_signature",
                "validate_signature=false", "check_signature=false", "unverified_event")
    examples = (
        Bad('import json\n\nimport stripe\nfrom flask import request\n\n\ndef stripe_webhook():\n'
            '    event = stripe.Event.construct_from(json.loads(request.data), stripe.api_key)\n'
            '    return handle(event)\n'),
        Bad('from payments import webhooks\n\n\ndef receive(request):\n'
            '    return webhooks.construct_event_without_verification(request.body)\n'),
        Good('import stripe\nfrom flask import request\n\n\ndef stripe_webhook():\n'
             '    event = stripe.Webhook.construct_event(request.data, '
             'request.headers["Stripe-Signature"], SECRET)\n    return handle(event)\n'),
        Good('from payments import webhooks\n\n\ndef test_receive():\n'
             '    assert webhooks.construct_event_without_verification(b"{}")\n',
             path="tests/test_hooks.py"),
    )


RULES: tuple[type[Rule], ...] = (
    WebhookSignatureNotVerified,
    NonConstantTimeSignatureCompare,
    SignatureOverReserializedBody,
    VerificationSkippedWhenHeaderMissing,
    NoReplayWindow,
    VerificationDisabled,
)
