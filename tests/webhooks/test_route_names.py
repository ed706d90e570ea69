"""SH301 on Django route tables: a route's `name=` says what it serves when the path and the view
do not (`path("bot/", views.bot, name="telegram-webhook")`), and a class-based view wrapped in
`csrf_exempt(View.as_view())` is followed to its `post`."""

from __future__ import annotations

from tests.support import scan_files

VIEWS = '''import json

from django.http import HttpResponse
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
@require_POST
def bot(request):
    update = json.loads(request.body)
    send_invite(update["message"]["chat"]["id"])
    return HttpResponse()


@csrf_exempt
@require_POST
def feedback(request):
    save_feedback(request.POST["text"])
    return HttpResponse()


class DeliveryView(View):
    def post(self, request):
        record_delivery(json.loads(request.body))
        return HttpResponse()


def send_invite(chat_id):
    return chat_id


def save_feedback(text):
    return text


def record_delivery(payload):
    return payload
'''
URLS = '''from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from . import views

urlpatterns = [
    path("integrations/chat/bot/", views.bot, name="chat-webhook"),
    path("feedback/", views.feedback, name="feedback-form"),
    path("deliveries/", csrf_exempt(views.DeliveryView.as_view()), name="delivery-hook"),
]
'''


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_routes_name_and_a_wrapped_class_view_lead_to_the_receivers() -> None:
    found = sorted((f.path, f.line) for f in scan_files(
        {"notify/views.py": VIEWS, "notify/urls.py": URLS, "notify/__init__.py": ""},
        select=["SH301"]).findings)
    assert found == [("notify/views.py", _line(VIEWS, "def bot(")),
                     ("notify/views.py", _line(VIEWS, "    def post(self, request):"))]


def test_without_the_names_nothing_says_webhook() -> None:
    urls = URLS.replace(', name="chat-webhook"', "").replace(', name="delivery-hook"', "")
    assert scan_files({"notify/views.py": VIEWS, "notify/urls.py": urls,
                       "notify/__init__.py": ""}, select=["SH301"]).findings == []
