"""SH301 says "never verifies on any path" only where it can follow every path: a verification
called on a value bound at run time, or reached through `super()`, is not "never"."""

from __future__ import annotations

from pathlib import Path

from tests.support import scan_dir

PROJECT = Path(__file__).parent.parent / "fixtures" / "webhooks" / "rw_unseen"


def test_receivers_whose_verification_runs_unseen_are_not_reported() -> None:
    found = sorted((f.path, f.line) for f in scan_dir(PROJECT, select=["SH301"]).findings)
    text = (PROJECT / "mailhooks" / "base.py").read_text().splitlines()
    open_relay = next(i for i, line in enumerate(text, 1) if "class OpenRelayView" in line) + 3
    views = (PROJECT / "paycallbacks" / "views.py").read_text().splitlines()
    unchecked = next(i for i, line in enumerate(views, 1) if "def ipn_unchecked" in line)
    assert found == [("mailhooks/base.py", open_relay), ("paycallbacks/views.py", unchecked)]


def test_a_verification_named_call_on_a_module_name_still_has_to_verify() -> None:
    """Only calls on values bound at run time are taken on trust: a module-level function named
    `validate` that checks nothing is followed, and the handler stays reported."""
    from tests.support import scan_files

    code = ('from django.http import HttpResponse\n'
            'from django.views.decorators.csrf import csrf_exempt\n\n\n'
            'def validate_payload(body):\n    return bool(body)\n\n\n'
            '@csrf_exempt\n'
            'def payment_webhook(request):\n'
            '    validate_payload(request.body)\n'
            '    return HttpResponse()\n')
    lines = [f.line for f in scan_files({"shop/hooks.py": code}, select=["SH301"]).findings]
    assert lines == [10]


def test_a_class_views_delete_and_patch_are_handlers_too() -> None:
    """A provider's uninstall callback arrives as DELETE on the same view whose POST verifies."""
    from tests.support import scan_files

    code = ('import hmac\n\nfrom django.http import HttpResponse\nfrom django.urls import path\n'
            'from django.views import View\n\n\n'
            'class StoreWebhookEndpoint(View):\n'
            '    def post(self, request):\n'
            '        if not hmac.compare_digest(sign(request.body), '
            'request.headers.get("X-Store-Signature", "")):\n'
            '            return HttpResponse(status=401)\n'
            '        return HttpResponse()\n\n'
            '    def delete(self, request):\n'
            '        remove_installation(request.GET["installation"])\n'
            '        return HttpResponse(status=204)\n\n\n'
            'urlpatterns = [path("store/webhook/", StoreWebhookEndpoint.as_view())]\n')
    found = [(f.line, f.rule) for f in scan_files({"store/views.py": code}, select=["SH301"]).findings]
    assert found == [(14, "SH301")]
    verified = code.replace('        remove_installation(request.GET["installation"])\n',
                            '        if not hmac.compare_digest(sign(request.body), '
                            'request.headers.get("X-Store-Signature", "")):\n'
                            '            return HttpResponse(status=401)\n'
                            '        remove_installation(request.GET["installation"])\n')
    assert scan_files({"store/views.py": verified}, select=["SH301"]).findings == []
