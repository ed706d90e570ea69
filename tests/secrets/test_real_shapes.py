"""The shapes of false and missed secret findings met on real trees (issue #14's real-code
evaluation), rebuilt in the home-hub fixture: exact findings with their confidence and context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.secrets.fixture_projects import finding_rows, scan_project

# (path, line, rule, confidence, context). Everything else in the fixture is a negative: names
# written as values, a dummy-named constant, a Bearer challenge, a badge token, a Firebase mobile
# config, base64 data around `AQE`, a commit id next to "aws", RFC sample values in docstrings,
# rate limits under password-named keys.
EXPECTED = {
    ("handbook/portal.mdx", 8, "SH102", "low", "docs"),
    ("docs/openapi.json", 7, "SH106", "low", "docs"),
    ("hub/api_docs.py", 9, "SH102", "low", "example"),
    ("hub/api_docs.py", 24, "SH102", "high", "code"),
    ("hub/auth/totp.py", 7, "SH110", "high", "code"),
    ("hub/http.py", 11, "SH102", "high", "code"),
    ("hub/integrations/solar/sensor.py", 28, "SH110", "high", "code"),
    ("hub/integrations/telly/const.py", 8, "SH101", "high", "code"),
    ("hub/integrations/telly/const.py", 11, "SH110", "high", "code"),
    ("hub/integrations/telly/const.py", 12, "SH101", "high", "code"),
    ("hub/maps.py", 3, "SH106", "high", "code"),
    ("hub/maps.py", 4, "SH106", "high", "code"),
    ("hub/webhook/schemas.py", 11, "SH106", "low", "example"),
    ("hub/webhook/schemas.py", 16, "SH106", "high", "code"),
    ("pyoauth/tokens.py", 6, "SH102", "low", "docs"),
    ("pyoauth/tokens.py", 26, "SH102", "high", "code"),
    ("pyoauth/tokens.py", 31, "SH103", "low", "docs"),
}


def _scan(tmp_path: Path) -> dict[str, Any]:
    return scan_project("home-hub", tmp_path)


def test_home_hub_findings_are_exact(tmp_path: Path) -> None:
    assert finding_rows(_scan(tmp_path)) == EXPECTED


def test_oauth1_consumer_pair_is_a_high_client_secret(tmp_path: Path) -> None:
    """`PUBLIC_KEY`/`NOT_SO_PRIVATE_KEY` assigned together: the private half is SH101, high."""
    rows = finding_rows(_scan(tmp_path))
    assert ("hub/integrations/telly/const.py", 8, "SH101", "high", "code") in rows
    assert not any(row[:3] == ("hub/integrations/telly/const.py", 8, "SH110") for row in rows)


def test_docstring_dummies_are_low_or_dropped(tmp_path: Path) -> None:
    """Docstrings are docs: their values are `low`, and the RFC samples in them are dropped."""
    report = _scan(tmp_path)
    in_tokens = [f for f in report["findings"] if f["path"] == "pyoauth/tokens.py"]
    docstring_lines = {6, 13, 17, 31}
    assert {f["line"] for f in in_tokens} == {6, 26, 31}
    assert all(f["confidence"] == "low" and f["context"] == "docs"
               for f in in_tokens if f["line"] in docstring_lines)


def test_names_written_as_values_are_not_keys(tmp_path: Path) -> None:
    """`api_key="pDischarge1"` names a field; `*_KEY = "s2_access_control_key"` a config entry."""
    rows = finding_rows(_scan(tmp_path))
    assert {row[1] for row in rows if row[0] == "hub/integrations/solar/sensor.py"} == {28}


def test_openapi_example_blocks_are_low_and_rate_limits_are_no_passwords(tmp_path: Path) -> None:
    """A token inside an `"example": {` block is an example (low); `"5/m/user"` is a rate limit."""
    rows = finding_rows(_scan(tmp_path))
    assert {row for row in rows if row[0] == "hub/api_docs.py"} == {
        ("hub/api_docs.py", 9, "SH102", "low", "example"),
        ("hub/api_docs.py", 24, "SH102", "high", "code"),
    }
