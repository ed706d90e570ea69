"""SH411 on values that only look like credentials (issue #13): a value logged under a key that
says it is an id or a nonce, a webhook payload's own nonce, an object that matched none of the
known credential types. tests/fixtures/oauth/log_labels holds each shape next to real leaks that
must stay; scanned through the CLI in a real temporary git repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitrepo import scan_committed

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "oauth" / "log_labels"
Found = set[tuple[str, int, str]]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Found:
    files = {path.relative_to(FIXTURE).as_posix(): path.read_text(encoding="utf-8")
             for path in FIXTURE.rglob("*") if path.is_file()}
    code, found = scan_committed(tmp_path_factory.mktemp("log_labels") / "repo", files,
                                 "scan", ".", "--all-files", "--no-cache", "--select", "SH411")
    assert code == 1, found
    return found


def lines(report: Found, path: str) -> set[int]:
    return {line for where, line, rule in report if where == path and rule == "SH411"}


def marked(path: str, mark: str) -> set[int]:
    """The lines of a fixture file whose comment carries `# Error` or `# OK`."""
    text = (FIXTURE / path).read_text(encoding="utf-8").splitlines()
    return {number for number, line in enumerate(text, 1) if f"# {mark}" in line}


def test_values_labelled_ids_or_nonces_are_not_credentials(report: Found) -> None:
    """`"elevation_token_id": token` (29, 39), `elevation_nonce=token` (34), `"token id %s"` (35)
    and `"elevation_token": self.token` where the module logs that value as
    `elevation_token_id` (20) are ids; an access token in `extra=` (44), a refresh token as a
    structlog keyword (45) and an access token next to a `token_id` (46) are leaks."""
    assert lines(report, "accounts/elevation.py") == {44, 45, 46} == marked(
        "accounts/elevation.py", "Error")


def test_token_response_and_client_secret_still_reported(report: Found) -> None:
    assert lines(report, "accounts/sso.py") == {16, 19} == marked("accounts/sso.py", "Error")


def test_object_of_no_known_credential_type(report: Found) -> None:
    """A raise reached only when the object failed every isinstance test (for/else 22, an
    isinstance chain's else 32) or naming only its type (38, 42) is a programming-error guard;
    `if not isinstance(token, str): raise ...(token)` (47) may print the token itself, and a
    rejected token in a message (53) is a leak."""
    assert lines(report, "accounts/credentials.py") == {47, 53} == marked(
        "accounts/credentials.py", "Error")


def test_webhook_payload_nonce_signed_with_the_timestamp(report: Found) -> None:
    """The delivery's token signed with its timestamp (30, 31) travels in the clear; our own
    signing key logged (32) is a leak."""
    assert lines(report, "hooks/inbound_mail.py") == {32} == marked("hooks/inbound_mail.py", "Error")


def test_hmac_over_the_token_alone_is_no_signed_message(report: Found) -> None:
    assert lines(report, "accounts/token_store.py") == {18}


def test_sns_subscription_confirmation_token(report: Found) -> None:
    """SNS's one-time Token named in an error for the operator (26) is the payload's; an AWS
    secret logged (31) is ours."""
    assert lines(report, "hooks/sns.py") == {31} == marked("hooks/sns.py", "Error")


def test_every_finding_is_marked(report: Found) -> None:
    """No finding on a line the fixture marks OK, none on an unmarked line."""
    for path, line, _ in report:
        assert line in marked(path, "Error"), (path, line)
