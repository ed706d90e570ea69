"""SH306 verification-disabled: code that deliberately bypasses webhook verification."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.facts.base import FileFacts
from scanner.facts.webhooks.model import VerificationBypass
from scanner.model.finding import Finding, Severity
from scanner.rules.base import CONTEXTS, Bad, Good, Rule, RuleContext


class VerificationDisabled(Rule):
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
    family = "webhook"
    severity = Severity.HIGH
    cwe = ("CWE-347",)
    needs = (VerificationBypass,)
    # Tests may bypass verification on purpose.
    contexts = CONTEXTS - {"test"}
    examples = (
        Bad('import json\n\nimport stripe\nfrom flask import request\n\n\ndef stripe_webhook():\n'
            '    event = stripe.Event.construct_from(json.loads(request.data), stripe.api_key)\n'
            '    return handle(event)\n', line=8),
        Bad('from payments import webhooks\n\n\ndef receive(request):\n'
            '    return webhooks.construct_event_without_verification(request.body)\n', line=5),
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
