"""The stand-in for `requests` keeps detect-secrets' network stack out of the hook's start-up,
and turns into the real module the moment anything uses it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


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


def test_a_pattern_is_compiled_on_its_first_use_and_kept() -> None:
    out = _run("""
        import re
        from scanner.lazy import compiled_on_use
        compiled = []
        real = re.compile
        re.compile = lambda *args: compiled.append(args) or real(*args)
        pattern = compiled_on_use(r"to+ken", re.IGNORECASE)
        before = len(compiled)
        first, second = pattern(), pattern()
        print(before, len(compiled), first is second, bool(first.search("TOOKEN")))
    """)
    assert out == "0 1 True True"


def test_start_up_compiles_no_pattern_a_run_may_never_use() -> None:
    # The hook pays for every pattern compiled at import (they were a tenth of its run).
    out = _run("""
        import scanner.cli
        from scanner import credentials, redact
        from scanner.facts import tls
        from scanner.facts.scopes import calls, catalog
        from scanner.facts.secrets import syntax
        from scanner.facts.webhooks import model
        lazy = (credentials._constructs, credentials._REFERENCE, redact._SEPARATED_PREFIX,
                tls.TLS_PATTERN, tls.CREDENTIAL_CONTEXT, calls._USE_BEFORE, catalog._compiled,
                syntax.ASSIGNMENT_CODE, syntax.ASSIGNMENT_CONFIG, model.AUTH_GUARD)
        print([f.cache_info().currsize for f in lazy])
    """)
    assert out == str([0] * 10)


def test_a_hook_without_the_cache_loads_neither_it_nor_importlib_resources(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "app.py").write_text("import os\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(tmp_path), "add", "app.py"], check=True)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import sys
        from scanner.cli import main
        code = main(["hook", "--no-cache", "-q", "app.py"])
        print(code, "scanner.cache" in sys.modules, "importlib.resources" in sys.modules)
    """)], cwd=tmp_path, capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.strip() == "0 False False"
