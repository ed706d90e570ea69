"""SH302-SH306: the mistakes decided inside one file, with the negatives a regex would flag."""

from __future__ import annotations

import pytest

from tests.support import scan_files, triples


def found(code: str, rule: str, path: str = "hook.py") -> set[int]:
    result = scan_files({path: code}, select=[rule])
    assert not [e for e in result.summary.errors if "failed" in e], result.summary.errors
    return {line for (_, line, r) in triples(result.findings) if r == rule}


HEAD = "import hashlib\nimport hmac\nimport json\nimport time\n\n\n"


@pytest.mark.parametrize(("body", "lines"), [
    ("    expected = hmac.new(k, body, hashlib.sha256).hexdigest()\n"
     "    return expected == request.headers['X-Hub-Signature-256']\n", {9}),
    ("    sig = request.headers.get('Stripe-Signature')\n"
     "    return hmac.new(k, body, hashlib.sha256).hexdigest() in sig.split(',')\n", {9}),
    ("    if request.headers['X-Gitlab-Token'] != settings.GITLAB_TOKEN:\n        abort(403)\n", {8}),
    ("    digest = 'sha256=' + hmac.new(k, body, 'sha256').hexdigest()\n"
     "    if digest != received:\n        abort(401)\n", {9}),
    # negatives: constant-time compare, constants, lengths, event-name checks
    ("    expected = hmac.new(k, body, hashlib.sha256).hexdigest()\n"
     "    return hmac.compare_digest(expected, request.headers['X-Hub-Signature-256'])\n", set()),
    ("    expected = hmac.new(k, body, hashlib.sha256).hexdigest()\n"
     "    return len(expected) == 64 and expected != ''\n", set()),
    ("    if request.headers['X-GitHub-Event'] == event_name:\n        return 1\n", set()),
    ("    if request.headers.get('X-Hub-Signature-256') is None:\n        abort(400)\n", set()),
    ("    checksum = hashlib.sha256(body).hexdigest()\n    return checksum == etag\n", set()),
])
def test_sh302(body: str, lines: set[int]) -> None:
    assert found(HEAD + "def f(request, k, body, received):\n" + body, "SH302") == lines


@pytest.mark.parametrize(("code", "lines"), [
    (HEAD + "def f(request, k):\n    mac = hmac.new(k, json.dumps(request.json).encode(), 'sha256')\n", {8}),
    (HEAD + "async def f(request, k):\n    data = await request.json()\n"
     "    raw = json.dumps(data, separators=(',', ':'))\n"
     "    return hmac.new(k, msg=raw.encode(), digestmod='sha256').hexdigest()\n", {10}),
    # signing what we send is fine; raw body is fine
    (HEAD + "def f(k, event):\n    return hmac.new(k, json.dumps(event).encode(), 'sha256')\n", set()),
    (HEAD + "def f(request, k):\n    return hmac.new(k, request.get_data(), 'sha256')\n", set()),
])
def test_sh303(code: str, lines: set[int]) -> None:
    assert found(code, "SH303") == lines


def test_sh303_javascript() -> None:
    js = ('const raw = JSON.stringify(req.body);\n'
          'const d = crypto.createHmac("sha256", s).update(raw).digest("hex");\n'
          'const ok = crypto.createHmac("sha256", s).update(JSON.stringify(payload)).digest("hex");\n')
    assert found(js, "SH303", "hook.js") == {2}


@pytest.mark.parametrize(("body", "lines"), [
    ("    sig = request.headers.get('X-Hub-Signature-256')\n"
     "    if sig:\n        verify(sig, request.data)\n    return process()\n", {7}),
    ("    if 'X-Hub-Signature-256' in request.headers:\n"
     "        if not check_signature(request):\n            abort(401)\n    return process()\n", {6}),
    ("    secret = os.environ.get('WEBHOOK_SECRET')\n"
     "    if not secret:\n        return process()\n"
     "    if not hmac.compare_digest(sign(secret), request.headers['X-Sig']):\n        abort(401)\n",
     {7}),
    ("    sig = request.headers.get('X-Hub-Signature-256')\n"
     "    if sig is None:\n        return 'ok', 200\n    verify(sig, request.data)\n", {7}),
    # negatives: missing header rejected, else branch rejects, non-verification ifs
    ("    sig = request.headers.get('X-Hub-Signature-256')\n"
     "    if not sig:\n        abort(400)\n    verify(sig, request.data)\n    return process()\n", set()),
    ("    sig = request.headers.get('X-Hub-Signature-256')\n"
     "    if sig:\n        verify(sig, request.data)\n    else:\n        abort(401)\n", set()),
    ("    secret = os.environ.get('WEBHOOK_SECRET')\n"
     "    if not secret:\n        raise RuntimeError('unset')\n"
     "    if not hmac.compare_digest(sign(secret), request.headers['X-Sig']):\n        abort(401)\n",
     set()),
    ("    sig = request.headers.get('X-Hub-Signature-256')\n"
     "    if sig is None:\n        return HttpResponseForbidden()\n    verify(sig, request.data)\n", set()),
    ("    sig = request.headers.get('X-Hub-Signature-256')\n"
     "    if not sig:\n        return False\n    return verify(sig, request.data)\n", set()),
])
def test_sh304(body: str, lines: set[int]) -> None:
    code = "import hmac\nimport os\n\n\ndef handler(request):\n" + body
    assert found(code, "SH304") == lines


@pytest.mark.parametrize(("code", "lines"), [
    (HEAD + "def f(k, ts, body, sig):\n    if abs(time.time() - int(ts)) > 300:\n"
     "        return False\n    base = f'v0:{ts}:{body}'\n"
     "    return hmac.compare_digest(hmac.new(k, base.encode(), 'sha256').hexdigest(), sig)\n", set()),
    ("import hmac\n\n\ndef f(k, ts, body, sig):\n    base = f'v0:{ts}:{body}'\n"
     "    return hmac.compare_digest(hmac.new(k, base.encode(), 'sha256').hexdigest(), sig)\n", {6}),
    ("import hmac\n\n\ndef f(k, headers, body):\n    t = headers['webhook-timestamp']\n"
     "    signed = f'{headers[\"webhook-id\"]}.{t}.{body}'\n"
     "    return hmac.new(k, signed.encode(), 'sha256').digest()\n", {7}),
    ("import stripe\n\n\ndef f(p, s, k):\n"
     "    return stripe.Webhook.construct_event(p, s, k, None)\n", {5}),
    ("import stripe\n\n\ndef f(p, s, k):\n"
     "    return stripe.Webhook.construct_event(p, s, k, tolerance=600)\n", set()),
    ("import hmac\n\n\ndef f(k, body):\n    return hmac.new(k, body, 'sha256').digest()\n", set()),
])
def test_sh305(code: str, lines: set[int]) -> None:
    assert found(code, "SH305") == lines


def test_sh305_javascript() -> None:
    js = 'const event = stripe.webhooks.constructEvent(req.body, sig, secret, 0);\n'
    assert found(js, "SH305", "hook.js") == {1}
    assert found(js.replace(", 0)", ")"), "SH305", "hook.js") == set()


@pytest.mark.parametrize(("code", "path", "lines"), [
    ("def f(request):\n    return payments.construct_event_without_verification(request.body)\n",
     "app/hooks.py", {2}),
    ("def f(request):\n    return parse_webhook(request.body, verify_signature=False)\n",
     "app/hooks.py", {2}),
    ("import json\nimport stripe\n\n\ndef f(request):\n"
     "    return stripe.Event.construct_from(json.loads(request.data), stripe.api_key)\n",
     "app/hooks.py", {6}),
    # tests may bypass; building an event from a stored dict is fine
    ("def test_f(request):\n    return payments.construct_event_without_verification(b'{}')\n",
     "tests/test_hooks.py", set()),
    ("import stripe\n\n\ndef f(stored):\n    return stripe.Event.construct_from(stored, stripe.api_key)\n",
     "app/replay.py", set()),
    ("def f(r):\n    return requests.get(r, verify=False)\n", "app/client.py", set()),
])
def test_sh306(code: str, path: str, lines: set[int]) -> None:
    assert found(code, "SH306", path) == lines


def test_membership_needs_a_header_side() -> None:
    code = (HEAD + "def f(k, body, seen):\n    digest = hmac.new(k, body, 'sha256').hexdigest()\n"
            "    return digest in seen\n")
    assert found(code, "SH302") == set()


def test_tests_may_compare_signatures_directly() -> None:
    code = (HEAD + "def test_sign():\n    expected = hmac.new(b'k', b'body', hashlib.sha256).hexdigest()\n"
            "    assert expected == sign(b'k', b'body')\n")
    assert found(code, "SH302", "tests/test_sign.py") == set()
    assert found(code, "SH302", "app/sign.py") == {9}


STRIPE_MANUAL = '''import hashlib
import hmac
{clock_import}

def verify_stripe(payload: bytes, header: str, secret: str) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp = parts["t"]
{clock_check}    signed_payload = timestamp.encode() + b"." + payload
    expected = hmac.new(secret.encode(), signed_payload, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])
'''


def test_sh305_stripe_manual_verification() -> None:
    unchecked = STRIPE_MANUAL.format(clock_import="", clock_check="")
    assert found(unchecked, "SH305", "app/stripe_sig.py") == {9}
    checked = STRIPE_MANUAL.format(
        clock_import="import time\n",
        clock_check="    if abs(time.time() - int(timestamp)) > 300:\n        return False\n")
    assert found(checked, "SH305", "app/stripe_sig.py") == set()


@pytest.mark.parametrize(("js", "lines"), [
    ('function h(req, res) {\n  const sig = req.get("X-Hub-Signature-256");\n'
     '  if (sig) {\n    if (!crypto.timingSafeEqual(a, Buffer.from(sig))) return res.sendStatus(401);\n'
     '  }\n  res.sendStatus(200);\n}\n', {3}),
    ('function h(req, res, next) {\n  const secret = process.env.WEBHOOK_SECRET;\n'
     '  if (!secret) return next();\n  verifySignature(req, secret);\n  next();\n}\n', {3}),
    # negatives
    ('function h(req, res) {\n  const sig = req.get("X-Hub-Signature-256");\n'
     '  if (!sig) return res.sendStatus(401);\n  crypto.timingSafeEqual(a, Buffer.from(sig));\n}\n',
     set()),
    ('function h(req, res) {\n  const sig = req.get("X-Hub-Signature-256");\n'
     '  if (sig) {\n    crypto.timingSafeEqual(a, Buffer.from(sig));\n'
     '  } else {\n    return res.status(401).end();\n  }\n}\n', set()),
    ('function h(req, res) {\n  const secret = process.env.WEBHOOK_SECRET;\n'
     '  if (!secret) throw new Error("WEBHOOK_SECRET unset");\n  verifySignature(req, secret);\n}\n',
     set()),
])
def test_sh304_javascript(js: str, lines: set[int]) -> None:
    assert found(js, "SH304", "server/hook.js") == lines


def test_sh306_needs_a_webhook_context_in_the_call_itself() -> None:
    # The module path ("webhooks") must not count as context, nor "insecure" as a bypass.
    code = "def f(self, c):\n    return self._insecure_pairs(c) or self.skip_verification_cache()\n"
    assert found(code, "SH306", "app/webhooks/analysis.py") == set()
    assert found("def f(r):\n    return hooks.skip_verification(r)\n", "SH306", "app/x.py") == {2}


def test_class_attributes_are_not_module_variables() -> None:
    # A class attribute holding a header-like string once made every `name` a signature header.
    code = ('class Rule:\n    name = "webhook-signature-check"\n\n\n'
            'def lookup(name, secret):\n    if not name:\n        return default()\n'
            '    return verify(name, secret)\n')
    assert found(code, "SH304", "app/rules.py") == set()
    module_level = code.replace("class Rule:\n    name", "name").replace("\n\n\ndef", "\n\n\ndef", 1)
    assert found(module_level, "SH304", "app/rules.py") == {5}
