"""Webhook facts: routes and handlers, function summaries, guards, and the verification mistakes
seen in one file. Frozen, picklable, language-neutral; header and route-word helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from scanner.facts.base import Fact
from scanner.lazy import compiled_on_use

# Header names that carry a provider signature or token (normalised: lower-case, dashes).
SIGNATURE_HEADER_HINTS = ("signature", "hmac", "-token", "-sig", "webhook-id", "-secret")
EVENT_HEADERS = frozenset({
    "x-github-event", "x-github-delivery", "x-gitlab-event", "x-shopify-topic", "x-event-key",
    "x-slack-request-timestamp", "webhook-timestamp", "svix-timestamp", "svix-id",
    "x-hook-secret", "x-twilio-email-event-webhook-timestamp",
})
STRONG_WEBHOOK_WORDS = ("webhook", "hook", "hooks", "ipn", "notify", "notification", "notifications")
WEAK_WEBHOOK_WORDS = ("events", "event", "callback", "callbacks")
# The first word of a function that manages records (`create_notification`, `list_webhooks`).
MANAGEMENT_VERBS = frozenset({"create", "update", "delete", "list", "get", "retrieve", "edit",
                              "remove", "add", "patch", "destroy", "partial", "set"})
AUTH_WORDS = ("oauth", "auth", "login", "logout", "sso", "openid", "saml", "signin", "signup",
              "authorize", "token")


def normalise_header(name: str) -> str:
    """`HTTP_X_HUB_SIGNATURE_256` (Django META) and `X-Hub-Signature-256` -> `x-hub-signature-256`."""
    lowered = name.strip().lower()
    if lowered.startswith("http_"):
        lowered = lowered[5:]
    return lowered.replace("_", "-")


def is_signature_header(name: str) -> bool:
    header = normalise_header(name)
    if not header or " " in header or len(header) > 60:
        return False
    return any(hint in header for hint in SIGNATURE_HEADER_HINTS) and (
        header.startswith(("x-", "stripe-", "webhook-", "svix-", "paypal-", "http-"))
        or header in {"signature", "webhook-signature"}
        or ("-" in name and "_" not in name and _VENDOR_SIGNATURE().fullmatch(header) is not None))


# A sender's own signature header: `Upstash-Signature`, `Linear-Signature`, `Paddle-Signature`.
_VENDOR_SIGNATURE = compiled_on_use(r"[a-z][a-z0-9]{1,20}-(?:webhook-)?signature(?:-v?\d+)?")


def is_event_header(name: str) -> bool:
    return normalise_header(name) in EVENT_HEADERS


# What every signature or event header starts with, after blanks (and `HTTP_`): a string that
# does not (most strings of a data module) is told apart without normalising it.
_HEADER_FIRST = frozenset("xswphXSWPH")


def is_header_read(name: str) -> bool:
    """A signature or event header's name (`is_signature_header` or `is_event_header`)."""
    if name.lstrip()[:1] in _HEADER_FIRST:
        return is_signature_header(name) or is_event_header(name)
    return "ignature" in name and is_signature_header(name)  # `Upstash-Signature`


def route_words(text: str) -> list[str]:
    """Lower-case words of a route or a function name: `/webhooks/stripe`, `stripeWebhook`."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


def webhook_reason(route: str | None, name: str) -> str | None:
    """Why a route or a function name says "webhook", or None."""
    found = webhook_words(route, name)
    return found[0] if found is not None else None


@lru_cache(maxsize=4096)  # a route table's path is asked about with each part of its target
def webhook_words(route: str | None, name: str) -> tuple[str, bool] | None:
    """Why a route or a function name says "webhook", and whether the word is strong
    (`webhook`, `hook`, `ipn`, `notify`...) rather than weak (`event`, `callback`): a weak word
    alone names a ticketed event or an OAuth callback as often as a delivery. A name that starts
    with a verb of managing a record (`create_notification`, `delete_webhook`) names an API over
    those records, not a receiver of deliveries."""
    weak: tuple[str, bool] | None = None
    for source, is_route in ((route or "", True), (name, False)):
        # A route's parameters are values, not what it names (`/hooks/<token>` is no token API).
        words = route_words(_ROUTE_PARAMETER().sub("/", source) if is_route else source)
        if any(w in AUTH_WORDS for w in words) or (
                not is_route and words and words[0] in MANAGEMENT_VERBS):
            continue
        for word in words:
            if "webhook" in word or word in STRONG_WEBHOOK_WORDS:
                return f"'{source}' names a webhook", True
        # A route that ends in `/events` or `/callback` names its receiver; `event` inside a
        # route (`control/event/<id>/badges`) is a resource, and in a name a weak hint only.
        ending = route_words(_last_segment(source)) if is_route else []
        for word in words:
            if word in WEAK_WEBHOOK_WORDS:
                if word in ending:
                    return f"'{source}' names an event receiver", True
                weak = weak or (f"'{source}' names an event receiver", False)
    return weak


_ROUTE_PARAMETER = compiled_on_use(r"<[^<>/]*>|\{[^{}/]*\}|\(\?P<[^>]*>[^)]*\)|(?<![A-Za-z0-9_]):[A-Za-z_]\w*")


def _last_segment(route: str) -> str:
    """The last literal segment of a route (parameters `<id>`, `{id}`, `:id`, regex groups
    skipped): `/slack/events` -> `events`."""
    segments = [part for part in re.split(r"/+", route.strip("^$/ ").rstrip("$/"))
                if part and not any(mark in part for mark in "<({:*[\\")]
    return segments[-1] if segments else ""


# Decorators, dependencies and base classes that put a view behind a login or a permission
# (`login_required`, `event_permission_required`, `LoginRequiredMixin`, `Depends(current_user)`);
# `login_not_required` says the opposite.
AUTH_GUARD = compiled_on_use(
    r"(?i)^(?!.*not_?required)(?:.*(?:login_?required|permissions?_?required|staff_member_required"
    r"|superuser_required|user_passes_test|admin_required|auth_?required|requires?_?auth"
    r"|is_?authenticated|jwt_required|token_required|current_user|current_active_user"
    r"|get_user|require_user|authenticat(?:e|or|ed)\b|has_permission)"
    r"|.*(?:LoginRequired|PermissionRequired|Permission\w*Mixin|UserPassesTest|StaffRequired"
    r"|AdminRequired|SuperuserRequired|AuthRequired|IsAuthenticated|IsAdminUser))")
# FastAPI dependencies (`Depends(x)` targets) that check the caller's rights: besides the guards
# above, any named for permissions or authorisation (`PermissionsDependency([...])`,
# `require_permission`, `authorize_request`). A dependency is run for the caller's request, not
# a decorator that may open a view (`@permission_classes([AllowAny])`).
AUTH_DEPENDENCY = compiled_on_use(r"(?i)^(?!.*not_?required).*(?:permission|authori[sz]|authenticat)")
# FastAPI parameters that receive the authenticated caller (`auth_subject: WebhooksWrite`).
AUTH_PARAMETER = compiled_on_use(r"(?i)^(?:auth|auth_subject|current_user|user|principal|identity"
                                 r"|authenticated_user|auth_user)$")
# DRF permission classes that let anyone in.
OPEN_PERMISSIONS = frozenset({"AllowAny", "AllowAll"})


def drf_access(permission_classes: tuple[str, ...] | None) -> str:
    """A DRF view class's `permission_classes` (dotted names, "" for an item that is none):
    "open" (empty, or only `AllowAny`), "guarded" (any other permission), "" when the class
    does not set them (an ancestor may)."""
    if permission_classes is None:
        return ""
    return "open" if all(name.rsplit(".", 1)[-1] in OPEN_PERMISSIONS
                         for name in permission_classes) else "guarded"


def post_capable(methods: tuple[str, ...] | None) -> bool:
    """Whether a route with these methods accepts deliveries (None: any method)."""
    return methods is None or any(m.upper() in {"POST", "PUT", "*", "ALL"} for m in methods)


def matches_verifier(name: str, verifiers: tuple[str, ...]) -> bool:
    """Whether a resolved dotted name is one of the configured verifier functions."""
    return any(name == v or name.endswith("." + v) or name.endswith("::" + v.rsplit(".", 1)[-1])
               for v in verifiers)


# -- facts for the cross-module verdict (webhook-signature-not-verified) --------------------------


@dataclass(frozen=True)
class FunctionSummary(Fact):
    """What one function (or method, or inline JS function) does, for the project-wide
    question "does this handler reach a verification". Names are as written in the file; the
    project index resolves them. `span` starts at the definition's line."""

    qualname: str  # within its module: `View.post`, `receive`, `<function@12>`
    name: str
    cls: str | None  # the qualname of the class of a method
    line_text: str
    verification: str | None  # what verifies inside it ("hmac.compare_digest", ...), if anything
    calls: tuple[str, ...]  # callees and functions passed as arguments; `X().m` for `X(...).m()`
    decorators: tuple[str, ...]
    dependencies: tuple[str, ...]  # FastAPI `Depends(x)` targets
    class_guards: tuple[str, ...]  # DRF authentication/permission classes of a method's class
    methods: tuple[str, ...] | None  # HTTP methods its decorators or its name say it serves
    reads_signature: bool  # reads a provider signature or event header
    csrf_exempt: bool
    parses_event: bool  # parses the request body and reads an event type key
    auth: tuple[str, ...] = ()  # what puts it behind a login: guards, a session user, messages
    dispatches: bool = False  # hands the request to code chosen at run time (a plugin by name)
    browser_return: bool = False  # reads the query string only, or OAuth's code and state
    generic_verification: bool = False  # its verification is a JWT check (middleware does it too)
    keyed_params: tuple[str, ...] = ()  # parameters it looks a record up by or compares


@dataclass(frozen=True)
class MarkedView(Fact):
    """A function its decorators mark as a receiver whatever routes it (CSRF-exempt, or
    POST-only and decorated): where the verdict starts for a view wired in a table the scan
    may not cover. `span` is its definition's line."""

    qualname: str


@dataclass(frozen=True)
class Route(Fact):
    """A function wired to serve HTTP requests by a decorator, a route table entry, an
    Express/Fastify call or a Next.js route file. Decorators and JS calls that serve only
    methods without a body (GET, DELETE) are left out; a route table entry is kept whatever its
    methods, since a class-based view's own methods decide.
    `handler` is the target as written (a local function's qualname, or a dotted name)."""

    framework: str  # flask, fastapi, aiohttp, starlette, django, express, fastify, nextjs
    path: str
    methods: tuple[str, ...] | None
    handler: str
    local: bool  # `handler` is the qualname of a function of this file
    owner: str  # the router object (`app`, `bp`, `router`), "" when none
    middleware: tuple[str, ...] = ()  # route-level middleware names (Express)
    verifying_middleware: bool = False  # a provider's verifying middleware sits in the chain
    capability: str = ""  # a registry's per-registration id the URL carries (`entry.data[ID]`)
    labels: tuple[str, ...] = ()  # the names a registry call gives the receiver ("Twilio")


@dataclass(frozen=True)
class Guard(Fact):
    """Code that runs before the handlers of a router: Flask `before_request`, Express
    `app.use`, FastAPI router dependencies (`kind`: hook, use, dependency)."""

    kind: str
    owner: str
    target: str  # as written, or the qualname of a function of this file (`local`)
    local: bool = False
    verifies: bool = False  # a provider's verifying middleware (`createNodeMiddleware(...)`)


@dataclass(frozen=True)
class MiddlewareSetting(Fact):
    """Django's `MIDDLEWARE` list: dotted paths of the installed middleware classes."""

    entries: tuple[str, ...]


# -- facts for the local verification mistakes ----------------------------------------------------


@dataclass(frozen=True)
class SignatureComparison(Fact):
    """A signature, HMAC digest or webhook token compared with `==`, `!=`, `in` or `not in`
    (non-constant time). Offsets are characters into the file, for the fix; `nullable_*` says
    an operand may be None (a header read with `.get(name)`)."""

    function: str
    operator: str
    code: str  # the comparison as written, whitespace collapsed
    language: str
    start: int
    end: int
    left: tuple[int, int]
    right: tuple[int, int]
    nullable_left: bool
    nullable_right: bool
    chained: bool  # part of a Python chain (`a == b == c`): no fix


@dataclass(frozen=True)
class SignedMessage(Fact):
    """An HMAC computed over a message (`hmac.new(key, msg)`, `createHmac(...).update(msg)`)."""

    function: str
    reserialized: bool  # the message is re-serialized request JSON, not the raw body
    signs_timestamp: bool
    clock_nearby: bool  # the function reads the clock, or one it calls or is called by
    # does (a replay window may exist); a clock read elsewhere in the file does not count


@dataclass(frozen=True)
class PublicKeySignedMessage(Fact):
    """A public-key signature (Ed25519, ECDSA, RSA) checked over a message with a signature
    read from the request (`public_key.verify(signature, timestamp + body, ...)`)."""

    function: str
    signs_timestamp: bool
    clock_nearby: bool  # as SignedMessage's


@dataclass(frozen=True)
class ToleranceOff(Fact):
    """A provider verification call whose timestamp tolerance is 0 or None."""

    function: str
    callee: str


@dataclass(frozen=True)
class PresenceCheck(Fact):
    """An `if` that only tests whether the signature header (or the webhook secret) is
    present, in a function that handles signatures, with what its branches do."""

    function: str
    about_secret: bool
    positive: bool  # `if sig:` (True) or `if not sig:` (False)
    condition: str
    body_verifies: bool
    body_rejects: bool
    body_returns: bool
    else_rejects: bool
    kind: str = "if"  # or "except": a missing header's KeyError swallowed, the request goes on
    guessed: bool = False  # the header tested is not named as a signature (`if key_id:`)


@dataclass(frozen=True)
class VerificationBypass(Fact):
    """A deliberate bypass of webhook verification (`construct_event_without_verification`,
    `verify_signature=False`, a Stripe event built from the request body)."""

    function: str
    reason: str


@dataclass(frozen=True)
class RequestKey(Fact):
    """A verification whose key is read from the request it verifies (`secret =
    request.headers.get("X-Webhook-Secret") or secret`): anyone signs with a key of their own."""

    function: str
    source: str  # the request read, as written


@dataclass(frozen=True)
class VerificationSwitch(Fact):
    """An `if` in a verifying function that accepts the request unverified when a setting turns
    verification off (`if endpoint.validation == Validation.NONE: return True`)."""

    function: str
    condition: str  # the test as written
    how: str  # off (compared with an off value), skip, unset (a verify switch negated)
