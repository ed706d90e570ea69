"""Our OAuth detectors are real detect-secrets plugins: its CLI and its loader accept them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import scanner.facts.secrets.detect_secrets_plugins as plugins_module
from scanner.facts.secrets.detect_secrets_plugins import (
    GoogleOAuthClientSecretDetector,
    HardcodedPasswordDetector,
    OAuthAccessTokenDetector,
    OAuthClientSecretDetector,
    OAuthRefreshTokenDetector,
    spans,
)
from scanner.facts.secrets.syntax import LOOSE, QUOTED

PLUGIN_FILE = Path(plugins_module.__file__).resolve()
DETECT_SECRETS = Path(sys.executable).with_name("detect-secrets")
OUR_TYPES = {"OAuth Client Secret", "OAuth Access Token", "OAuth Refresh Token", "Hardcoded Password",
             "Google OAuth Client Secret", "Google OAuth Access Token", "Google OAuth Refresh Token"}


def test_detect_secrets_loader_finds_every_plugin_class() -> None:
    from detect_secrets.core.plugins.util import get_plugins_from_file

    found = {plugin.secret_type for plugin in get_plugins_from_file(str(PLUGIN_FILE))}
    assert found == OUR_TYPES


def test_detect_secrets_scan_loads_our_plugins_from_inside_the_tree(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        'CLIENT_SECRET = "q8ZrT4vWm2XkP9sLb7NcY3jH"\n'
        'REFRESH_TOKEN = "Rt9xLm2Qv7Kp4Zw8Nb3Hc6Jd"\n'
        'headers = {"Authorization": "Bearer mQ7vK2xP9zL4tR8wN3bY6cJ5"}\n'
        'client_secret = os.environ["CLIENT_SECRET"]\n'
        'GOOGLE = "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"\n')
    (tmp_path / "deploy.sh").write_text("acme login --client-secret Wq9Lm3Xz7Kv2Tn8Rb4Hc6Jd5\n")
    assert DETECT_SECRETS.exists(), "detect-secrets is a dependency; its CLI must be installed"
    # detect-secrets only scans the tree it runs in: run it from inside the temp dir.
    completed = subprocess.run(
        [str(DETECT_SECRETS), "scan", "--all-files", "--plugin", str(PLUGIN_FILE), "."],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=True)
    baseline = json.loads(completed.stdout)
    results = {(path, r["type"], r["line_number"])
               for path, found in baseline["results"].items() for r in found}
    ours = {entry for entry in results if entry[1] in OUR_TYPES}
    assert ours == {
        ("app.py", "OAuth Client Secret", 1),
        ("app.py", "OAuth Refresh Token", 2),
        ("app.py", "OAuth Access Token", 3),
        ("app.py", "Google OAuth Client Secret", 5),
        ("deploy.sh", "OAuth Client Secret", 1),
    }
    used = {p["name"] for p in baseline["plugins_used"] if "path" in p}
    assert "OAuthClientSecretDetector" in used


def test_analyze_string_yields_values_by_mode() -> None:
    detector = OAuthClientSecretDetector(mode=QUOTED)
    assert list(detector.analyze_string('client_secret = "q8ZrT4vWm2XkP9sLb7NcY3jH"')) == [
        "q8ZrT4vWm2XkP9sLb7NcY3jH"]
    # In code an unquoted right-hand side is an identifier; in config it is the value.
    assert list(detector.analyze_string("client_secret = CLIENT_SECRET")) == []
    assert list(OAuthClientSecretDetector(mode=LOOSE).analyze_string(
        "client_secret: q8ZrT4vWm2XkP9sLb7NcY3jH")) == ["q8ZrT4vWm2XkP9sLb7NcY3jH"]


def test_analyze_line_picks_the_mode_from_the_filename() -> None:
    detector = OAuthRefreshTokenDetector()
    line = "refresh_token = Rt9xLm2Qv7Kp4Zw8Nb3Hc6Jd"
    assert {s.secret_value for s in detector.analyze_line(filename="creds.ini", line=line)} == {
        "Rt9xLm2Qv7Kp4Zw8Nb3Hc6Jd"}
    assert detector.analyze_line(filename="creds.py", line=line) == set()


def test_each_detector_keeps_to_its_kind() -> None:
    line = ('cfg = {"client_secret": "q8ZrT4vWm2XkP9sLb7NcY3jH", "access_token": "mQ7vK2xP9zL4tR8w",'
            ' "password": "Vb4-Lq9!xZ2mT7"}')
    assert list(OAuthClientSecretDetector(QUOTED).analyze_string(line)) == ["q8ZrT4vWm2XkP9sLb7NcY3jH"]
    assert list(OAuthAccessTokenDetector(QUOTED).analyze_string(line)) == ["mQ7vK2xP9zL4tR8w"]
    assert list(HardcodedPasswordDetector(QUOTED).analyze_string(line)) == ["Vb4-Lq9!xZ2mT7"]


def test_spans_use_the_whole_match_when_the_group_is_only_a_prefix() -> None:
    from detect_secrets.plugins.github_token import GitHubTokenDetector

    line = "token = 'ghp_9f3KpQ2LmX8vB7nR4tW1zY6aBc3DeFgHiJkL'"
    assert list(GitHubTokenDetector().analyze_string(line)) == ["ghp"]  # detect-secrets' quirk
    assert list(spans(GitHubTokenDetector(), line)) == [
        ("ghp_9f3KpQ2LmX8vB7nR4tW1zY6aBc3DeFgHiJkL", 9, 49)]
    assert list(spans(GoogleOAuthClientSecretDetector(), 'x = "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"')) == [
        ("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", 5, 40)]
