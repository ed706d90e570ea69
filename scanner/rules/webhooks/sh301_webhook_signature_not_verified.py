"""SH301 webhook-signature-not-verified: a webhook handler that reaches no signature check on
any path (the handler, what it calls, its decorators, dependencies, guards and middleware)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from scanner.facts.base import FileFacts
from scanner.facts.symbols import ModuleSymbols, qualify
from scanner.facts.webhooks.model import (
    AUTH_DEPENDENCY,
    AUTH_GUARD,
    FunctionSummary,
    Guard,
    MarkedView,
    MiddlewareSetting,
    Route,
    drf_access,
    matches_verifier,
    post_capable,
    webhook_words,
)
from scanner.facts.webhooks.routes import (
    holds_receiver_evidence,
    marked_named_as_receiver,
    named_as_receiver,
)
from scanner.facts.webhooks.senders import Sender, secret_parameters, signing_sender
from scanner.model.finding import Confidence, Finding, Severity
from scanner.project.index import ProjectIndex
from scanner.rules.base import CONTEXTS, Bad, Good, ProjectReporter, ProjectRule

_MAX_DEPTH = 8
# The facts this rule reads of a file (a module it is led to is loaded for these alone).
# What a file's scan gives (routes, guards, settings, marked views); function summaries are
# built on demand, for the files the verdict is led to.
_ENTRIES = (Route, Guard, MiddlewareSetting, MarkedView)
_NEEDS = (*_ENTRIES, FunctionSummary)

# A top-level `class X` or `def f` (Python), for a route target's module read as text.
_TOP_LEVEL_DEFINITION = re.compile(r"^(?:class|def|async[ \t]+def)[ \t]+(\w+)", re.MULTILINE)
# A top-level `from X import a, b as c` (in parentheses over lines, or continued by a backslash),
# and a star import anywhere (it may bind any name).
_FROM_IMPORT = re.compile(r"^from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]*(\([^)]*\)|(?:[^\n\\]|\\\n)*)",
                          re.MULTILINE)
_STAR_IMPORT = re.compile(r"^[ \t]*from[ \t]+\S+[ \t]+import[ \t]*\*", re.MULTILINE)


# Methods through which a class named as a handler, dependency or guard does its work.
_CLASS_ENTRY_METHODS = ("post", "put", "dispatch", "__call__", "process_view", "process_request",
                        "authenticate", "has_permission")
_VIEW_METHODS = ("post", "put", "patch", "delete")
# A function or method named as a verification of a request or message (`verify`,
# `validate_request`, `validator`, `check_signature`), not of something else
# (`verify_event_loop_thread`).
_WHAT_IS_VERIFIED = ("request|signature|sig|webhook|message|payload|delivery|event|notification"
                     "|hmac|headers?|auth|secret|token")
_VERIFICATION_CALL = re.compile(
    rf"_*(?:(?:verify|validate|authenticate)(?:_?(?:{_WHAT_IS_VERIFIED}))?"
    rf"|check_?(?:{_WHAT_IS_VERIFIED})|validators?|verifiers?)\Z", re.IGNORECASE)
_GLOBAL_OWNERS = ("app", "server", "fastify")


@dataclass(frozen=True)
class _Function:
    """A function of the project with its summary, by path and qualified name."""

    path: str
    qualified: str
    summary: FunctionSummary
    language: str


@dataclass(frozen=True)
class _Handler:
    """A webhook handler: its function, route, framework and why it is one."""

    function: _Function
    route: str | None
    reason: str
    framework: str | None
    owner: str
    middleware: tuple[str, ...]
    route_path: str  # the file that wires the route (its middleware names resolve there)
    verifying_middleware: bool
    confidence: Confidence = Confidence.MEDIUM
    capability: str = ""  # the secret the URL carries, when the URL is the credential
    labels: tuple[str, ...] = ()  # the names its registration gives it


class WebhookSignatureNotVerified(ProjectRule):
    """## What it does
    Finds webhook handlers that never verify the sender's signature. It covers Flask, FastAPI,
    Starlette, Django, aiohttp, Express, Fastify and Next.js API routes that never verify the
    sender's signature on any path: not in the handler, not in the functions it calls (followed
    across modules through imports, re-exports, inherited methods, class attributes and
    module-level instances), not in its decorators, FastAPI dependencies, Flask
    `before_request` hooks, DRF authentication/permission classes, or Django/Express middleware.

    A handler is a webhook handler when its route, its name or its Django route's `name=` says
    so (`webhook`, `hook`, `events`, `callback`, `notify`, `ipn`...), when it reads a provider
    signature or event header, or when it is CSRF-exempt and parses a provider event. A class-based view open to anyone (empty
    DRF permission classes, CSRF-exempt) routed in the same table as a view of the same package
    that verifies its sender is that sender's lifecycle callback (an app marketplace's
    `installed`) and needs the same check. Verification is `hmac.compare_digest` /
    `crypto.timingSafeEqual` over an HMAC, a provider library (`stripe.Webhook.construct_event`,
    `slack_sdk` `SignatureVerifier`, `svix`/`standardwebhooks` `Webhook.verify`, Twilio
    `RequestValidator`, `gidgethub`, `@octokit/webhooks`), or a function you name in
    `[tool.secret-hygiene.webhooks] verifiers = ["myapp.security.check_sig"]`.
    A call named as a verification (`record.validate(...)`, `notification.verify()`,
    `validator(self, request)`) on a value bound at run time (a local, a loop variable, a
    parameter) runs code the rule cannot follow: it counts as a verification, since "never
    verifies" could not be said. `super().post(...)` is followed to the class that defines it.
    A class-based view's handlers are its `post`, `put`, `patch` and `delete` (a provider's
    uninstall callback arrives as a DELETE).

    A handler reached through a per-registration secret in its URL is authenticated by that
    URL (a capability URL): one bound by a webhook registry to the id it is served under (the
    registry dispatches only to registered ids: `webhook.async_register(hass, DOMAIN, "Name",
    entry.data[CONF_WEBHOOK_ID], handler)`, or its alias `webhook_register(...)`), or
    a route whose path parameter is named as one (`/hooks/<token>`, not `<int:...>`) and which
    the handler takes as an argument (Flask, FastAPI, Django) and looks a record up by or
    compares. Such a handler is reported only when its
    sender is a provider known to sign its deliveries (Stripe, GitHub, Slack, Shopify, Twilio,
    SendGrid, Mailgun, Paddle, HubSpot...), named by the registration's name, the module's path,
    the module's imports (`twilio.rest`), the route or the handler's name, or when another
    function of the same module reads and verifies a signature header (the sender signs;
    this handler ignores it). The message then says the handler relies only on its secret URL, at medium
    confidence. Senders that cannot sign (a device, an app, the user's own script) are silent.

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
    family = "webhook"
    severity = Severity.HIGH
    cwe = ("CWE-345", "CWE-347")
    needs = _NEEDS
    # Tests post unsigned deliveries on purpose.
    contexts = CONTEXTS - {"test"}
    examples = (
        Bad('from flask import Flask, request\n\napp = Flask(__name__)\n\n\n'
            '@app.post("/webhooks/github")\ndef github_webhook():\n'
            '    handle(request.get_json())\n    return "", 204\n', line=7),
        Bad('const express = require("express");\nconst app = express();\n'
            'app.post("/stripe/webhook", express.json(), (req, res) => {\n'
            '  fulfil(req.body);\n  res.sendStatus(200);\n});\n', path="server.js", line=3),
        Bad('export default async function handler(req, res) {\n'
            '  await fulfil(req.body);\n  res.status(200).end();\n}\n',
            path="pages/api/webhooks/stripe.js", line=1),
        # A capability URL (the registry's secret id) from a sender known to sign: Twilio.
        Bad('from twilio.rest import Client\n\nfrom hub import webhook\n\n\n'
            'async def handle_sms(hub, webhook_id, request):\n'
            '    hub.bus.fire("sms", dict(await request.post()))\n\n\n'
            'async def setup_entry(hub, entry):\n'
            '    webhook.async_register(hub, "sms", "SMS", entry.data["webhook_id"], handle_sms)\n',
            path="hub/sms.py", line=6),
        # The same capability URL from a device that cannot sign: the secret URL is the check.
        Good('from hub import webhook\n\n\n'
             'async def handle_reading(hub, webhook_id, request):\n'
             '    hub.bus.fire("reading", dict(await request.post()))\n\n\n'
             'async def setup_entry(hub, entry):\n'
             '    webhook.async_register(hub, "station", "Weather station", '
             'entry.data["webhook_id"], handle_reading)\n',
             path="hub/station.py"),
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
        # The verify method is inherited from a base view in another module.
        Good('from django.views.decorators.csrf import csrf_exempt\n\n'
             'from hooks.base import SignedWebhookView\n\n\n'
             'class GithubWebhook(SignedWebhookView):\n'
             '    def post(self, request):\n'
             '        self.verify_signature(request)\n'
             '        return handle(request.body)\n',
             path="hooks/views.py",
             files={"hooks/base.py": 'import hmac\n\nfrom django.views import View\n\n\n'
                    'class SignedWebhookView(View):\n'
                    '    def verify_signature(self, request):\n'
                    '        expected = sign(request.body)\n'
                    '        if not hmac.compare_digest(expected, '
                    'request.headers.get("X-Hub-Signature-256", "")):\n'
                    '            raise PermissionError("bad signature")\n',
                    "hooks/urls.py": 'from django.urls import path\n\nfrom hooks import views\n\n'
                    'urlpatterns = [path("webhooks/github/", views.GithubWebhook.as_view())]\n'}),
        # The verifier is a class held by a class attribute.
        Good('from hooks.verifiers import HubSignature\n\n\n'
             'class GithubWebhook(View):\n'
             '    verifier_class = HubSignature\n\n'
             '    def post(self, request):\n'
             '        self.verifier_class(SECRET).verify(request)\n'
             '        return handle(request.body)\n\n\n'
             'urlpatterns = [path("webhooks/github/", GithubWebhook.as_view())]\n',
             path="hooks/views.py",
             files={"hooks/verifiers.py": 'import hmac\n\n\nclass HubSignature:\n'
                    '    def __init__(self, secret):\n        self.secret = secret\n\n'
                    '    def verify(self, request):\n'
                    '        if not hmac.compare_digest(sign(self.secret, request.body), '
                    'request.headers["X-Hub-Signature-256"]):\n'
                    '            raise PermissionError("bad signature")\n'}),
        # A FastAPI dependency that is an instance whose __call__ verifies.
        Good('from fastapi import APIRouter, Depends, Request\n\nfrom service.deps import verify\n\n'
             'router = APIRouter()\n\n\n'
             '@router.post("/webhooks/github", dependencies=[Depends(verify)])\n'
             'async def github_webhook(request: Request):\n'
             '    return await request.json()\n',
             path="service/routes.py",
             files={"service/deps.py": 'import hmac\n\nfrom fastapi import HTTPException, Request\n\n\n'
                    'class SignatureCheck:\n    def __init__(self, secret):\n'
                    '        self.secret = secret\n\n'
                    '    async def __call__(self, request: Request):\n'
                    '        body = await request.body()\n'
                    '        if not hmac.compare_digest(sign(self.secret, body), '
                    'request.headers.get("X-Hub-Signature-256", "")):\n'
                    '            raise HTTPException(status_code=401)\n\n\n'
                    'verify = SignatureCheck(SECRET)\n'}),
    )

    def check_project(self, facts: Mapping[str, FileFacts], index: ProjectIndex,
                      report: ProjectReporter) -> Iterator[Finding]:
        verdict = _Verdict(index, _verifiers(self.options))
        # Handlers start only in files the entry gate let through (they hold entry facts): a file
        # parsed for another family alone holds no route for this rule, whatever is selected.
        entries = sorted(path for path, found in facts.items()
                         if any(found.of(kind) for kind in self.needs))
        for handler in verdict.handlers(entries):
            if verdict.handler_verified(handler):
                continue
            function = handler.function
            summary = function.summary
            display = summary.qualname
            if display.startswith("<"):  # an inline JS function: name it by its route
                methods = handler.function.summary.methods
                display = f"{(methods or ('ROUTE',))[0]} {handler.route}"
            message = f"webhook handler `{display}` ({handler.reason}) never verifies the " \
                "sender's signature on any path"
            confidence = handler.confidence
            if handler.capability:
                # The secret URL authenticates the request; only a sender that signs its
                # deliveries leaves a check undone.
                sender = verdict.signing_sender(handler)
                if sender is None:
                    continue
                message = (f"webhook handler `{display}` relies only on its secret URL "
                           f"({handler.capability}): {sender.provider} signs its deliveries "
                           f"({sender.header}; {sender.evidence}) and the "
                           "handler never checks the signature")
                confidence = Confidence.MEDIUM  # the sender is named, not proven
            yield report.report(
                self, function.path, summary.span, message, summary.line_text,
                construct=f"handler:{function.qualified}", confidence=confidence)


def _verifiers(options: Mapping[str, object]) -> tuple[str, ...]:
    raw = options.get("verifiers", ())
    return tuple(str(v).strip() for v in raw if str(v).strip()) \
        if isinstance(raw, (list, tuple)) else ()


class _Verdict:
    """Handlers and whether each reaches a verification, resolved through the project index."""

    def __init__(self, index: ProjectIndex, verifiers: tuple[str, ...]) -> None:
        self.index = index
        self.verifiers = verifiers
        self._functions: dict[str, Mapping[str, FunctionSummary]] = {}
        self._verified: dict[tuple[str, bool], bool] = {}
        self._defined: dict[str, frozenset[str]] = {}  # by path: top-level definitions
        self._may_hold_receiver: dict[str, bool] = {}  # by path: RECEIVER_PATTERN found
        self._last_read: tuple[str, str | None] = ("", None)  # see `_read`
        # Whether the Django middleware verifies: one answer when the scan found the settings,
        # else one per package whose usual settings modules are looked in.
        self._middleware: dict[str | None, bool] = {}

    # -- functions by name ---------------------------------------------------------------------

    def _summaries(self, path: str) -> Mapping[str, FunctionSummary]:
        """A module's function summaries by qualname: of a module loaded on demand, each is
        built when first asked for."""
        found = self._functions.get(path)
        if found is None:
            facts = self.index.load(path, (FunctionSummary,))
            found = facts.by_key(FunctionSummary, _qualname) if facts is not None else {}
            self._functions[path] = found
        return found

    def function(self, qualified: str) -> _Function | None:
        module, member = self.index.split(qualified)
        if module is None:
            return None
        symbols = self.index.module(module)
        if symbols is None:
            return None
        summary = self._summaries(symbols.path).get(member)
        if summary is None:
            return None
        return _Function(symbols.path, qualified, summary, symbols.language)

    def local(self, path: str, qualname: str) -> _Function | None:
        symbols = self.index.module_of_path(path)
        summary = self._summaries(path).get(qualname)
        if symbols is None or summary is None:
            return None
        return _Function(path, qualify(symbols.module, qualname, symbols.language), summary,
                         symbols.language)

    def _class_methods(self, class_qualname: str, names: tuple[str, ...]) -> list[_Function]:
        found = []
        for name in names:
            method = self.index.method(class_qualname, name)
            if method is not None and (function := self.function(method)) is not None:
                found.append(function)
        return found

    def targets(self, name: str, path: str, cls: str | None) -> list[_Function]:
        """The functions a name used in `path` (inside a method of class `cls`) refers to:
        a function, the entry methods of a class, an instance's `__call__`, a method reached
        through `self`, a class attribute or a module-level instance."""
        symbols = self.index.module_of_path(path)
        if symbols is None or not name:
            return []
        class_qualname = qualify(symbols.module, cls, symbols.language) if cls else None
        if "()." in name:  # `Verifier(key).verify(body)`: the method of the class instantiated
            base, method = name.split("().", 1)
            if base == "super":  # the method an override extends: the next class that has it
                return self._inherited(class_qualname, method) if class_qualname else []
            held = self._class_of(base, symbols, class_qualname)
            return self._class_methods(held, (method,)) if held else []
        head, _, rest = name.partition(".")
        if head in ("self", "cls", "this"):
            if class_qualname is None or not rest:
                return []
            attr, _, more = rest.partition(".")
            if not more:
                return self._class_methods(class_qualname, (attr,))
            held = self.index.class_attribute(class_qualname, attr)
            return self._class_methods(held, (more,)) if held else []
        resolved = self.index.resolve(symbols, name)
        function = self.function(resolved)
        if function is not None:
            return [function]
        if self.index.class_symbol(resolved) is not None:
            return self._class_methods(resolved, _CLASS_ENTRY_METHODS)
        instance = self.index.instance_class(resolved)
        if instance is not None:
            return self._class_methods(instance, ("__call__",))
        prefix, _, last = resolved.rpartition(".")
        if prefix:
            owner = self.index.instance_class(prefix) or (
                prefix if self.index.class_symbol(prefix) is not None else None)
            if owner is not None:
                return self._class_methods(owner, (last,))
        return []

    def _inherited(self, class_qualname: str, method: str) -> list[_Function]:
        for ancestor in list(self.index.mro(class_qualname))[1:]:
            cls = self.index.class_symbol(ancestor)
            if cls is not None and method in cls.methods:
                function = self.function(f"{ancestor}.{method}")
                return [function] if function is not None else []
        return []

    def _class_of(self, name: str, symbols: ModuleSymbols,
                  class_qualname: str | None) -> str | None:
        head, _, rest = name.partition(".")
        if head in ("self", "cls", "this"):
            if class_qualname is None or not rest or "." in rest:
                return None
            return self.index.class_attribute(class_qualname, rest)
        resolved = self.index.resolve(symbols, name)
        return resolved if self.index.class_symbol(resolved) is not None else None

    # -- verification --------------------------------------------------------------------------

    def verified(self, function: _Function, depth: int = 0, strict: bool = False) -> bool:
        """Whether the function reaches a verification; `strict` (for middleware that runs
        before every view) leaves out JWT checks, which session middleware does too."""
        key = (function.qualified, strict)
        known = self._verified.get(key)
        if known is not None:
            return known
        summary = function.summary
        if summary.verification is not None and not (strict and summary.generic_verification):
            self._verified[key] = True
            return True
        if depth > _MAX_DEPTH:
            return False
        self._verified[key] = False  # breaks cycles
        result = any(self.name_verifies(name, function.path, summary.cls, depth + 1, strict)
                     for name in (*summary.decorators, *summary.dependencies,
                                  *summary.class_guards, *summary.calls))
        self._verified[key] = result
        return result

    def name_verifies(self, name: str, path: str, cls: str | None, depth: int = 0,
                      strict: bool = False) -> bool:
        if self.verifiers and matches_verifier(name, self.verifiers):
            return True
        if self.verifiers:
            symbols = self.index.module_of_path(path)
            if symbols is not None and matches_verifier(self.index.resolve(symbols, name),
                                                        self.verifiers):
                return True
        targets = self.targets(name, path, cls)
        if not targets and self._unseen_verification(name, path):
            return True
        return any(self.verified(function, depth, strict) for function in targets)

    def _unseen_verification(self, name: str, path: str) -> bool:
        """A call named as a verification (`obj.validate(...)`, `validator(self, request)`) on a
        value bound at run time (a local, a loop variable, a parameter): what it runs cannot be
        followed, so "never verifies" cannot be said (dj-stripe's trigger model, anymail's
        collected validators, PayPal's IPN postback behind `ipn_obj.verify()`)."""
        if not _VERIFICATION_CALL.match(name.rpartition(".")[2]):
            return False
        head = name.partition(".")[0]
        if head in ("self", "cls", "this", "super()"):
            return False  # followed through the class: resolved, or nothing there
        symbols = self.index.module_of_path(path)
        if symbols is None:
            return False
        return symbols.imported(head) is None and head not in symbols.functions \
            and head not in symbols.constants \
            and not any(head == local for local, _ in (*symbols.aliases, *symbols.instances)) \
            and not any(cls.qualname.rpartition(".")[2] == head for cls in symbols.classes)

    def guard_verifies(self, guard: Guard, path: str) -> bool:
        if guard.verifies:
            return True
        if guard.local:
            function = self.local(path, guard.target)
            return function is not None and self.verified(function)
        return self.name_verifies(guard.target, path, None)

    # -- handlers ------------------------------------------------------------------------------

    def handlers(self, scanned: list[str]) -> Iterator[_Handler]:
        """Handlers wired or marked in `scanned`, files that hold entry facts (their gate let
        them through); other files only help resolve names."""
        seen: set[str] = set()
        index = self.index
        for path in scanned:
            facts = index.load(path, _ENTRIES)
            assert facts is not None
            open_views: list[tuple[_Function, Route]] = []
            handlers: list[_Function] = []
            for route in facts.of(Route):
                for function in self._route_targets(route, path):
                    if function.qualified in seen:
                        continue
                    summary = function.summary
                    methods = summary.methods if _is_view_method(function) else (
                        route.methods or summary.methods)
                    handler = self._handler(function, route.path, methods, route.framework,
                                            route.owner, route.middleware, path,
                                            route.verifying_middleware, route.capability,
                                            route.labels)
                    if handler is not None:
                        seen.add(function.qualified)
                        handlers.append(function)
                        yield handler
                    elif summary.name in ("post", "put") and self._open_view(function):
                        open_views.append((function, route))
            yield from self._open_siblings(path, handlers, open_views, seen)
        # Views not wired in a scanned route table but marked by their decorators (Django).
        for path in scanned:
            if not path.endswith(".py"):
                continue
            facts = index.load(path, _ENTRIES)
            for marked in facts.of(MarkedView) if facts is not None else ():
                if not self._marked_may_receive(path, marked.qualname):
                    continue  # no receiver, told before its file is summarised
                view = self.local(path, marked.qualname)
                if view is None or view.qualified in seen:
                    continue
                handler = self._handler(view, None, view.summary.methods, None, "", (), path,
                                        False)
                if handler is not None:
                    seen.add(view.qualified)
                    yield handler

    def _open_siblings(self, path: str, handlers: list[_Function],
                       open_views: list[tuple[_Function, Route]],
                       seen: set[str]) -> Iterator[_Handler]:
        """Views open to anyone (no permission, CSRF-exempt) routed in the same table as a
        receiver or open view of the same package that verifies its sender: a lifecycle callback
        (`installed`) of that sender, which needs the same check."""
        candidates = (*handlers, *(view for view, _ in open_views))
        for function, route in open_views:
            package = posixpath.dirname(function.path)
            sibling = next((f for f in candidates if posixpath.dirname(f.path) == package
                            and f is not function and self.verified(f)), None)
            if sibling is None or function.qualified in seen:
                continue
            seen.add(function.qualified)
            yield _Handler(function, route.path, f"it takes anyone's POST, routed beside "
                           f"`{sibling.summary.qualname}`, which verifies its sender",
                           route.framework, route.owner, route.middleware, path,
                           route.verifying_middleware)

    def _route_targets(self, route: Route, path: str) -> list[_Function]:
        if route.local:
            if not self._may_receive(route, route.handler, path):
                return []
            function = self.local(path, route.handler)
            return [function] if function is not None else []
        symbols = self.index.module_of_path(path)
        if symbols is None or self._plainly_no_receiver(route, symbols):
            return []
        resolved = self.index.resolve(symbols, route.handler)
        module, _ = self.index.split(resolved)
        target = self.index.module(module) if module is not None else None
        if target is not None and not self._may_receive(route, resolved, target.path):
            return []
        if self.index.class_symbol(resolved) is not None:  # a class-based view
            if symbols.language == "python" and self._guarded_class(resolved):
                return []  # behind a permission: neither a receiver nor open to anyone
            return self._class_methods(resolved, _VIEW_METHODS)
        function = self.function(resolved)
        return [function] if function is not None else []

    def _plainly_no_receiver(self, route: Route, symbols: ModuleSymbols) -> bool:
        """A Python route to a name imported from the module that defines it, or from a module
        (a package's `__init__`) that imports it from there, which cannot be a receiver
        (`_may_receive`): told from the files' text, without parsing them to resolve the name
        (a project routes hundreds of API views this way)."""
        head, _, rest = route.handler.partition(".")
        imported = symbols.imported(head) if symbols.language == "python" else None
        if imported is None:
            return False
        qualname = f"{imported}.{rest}" if rest else imported
        for _ in range(2):  # the module named, then the one it imports the name from
            found = self.index.module_file(qualname)
            if found is None:
                return False
            path, member = found
            name = member.split(".")[0]
            if name in self._defined_in(path):
                return not self._may_receive(route, member, path)
            source = self._imported_in(path, qualname[:-len(member) - 1], name)
            if source is None:
                return False  # assigned, or imported in a way the text does not plainly say
            qualname = source + member[len(name):]
        return False

    def _imported_in(self, path: str, module: str, name: str) -> str | None:
        """Where the module `module` (the file `path`) imports `name` from at its top level,
        as `pkg.mod.Original`, told from its text: one `from X import ... name ...` (or
        `Original as name`) and nothing else binding the name (no assignment, no star import,
        no second import of it); else None."""
        text = self._read(path)
        if text is None or _STAR_IMPORT.search(text) or re.search(
                rf"^{re.escape(name)}[ \t]*(?::[^=\n]*)?=(?!=)", text, re.MULTILINE):
            return None
        package = module if path.endswith("/__init__.py") or path == "__init__.py" \
            else module.rpartition(".")[0]
        sources = []
        for found in _FROM_IMPORT.finditer(text):
            origin, names = found.group(1), re.sub(r"#[^\n]*", "", found.group(2))
            for item in names.strip("()\\ \t\n").replace("\\\n", " ").split(","):
                parts = item.split()
                if parts == [name] or (len(parts) == 3 and parts[1] == "as" and parts[2] == name):
                    sources.append((origin, parts[0]))
        if len(sources) != 1:
            return None
        origin, original = sources[0]
        level = len(origin) - len(origin.lstrip("."))
        if level:
            base = package.split(".") if package else []
            if level - 1 > len(base):
                return None
            base = base[:len(base) - (level - 1)]
            origin = ".".join([*base, origin[level:]] if origin[level:] else base)
        return f"{origin}.{original}" if origin else None

    def _defined_in(self, path: str) -> frozenset[str]:
        """The names a Python file defines at its top level (`class X`, `def f`), from its text."""
        found = self._defined.get(path)
        if found is None:
            text = self._read(path)
            found = self._defined[path] = frozenset(_TOP_LEVEL_DEFINITION.findall(text or ""))
        return found

    def _read(self, path: str) -> str | None:
        """A file's text, kept for the next question about the same file only (a route's
        target file is asked what it defines, then whether it holds receiver evidence)."""
        if self._last_read[0] != path:
            self._last_read = (path, self.index.read(path))
        return self._last_read[1]

    def _may_receive(self, route: Route, target: str, path: str) -> bool:
        """`routes.may_receive` for a target in the file `path` (its text searched once)."""
        return named_as_receiver(route, target) or self._holds_receiver_evidence(path)

    def _marked_may_receive(self, path: str, qualname: str) -> bool:
        """`routes.marked_may_receive` for a marked view of the file `path`."""
        return marked_named_as_receiver(qualname) or self._holds_receiver_evidence(path)

    def _holds_receiver_evidence(self, path: str) -> bool:
        found = self._may_hold_receiver.get(path)
        if found is None:
            text = self._read(path)
            found = self._may_hold_receiver[path] = holds_receiver_evidence(
                None if text is None else text.lower())
        return found

    def _handler(self, function: _Function, route: str | None, methods: tuple[str, ...] | None,
                 framework: str | None, owner: str, middleware: tuple[str, ...], route_path: str,
                 verifying_middleware: bool, capability: str = "",
                 labels: tuple[str, ...] = ()) -> _Handler | None:
        if not post_capable(methods):
            return None
        summary = function.summary
        name = summary.name
        if _is_view_method(function) and summary.cls:
            name = summary.cls.rsplit(".", 1)[-1]  # the class-based view's class
        words = webhook_words(route, name)
        for label in labels if words is None else ():
            words = webhook_words(None, label)  # the route's own name (`"stripe-webhook"`)
            if words is not None:
                break
        reason = words[0] if words is not None else None
        confidence = Confidence.MEDIUM  # words say "webhook": a heuristic, never high
        if self._authenticated(function):
            return None  # behind a login or a permission: not a third party's delivery
        if summary.reads_signature:
            # A provider's signature or event header: a delivery, whatever the route says.
            reason = reason or "it reads a provider signature or event header"
            confidence = Confidence.HIGH
        elif words is not None and reason is not None and "event receiver" in reason and (
                summary.browser_return or not (
                    words[1] or summary.csrf_exempt or summary.parses_event)):
            # `event` or `callback` alone names a ticketed event; a browser coming back from a
            # redirect (query string only, or OAuth's code and state) is no delivery.
            return None
        if reason is None and summary.csrf_exempt and summary.parses_event:
            reason = "it is CSRF-exempt and parses a provider event"
        if reason is None:
            return None
        if framework == "registry":
            confidence = Confidence.LOW  # an id not named as a secret may still be one
            capability = f"registered under `{capability}`" if capability else ""
        elif route is not None:
            # `/hooks/<token>` whose token the handler looks up or compares: a secret URL.
            keyed = [name for name in secret_parameters(route) if name in summary.keyed_params]
            capability = f"path parameter `{keyed[0]}`" if keyed else ""
        return _Handler(function, route, reason, framework, owner, middleware, route_path,
                        verifying_middleware, confidence, capability, labels)

    def signing_sender(self, handler: _Handler) -> Sender | None:
        """The provider that sends to a capability-URL handler, when it is one known to sign
        its deliveries: named by the registration, the modules' paths, the handler module's
        imports, the route or the handler's name; or any sender whose signature header another
        function of the handler's module reads and verifies (it signs; this handler ignores it)."""
        function = handler.function
        summary = function.summary
        named_by = [(f"its registration name '{label}'", label) for label in handler.labels]
        named_by += [(f"the module path {path}", path.rsplit(".", 1)[0])
                     for path in dict.fromkeys((function.path, handler.route_path))]
        symbols = self.index.module_of_path(function.path)
        named_by += [(f"the import of {target}", target)
                     for _, target in (symbols.imports if symbols is not None else ())]
        named_by += [(f"the route {handler.route}", handler.route or ""),
                     (f"the name {summary.qualname}", summary.qualname)]
        found = signing_sender(named_by)
        if found is not None:
            return found
        for other in self._summaries(function.path).values():
            if other.reads_signature and other.verification is not None \
                    and other.qualname != summary.qualname:
                return Sender("its sender", "a signature header",
                              f"`{other.qualname}` in the same module verifies it")
        return None

    def _open_view(self, function: _Function) -> bool:
        """A class-based view's method whose class opens it to anyone (empty DRF permission
        classes) and exempts it from CSRF: what a third party's POST needs."""
        if not _is_view_method(function):
            return False
        class_qualname = function.qualified.rsplit(".", 1)[0]
        if self._drf_access(class_qualname) != "open":  # the class itself opens it
            return False
        exempt = function.summary.csrf_exempt or any(
            f.summary.csrf_exempt for f in self._class_methods(class_qualname, ("dispatch",)))
        return exempt and not self._authenticated(function)

    def _authenticated(self, function: _Function) -> bool:
        """A login or permission guards the view: its decorators, dependencies, DRF permission
        classes, session use, or a permission mixin among its class's ancestors."""
        summary = function.summary
        if summary.auth:
            return True
        if summary.cls is None or function.language != "python":
            return False
        return self._guarded_class(function.qualified.rsplit(".", 1)[0])

    def _guarded_class(self, class_qualname: str) -> bool:
        """A permission mixin among the class's ancestors, an auth dependency one of them
        declares for every route (`user = Depends(get_current_user)` on a FastAPI class-based
        controller), or DRF permission classes set by the nearest class that sets them, other
        than open ones."""
        for ancestor in self.index.mro(class_qualname):
            if AUTH_GUARD().match(ancestor.rsplit(".", 1)[-1]):
                return True
            cls = self.index.class_symbol(ancestor)
            if cls is not None and any(AUTH_GUARD().match(name) or AUTH_DEPENDENCY().match(name)
                                       for name in cls.dependencies):
                return True
            access = self._drf_access(ancestor)
            if access:  # the nearest class that sets DRF permission_classes decides
                return access == "guarded"
        return False

    def _drf_access(self, class_qualname: str) -> str:
        cls = self.index.class_symbol(class_qualname)
        return drf_access(dict(cls.sequences).get("permission_classes") if cls is not None
                          else None)

    def handler_verified(self, handler: _Handler) -> bool:
        function = handler.function
        if self.verified(function) or handler.verifying_middleware:
            return True
        if function.summary.dispatches:
            return True  # a plugin chosen at run time verifies or not: no way to be sure
        if any(self.name_verifies(name, handler.route_path, None) for name in handler.middleware):
            return True
        facts = self.index.load(handler.route_path, _ENTRIES)
        owner = handler.owner
        for guard in facts.of(Guard) if facts is not None else ():
            if guard.kind == "dependency":
                applies = guard.owner == owner
            else:
                applies = guard.owner == owner or guard.owner in _GLOBAL_OWNERS or not owner
            if applies and self.guard_verifies(guard, handler.route_path):
                return True
        summary = function.summary
        if summary.name in _VIEW_METHODS and summary.cls:  # a class-based view: dispatch()
            class_qualname = function.qualified.rsplit(".", 1)[0]
            if any(self.verified(f) for f in self._class_methods(class_qualname, ("dispatch",))):
                return True
        if handler.framework in (None, "django") and function.language == "python":
            return self._middleware_verifies(function.path)
        return False

    def _middleware_verifies(self, handler_path: str) -> bool:
        """Django settings name the middleware; when the scan did not cover them (hook and diff
        modes), look in the usual places once. Decided once for every handler."""
        index = self.index
        if None in self._middleware:
            return self._middleware[None]
        settings = [s for facts in list(index.facts.values()) for s in facts.of(MiddlewareSetting)]
        key: str | None = None
        if not settings:
            package = handler_path.split("/", 1)[0] if "/" in handler_path else ""
            if package in self._middleware:
                return self._middleware[package]
            key = package
            for base in sorted({package, "config", "project", ""}):
                prefix = f"{base}/" if base else ""
                for candidate in (f"{prefix}settings.py", f"{prefix}settings/__init__.py",
                                  f"{prefix}settings/base.py"):
                    loaded = index.load(candidate, _ENTRIES)
                    if loaded is not None:
                        settings.extend(loaded.of(MiddlewareSetting))
        found = self._middleware[key] = any(
            index.class_symbol(resolved) is not None and any(
                self.verified(f, strict=True) for f in self._class_methods(
                    resolved, ("__call__", "process_view", "process_request")))
            for setting in settings for resolved in map(index.canonical, setting.entries))
        return found


def _qualname(summary: FunctionSummary) -> str:
    return summary.qualname


def _is_view_method(function: _Function) -> bool:
    """`post`/`put`/`patch`/`delete` of a class-based view (Django View, Starlette HTTPEndpoint):
    a provider's uninstall callback arrives as DELETE on the view whose POST takes events."""
    summary = function.summary
    return summary.name in _VIEW_METHODS and summary.cls is not None \
        and function.language == "python"
