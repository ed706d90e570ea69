"""Autofix: SH101 secrets move to os.environ (formatting kept); the fixer registry and the CLI."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from scanner import fix
from scanner.cli import main
from scanner.fix import (
    FIXERS,
    FixerUnavailable,
    fix_hardcoded_secret,
    load_fixer,
    new_environment_names,
)
from tests.gitrepo import Repo

SETTINGS = '''"""Settings for the billing service."""
from __future__ import annotations

import logging

from requests_oauthlib import OAuth2Session

log = logging.getLogger(__name__)

GITHUB_CLIENT_ID = "Iv1.8a61f9b3a7aba766"
GITHUB_CLIENT_SECRET = "9f3KpQ2LmX8vRt6Wz1Yb4Nc7Hd0Js5Ue1a2b3c4"  # rotated 2024-01
TOKEN_URL = "https://github.com/login/oauth/access_token"
DEBUG_SECRET = "<your-client-secret>"


def session() -> OAuth2Session:
    return OAuth2Session(
        GITHUB_CLIENT_ID,
        client_secret='Zq81LmN0pR7sT2uV4wX6yZ8aB0cD2eF4',  # staging
    )
'''

FIXED = '''"""Settings for the billing service."""
from __future__ import annotations

import logging
import os

from requests_oauthlib import OAuth2Session

log = logging.getLogger(__name__)

GITHUB_CLIENT_ID = "Iv1.8a61f9b3a7aba766"
GITHUB_CLIENT_SECRET = os.environ["GITHUB_CLIENT_SECRET"]  # rotated 2024-01
TOKEN_URL = "https://github.com/login/oauth/access_token"
DEBUG_SECRET = "<your-client-secret>"


def session() -> OAuth2Session:
    return OAuth2Session(
        GITHUB_CLIENT_ID,
        client_secret=os.environ['CLIENT_SECRET'],  # staging
    )
'''


def in_dir(path: Path, *args: str) -> int:
    previous = Path.cwd()
    os.chdir(path)
    try:
        return main(list(args))
    finally:
        os.chdir(previous)


def test_fixer_moves_secrets_and_keeps_formatting() -> None:
    fixed = fix_hardcoded_secret("app/settings.py", SETTINGS)
    assert fixed == FIXED
    assert new_environment_names(SETTINGS, FIXED) == ["CLIENT_SECRET", "GITHUB_CLIENT_SECRET"]
    assert fix_hardcoded_secret("app/settings.py", FIXED) is None  # idempotent


@pytest.mark.parametrize("code", [
    'CLIENT_SECRET = os.environ["CLIENT_SECRET"]\n',
    'client_secret = "<your-client-secret>"\n',
    'TOKEN_URL = "https://example.com/oauth/token"\n',
    'token_type = "Bearer_Token_Type"\n',
    'password = "short"\n',
    'secret_env_var = "CLIENT_SECRET"\n',
    'description = "9f3KpQ2LmX8vRt6Wz1Yb4Nc7Hd0Js5Ue"\n',
    'api_key = f"{prefix}9f3KpQ2LmX8vRt6Wz1Yb4Nc7Hd0Js5Ue"\n',
    'def broken(:\n    api_key = "9f3KpQ2LmX8vRt6Wz1Yb4Nc7Hd0Js5Ue"\n',
])
def test_fixer_leaves_what_is_not_a_hard_coded_secret(code: str) -> None:
    assert fix_hardcoded_secret("a.py", code) is None


def test_fixer_handles_dicts_annotations_attributes_and_name_clashes() -> None:
    code = ('import os\n'
            'class Api:\n'
            '    def __init__(self):\n'
            '        self.api_key: str = "AKzz8f7Gh2Lk9Qw3Er5Ty"\n'
            'a = dict(client_secret="Zq81LmN0pR7sT2uV4wX6yZ8aB0cD2eF4")\n'
            'b = {"client-secret": "Other0pR7sT2uV4wX6yZ8aB0cD2eF4xx"}\n'
            'c = {"client_secret": "Zq81LmN0pR7sT2uV4wX6yZ8aB0cD2eF4"}\n')
    assert fix_hardcoded_secret("a.py", code) == (
        'import os\n'
        'class Api:\n'
        '    def __init__(self):\n'
        '        self.api_key: str = os.environ["API_KEY"]\n'
        'a = dict(client_secret=os.environ["CLIENT_SECRET"])\n'
        'b = {"client-secret": os.environ["CLIENT_SECRET_2"]}\n'
        'c = {"client_secret": os.environ["CLIENT_SECRET"]}\n')
    assert fix_hardcoded_secret("config.yaml", "client_secret: Zq81LmN0pR7sT2uV4wX6yZ8aB0cD2eF4\n") is None


def test_cli_fix_diff_then_write_then_scan_is_clean(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path / "repo")
    settings = repo.write("app/settings.py", SETTINGS)
    repo.commit()
    code, report = repo.run("scan", ".", "--select", "SH101")
    assert {(f["path"], f["line"]) for f in report["findings"]} == {
        ("app/settings.py", 11), ("app/settings.py", 19)}

    capsys.readouterr()
    assert in_dir(repo.root, "fix", "--select", "SH101", "--diff") == 1
    out, err = capsys.readouterr()
    assert settings.read_text(encoding="utf-8") == SETTINGS  # --diff writes nothing
    assert out.startswith("--- a/app/settings.py\n+++ b/app/settings.py\n")
    assert '+GITHUB_CLIENT_SECRET = os.environ["GITHUB_CLIENT_SECRET"]  # rotated 2024-01' in out
    assert "set these environment variables: CLIENT_SECRET, GITHUB_CLIENT_SECRET" in err

    assert in_dir(repo.root, "fix", "--select", "SH101") == 0
    assert settings.read_text(encoding="utf-8") == FIXED
    code, report = repo.run("scan", ".", "--select", "SH101")
    assert (code, report["findings"]) == (0, [])
    assert in_dir(repo.root, "fix", "--select", "SH101", "--diff") == 0  # nothing left


def test_cli_fix_keeps_crlf_line_endings(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    path = repo.root / "s.py"
    path.write_bytes(b'import os\r\nCLIENT_SECRET = "9f3KpQ2LmX8vRt6Wz1Yb4Nc7Hd0Js5Ue"\r\n')
    assert in_dir(repo.root, "fix", "--select", "SH101") == 0
    assert path.read_bytes() == b'import os\r\nCLIENT_SECRET = os.environ["CLIENT_SECRET"]\r\n'


def test_registry_loads_lazily_and_reports_missing_fixers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert FIXERS["SH101"] == "scanner.fix:fix_hardcoded_secret"
    assert load_fixer("SH101") is fix_hardcoded_secret
    with pytest.raises(FixerUnavailable, match="no autofix"):
        load_fixer("SH201")
    monkeypatch.setitem(fix.FIXERS, "SH302", "scanner.plugins.no_such_module:fix_source")
    with pytest.raises(FixerUnavailable, match=re.escape("SH302: fixer scanner.plugins.no_such_module:fix_source is not available")):
        load_fixer("SH302")
    repo = Repo(tmp_path / "repo")
    repo.write("a.py", "x = 1\n")
    capsys.readouterr()
    assert in_dir(repo.root, "fix", "--select", "SH302") == 2
    err = capsys.readouterr().err
    assert "SH302: fixer scanner.plugins.no_such_module:fix_source is not available" in err
    assert in_dir(repo.root, "fix", "--select", "SH201") == 2
    assert "no selected rule has an available fixer" in capsys.readouterr().err


def exploding_fixer(path: str, text: str) -> str | None:
    raise RuntimeError("fixer bug")


def test_a_failing_fixer_is_a_note_not_a_crash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(fix.FIXERS, "SH101", "tests.workflow.test_fix:exploding_fixer")
    repo = Repo(tmp_path / "repo")
    settings = repo.write("s.py", SETTINGS)
    assert in_dir(repo.root, "fix", "--select", "SH101") == 0
    err = capsys.readouterr().err
    assert "note: s.py: the SH101 fixer failed (RuntimeError)" in err
    assert "fixed 0 files; 1 with findings no fixer could change" in err
    assert settings.read_text(encoding="utf-8") == SETTINGS
