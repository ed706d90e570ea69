"""SH302 autofix: the edits the rule attaches to its finding rewrite to hmac.compare_digest."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from scanner.app.fix import apply_fixes
from tests.support import scan_files, triples

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "webhooks"


def sh302(path: str, text: str) -> set[tuple[str, int, str]]:
    return triples(scan_files({path: text}, select=["SH302"]).findings)


def fix_source(path: str, text: str) -> str | None:
    """The fixed text of one file (the `fix` command's core), or None when nothing changes."""
    findings = scan_files({path: text}, select=["SH302"], want_fixes=True).findings
    fixed = apply_fixes(path, text, findings)
    return fixed.text if fixed.text != text else None


@pytest.mark.parametrize("relative", ["flask_app/app/hooks.py", "aiohttp_app/bot/app.py"])
def test_fixture_rewrite_parses_and_rescans_clean(relative: str) -> None:
    path = relative.split("/", 1)[1]
    text = (FIXTURES / relative).read_text()
    assert sh302(path, text)
    fixed = fix_source(path, text)
    assert fixed is not None and fixed != text
    ast.parse(fixed)
    assert "hmac.compare_digest(" in fixed
    assert sh302(path, fixed) == set()
    # Only the comparison line changed.
    changed = [i for i, (a, b) in enumerate(zip(text.splitlines(), fixed.splitlines(), strict=True))
               if a != b]
    assert len(changed) == 1
    assert fix_source(path, fixed) is None  # idempotent


def test_shopify_fixture_rewrite_exact() -> None:
    text = (FIXTURES / "flask_app/app/hooks.py").read_text()
    fixed = fix_source("app/hooks.py", text)
    assert fixed is not None
    assert ('    if not hmac.compare_digest(computed, request.headers.get("X-Shopify-Hmac-Sha256", "")):\n'
            in fixed)


def test_import_added_when_missing_and_operators() -> None:
    text = ("from hashlib import sha256\nfrom hmac import new\n\n\n"
            "def f(s, b, sig, request):\n"
            "    sigs = request.headers['Stripe-Signature'].split(',')\n"
            "    if new(s, b, sha256).hexdigest() == sig:\n        return 1\n"
            "    if (new(s, b, sha256).hexdigest() not in sigs):\n        return 2\n")
    fixed = fix_source("v.py", text)
    assert fixed is not None
    ast.parse(fixed)
    assert "import hmac\n" in fixed
    assert "    if hmac.compare_digest(new(s, b, sha256).hexdigest(), sig):\n" in fixed
    assert ("    if (not any(hmac.compare_digest(new(s, b, sha256).hexdigest(), candidate) "
            "for candidate in sigs)):\n") in fixed
    assert sh302("v.py", fixed) == set()


def test_behaviour_of_rewritten_function() -> None:
    text = ("import hashlib\nimport hmac\n\n\ndef verify(secret, body, signature):\n"
            "    expected = 'sha256=' + hmac.new(secret, body, hashlib.sha256).hexdigest()\n"
            "    return expected == signature\n")
    fixed = fix_source("v.py", text)
    assert fixed is not None
    namespace: dict[str, object] = {}
    exec(compile(fixed, "v.py", "exec"), namespace)
    verify = namespace["verify"]
    good = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert verify(b"It's a Secret to Everybody", b"Hello, World!", good) is True  # type: ignore[operator]
    assert verify(b"It's a Secret to Everybody", b"Hello, World?", good) is False  # type: ignore[operator]


MISSING_HEADER = '''import hashlib
import hmac


class Forbidden(Exception):
    pass


def receive(headers, body, secret):
    signature = headers.get("X-Hub-Signature-256")
    expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    if signature != expected:
        raise Forbidden()
    if headers.get("X-Gitlab-Token") != TOKEN:
        raise Forbidden()
    return "delivered"


TOKEN = "s3cr3t-token"
'''


def test_fixed_code_still_rejects_a_missing_header() -> None:
    """Issue #16 item 12: `hmac.compare_digest(None, expected)` raises TypeError; the fix keeps
    a missing header a plain rejection."""
    fixed = fix_source("hooks.py", MISSING_HEADER)
    assert fixed is not None
    assert 'if not hmac.compare_digest(signature or "", expected):' in fixed
    assert 'if not hmac.compare_digest(headers.get("X-Gitlab-Token", ""), TOKEN):' in fixed
    namespace: dict[str, object] = {}
    exec(compile(fixed, "hooks.py", "exec"), namespace)
    receive = namespace["receive"]
    forbidden = namespace["Forbidden"]
    secret, body = b"It's a Secret to Everybody", b"Hello, World!"
    good = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert receive({"X-Hub-Signature-256": good, "X-Gitlab-Token": "s3cr3t-token"},  # type: ignore[operator]
                   body, secret) == "delivered"
    for headers in ({}, {"X-Hub-Signature-256": good}, {"X-Gitlab-Token": "s3cr3t-token"}):
        with pytest.raises(forbidden):  # type: ignore[call-overload]
            receive(headers, body, secret)  # type: ignore[operator]


@pytest.mark.parametrize(("path", "text"), [
    ("ok.py", "import hmac\n\n\ndef f(a, b):\n    return hmac.compare_digest(a, b)\n"),
    ("plain.py", "x = 1\n"),
    ("broken.py", "def f(:\n    hmac\n"),
    ("hook.js", "if (crypto.createHmac('sha256', k).update(b).digest('hex') === sig) {}\n"),
    ("tests/test_sig.py", "import hmac\n\n\ndef test_f(k, b, s):\n"
                          "    assert hmac.new(k, b, 'sha256').hexdigest() == s\n"),
    ("chain.py", "import hmac\n\n\ndef f(k, b, s, t):\n    return hmac.new(k, b, 'sha256').hexdigest() == s == t\n"),
])
def test_nothing_to_fix(path: str, text: str) -> None:
    assert fix_source(path, text) is None
