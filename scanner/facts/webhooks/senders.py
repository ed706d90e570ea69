"""Capability-URL receivers and their senders: which route parameters and registry arguments hold
a per-registration secret, and which providers sign their deliveries (and with what header)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from scanner.lazy import compiled_on_use

# Providers that sign (or authenticate with a sent secret) every delivery, by the word that
# names them in a package, module, directory or registration name; the header they sign with.
# Providers whose name is an everyday word (Square, Box, Linear, Resend) are left out: a word
# in a path or a name must say which sender it is.
SIGNING_PROVIDERS: dict[str, tuple[str, str]] = {
    "stripe": ("Stripe", "Stripe-Signature"),
    "github": ("GitHub", "X-Hub-Signature-256"),
    "gitlab": ("GitLab", "X-Gitlab-Token"),
    "bitbucket": ("Bitbucket", "X-Hub-Signature"),
    "slack": ("Slack", "X-Slack-Signature"),
    "shopify": ("Shopify", "X-Shopify-Hmac-Sha256"),
    "twilio": ("Twilio", "X-Twilio-Signature"),
    "sendgrid": ("SendGrid", "X-Twilio-Email-Event-Webhook-Signature"),
    "mailgun": ("Mailgun", "the signature in the payload"),
    "paddle": ("Paddle", "Paddle-Signature"),
    "paypal": ("PayPal", "PAYPAL-TRANSMISSION-SIG"),
    "razorpay": ("Razorpay", "X-Razorpay-Signature"),
    "svix": ("Svix", "svix-signature"),
    "hubspot": ("HubSpot", "X-HubSpot-Signature-v3"),
    "intercom": ("Intercom", "X-Hub-Signature"),
    "zoom": ("Zoom", "x-zm-signature"),
    "dropbox": ("Dropbox", "X-Dropbox-Signature"),
    "discord": ("Discord", "X-Signature-Ed25519"),
    "typeform": ("Typeform", "Typeform-Signature"),
    "calendly": ("Calendly", "Calendly-Webhook-Signature"),
    "docusign": ("DocuSign", "X-DocuSign-Signature-1"),
    "xero": ("Xero", "x-xero-signature"),
    "vercel": ("Vercel", "x-vercel-signature"),
    "sentry": ("Sentry", "Sentry-Hook-Signature"),
    "coinbase": ("Coinbase Commerce", "X-CC-Webhook-Signature"),
    "telegram": ("Telegram", "X-Telegram-Bot-Api-Secret-Token"),
}

# Words of a name that holds a per-registration secret (`webhook_id`, `entry.data[CONF_WEBHOOK_ID]`,
# `token`, `hook_secret`): the URL segment it fills is the credential.
_SECRET_WORDS = frozenset({"token", "secret", "key", "hash", "uuid", "guid", "nonce"})
_ID_OWNERS = frozenset({"webhook", "hook", "entry", "event", "registration", "subscription"})
# Route parameters: `<token>`, `<string:hook_secret>` (Flask/Django), `{token}`, `{token:str}`
# (FastAPI, Starlette, aiohttp), `:token` (Express), `(?P<token>...)` (Django regex).
_PARAMETER = compiled_on_use(
    r"<(?:(?P<conv>[A-Za-z_]+):)?(?P<angle>[A-Za-z_][A-Za-z0-9_]*)>"
    r"|\{(?P<brace>[A-Za-z_][A-Za-z0-9_]*)(?::(?P<bconv>[^}]*))?\}"
    r"|\(\?P<(?P<regex>[A-Za-z_][A-Za-z0-9_]*)>"
    r"|(?<![A-Za-z0-9_]):(?P<colon>[A-Za-z_][A-Za-z0-9_]*)")
_NUMERIC_CONVERTERS = frozenset({"int", "float", "path"})


@dataclass(frozen=True)
class Sender:
    """A provider known to sign its deliveries, and what in the code names it."""

    provider: str
    header: str
    evidence: str


def name_words(text: str) -> list[str]:
    """Lower-case words of a name or a path: `CONF_WEBHOOK_ID`, `stripeWebhook`, `twilio/__init__`."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return [word for word in re.split(r"[^a-z0-9]+", spaced.lower()) if word]


@lru_cache(maxsize=4096)  # asked of every parameter of every summarised function
def names_secret(text: str) -> bool:
    """Whether a name (or an expression's source) holds a per-registration secret: a token,
    secret or key, or the id of a webhook, hook or registration (`entry.data[CONF_WEBHOOK_ID]`)."""
    words = name_words(text)
    if any(word in _SECRET_WORDS for word in words):
        return True
    return "id" in words and any(word in _ID_OWNERS for word in words)


def names_registry_id(text: str) -> bool:
    """Whether a registry call's argument is the id a handler is registered (and served) under:
    any id (`deleted_id`, `entry.entry_id`), token or secret; the registry dispatches on it."""
    return "id" in name_words(text) or names_secret(text)


def secret_parameters(route: str) -> tuple[str, ...]:
    """The route's path parameters that can hold a secret (`/hooks/<token>`), in order: named
    like one, and not numbers (`<int:hook_id>` is an enumerable key, not a credential)."""
    found = []
    for match in _PARAMETER().finditer(route):
        name = match.group("angle") or match.group("brace") or match.group("regex") \
            or match.group("colon") or ""
        converter = (match.group("conv") or match.group("bconv") or "").strip().lower()
        if name and converter not in _NUMERIC_CONVERTERS and names_secret(name):
            found.append(name)
    return tuple(dict.fromkeys(found))


def signing_sender(named_by: Iterable[tuple[str, str]]) -> Sender | None:
    """The first signing provider that one of the texts names by a whole word; each text
    comes with what it is (`"package twilio.rest"`, `"path ..."`), for the message."""
    for what, text in named_by:
        for word in name_words(text):
            known = SIGNING_PROVIDERS.get(word)
            if known is not None:
                return Sender(known[0], known[1], f"named by {what}")
    return None
