"""Issue #13: webhook rules right on real code. Each cause found on real projects is reproduced
by a fixture project of our own (tests/fixtures/webhooks/rw_*), scanned through the CLI in a
real temporary git repository; positive and negative shapes sit side by side."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.gitrepo import Repo, scan_committed

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "webhooks"


def scan_fixture(tmp_path: Path, project: str, *files: str) -> set[tuple[str, int, str]]:
    """Commit the fixture's files (all of them when none is named) and scan with the family."""
    root = FIXTURES / project
    paths = [root / f for f in files] if files else [p for p in root.rglob("*") if p.is_file()]
    contents = {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in paths}
    code, found = scan_committed(tmp_path / "repo", contents, "scan", ".", "--no-cache",
                                 "--select", "SH3")
    assert code == (1 if found else 0)
    return found


# -- SH301: receivers decided by the auth context, not by route words -------------------------


def test_authenticated_views_named_event_or_webhook_are_not_receivers(tmp_path: Path) -> None:
    """pretix/weblate/polar: control-panel views named `Event...`, a permission decorator, a
    permission mixin, `request.user`, session messages, FastAPI auth dependencies, an OAuth-style
    browser return; only the two real receivers are reported."""
    assert scan_fixture(tmp_path, "rw_auth_context") == {
        ("tickets/views.py", 64, "SH301"),  # csrf_exempt PayPal webhook, nothing verifies
        ("api/endpoints.py", 25, "SH301"),  # /hooks/partner without any auth or verification
    }


def test_drf_permissions_are_inherited_and_verifier_instances_followed(tmp_path: Path) -> None:
    """sentry-style DRF endpoints: `permission_classes` set on a base endpoint guard the
    notification settings of its subclass; `req = self.request_class(request); req.validate()`
    verifies through the class attribute's (inherited) method; an endpoint that opens its
    permissions and checks nothing is reported."""
    assert scan_fixture(tmp_path, "rw_drf") == {("tracker/endpoints.py", 29, "SH301")}


def test_depends_on_a_verifier_instance_is_its_call(tmp_path: Path) -> None:
    """polar: `Depends(StripeEventGetter(secret))` verifies in `__call__`; a dependency instance
    that only logs does not; a route whose path is a setting is still a route."""
    assert scan_fixture(tmp_path, "rw_depends") == {
        ("service/routes.py", 23, "SH301"),  # Depends(EventLogger("lemon")): no verification
        ("service/routes.py", 28, "SH301"),  # @router.post(settings.SENTRY_HOOK_PATH)
    }


def test_plugin_dispatch_by_name_is_not_reported(tmp_path: Path) -> None:
    """saleor/weblate: the request is handed to a plugin chosen by a route parameter; which
    plugin verifies cannot be known statically, so the rule stays silent there."""
    assert scan_fixture(tmp_path, "rw_plugins") == {
        ("shop/views.py", 27, "SH301"),  # a fixed handler that verifies nothing
    }


def test_verifiers_of_other_libraries_are_recognised(tmp_path: Path) -> None:
    """Django's constant_time_compare, jwt.decode with a key, an Ed25519 public-key check, a
    Standard Webhooks SDK's `validate_event`;
    a class-based view made CSRF-exempt on its class is a receiver. Middleware that compares a
    session hash in constant time or decodes an optional JWT verifies no delivery (pretix: a
    session check in middleware once silenced every view)."""
    assert scan_fixture(tmp_path, "rw_verifiers") == {
        ("hooks/views.py", 55, "SH301"),  # MailgunEvents.post: csrf_exempt on the class
        ("hooks/views.py", 62, "SH301"),  # courier_webhook: only the middleware "checks"
    }


def test_framework_registries_and_open_views_are_receivers(tmp_path: Path) -> None:
    """Home-automation style: `webhook.async_register(..., handler)` wires a handler and a view
    class with `requires_auth = False` takes anyone's POSTs; both were never seen. The handler
    that checks the HMAC and the view that keeps its login stay silent."""
    assert scan_fixture(tmp_path, "rw_registry") == {
        # handle_push, registered through webhook.async_register under a secret id: reported
        # because the vendor signs (handle_signed_push in the same module verifies its header)
        ("vendor/push.py", 9, "SH301"),
        ("vendor/push.py", 30, "SH301"),  # VendorNotifyView.post, requires_auth = False
    }


def test_capability_url_receivers_are_reported_only_for_signing_senders(tmp_path: Path) -> None:
    """A handler reached through a per-registration secret (a registry id, a `/hooks/<token>`
    the handler looks up) is authenticated by its URL: the weather station (its firmware cannot
    sign) and the looked-up inbound hook stay silent; the Twilio SMS handler (Twilio signs with
    X-Twilio-Signature) and the Shopify hook URL are reported as relying only on the secret URL.
    A numeric id is no secret, and a plain `/webhook` POST from Stripe stays reported. The
    registry imported under an alias (`register as webhook_register`) is the same registry: the
    doorbell stays silent, the handler registered as "Stripe payments" is reported."""
    repo = Repo(tmp_path / "repo")
    root = FIXTURES / "rw_capurl"
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        repo.write(path.relative_to(root).as_posix(), path.read_text(encoding="utf-8"))
    repo.commit()
    code, report = repo.run("scan", ".", "--no-cache", "--select", "SH3")
    assert code == 1
    found = {(f["path"], f["line"], f["rule"]): f for f in report["findings"]}
    assert set(found) == {
        ("hub/sms_gateway/__init__.py", 16, "SH301"),  # Twilio, registered under a secret id
        ("hub/payments/__init__.py", 11, "SH301"),  # "Stripe payments", through an alias
        ("webapp/hooks.py", 19, "SH301"),  # /hooks/<token>/shopify, HMAC never checked
        ("webapp/hooks.py", 28, "SH301"),  # /webhooks/<int:hook_id>: an enumerable id
        ("webapp/payments.py", 11, "SH301"),  # /webhook, Stripe-Signature never checked
    }
    twilio = found[("hub/sms_gateway/__init__.py", 16, "SH301")]
    assert "relies only on its secret URL" in twilio["message"]
    assert "Twilio signs its deliveries (X-Twilio-Signature" in twilio["message"]
    assert twilio["confidence"] == "medium"
    shopify = found[("webapp/hooks.py", 19, "SH301")]
    assert "path parameter `token`" in shopify["message"] and "Shopify" in shopify["message"]
    assert "secret URL" not in found[("webapp/payments.py", 11, "SH301")]["message"]


# -- SH304, SH305, SH306 -------------------------------------------------------------------------


def test_presence_shapes_found_on_real_code(tmp_path: Path) -> None:
    """Stripe's samples: `if (secret && signature) {verify} else {JSON.parse(body)}` and
    `except Exception as e: return e`; `except KeyError:` that logs and goes on; `if key_id:`
    guarding the only check; `if CONF_WEBHOOK_SECRET not in data: return True`. A library
    whose `secret=None` is the caller's opt-out, checks that reject (`else: is_valid = False`)
    and header NAMES in a set (`key not in {"x-amz-signature", ...}`, once SH302) are not."""
    assert scan_fixture(tmp_path, "rw_presence") == {
        ("app/api/billing/route.ts", 11, "SH304"),
        ("payments/server.py", 18, "SH304"),
        ("payments/server.py", 36, "SH304"),
        ("payments/server.py", 44, "SH304"),
        ("integration/webhook.py", 10, "SH304"),
    }


def test_a_hard_coded_registry_id_is_never_copied_into_a_finding(tmp_path: Path) -> None:
    """A registry id built from a hard-coded literal is no per-registration secret the finding
    may quote: the receiver is reported as an ordinary one, the literal nowhere in the report."""
    hard_coded = "9f3kQ2LmX8vR4tW7yZ1bC6dE0gH5jKa"
    repo = Repo(tmp_path / "repo")
    repo.write("hub/pay.py", 'from hub import webhook\n\n\n'
               'async def handle_charge(hub, webhook_id, request):\n'
               '    hub.bus.fire("charge", await request.json())\n\n\n'
               'async def setup(hub):\n'
               f'    webhook.register(hub, "pay", "Stripe payments",\n'
               f'                     "{hard_coded}-" + hub.data["webhook_id"], handle_charge)\n')
    repo.commit()
    code, report = repo.run("scan", ".", "--no-cache", "--select", "SH301")
    assert code == 1
    assert [(f["path"], f["line"]) for f in report["findings"]] == [("hub/pay.py", 4)]
    assert "secret URL" not in report["findings"][0]["message"]
    assert hard_coded not in json.dumps(report)


def test_signing_key_sources_signature_objects_and_body_credentials(tmp_path: Path) -> None:
    """SH304: a verifier that returns True when the settings its HMAC key is read from are
    missing (`if SETTINGS not in app.state: return True`) accepts unsigned deliveries; one that
    raises does not. An `inspect.Signature` tested for None is no header. SH302: a body value
    compared with the webhook's shared credential (`!= controller.webhook_auth`); the same value
    compared with `hmac.compare_digest`, and an event type compared with `==`, are not."""
    assert scan_fixture(tmp_path, "rw_keys") == {
        ("inbound/mail.py", 14, "SH304"),
        ("irrigation/hooks.py", 10, "SH302"),
    }


def test_replay_window_is_decided_per_verification(tmp_path: Path) -> None:
    """A clock read in a test helper of the same file no longer hides a verification that
    never checks the timestamp; the verification that checks it stays silent."""
    assert scan_fixture(tmp_path, "rw_replay") == {("bot/slack.py", 9, "SH305")}


def test_an_sdk_defining_the_unverified_api_is_not_a_bypass(tmp_path: Path) -> None:
    """stripe: the SDK defines `construct_event_without_verification` and uses it internally;
    an application calling it in its webhook handler is reported."""
    assert scan_fixture(tmp_path, "rw_sdk") == {
        ("shopapp/hooks.py", 9, "SH301"),
        ("shopapp/hooks.py", 10, "SH306"),
    }


@pytest.mark.parametrize(("project", "rule", "confidence"), [
    ("rw_auth_context", "SH301", "medium"),  # named a webhook by its route: a heuristic
    ("rw_verifiers", "SH301", "medium"),
    ("rw_sdk", "SH306", "high"),  # a call named as a bypass: no guess in it
])
def test_heuristic_receivers_are_never_high_confidence(tmp_path: Path, project: str, rule: str,
                                                        confidence: str) -> None:
    from tests.gitrepo import Repo

    repo = Repo(tmp_path / "repo")
    root = FIXTURES / project
    for path in root.rglob("*"):
        if path.is_file():
            repo.write(path.relative_to(root).as_posix(), path.read_text(encoding="utf-8"))
    repo.commit()
    _, report = repo.run("scan", ".", "--no-cache", "--select", rule)
    assert report["findings"]
    assert {f["confidence"] for f in report["findings"]} == {confidence}
