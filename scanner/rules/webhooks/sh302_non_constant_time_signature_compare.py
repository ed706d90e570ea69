"""SH302 non-constant-time-signature-compare: a signature, digest or webhook token compared
with `==`, `!=` or `in`; the fix rewrites Python to `hmac.compare_digest`."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.facts.base import FileFacts
from scanner.facts.webhooks.model import SignatureComparison
from scanner.model.finding import Edit, Finding, Fix, Severity
from scanner.rules.base import CONTEXTS, Bad, Good, Rule, RuleContext

_MESSAGES = {
    "python": "signature compared with a non-constant-time operator; use hmac.compare_digest",
    "javascript": "signature compared with a non-constant-time operator; use "
                  "crypto.timingSafeEqual",
}
# Operands that need parentheses before `or ""` is appended (lower precedence than `or`).
_LOW_PRECEDENCE = (" if ", "lambda", " or ", " and ", "not ")


class NonConstantTimeSignatureCompare(Rule):
    """## What it does
    Finds a webhook signature compared in non-constant time. A signature, HMAC digest or webhook
    token is compared with `==`, `!=` or `in` (Python) or `===`/`!==` (JavaScript) instead of a
    constant-time comparison. A header is a signature when its name says so
    (`X-Hub-Signature-256`, `X-Gitlab-Token`...); compared with a secret-like name (`secret`,
    `token`, `..._key`, `password`) it is a shared-token check, in both languages. A value of
    the request body compared with the webhook's own credential (`webhook_auth`,
    `WEBHOOK_TOKEN`) is one too, and so is a credential read from the request by its key
    (`payload.get("auth")`, `self.data["token"]` where the class binds `self.data` to the
    request's body, `request.GET["secret"]`) compared with a stored credential (`self._auth`,
    `verification_token`), and a digest keyed by a secret that a function of the module
    computes (`make_secret(form) == secret`, where `make_secret` hashes `settings.SECRET_KEY`).
    A signature header compared with a plain hash over the secret and the body (HubSpot's v1
    `createHash("sha256").update(secret + body)`) counts, and so does any credential header
    (`Authorization`, `X-...-Webhook-Secret`; not a signature header, whose equality with the raw
    secret is no check at all) compared with a value named as a shared secret (`Bearer
    ${cronSecret}`). The request-credential and keyed-digest shapes are looked for in files that
    hold signature or hashing evidence (what the comparison gate admits).

    ## Why is this bad?
    Ordinary string comparison stops at the first differing character, so its timing reveals how
    much of a guessed signature is right; an attacker can recover a valid signature byte by byte.
    `secret-hygiene fix --select SH302` rewrites the Python comparison to `hmac.compare_digest`
    (a header that may be missing stays a rejection: `hmac.compare_digest(sig or "", expected)`).

    ## References
    - https://docs.python.org/3/library/hmac.html#hmac.compare_digest
    - https://nodejs.org/api/crypto.html#cryptotimingsafeequala-b
    - https://cwe.mitre.org/data/definitions/208.html
    """

    id = "SH302"
    name = "non-constant-time-signature-compare"
    family = "webhook"
    severity = Severity.HIGH
    cwe = ("CWE-208",)
    needs = (SignatureComparison,)
    # Tests compute and compare signatures on purpose.
    contexts = CONTEXTS - {"test"}
    has_fix = True
    examples = (
        Bad('import hashlib\nimport hmac\n\n\ndef verify(secret, body, signature):\n'
            '    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()\n'
            '    return expected == signature\n', line=7,
            fixed='import hashlib\nimport hmac\n\n\ndef verify(secret, body, signature):\n'
                  '    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()\n'
                  '    return hmac.compare_digest(expected, signature)\n'),
        Bad('from flask import abort, request\n\nfrom app.settings import WEBHOOK_SECRET\n\n\n'
            'def telegram_update():\n'
            '    token = request.headers.get("X-Telegram-Bot-Api-Secret-Token")\n'
            '    if token != WEBHOOK_SECRET:\n        abort(403)\n', line=8,
            fixed='from flask import abort, request\n\n'
                  'from app.settings import WEBHOOK_SECRET\nimport hmac\n\n\n'
                  'def telegram_update():\n'
                  '    token = request.headers.get("X-Telegram-Bot-Api-Secret-Token")\n'
                  '    if not hmac.compare_digest(token or "", WEBHOOK_SECRET):\n'
                  '        abort(403)\n'),
        Bad('import hmac\n\n\ndef stripe_ok(request, secret, body):\n'
            '    digest = hmac.new(secret, body, "sha256").hexdigest()\n'
            '    return digest in request.headers.get("Stripe-Signature", "").split(",")\n',
            line=6,
            fixed='import hmac\n\n\ndef stripe_ok(request, secret, body):\n'
                  '    digest = hmac.new(secret, body, "sha256").hexdigest()\n'
                  '    return any(hmac.compare_digest(digest, candidate) for candidate in '
                  'request.headers.get("Stripe-Signature", "").split(","))\n'),
        Bad('from aiohttp.web import Response\n\n\nclass DeviceHook:\n'
            '    def __init__(self, entry):\n'
            '        self._webhook_id = entry["webhook_id"]\n'
            '        self._device_key = entry["device_key"]\n\n'
            '    async def receive(self, hub, webhook_id, request):\n'
            '        payload = await request.json()\n'
            '        if payload.get("auth") != self._device_key:\n'
            '            return Response(status=401)\n', line=11,
            fixed='from aiohttp.web import Response\nimport hmac\n\n\nclass DeviceHook:\n'
                  '    def __init__(self, entry):\n'
                  '        self._webhook_id = entry["webhook_id"]\n'
                  '        self._device_key = entry["device_key"]\n\n'
                  '    async def receive(self, hub, webhook_id, request):\n'
                  '        payload = await request.json()\n'
                  '        if not hmac.compare_digest(payload.get("auth", ""), self._device_key):\n'
                  '            return Response(status=401)\n'),
        Bad('const crypto = require("crypto");\nfunction verify(body, sig) {\n'
            '  const digest = crypto.createHmac("sha256", SECRET).update(body).digest("hex");\n'
            '  return digest === sig;\n}\n', path="verify.js", line=4),
        Good('import hashlib\nimport hmac\n\n\ndef verify(secret, body, signature):\n'
             '    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()\n'
             '    return hmac.compare_digest(expected, signature)\n'),
        Good('import hashlib\nimport hmac\n\n\ndef sign(secret, body):\n'
             '    digest = hmac.new(secret, body, hashlib.sha256).hexdigest()\n'
             '    if digest == "":\n        raise ValueError\n    return len(digest) == 64\n'),
    )

    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        for comparison in facts.of(SignatureComparison):
            fix = None
            if context.want_fixes and comparison.language == "python" and not comparison.chained:
                fix = _fix(comparison, context.document.text)
            yield context.report(self, comparison.span, _MESSAGES[comparison.language],
                                 construct=f"compare:{comparison.function}:{comparison.code}",
                                 fix=fix)


def _operand(text: str, span: tuple[int, int], nullable: bool, empty: str) -> str:
    """An operand's code; one that may be None becomes a value that never matches (a missing
    header must stay a rejection, not a TypeError): `.get(name)` gains a default, a name `or`."""
    code = text[span[0]:span[1]]
    if not nullable:
        return code
    if code.endswith(")") and ".get(" in code and "," not in code[code.rfind(".get(") :]:
        return f"{code[:-1]}, {empty})"
    if any(marker in code for marker in _LOW_PRECEDENCE):
        code = f"({code})"
    return f"{code} or {empty}"


def _fix(comparison: SignatureComparison, text: str) -> Fix:
    """`a == b` -> `hmac.compare_digest(a, b)`, `!=` its negation, `a in b` ->
    `any(hmac.compare_digest(a, candidate) for candidate in b)`."""
    left = _operand(text, comparison.left, comparison.nullable_left, '""')
    if comparison.operator in ("in", "not in"):
        right = _operand(text, comparison.right, comparison.nullable_right, '""')
        replacement = f"any(hmac.compare_digest({left}, candidate) for candidate in {right})"
    else:
        right = _operand(text, comparison.right, comparison.nullable_right, '""')
        replacement = f"hmac.compare_digest({left}, {right})"
    if comparison.operator in ("!=", "not in"):
        replacement = f"not {replacement}"
    return Fix(edits=(Edit(comparison.start, comparison.end, replacement),),
               imports=(("hmac", None),))
