"""SH303 signature-over-reserialized-body: an HMAC over `json.dumps(request.json)` or
`JSON.stringify(req.body)` instead of the raw bytes the provider signed."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.facts.base import FileFacts
from scanner.facts.webhooks.model import SignedMessage
from scanner.model.finding import Finding, Severity
from scanner.rules.base import CONTEXTS, Bad, Good, Rule, RuleContext


class SignatureOverReserializedBody(Rule):
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
    family = "webhook"
    severity = Severity.MEDIUM
    cwe = ("CWE-347",)
    needs = (SignedMessage,)
    contexts = CONTEXTS - {"test"}
    examples = (
        Bad('import hashlib\nimport hmac\nimport json\n\nfrom flask import request\n\n\n'
            'def signature_ok(secret):\n'
            '    body = json.dumps(request.get_json()).encode()\n'
            '    digest = hmac.new(secret, body, hashlib.sha256).hexdigest()\n'
            '    return hmac.compare_digest(digest, request.headers["X-Signature"])\n', line=10),
        Bad('const crypto = require("crypto");\napp.post("/webhook", express.json(), (req, res) => {\n'
            '  const digest = crypto.createHmac("sha256", SECRET).update(JSON.stringify(req.body))'
            '.digest("hex");\n  res.sendStatus(200);\n});\n', path="hook.js", line=3),
        Good('import hashlib\nimport hmac\n\nfrom flask import request\n\n\ndef signature_ok(secret):\n'
             '    digest = hmac.new(secret, request.get_data(), hashlib.sha256).hexdigest()\n'
             '    return hmac.compare_digest(digest, request.headers["X-Signature"])\n'),
        Good('import hashlib\nimport hmac\nimport json\n\n\ndef sign_outgoing(secret, event):\n'
             '    body = json.dumps(event).encode()\n'
             '    return hmac.new(secret, body, hashlib.sha256).hexdigest()\n'),
    )

    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        for message in facts.of(SignedMessage):
            if message.reserialized:
                yield context.report(self, message.span, "HMAC computed over re-serialized JSON "
                                     "instead of the raw request body",
                                     construct=f"reserialized:{message.function}")
