"""Picklable facts about webhook handlers and verifiers, shared by the Python and JS analyses.

Only the standard library here: facts cross process boundaries and load at start-up."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Header names that carry a provider signature or token (normalised: lower-case, dashes).
SIGNATURE_HEADER_HINTS = ("signature", "hmac", "-token", "-sig", "webhook-id")
EVENT_HEADERS = frozenset({
    "x-github-event", "x-github-delivery", "x-gitlab-event", "x-shopify-topic", "x-event-key",
    "x-slack-request-timestamp", "webhook-timestamp", "svix-timestamp", "svix-id",
    "x-hook-secret", "x-twilio-email-event-webhook-timestamp",
})
# Keywords that make a file worth parsing: route-ish, webhook-ish, verification-ish.
STRONG_WEBHOOK_WORDS = ("webhook", "hook", "hooks", "ipn", "notify", "notification", "notifications")
WEAK_WEBHOOK_WORDS = ("events", "event", "callback", "callbacks")
AUTH_WORDS = ("oauth", "auth", "login", "logout", "sso", "openid", "saml", "signin", "signup",
              "authorize", "token")
REJECT_NAMES = re.compile(
    r"forbidden|unauthori[sz]ed|badrequest|bad_request|denied|reject|invalid|abort|"
    r"httpexception|http4\d\d|permission|not_?allowed|error", re.IGNORECASE)


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
    )


def is_event_header(name: str) -> bool:
    return normalise_header(name) in EVENT_HEADERS


def route_words(text: str) -> list[str]:
    """Lower-case words of a route or a function name: `/webhooks/stripe`, `stripeWebhook`."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


def webhook_reason(route: str | None, name: str, post_capable: bool) -> str | None:
    """Why a route or a function name says "webhook", or None."""
    for source in (route or "", name):
        words = route_words(source)
        if any(w in AUTH_WORDS for w in words):
            continue
        for word in words:
            if "webhook" in word or word in STRONG_WEBHOOK_WORDS:
                return f"'{source}' names a webhook"
            if post_capable and word in WEAK_WEBHOOK_WORDS:
                return f"'{source}' names an event receiver"
    return None


@dataclass(frozen=True)
class Function:
    """A function or method (Python) or a named or inline function (JS) and what it does."""

    qualname: str
    name: str
    line: int
    column: int
    line_text: str
    verifies: bool = False
    calls: tuple[str, ...] = ()
    decorators: tuple[str, ...] = ()
    depends: tuple[str, ...] = ()
    route: str | None = None
    methods: tuple[str, ...] | None = None
    framework: str | None = None
    owner: str | None = None
    reads_signature: bool = False
    csrf_exempt: bool = False
    parses_event: bool = False
    is_handler: bool = False


@dataclass(frozen=True)
class RouteEntry:
    """A route wired by a table or call (Django path(), Starlette Route, aiohttp add_post,
    Express app.post with a named handler): the target is a qualified function name."""

    route: str
    target: str
    methods: tuple[str, ...] | None
    framework: str
    line: int
    middleware: tuple[str, ...] = ()


@dataclass
class FileFacts:
    path: str
    module: str
    language: str
    functions: dict[str, Function] = field(default_factory=dict)
    routes: list[RouteEntry] = field(default_factory=list)
    # (owner object, hook function) for Flask before_request and Express app.use.
    hooks: list[tuple[str, str]] = field(default_factory=list)
    # Router object -> dependency targets (FastAPI APIRouter(dependencies=[Depends(x)])).
    owner_depends: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Django settings MIDDLEWARE entries.
    middleware: tuple[str, ...] = ()


def post_capable(methods: tuple[str, ...] | None) -> bool:
    return methods is None or any(m.upper() in {"POST", "PUT", "*", "ALL"} for m in methods)
