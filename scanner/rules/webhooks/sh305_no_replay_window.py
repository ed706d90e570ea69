"""SH305 no-replay-window: a signed timestamp never compared with the clock, or a provider
verification with its tolerance turned off."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.facts.base import FileFacts
from scanner.facts.webhooks.model import PublicKeySignedMessage, SignedMessage, ToleranceOff
from scanner.model.finding import Finding, Severity
from scanner.rules.base import CONTEXTS, Bad, Good, Rule, RuleContext


class NoReplayWindow(Rule):
    """## What it does
    Finds webhook verification with no replay window. It covers manual verification for providers
    that sign a timestamp (Stripe, Slack, Standard Webhooks/Svix) where the signed timestamp is
    never compared with the clock, public-key signatures (ECDSA, Ed25519, RSA) checked over a
    timestamp and the body in the same way, and Stripe verification with `tolerance` set to 0 or
    None. The clock counts when the verifying function reads it, or a function of the file it
    calls or that calls it does; a signing helper that compares nothing is judged by the
    functions of the file that verify with it, when there are any (a test helper stamping
    requests with the current time is no replay window).

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
    family = "webhook"
    severity = Severity.MEDIUM
    cwe = ("CWE-294",)
    needs = (SignedMessage, PublicKeySignedMessage, ToleranceOff)
    contexts = CONTEXTS - {"test"}
    examples = (
        Bad('import hashlib\nimport hmac\n\n\ndef slack_ok(secret, body, headers):\n'
            '    timestamp = headers["X-Slack-Request-Timestamp"]\n'
            '    signed = f"v0:{timestamp}:{body}".encode()\n'
            '    expected = "v0=" + hmac.new(secret, signed, hashlib.sha256).hexdigest()\n'
            '    return hmac.compare_digest(expected, headers["X-Slack-Signature"])\n', line=8),
        Bad('import stripe\n\n\ndef stripe_event(payload, sig_header, secret):\n'
            '    return stripe.Webhook.construct_event(payload, sig_header, secret, tolerance=0)\n',
            line=5),
        Good('import hashlib\nimport hmac\nimport time\n\n\ndef slack_ok(secret, body, headers):\n'
             '    timestamp = headers["X-Slack-Request-Timestamp"]\n'
             '    if abs(time.time() - int(timestamp)) > 300:\n        return False\n'
             '    signed = f"v0:{timestamp}:{body}".encode()\n'
             '    expected = "v0=" + hmac.new(secret, signed, hashlib.sha256).hexdigest()\n'
             '    return hmac.compare_digest(expected, headers["X-Slack-Signature"])\n'),
        Good('import stripe\n\n\ndef stripe_event(payload, sig_header, secret):\n'
             '    return stripe.Webhook.construct_event(payload, sig_header, secret)\n'),
    )

    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        messages: list[SignedMessage | PublicKeySignedMessage] = [
            *facts.of(SignedMessage), *facts.of(PublicKeySignedMessage)]
        for message in messages:
            if message.signs_timestamp and not message.clock_nearby:
                yield context.report(self, message.span, "the signed timestamp is never compared "
                                     "with the clock (no replay window)",
                                     construct=f"replay:{message.function}")
        for call in facts.of(ToleranceOff):
            yield context.report(self, call.span, "signature tolerance set to 0/None disables "
                                 "the replay window", construct=f"tolerance:{call.function}")
