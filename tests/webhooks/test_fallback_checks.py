"""SH304: without its signature header a request may fall back to an older check (the body's
shared secret compared with the stored one): weaker, but not accepted unverified. A fallback that
accepts, or compares something other than the secret, still is."""

from __future__ import annotations

from tests.support import scan_files

RECEIVER = '''import hashlib
import hmac
import json


class GitServiceHook:
    def validate(self, project, request):
        secret = project.config.get("hook_secret")
        if secret is None:
            return False
        signature = request.headers.get("X-Git-Signature", None)
        if not signature:  # servers older than 0.11 send the secret in the body
            payload = self.payload(request)
            return payload.get("secret", None) == secret
        mac = hmac.new(secret.encode(), msg=request.body, digestmod=hashlib.sha256)
        return hmac.compare_digest(mac.hexdigest(), signature)

    def payload(self, request):
        return json.loads(request.body.decode("utf-8"))
'''


def _findings(code: str) -> list[tuple[int, str]]:
    return [(f.line, f.rule) for f in scan_files({"hooks/git.py": code}, select=["SH304"]).findings]


def test_a_fallback_to_the_body_secret_is_no_acceptance() -> None:
    assert _findings(RECEIVER) == []


def test_a_fallback_that_accepts_or_checks_something_else_is_reported() -> None:
    line = RECEIVER.splitlines().index("        if not signature:  # servers older than 0.11 "
                                       "send the secret in the body") + 1
    accepts = RECEIVER.replace('            return payload.get("secret", None) == secret\n',
                               "            return True\n")
    assert _findings(accepts) == [(line, "SH304")]
    event = RECEIVER.replace('payload.get("secret", None) == secret',
                             'payload.get("event", None) == "push"')
    assert _findings(event) == [(line, "SH304")]
