"""GitHub's published HMAC test vector against our own "good" handler fixture.

From GitHub docs, "Validating webhook deliveries": secret "It's a Secret to Everybody", payload
"Hello, World!", signature sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17."""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from tests.support import scan_dir, triples

SECRET = b"It's a Secret to Everybody"
PAYLOAD = b"Hello, World!"
SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
FLASK_APP = Path(__file__).resolve().parent.parent / "fixtures" / "webhooks" / "flask_app"


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_vector_with_hmac() -> None:
    digest = hmac.new(SECRET, PAYLOAD, hashlib.sha256).hexdigest()
    assert "sha256=" + digest == SIGNATURE


def test_good_fixture_verify_function_accepts_the_vector() -> None:
    signatures = _load(FLASK_APP / "app" / "signatures.py", "webhooks_fixture_signatures")
    assert signatures.github_signature(SECRET, PAYLOAD) == SIGNATURE
    assert signatures.verify_github_signature(SECRET, PAYLOAD, SIGNATURE) is True
    assert signatures.verify_github_signature(SECRET, PAYLOAD + b" ", SIGNATURE) is False
    assert signatures.verify_github_signature(b"wrong secret", PAYLOAD, SIGNATURE) is False
    assert signatures.verify_github_signature(SECRET, PAYLOAD, SIGNATURE[:-1] + "0") is False
    assert signatures.verify_github_signature(SECRET, PAYLOAD, "") is False


def test_the_verified_handler_is_not_flagged() -> None:
    # The handler the vector exercises is the one the scanner must accept as verified.
    found = triples(scan_dir(FLASK_APP, select=["SH3"]).findings)
    assert not {t for t in found if t[0] in {"app/signatures.py", "app/security.py"}}
    assert ("app/hooks.py", 19, "SH301") not in found


_FLASK_CHECK = r"""
import os, sys
sys.path.insert(0, sys.argv[1])
os.environ["GITHUB_WEBHOOK_SECRET"] = "It's a Secret to Everybody"
import importlib.util, types
# The package without its __init__ (which wires blueprints needing stripe): just the path.
package = types.ModuleType("app")
package.__path__ = [sys.argv[1] + "/app"]
sys.modules["app"] = package
from flask import Flask
from werkzeug.exceptions import Unauthorized
spec = importlib.util.spec_from_file_location("app.security", sys.argv[1] + "/app/security.py")
security = importlib.util.module_from_spec(spec)
spec.loader.exec_module(security)
handler = security.require_github_signature(lambda: "delivered")
app = Flask("known_answer")
good = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
with app.test_request_context("/webhooks/github", method="POST", data=b"Hello, World!",
                              headers={"X-Hub-Signature-256": good}):
    assert handler() == "delivered"
for bad in ({"X-Hub-Signature-256": good[:-1] + "0"}, {}):
    with app.test_request_context("/webhooks/github", method="POST", data=b"Hello, World!",
                                  headers=bad):
        try:
            handler()
        except Unauthorized:
            pass
        else:
            raise SystemExit("forged delivery accepted")
print("ok")
"""


def _python_with_flask() -> str | None:
    if importlib.util.find_spec("flask") is not None:
        return sys.executable
    for candidate in ("python3", "python"):
        found = shutil.which(candidate)
        if found and subprocess.run([found, "-c", "import flask"], capture_output=True,
                                    check=False).returncode == 0:
            return found
    return None


def test_good_flask_decorator_accepts_the_vector_and_rejects_forgeries() -> None:
    python = _python_with_flask()
    assert python is not None, "Flask is a test dependency (pip install -e '.[test]')"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([python, "-c", _FLASK_CHECK, str(FLASK_APP)], capture_output=True,
                         text=True, env=env, check=False, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"
