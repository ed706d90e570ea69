"""The stand-in for `requests` keeps detect-secrets' network stack out of the hook's start-up,
and turns into the real module the moment anything uses it."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, check=True, timeout=120)
    return done.stdout.strip()


def test_detect_secrets_loads_without_requests() -> None:
    out = _run("""
        import sys
        from scanner.lazy import detect_secrets_module
        detect_secrets_module("detect_secrets.plugins.base")
        detect_secrets_module("detect_secrets.plugins.github_token")
        detect_secrets_module("scanner.facts.secrets.detect_secrets_plugins")
        print("urllib3" in sys.modules, type(sys.modules["requests"]).__name__)
    """)
    assert out == "False _StandIn"


def test_the_stand_in_becomes_the_real_module_on_use() -> None:
    out = _run("""
        import sys
        from scanner.lazy import detect_secrets_module
        base = detect_secrets_module("detect_secrets.plugins.base")
        error = base.requests.exceptions.RequestException
        import requests
        import requests.adapters
        print(error.__module__, type(sys.modules["requests"]).__name__,
              requests.adapters.HTTPAdapter.__name__, "urllib3" in sys.modules)
    """)
    assert out == "requests.exceptions module HTTPAdapter True"


def test_defer_leaves_imported_and_unknown_modules_alone() -> None:
    out = _run("""
        import json, sys
        from scanner.lazy import defer
        defer("json")
        defer("no_such_module_here")
        print(type(sys.modules["json"]).__name__, "no_such_module_here" in sys.modules)
    """)
    assert out == "module False"
