"""SH304 verification-skipped-when-header-missing: a signature check that runs only when the
signature header (or the webhook secret) is present."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.facts.base import FileFacts
from scanner.facts.webhooks.model import PresenceCheck
from scanner.model.finding import Confidence, Finding, Severity
from scanner.rules.base import CONTEXTS, Bad, Good, Rule, RuleContext


class VerificationSkippedWhenHeaderMissing(Rule):
    """## What it does
    Finds webhook verification that is skipped when the signature or secret is missing. The
    check runs only when the signature header (or the configured secret) is present:
    `if sig: verify(...)` with no `else` that rejects, or `if not secret: return process()`.
    The secret is also what the HMAC key is read from: `if CONFIG not in data: return True`
    before `hmac.new(key=data[CONFIG][API_KEY], ...)`. A parameter named `signature` is a
    signature only in a function that computes an HMAC, names a secret or reads the request (an
    `inspect.Signature` tested for None is not one). A header read inside `try` whose
    `except KeyError` (or a tuple of lookup errors) logs and goes on lets an unsigned request
    through too; a getter that only returns the header, None when it is missing, does not (its
    caller decides). A value compared with the request's credential in constant time is the
    secret too (`if self.allowed:` before `constant_time_compare(given, token) for token in
    self.allowed`; not a value of the request or its session, nor a parameter, whose absence
    is the caller's choice), and a value the sender chooses
    counts when only the verification runs under it: any request header, or a field of a
    token's header or claims read unverified (`if kid:` after `jwt.get_unverified_header(t)`);
    both are reported with medium confidence.

    ## Why is this bad?
    An attacker simply leaves the header out, and an unset secret in one environment silently
    turns the check off. A missing signature must be a rejected request.

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
    family = "webhook"
    severity = Severity.HIGH
    cwe = ("CWE-636", "CWE-345")
    needs = (PresenceCheck,)
    contexts = CONTEXTS - {"test"}
    examples = (
        Bad('from flask import request\n\n\ndef github_webhook():\n'
            '    signature = request.headers.get("X-Hub-Signature-256")\n'
            '    if signature:\n        verify_signature(signature, request.get_data())\n'
            '    process(request.get_json())\n    return "", 204\n', line=6),
        Bad('import hmac\nimport os\n\n\ndef check_webhook(body, signature):\n'
            '    secret = os.environ.get("WEBHOOK_SECRET")\n'
            '    if not secret:\n        return True\n'
            '    return hmac.compare_digest(sign(secret, body), signature)\n', line=7),
        Bad('function verifyGithub(req, res, next) {\n'
            '  const secret = process.env.GITHUB_WEBHOOK_SECRET;\n'
            '  if (!secret) return next();\n'
            '  if (!crypto.timingSafeEqual(sign(secret, req.body), req.get("X-Hub-Signature-256"))) {\n'
            '    return res.sendStatus(401);\n  }\n  next();\n}\n', path="middleware/verify.js",
            line=3),
        Bad('import jwt\n\n\ndef app_installed(request):\n'
            '    token = request.headers["Authorization"].removeprefix("JWT ")\n'
            '    kid = jwt.get_unverified_header(token).get("kid")\n'
            '    if kid:\n        jwt.decode(token, public_key(kid), algorithms=["RS256"])\n'
            '    install(request.POST)\n', line=7),
        Good('from flask import abort, request\n\n\ndef github_webhook():\n'
             '    signature = request.headers.get("X-Hub-Signature-256")\n'
             '    if not signature:\n        abort(401)\n'
             '    verify_signature(signature, request.get_data())\n'
             '    process(request.get_json())\n    return "", 204\n'),
        Good('import hmac\nimport os\n\n\ndef check_webhook(body, signature):\n'
             '    secret = os.environ.get("WEBHOOK_SECRET")\n'
             '    if not secret:\n        raise RuntimeError("WEBHOOK_SECRET is not set")\n'
             '    return hmac.compare_digest(sign(secret, body), signature)\n'),
        # An optional credential in a page's query string (no body is read): with it the view
        # shows more, without it the public view; no delivery is let in unchecked.
        Good('from django.utils.crypto import constant_time_compare\n\n\n'
             'class BadgeView(View):\n    def get(self, request, slug):\n'
             '        token = request.GET.get("token")\n'
             '        if token:\n'
             '            if constant_time_compare(token, badge_token(slug)):\n'
             '                build = Build.objects.private(slug).last()\n'
             '        else:\n'
             '            build = Build.objects.public(request.user, slug).last()\n'
             '        return render_badge(build)\n'),
    )

    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        for check in facts.of(PresenceCheck):
            what = "the webhook secret" if check.about_secret else "the signature header"
            if check.kind == "except":
                message = ("the request goes on unverified when the signature header is missing "
                           "(the lookup error is caught and not rejected)")
            elif check.positive:
                if not check.body_verifies or check.else_rejects or (
                        check.body_returns and not check.body_rejects):
                    continue
                if check.guessed and check.about_secret:
                    message = (f"verification runs only when a secret is configured "
                               f"(`{check.condition}`); with none configured the request is "
                               "accepted unverified")
                elif check.guessed:
                    message = (f"verification runs only if `{check.condition}`, which the sender "
                               "controls; no else rejects the request")
                else:
                    message = f"verification runs only when {what} is present; no else rejects the request"
            else:
                if not check.body_returns or check.body_rejects or check.body_verifies:
                    continue
                message = f"the request is accepted when {what} is missing"
                if check.guessed and check.about_secret:
                    message = ("the request is accepted unverified when no secret is configured "
                               f"(`{check.condition}`)")
            yield context.report(self, check.span, message,
                                 construct=f"skip:{check.function}:{message}",
                                 confidence=Confidence.MEDIUM if check.guessed else None)
