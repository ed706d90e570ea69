"""SH306 verification-disabled: code that deliberately bypasses webhook verification."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.facts.base import FileFacts
from scanner.facts.webhooks.model import RequestKey, VerificationBypass, VerificationSwitch
from scanner.model.finding import Finding, Severity
from scanner.rules.base import CONTEXTS, Bad, Good, Rule, RuleContext


class VerificationDisabled(Rule):
    """## What it does
    Finds code that deliberately bypasses webhook verification outside tests. It flags
    `construct_event_without_verification`-style calls, `verify_signature=False`, or a Stripe
    event built straight from the request body with `stripe.Event.construct_from`. It also flags
    a verifying function that accepts the request (`return True`, `return next()`, after at most
    a log line) when a setting turns verification off: a setting compared with an off value
    (`endpoint.validation == Validation.NONE`, `"disabled"`), a skip switch
    (`SKIP_SIGNATURE_CHECK`) or a verify switch unset (`not settings.VERIFY_WEBHOOKS`); and a
    verification key read from the request it verifies (a header, the query string or the
    body, directly or through `key = forwarded or key`, `.encode()`, or a function of the file
    that verifies with its parameter). A key looked up *by* a request value
    (`SECRETS[request.headers["X-Tenant"]]`) is not read from the request.

    ## Why is this bad?
    Test conveniences leak into production: a bypass left in the handler accepts forged events
    exactly as if no signature existed. A setting that switches verification off is one
    configuration mistake away from an open endpoint, and a key taken from the request lets
    anyone sign a forged event with a key of their choosing.

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
    family = "webhook"
    severity = Severity.HIGH
    cwe = ("CWE-347",)
    needs = (VerificationBypass, VerificationSwitch, RequestKey)
    # Tests may bypass verification on purpose.
    contexts = CONTEXTS - {"test"}
    examples = (
        Bad('import json\n\nimport stripe\nfrom flask import request\n\n\ndef stripe_webhook():\n'
            '    event = stripe.Event.construct_from(json.loads(request.data), stripe.api_key)\n'
            '    return handle(event)\n', line=8),
        Bad('from payments import webhooks\n\n\ndef receive(request):\n'
            '    return webhooks.construct_event_without_verification(request.body)\n', line=5),
        Bad('import hmac\nimport warnings\n\n\ndef validate(delivery, endpoint):\n'
            '    if endpoint.verification == Verification.NONE:\n'
            '        warnings.warn("webhook verification is off")\n        return True\n'
            '    return hmac.compare_digest(sign(endpoint.secret, delivery.body), '
            'delivery.signature)\n', line=6),
        Bad('import hashlib\nimport hmac\n\n\ndef verify(request, secret):\n'
            '    secret = request.headers.get("X-Forward-Secret") or secret\n'
            '    digest = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()\n'
            '    return hmac.compare_digest(digest, request.headers["X-Signature"])\n', line=6),
        Good('import hashlib\nimport hmac\nimport logging\n\nfrom django.conf import settings\n\n\n'
             'def verify(request):\n    if settings.DEBUG:\n'
             '        logging.info("verifying %s", request.path)\n'
             '    digest = hmac.new(settings.HOOK_SECRET.encode(), request.body, '
             'hashlib.sha256).hexdigest()\n'
             '    return hmac.compare_digest(digest, request.headers["X-Signature"])\n'),
        Good('import stripe\nfrom flask import request\n\n\ndef stripe_webhook():\n'
             '    event = stripe.Webhook.construct_event(request.data, '
             'request.headers["Stripe-Signature"], SECRET)\n    return handle(event)\n'),
        Good('from payments import webhooks\n\n\ndef test_receive():\n'
             '    assert webhooks.construct_event_without_verification(b"{}")\n',
             path="tests/test_hooks.py"),
    )

    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        for bypass in facts.of(VerificationBypass):
            yield context.report(self, bypass.span,
                                 f"signature verification disabled: {bypass.reason}",
                                 construct=f"bypass:{bypass.function}:{bypass.reason}")
        for switch in facts.of(VerificationSwitch):
            yield context.report(self, switch.span,
                                 "signature verification disabled: the request is accepted "
                                 f"unverified when `{switch.condition}` ({_SWITCHES[switch.how]})",
                                 construct=f"switch:{switch.function}:{switch.condition}")
        for key in facts.of(RequestKey):
            yield context.report(self, key.span,
                                 "signature verification disabled: the key it is checked with is "
                                 f"read from the request ({key.source}), so a forged event "
                                 "signed with a key of the sender's choosing passes",
                                 construct=f"request-key:{key.function}:{key.source}")


# How a setting turns verification off, in a finding's words (see VerificationSwitch.how).
_SWITCHES = {"off": "verification switched off by a setting",
             "skip": "a setting skips verification", "unset": "a setting turns verification off"}
