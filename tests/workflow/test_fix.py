"""Autofix: the fixes rules attach to their findings (SH101: secrets move to os.environ,
formatting kept), applied by `secret-hygiene fix` to reported, unsuppressed findings only."""

from __future__ import annotations

import errno
import json
import os
import resource
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scanner.app.fix import apply_fixes
from scanner.cli import main
from scanner.rules.secrets.sh101_hardcoded_client_secret import HardcodedClientSecret
from tests.gitrepo import Repo
from tests.support import scan_files

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

from requests_oauthlib import OAuth2Session
import os

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


def fixed(code: str, path: str = "app/settings.py") -> tuple[str, set[str]]:
    """`code` with the fixes of its SH101 findings applied, and the environment names read."""
    result = scan_files({path: code}, ["SH101"], want_fixes=True)
    done = apply_fixes(path, code, result.findings)
    assert not done.skipped, done.skipped
    return done.text, done.environment


def test_fix_moves_secrets_and_keeps_formatting() -> None:
    assert fixed(SETTINGS) == (FIXED, {"CLIENT_SECRET", "GITHUB_CLIENT_SECRET"})
    assert fixed(FIXED)[0] == FIXED  # idempotent: nothing left to fix


@pytest.mark.parametrize("code", [
    'CLIENT_SECRET = os.environ["CLIENT_SECRET"]\n',
    'client_secret = "<your-client-secret>"\n',
    'TOKEN_URL = "https://example.com/oauth/token"\n',
    'token_type = "Bearer_Token_Type"\n',
    'password = "short"\n',
    'secret_env_var = "CLIENT_SECRET"\n',
    'description = "9f3KpQ2LmX8vRt6Wz1Yb4Nc7Hd0Js5Ue"\n',
    'client_secret = f"{prefix}9f3KpQ2LmX8vRt6Wz1Yb4Nc7Hd0Js5Ue"\n',
    'CLIENT_SECRET = b"9f3KpQ2LmX8vRt6Wz1Yb4Nc7Hd0Js5Ue"\n',
    'header = "client_secret=9f3KpQ2LmX8vRt6Wz1Yb4Nc7Hd0Js5Ue&grant_type=x"\n',
])
def test_fix_leaves_what_is_not_a_whole_hard_coded_secret(code: str) -> None:
    assert fixed(code)[0] == code


def test_fix_handles_dicts_annotations_attributes_and_name_clashes() -> None:
    code = ('import os\n'
            'class Api:\n'
            '    def __init__(self):\n'
            '        self.client_secret: str = "AKzz8f7Gh2Lk9Qw3Er5Ty"\n'
            'a = dict(client_secret="Zq81LmN0pR7sT2uV4wX6yZ8aB0cD2eF4")\n'
            'b = {"client-secret": "Other0pR7sT2uV4wX6yZ8aB0cD2eF4xx"}\n'
            'c = {"client_secret": "Zq81LmN0pR7sT2uV4wX6yZ8aB0cD2eF4"}\n')
    assert fixed(code, "a.py") == ((
        'import os\n'
        'class Api:\n'
        '    def __init__(self):\n'
        '        self.client_secret: str = os.environ["CLIENT_SECRET"]\n'
        'a = dict(client_secret=os.environ["CLIENT_SECRET_2"])\n'
        'b = {"client-secret": os.environ["CLIENT_SECRET_3"]}\n'
        'c = {"client_secret": os.environ["CLIENT_SECRET_2"]}\n'),
        {"CLIENT_SECRET", "CLIENT_SECRET_2", "CLIENT_SECRET_3"})
    yaml = "client_secret: Zq81LmN0pR7sT2uV4wX6yZ8aB0cD2eF4\n"
    assert fixed(yaml, "config.yaml") == (yaml, set())  # found, but only Python gets a fix


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


def test_fix_with_no_rule_that_has_a_fix_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("a.py", "x = 1\n")
    capsys.readouterr()
    assert in_dir(repo.root, "fix", "--select", "SH201") == 2
    err = capsys.readouterr().err
    assert "no selected rule has a fix" in err and "SH101" in err and "SH302" in err


def test_a_failing_fix_is_a_note_not_a_crash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def exploding(*args: Any) -> None:
        raise RuntimeError("fix bug")

    monkeypatch.setattr(HardcodedClientSecret, "fix", exploding)
    repo = Repo(tmp_path / "repo")
    settings = repo.write("s.py", SETTINGS)
    assert in_dir(repo.root, "fix", "--select", "SH101") == 0
    err = capsys.readouterr().err
    assert "s.py: the SH101 fix failed (RuntimeError); reported without a fix" in err
    assert "fixed 0 files; 1 with findings no fix could change" in err
    assert settings.read_text(encoding="utf-8") == SETTINGS


# -- fix never destroys a file, touches only reported findings, keeps every byte else ----------

S1 = "9f3KpQ2LmX8vRt6Wz1Yb4Nc7Hd0Js5Ue"
S2 = "Zq81LmN0pR7sT2uV4wX6yZ8aB0cD2eF4"
S3 = "Xk27PqLm93NvBt46Rz8Wc1Yd5Fg0Hj3K"
S4 = "Mn5Bv8Cx2Zl7Kj4Hg1Fd9Sa6Qw3Er0Ty"
FIXED_LINE = 'CLIENT_SECRET = os.environ["CLIENT_SECRET"]'


def run_fix(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = in_dir(root, "fix", "--select", "SH101", *args)
    out, err = capsys.readouterr()
    return code, out, err


def test_fix_never_touches_suppressed_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path / "repo")
    app = ('import os\n\n'
           f'CLIENT_SECRET = "{S1}"\n'
           f'API_SECRET = "{S2}"  # secret-hygiene: ignore\n'
           f'client_secret = "{S3}"  # pragma: allowlist secret\n'
           '# pragma: allowlist nextline secret\n'
           f'SIGNING_SECRET = "{S4}"\n')
    repo.write("app.py", app)
    baselined = repo.write("baselined.py", f'CLIENT_SECRET = "{S2}"\n').read_text()
    legacy = repo.write("legacy/old.py", f'CLIENT_SECRET = "{S3}"\n').read_text()
    repo.write(".secret-hygiene.toml", '[per-file-ignores]\n"legacy/*" = ["SH101"]\n')
    repo.commit()
    assert in_dir(repo.root, "baseline") == 0
    baseline = repo.root / ".secret-hygiene-baseline.json"
    entries = json.loads(baseline.read_text())["findings"]
    baseline.write_text(json.dumps({"version": 1, "findings": [
        e for e in entries if e["path"] == "baselined.py"]}))
    # Each of these lines holds a secret the rule finds; only the unsuppressed finding is fixed.
    assert len(scan_files({"app.py": app}, ["SH1"]).findings) == 1
    assert len(scan_files({"app.py": app.replace("secret-hygiene: ignore", "").replace(
        "pragma: allowlist", "")}, ["SH1"]).findings) == 4
    code, _out, err = run_fix(repo.root, capsys)
    assert code == 0, err
    assert (repo.root / "app.py").read_text() == app.replace(f'CLIENT_SECRET = "{S1}"', FIXED_LINE)
    assert (repo.root / "baselined.py").read_text() == baselined
    assert (repo.root / "legacy/old.py").read_text() == legacy
    assert "fixed 1 file\n" in err


def test_fix_keeps_bom_line_endings_and_a_final_lone_cr(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path / "repo")
    cases = {
        "bom.py": (b'\xef\xbb\xbfimport os\n\nCLIENT_SECRET = "%s"\n', b'\xef\xbb\xbfimport os\n\n%s\n'),
        "crlf_cr.py": (b'import os\r\nx = 1\rCLIENT_SECRET = "%s"\r', b'import os\r\nx = 1\r%s\r'),
        "mixed.py": (b'import os\nCLIENT_SECRET = "%s"\r\ny = 2\r', b'import os\n%s\r\ny = 2\r'),
    }
    for name, (before, _after) in cases.items():
        (repo.root / name).write_bytes(before % S1.encode())
    code, _out, err = run_fix(repo.root, capsys)
    assert code == 0, err
    for name, (_before, after) in cases.items():
        assert (repo.root / name).read_bytes() == after % FIXED_LINE.encode(), name


def test_fix_keeps_mode_and_leaves_read_only_files_with_a_note(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path / "repo")
    locked = repo.write("a_locked.py", f'CLIENT_SECRET = "{S1}"\n')
    script = repo.write("b_script.py", f'#!/usr/bin/env python3\nimport os\nCLIENT_SECRET = "{S1}"\n')
    locked.chmod(0o444)
    script.chmod(0o751)
    code, _out, err = run_fix(repo.root, capsys)
    assert code == 0, err
    assert "note: a_locked.py: read-only; not fixed" in err
    assert locked.read_text() == f'CLIENT_SECRET = "{S1}"\n'
    assert script.read_text().endswith(FIXED_LINE + "\n")
    assert stat.S_IMODE(script.stat().st_mode) == 0o751
    assert "Traceback" not in err


def test_fix_disk_full_leaves_the_file_whole_and_fixes_the_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path / "repo")
    first = repo.write("a.py", f'CLIENT_SECRET = "{S1}"\n')
    second = repo.write("b.py", f'CLIENT_SECRET = "{S2}"\n')
    failures = [1]
    real_write, real_write_bytes = os.write, Path.write_bytes

    def full_once() -> None:
        if failures:
            failures.pop()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def write(fd: int, data: bytes) -> int:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            full_once()
        return real_write(fd, data)

    def write_bytes(self: Path, data: bytes) -> int:
        self.open("wb").close()  # truncated first, as a real full disk does it
        full_once()
        return real_write_bytes(self, data)

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    code, _out, err = run_fix(repo.root, capsys)
    lines = err.strip().splitlines()
    assert code == 2, err
    assert "Traceback" not in err
    assert lines[0].startswith("note: a.py: cannot write fixed file (No space left on device)")
    assert lines[-1] == "secret-hygiene: error: 1 fixed file could not be written (see the notes above)"
    assert first.read_text() == f'CLIENT_SECRET = "{S1}"\n'
    assert second.read_text() == "import os\n\n" + FIXED_LINE + "\n"
    assert [p.name for p in repo.root.iterdir() if p.name.endswith(".tmp")] == []


def test_fix_deeply_nested_python_is_a_note_and_the_others_are_fixed(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    deep = repo.write("deep.py", f'CLIENT_SECRET = "{S1}"\nx = ' + "a." * 20_000 + "b\n")
    deep_text = deep.read_text()
    other = repo.write("other.py", f'CLIENT_SECRET = "{S2}"\n')

    def cap() -> None:  # libcst on this text would take gigabytes, then crash
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    done = subprocess.run([sys.executable, "-m", "scanner.cli", "fix", "--select", "SH101"],
                          cwd=repo.root, capture_output=True, text=True, check=False,
                          preexec_fn=cap, env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert "note: deep.py: Python nested too deeply to parse; not fixed" in done.stderr
    assert deep.read_text() == deep_text
    assert other.read_text() == "import os\n\n" + FIXED_LINE + "\n"


def test_fix_leaves_bytes_literals_and_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path / "repo")
    text = f'CLIENT_SECRET = b"{S1}"\n'
    path = repo.write("signing.py", text)
    code, _out, err = run_fix(repo.root, capsys)
    assert code == 0, err
    assert path.read_text() == text
    assert "note: signing.py: SH101 not fixed: a bytes literal is left as it is" in err


@pytest.mark.parametrize("shadow", [
    "import json as os\n",
    "from app import os\n",
    "os = None\n",
    "def use(os):\n    return os\n",
    "for os in ():\n    pass\n",
])
def test_fix_never_uses_a_shadowed_os(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shadow: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path / "repo")
    path = repo.write("settings.py", f'{shadow}\n\ndef client():\n    return dict(client_secret="{S1}")\n')
    code, _out, err = run_fix(repo.root, capsys)
    assert code == 0, err
    fixed = path.read_text()
    assert "import os as _os\n" in fixed and '_os.environ["CLIENT_SECRET"]' in fixed
    monkeypatch.setenv("CLIENT_SECRET", "from-the-environment")
    monkeypatch.setitem(sys.modules, "app", type(sys)("app"))  # for `from app import os`
    sys.modules["app"].os = None  # type: ignore[attr-defined]
    namespace: dict[str, Any] = {"__name__": "settings"}
    exec(compile(fixed, "settings.py", "exec"), namespace)
    assert namespace["client"]() == {"client_secret": "from-the-environment"}


def test_fix_diff_redacts_every_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path / "repo")
    text = (f'CLIENT_SECRET = "{S1}"\n'
            f'OTHER_SECRET = "{S2}"  # secret-hygiene: ignore\n'
            'x = 1\n')
    path = repo.write("settings.py", text)
    code, out, err = run_fix(repo.root, capsys, "--diff")
    assert code == 1, err
    assert out.startswith("--- a/settings.py\n+++ b/settings.py\n")
    assert f'-CLIENT_SECRET = "{S1[:4]}…(32 chars)"\n' in out
    assert f' OTHER_SECRET = "{S2[:4]}…(32 chars)"  # secret-hygiene: ignore\n' in out
    assert '+CLIENT_SECRET = os.environ["CLIENT_SECRET"]\n' in out
    for secret in (S1, S2):
        assert secret not in out and secret not in err
    assert path.read_text() == text


WEBHOOK_APP = '''import hashlib
import hmac
import os

from flask import Flask, abort, request

app = Flask("webhook_app")


@app.post("/hook")
def hook():
    signature = request.headers.get("X-Hub-Signature-256")
    key = os.environ["WEBHOOK_SECRET"].encode()
    expected = "sha256=" + hmac.new(key, request.get_data(), hashlib.sha256).hexdigest()
    if expected != signature:
        abort(401)
    return "ok"
'''


def test_sh302_fix_keeps_a_missing_header_a_rejection(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import hashlib
    import hmac

    repo = Repo(tmp_path / "repo")
    path = repo.write("webhooks.py", WEBHOOK_APP)
    capsys.readouterr()
    assert in_dir(repo.root, "fix", "--select", "SH302") == 0, capsys.readouterr().err
    fixed = path.read_text()
    assert 'hmac.compare_digest(expected, signature or "")' in fixed
    monkeypatch.setenv("WEBHOOK_SECRET", "webhook-key")
    namespace: dict[str, Any] = {"__name__": "webhook_app"}
    exec(compile(fixed, "webhooks.py", "exec"), namespace)
    client = namespace["app"].test_client()
    body = b'{"action": "opened"}'
    good = "sha256=" + hmac.new(b"webhook-key", body, hashlib.sha256).hexdigest()
    assert client.post("/hook", data=body).status_code == 401  # no header: rejected, not a 500
    assert client.post("/hook", data=body, headers={"X-Hub-Signature-256": "sha256=00"}).status_code == 401
    assert client.post("/hook", data=body, headers={"X-Hub-Signature-256": good}).status_code == 200
