"""SH302 autofix: scanner.plugins.webhooks_fix:fix_source rewrites to hmac.compare_digest."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from scanner.plugins.webhooks_fix import fix_source
from tests.support import scan_files, triples

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "webhooks"


def sh302(path: str, text: str) -> set[tuple[str, int, str]]:
    return triples(scan_files({path: text}, select=["SH302"]).findings)


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
    # `sig` is a parameter: it may be None, and None must stay a mismatch (not a TypeError).
    assert "    if sig is not None and hmac.compare_digest(new(s, b, sha256).hexdigest(), sig):\n" in fixed
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
