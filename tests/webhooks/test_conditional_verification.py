"""Issue #13: verification that runs only under a condition the sender or the configuration
controls (SH304), and verification switched off by a setting or keyed by the request (SH306).
Fixture project tests/fixtures/webhooks/rw_conditional, scanned through the CLI in a real
temporary git repository; the negatives a naive pattern would flag sit beside each positive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.gitrepo import Repo
from tests.support import scan_files, seen

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "webhooks" / "rw_conditional"


def scan(tmp_path: Path, *directories: str, select: str = "SH3") -> list[dict[str, Any]]:
    """Commit the fixture's files under `directories` and scan them; the JSON findings."""
    repo = Repo(tmp_path / "repo")
    for path in FIXTURE.rglob("*"):
        relative = path.relative_to(FIXTURE).as_posix()
        if path.is_file() and relative.split("/")[0] in directories:
            repo.write(relative, path.read_text(encoding="utf-8"))
    repo.commit()
    code, report = repo.run("scan", ".", "--no-cache", "--select", select)
    findings: list[dict[str, Any]] = report["findings"]
    assert code == (1 if findings else 0)
    return findings


def where(findings: list[dict[str, Any]]) -> set[tuple[str, int, str]]:
    return {(f["path"], f["line"], f["rule"]) for f in findings}


def test_verification_only_when_an_optional_secret_is_configured(tmp_path: Path) -> None:
    """django-anymail: credentials checked only `if self.allowed:` (an empty list by default,
    a warning only) let every delivery in when none are configured; an else that refuses, a
    missing token answered 400 before the check, a session hash compared in constant time and
    a helper whose expected value is a parameter are no findings."""
    findings = scan(tmp_path, "relay")
    assert where(findings) == {("relay/views.py", 35, "SH304")}
    assert findings[0]["confidence"] == "medium"
    assert "when a secret is configured" in findings[0]["message"]
    assert "none configured the request is accepted unverified" in findings[0]["message"]


def test_verification_only_when_the_sender_names_a_key(tmp_path: Path) -> None:
    """sentry's Jira install hook: the JWT is checked only when its unverified header carries
    a `kid`, which the sender chooses; refusing a token without one is no finding."""
    findings = scan(tmp_path, "marketplace")
    assert where(findings) == {("marketplace/installs.py", 17, "SH304")}
    assert findings[0]["confidence"] == "medium"
    assert "only if `kid`, which the sender controls" in findings[0]["message"]


def test_verification_switched_off_by_a_setting(tmp_path: Path) -> None:
    """dj-stripe: `validate()` returns True with only a warning when the endpoint's verification
    setting is `none`; an Express middleware skips when an environment switch is set. The same
    setting raising, a DEBUG branch that only logs and a test-mode branch that only warns are no
    findings."""
    findings = [f for f in scan(tmp_path, "ledger", "gateway", select="SH306")
                if "accepted unverified" in f["message"]]
    assert where(findings) == {("ledger/models.py", 33, "SH306"), ("gateway/verify.js", 8, "SH306")}
    by_path = {f["path"]: f["message"] for f in findings}
    assert "`self.endpoint.verification == Verification.NONE`" in by_path["ledger/models.py"]
    assert "a setting skips verification" in by_path["gateway/verify.js"]


def test_verification_key_read_from_the_request(tmp_path: Path) -> None:
    """dj-stripe in DEBUG: the secret the signature is checked with comes from the request's
    own header (through `secret = forwarded or secret` and a method of the model); a key from
    the query string, and Express's `req.get(...)` as an HMAC key. A key from settings, a key
    looked up *by* a request header, and a signature read from a header are no findings."""
    findings = [f for f in scan(tmp_path, "ledger", "gateway", select="SH306")
                if "read from the request" in f["message"]]
    assert where(findings) == {("ledger/models.py", 40, "SH306"),
                               ("ledger/views.py", 23, "SH306"),
                               ("gateway/verify.js", 18, "SH306")}
    messages = {f["path"]: f["message"] for f in findings}
    assert 'self.headers.get("x-ledger-forward-secret")' in messages["ledger/models.py"]


def test_the_whole_fixture(tmp_path: Path) -> None:
    """Every finding of the project, the family selected; nothing else (no SH301 either: each
    receiver verifies through code the rules follow)."""
    assert where(scan(tmp_path, "relay", "marketplace", "ledger", "gateway")) == {
        ("relay/views.py", 35, "SH304"),
        ("marketplace/installs.py", 17, "SH304"),
        ("ledger/models.py", 33, "SH306"),
        ("ledger/models.py", 40, "SH306"),
        ("ledger/views.py", 23, "SH306"),
        ("gateway/verify.js", 8, "SH306"),
        ("gateway/verify.js", 18, "SH306"),
    }


SWITCHES = [
    ('if settings.WEBHOOK_VERIFICATION == "disabled":', "verification switched off by a setting"),
    ("if endpoint.validation is Validation.OFF:", "verification switched off by a setting"),
    ("elif settings.SKIP_SIGNATURE_CHECK:", "a setting skips verification"),
    ("if (\n        not settings.VERIFY_WEBHOOK_SIGNATURES\n    ):", "a setting turns verification off"),
]


@pytest.mark.parametrize(("test", "how"), SWITCHES)
def test_each_switch_spelling_is_reported_with_and_without_fast_paths(test: str, how: str) -> None:
    """Every spelling the switch fact knows, found by the gate's fast path as by the full
    analysis; a setting that only logs (no `return True`) is no switch."""
    opener = "if endpoint is None:\n        return False\n    " if test.startswith("elif") else ""
    code = ("import hmac\nimport logging\n\nfrom django.conf import settings\n\n\n"
            "def verify(request, endpoint):\n"
            f"    {opener}{test}\n        logging.warning(\"unverified webhook\")\n"
            "        return True\n"
            "    return hmac.compare_digest(sign(endpoint.secret, request.body),\n"
            "                               request.headers.get(\"X-Signature\", \"\"))\n")
    files = {"hooks/verify.py": code}
    fast = scan_files(files, select=["SH306"]).findings
    assert [(f.rule, f.message.endswith(f"({how})")) for f in fast] == [("SH306", True)]
    assert seen(fast) == seen(scan_files(files, select=["SH306"], fast_paths=False).findings)
    logs_only = code.replace("        return True\n", "")
    assert not scan_files({"hooks/verify.py": logs_only}, select=["SH306"]).findings
