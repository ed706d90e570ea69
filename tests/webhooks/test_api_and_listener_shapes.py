"""SH301 on shapes a held-out FastAPI incident manager showed (2026-12-08): an app's own
notification API behind a permissions dependency, record-managing handlers named after the
records (`create_notification`), Slack Bolt listeners (`@app.view(callback_id)`) that are no
HTTP routes; and SH304 on an optional query-string credential in a page view. The receivers
beside them are still reported."""

from __future__ import annotations

from scanner.facts.webhooks.model import webhook_words
from tests.support import scan_files

NOTIFICATIONS = '''from fastapi import APIRouter, Depends, Request

from incidents.auth import PermissionsDependency, ProjectAdminPermission
from incidents.notifications import service

router = APIRouter()


@router.post("", dependencies=[Depends(PermissionsDependency([ProjectAdminPermission]))])
def create_notification(notification_in: dict):
    return service.create(notification_in)


@router.put("/{notification_id}")
def update_notification(notification_id: int, notification_in: dict):
    return service.update(notification_id, notification_in)


@router.post("/pagerduty/webhook")
async def pagerduty_webhook(request: Request):
    event = await request.json()
    service.page(event["messages"])
    return {"ok": True}
'''

LISTENERS = '''from slack_bolt import App

from incidents.notifications import service
from incidents.slack.ids import NotificationGroupActions
from incidents.slack.middleware import db_middleware

app = App()


@app.view(NotificationGroupActions.submit, middleware=[db_middleware])
def handle_notification_group_submission_event(ack, body: dict, db_session, form_data: dict):
    ack()
    service.update_group(db_session, body["view"]["state"], form_data)


@app.view("incident-notification-settings")
def handle_notification_settings_event(ack, body: dict, db_session, form_data: dict):
    ack()
    service.save(db_session, body["view"]["state"], form_data)
'''

def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_apps_own_notification_api_is_no_receiver_and_the_webhook_is() -> None:
    found = sorted((f.path, f.line) for f in scan_files(
        {"incidents/notifications/views.py": NOTIFICATIONS}, select=["SH301"]).findings)
    assert found == [("incidents/notifications/views.py",
                      _line(NOTIFICATIONS, "async def pagerduty_webhook"))]


def test_bolt_listeners_are_not_routes() -> None:
    assert scan_files({"incidents/slack/listeners.py": LISTENERS},
                      select=["SH301"]).findings == []


def test_a_name_that_manages_records_names_no_receiver() -> None:
    for name in ("create_notification", "update_notification", "delete_webhook",
                 "list_webhooks", "getNotifications"):
        assert webhook_words(None, name) is None, name
    for name in ("stripe_webhook", "handle_notification", "notification_callback",
                 "receiveHook"):
        assert webhook_words(None, name) is not None, name
    # A route's path is what it serves, whatever its view is called.
    assert webhook_words("/webhooks/stripe", "create_event") is not None


BADGE = '''from django.http import HttpResponse
from django.utils.crypto import constant_time_compare
from django.views import View


class BadgeView(View):
    def get(self, request, slug):
        token = request.GET.get("token")
        if token:
            if constant_time_compare(token, badge_token(slug)):
                build = private_builds(slug)
        else:
            build = public_builds(request.user, slug)
        return HttpResponse(render(build))


class DeliveryView(View):
    def post(self, request):
        signature = request.headers.get("X-Signature")
        if signature:
            if not constant_time_compare(signature, sign(request.body)):
                return HttpResponse(status=403)
        record(request.body)
        return HttpResponse()
'''


def test_an_optional_query_credential_of_a_page_is_no_skipped_verification() -> None:
    found = [(f.path, f.line) for f in scan_files({"docs/views.py": BADGE},
                                                  select=["SH304"]).findings]
    assert found == [("docs/views.py", _line(BADGE, "        if signature:"))]


def test_a_senders_own_signature_header() -> None:
    from scanner.facts.webhooks.model import is_header_read, is_signature_header

    for header in ("Upstash-Signature", "Linear-Signature", "paddle-signature",
                   "Acme-Webhook-Signature", "X-Hub-Signature-256", "Stripe-Signature"):
        assert is_signature_header(header) and is_header_read(header), header
    for header in ("signature-pad", "e-signature", "upstash-region", "Content-Type",
                   "verify_signature", "check_signature"):
        assert not is_signature_header(header), header


VERIFIED_BY_LIBRARY = '''import { Receiver } from "@acme/queue";

const receiver = new Receiver();

export async function POST(req) {
  const body = await req.text();
  const signature = req.headers.get("Acme-Signature");
  if (!signature) {
    return new Response("missing signature", { status: 401 });
  }
  const valid = await receiver.verify({ signature, body });
  if (!valid) {
    return new Response("bad signature", { status: 401 });
  }
  await deliver(JSON.parse(body));
  return new Response("ok");
}
'''


def test_any_librarys_verify_handed_the_signature_header_verifies() -> None:
    files = {"app/api/webhooks/queue/route.ts": VERIFIED_BY_LIBRARY}
    assert scan_files(files, select=["SH301"]).findings == []
    unchecked = VERIFIED_BY_LIBRARY.replace("receiver.verify({ signature, body })",
                                            "receiver.inspect({ body })")
    assert [f.line for f in scan_files({"app/api/webhooks/queue/route.ts": unchecked},
                                       select=["SH301"]).findings] == [5]


SENDER = '''import hashlib
import hmac

import requests


def dispatch_webhook(target, event, body, request=None):
    headers = {"X-Review-Event": event, "Content-Type": "application/json"}
    if target.secret:
        signer = hmac.new(target.secret.encode("utf-8"), body, hashlib.sha1)
        headers["X-Hub-Signature"] = "sha1=%s" % signer.hexdigest()
    requests.post(target.url, data=body, headers=headers, timeout=10)


def notify(target, payload):
    if target.secret:
        digest = hmac.new(target.secret.encode(), payload, hashlib.sha256).hexdigest()
        requests.post(target.url, data=payload, headers={"X-Signature-256": digest})
'''


def test_a_sender_that_signs_when_a_secret_is_set_skips_no_verification() -> None:
    assert scan_files({"notifications/webhooks.py": SENDER}, select=["SH304"]).findings == []


STRIPE_ROUTE = '''import Stripe from "stripe";

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY);

export const POST = async (req: Request) => {
  const buf = await req.text();
  const sig = req.headers.get("Stripe-Signature");
  const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET;
  if (!sig || !webhookSecret) {
    return new Response("Invalid request", { status: 400 });
  }
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(buf, sig, webhookSecret);
  } catch (err) {
    return new Response(`Webhook Error: ${err.message}`, { status: 400 });
  }
  if (!event.account) {
    return new Response("Missing connected account, skipping...");
  }
  await handleEvent(event);
  return new Response("OK");
};
'''


def test_the_verified_event_is_not_the_signature_header() -> None:
    """`if (!event.account) return 200` after `constructEvent(buf, sig, secret)` skips an event
    already verified, not a request without its signature."""
    assert scan_files({"app/api/stripe/webhook/route.ts": STRIPE_ROUTE},
                      select=["SH304"]).findings == []


HUBLIKE = '''import crypto from "crypto";

const CLIENT_SECRET = process.env.CRM_CLIENT_SECRET || "";

export async function POST(req) {
  const rawBody = await req.text();
  const signature = req.headers.get("X-Crm-Signature");
  if (!signature) {
    return new Response("missing signature", { status: 400 });
  }
  const expectedHash = crypto.createHash("sha256").update(CLIENT_SECRET + rawBody).digest("hex");
  if (signature !== expectedHash) {
    return new Response("bad signature", { status: 401 });
  }
  await enqueue(JSON.parse(rawBody));
  return new Response("ok");
}
'''

SHARED_SECRET_HEADER = '''export async function POST(req) {
  const token = req.headers.get("X-Support-Webhook-Secret");
  if (token !== process.env.SUPPORT_WEBHOOK_SECRET) {
    return new Response("Unauthorized", { status: 401 });
  }
  const { customer } = await req.json();
  return Response.json(await customerCard(customer));
}
'''

CHECKSUM = '''import crypto from "crypto";

export async function verifyUpload(buffer, expected) {
  const digest = crypto.createHash("sha256").update(buffer).digest("hex");
  if (digest !== expected.checksum) {
    throw new Error("upload corrupted");
  }
  const proto = expected.headers.get("x-forwarded-proto");
  return proto !== "https" ? "insecure" : "ok";
}
'''


def test_a_keyed_hash_or_a_shared_secret_header_compared_by_identity() -> None:
    """HubSpot's v1 scheme (a SHA-256 of secret + body) and a shared secret sent as a header are
    compared in constant time or leak by timing; a file checksum is no signature."""
    found = sorted((f.path, f.line) for f in scan_files(
        {"app/api/crm/webhook/route.ts": HUBLIKE,
         "app/api/callback/support/route.ts": SHARED_SECRET_HEADER,
         "lib/uploads/verify.ts": CHECKSUM}, select=["SH302"]).findings)
    assert found == [("app/api/callback/support/route.ts", 3),
                     ("app/api/crm/webhook/route.ts", _line(HUBLIKE, "signature !== expectedHash"))]


BASE_CONTROLLER = '''from fastapi import Depends

from kitchen.core.deps import get_current_user


class BaseUserController:
    user = Depends(get_current_user)
'''

WEBHOOK_CONTROLLER = '''from fastapi import APIRouter

from kitchen.routes.base import BaseUserController
from kitchen.routes.controller import controller
from kitchen.services.webhooks import post_group_webhooks

router = APIRouter(prefix="/households/webhooks")


@controller(router)
class WebhookController(BaseUserController):
    @router.post("/rerun")
    def rerun_webhooks(self):
        post_group_webhooks(group_id=self.user.group_id)
'''


def test_a_class_based_controllers_inherited_login_dependency() -> None:
    """fastapi-utils style controllers: the base class's `user = Depends(get_current_user)` runs
    before every route of every subclass; the outgoing-webhook management route is no receiver."""
    files = {"kitchen/routes/base.py": BASE_CONTROLLER,
             "kitchen/routes/webhooks.py": WEBHOOK_CONTROLLER}
    assert scan_files(files, select=["SH301"]).findings == []
    files["kitchen/routes/base.py"] = BASE_CONTROLLER.replace(
        "    user = Depends(get_current_user)\n", "    pass\n")
    assert [(f.path, f.line) for f in scan_files(files, select=["SH301"]).findings] == [
        ("kitchen/routes/webhooks.py", _line(WEBHOOK_CONTROLLER, "def rerun_webhooks"))]
