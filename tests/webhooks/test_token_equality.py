"""Issue #13: credentials compared with `==`/`!=` (SH302) and signed timestamps never held against
the clock (SH305), in the shapes real projects showed (sentry's Slack legacy token and signing
helper, PayPal's `?secret=`, a device's `auth` in a Home Assistant webhook, anymail's SendGrid
ECDSA check). Fixture `rw_tokens`, scanned through the CLI in a real git repository."""

from __future__ import annotations

from pathlib import Path

from tests.webhooks.test_issue13 import scan_fixture


def test_credential_from_the_request_compared_with_the_stored_one(tmp_path: Path) -> None:
    """A credential read from the request by its key (`self.payload.get("token")` through a
    property over `self.request.POST`, `payload.get("auth")` from `await request.json()`),
    compared with `==`/`!=` to a stored credential; an event type, a team id, an `auth_mode`
    setting and a role compared with constants or ids stay silent."""
    found = scan_fixture(tmp_path, "rw_tokens", "chatops/__init__.py", "chatops/inbound.py",
                         "chatops/settings.py", "devices/__init__.py", "devices/hooks.py")
    assert found == {("chatops/inbound.py", 36, "SH302"), ("devices/hooks.py", 27, "SH302")}


def test_secret_computed_by_a_function_of_the_module_compared(tmp_path: Path) -> None:
    """`expected_secret(order) == secret`, where `expected_secret` hashes `settings.SECRET_KEY`
    through another function of the module; a plain checksum compared the same way is no secret."""
    found = scan_fixture(tmp_path, "rw_tokens", "billing/__init__.py", "billing/helpers.py")
    assert found == {("billing/helpers.py", 19, "SH302")}


def test_replay_window_decided_by_the_callers_that_verify(tmp_path: Path) -> None:
    """A signing helper used both to stamp outgoing test requests (which read the clock) and by
    a verifier that never compares the timestamp with the clock is reported; the same helper
    whose verifier calls a window check is not, nor a signer of outgoing webhooks alone."""
    found = scan_fixture(tmp_path, "rw_tokens", "chatops/__init__.py", "chatops/signing.py",
                         "chatops/partner_signing.py", "outbound/__init__.py",
                         "outbound/webhooks.py")
    assert found == {("chatops/signing.py", 10, "SH305")}


def test_public_key_signature_over_a_timestamp_without_a_window(tmp_path: Path) -> None:
    """ECDSA `public_key.verify(signature, timestamp + body, ...)` with no clock comparison is
    reported; the subclass that checks the age in a method it calls, and a signature over the
    body alone, are not."""
    found = scan_fixture(tmp_path, "rw_tokens", "mailer/__init__.py", "mailer/errors.py",
                         "mailer/tracking.py")
    assert found == {("mailer/tracking.py", 22, "SH305")}


def test_credential_property_of_the_request_body_in_javascript(tmp_path: Path) -> None:
    """`req.body.token !== process.env.RELAY_SHARED_TOKEN` in an Express receiver is a token
    compared in non-constant time (and the receiver's check: no SH301); the event type and team
    compared the same way are not credentials."""
    found = scan_fixture(tmp_path, "rw_tokens", "relay/server.js")
    assert found == {("relay/server.js", 8, "SH302")}
