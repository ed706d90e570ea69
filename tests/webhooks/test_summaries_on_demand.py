"""SH301 builds function summaries only for the files its verdict is led to: an API view whose
route names no webhook and whose file holds nothing a receiver needs (a signature or event
header, CSRF exemption, open permission classes) is never summarised, nor a class view behind
a permission; a module looked up for its names is parsed without its function bodies. Same
findings as before, with fewer files parsed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest

from scanner.code import lower
from scanner.engine import runner
from scanner.engine.plan import build_plan
from scanner.engine.runner import ScanResult, Settings
from scanner.facts.symbols import symbols_of
from scanner.model.document import Document
from scanner.sources import SourceFile
from tests.support import MAX_SIZE, make_rules

URLS = (
    "from django.urls import path\n\n"
    "from shop.api.orders import OrderList\n"
    "from shop.api.settings import TeamSettings\n"
    "from shop.hooks.courier import CourierStatus\n"
    "from shop.api.relay import RelayIn\n\n"
    "urlpatterns = [\n"
    '    path("api/orders/", OrderList.as_view()),\n'
    '    path("api/teams/<slug>/settings/", TeamSettings.as_view()),\n'
    '    path("courier/status/", CourierStatus.as_view()),\n'
    '    path("relay/in/", RelayIn.as_view()),\n'
    "]\n")
# Two authenticated API views: one a plain class (no header, no exemption), one behind a
# permission its base class sets.
ORDERS = ("from rest_framework.views import APIView\n\n\n"
          "class OrderList(APIView):\n"
          "    def post(self, request):\n"
          "        return create_order(request.data)\n")
BASES = ("from rest_framework.views import APIView\n\n\n"
         "class TeamEndpoint(APIView):\n"
         "    permission_classes = (TeamPermission,)\n")
SETTINGS = ("from shop.api.bases import TeamEndpoint\n\n\n"
            "class TeamSettings(TeamEndpoint):\n"
            "    def put(self, request, slug):\n"
            "        return update(slug, request.data)\n")
# A receiver its route does not name: it reads the courier's signature header and never checks it.
COURIER = ("from django.utils.decorators import method_decorator\n"
           "from django.views import View\n"
           "from django.views.decorators.csrf import csrf_exempt\n\n\n"
           "@method_decorator(csrf_exempt, name='dispatch')\n"
           "class CourierStatus(View):\n"
           "    def post(self, request):\n"
           "        signature = request.headers.get('X-Courier-Signature')\n"
           "        record(signature, request.body)\n"
           "        return ok()\n")
# Open to anyone by its own (empty) permission classes, set on a base without methods.
OPEN_BASE = ("from rest_framework.views import APIView\n\n\n"
             "class OpenEndpoint(APIView):\n"
             "    permission_classes = ()\n"
             "    authentication_classes = ()\n")
RELAY = ("import json\n\n"
         "from django.views.decorators.csrf import csrf_exempt\n"
         "from django.utils.decorators import method_decorator\n"
         "from shop.api.open import OpenEndpoint\n\n\n"
         "@method_decorator(csrf_exempt, name='dispatch')\n"
         "class RelayIn(OpenEndpoint):\n"
         "    def post(self, request):\n"
         "        event = json.loads(request.body)\n"
         "        return handle(event['type'], event)\n")
FILES = {"shop/urls.py": URLS, "shop/api/orders.py": ORDERS, "shop/api/bases.py": BASES,
         "shop/api/settings.py": SETTINGS, "shop/hooks/courier.py": COURIER,
         "shop/api/open.py": OPEN_BASE, "shop/api/relay.py": RELAY}


def _scan(files: Mapping[str, str],
          monkeypatch: pytest.MonkeyPatch) -> tuple[ScanResult, Counter[str]]:
    """A scan of in-memory files, and how often project rules had each file's facts loaded
    (parsed); reading a file's text for words is not counted."""
    plan = build_plan(make_rules(["SH301"]), {})
    loads: Counter[str] = Counter()
    original = runner._load_facts

    def counted(path: str, *args: Any, **kwargs: Any) -> Any:
        loads[path] += 1
        return original(path, *args, **kwargs)

    monkeypatch.setattr(runner, "_load_facts", counted)
    sources = [SourceFile(path=path, text=text) for path, text in files.items()]
    result = runner.scan(sources, plan, Settings(max_size=MAX_SIZE), jobs=1,
                         project_loader=lambda path: Document(path, files[path])
                         if path in files else None)
    return result, loads


def test_only_the_receivers_files_are_summarised(monkeypatch: pytest.MonkeyPatch) -> None:
    result, loads = _scan(FILES, monkeypatch)
    found = sorted((f.path, f.line) for f in result.findings)
    # The courier's view reads a signature header it never checks; the relay view is open to
    # anyone (permission classes emptied by its base) and parses an event.
    assert found == [("shop/api/relay.py", 10), ("shop/hooks/courier.py", 8)]
    # The plain API view's file is never parsed: its route names no webhook and its text holds
    # no header, exemption or open permission. The guarded view's file is never loaded either:
    # its class's names came with its scan, and a class behind a permission is not summarised.
    assert loads["shop/api/orders.py"] == 0
    assert loads["shop/api/settings.py"] == 0  # scanned: its names came with its scan


def test_a_guarded_view_is_not_reported_whatever_its_words(
        monkeypatch: pytest.MonkeyPatch) -> None:
    named = {**FILES, "shop/urls.py": URLS.replace('"api/teams/<slug>/settings/"',
                                                    '"api/teams/<slug>/webhooks/"')}
    result, _ = _scan(named, monkeypatch)
    assert ("shop/api/settings.py", 5) not in {(f.path, f.line) for f in result.findings}


def test_a_shallow_parse_gives_the_same_module_symbols() -> None:
    """Function bodies are left out of a module parsed for its names, unless they import
    (an import anywhere is the module's); conditional definitions and class bodies stay."""
    text = ("import os\n\n"
            "try:\n    from fast import verify\nexcept ImportError:\n    verify = None\n\n"
            "if os.environ.get('X'):\n    def helper():\n        return 1\n\n"
            "def late():\n    from shop.security import check\n    return check\n\n\n"
            "class View(Base):\n    permission_classes = (IsAdmin, perms.Owner)\n"
            "    parser = JSONParser\n\n"
            "    def post(self, request):\n        class Inner:\n            pass\n"
            "        return Inner\n\n\n"
            "handler = Handler(os.environ['KEY'])\nalias = helper\nNAME = 'x'\n")
    document = Document("shop/views.py", text)
    full = lower("python", document.utf8)
    shallow = lower("python", document.utf8, shallow=True)
    assert full is not None and shallow is not None
    assert symbols_of(document, shallow) == symbols_of(document, full)
    symbols = symbols_of(document, shallow)
    assert ("check", "shop.security.check") in symbols.imports
    assert symbols.classes[0].sequences == (("permission_classes", ("IsAdmin", "perms.Owner")),)
    assert Document("shop/views.py", text).symbols_code is not None


# A Flask app whose own route serves a JSON API (no webhook words, no signature or event header,
# no CSRF exemption; not POST-only, so no view its decorators mark): its functions are summarised
# only if the verdict is led to them.
PAGES = ("from flask import Flask, request\n\n"
         "app = Flask(__name__)\n\n\n"
         "@app.route('/api/orders', methods=['POST', 'PUT'])\n"
         "def create_order():\n"
         "    return save(request.json)\n\n\n"
         "def save(data):\n"
         "    return data\n")
# The same app with a route that names a webhook: its summaries come from the scanned content.
HOOKS = PAGES + ("\n\n@app.post('/hooks/courier')\n"
                 "def courier_hook():\n"
                 "    return save(request.json)\n")


def _summaries_from_scan(path: str, text: str) -> int:
    from scanner.facts.webhooks import WebhookEntryExtractor
    from scanner.facts.webhooks.model import FunctionSummary

    facts = WebhookEntryExtractor().extract(Document(path, text))
    return sum(1 for fact in facts if isinstance(fact, FunctionSummary))


def test_a_route_file_without_a_possible_receiver_is_not_summarised_in_the_scan() -> None:
    assert _summaries_from_scan("shop/app.py", PAGES) == 0
    assert _summaries_from_scan("shop/app.py", HOOKS) == 3
    # Its file holds a signature header: any of its routes may be a receiver.
    signed = PAGES.replace("request.json)", "request.json, request.headers['X-Shop-Signature'])")
    assert _summaries_from_scan("shop/app.py", signed) == 2


def test_an_api_route_file_is_judged_the_same_without_its_scan_summaries(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The webhook route's handler in the same file is reported; the API route's is not."""
    result, _ = _scan({"shop/app.py": HOOKS}, monkeypatch)
    assert [(f.path, f.line) for f in result.findings] == [("shop/app.py", 16)]
    result, loads = _scan({"shop/app.py": PAGES}, monkeypatch)
    assert result.findings == [] and loads["shop/app.py"] == 0


# The same views imported through the packages that re-export them (`from .orders import
# OrderList` in `shop/api/__init__.py`; an alias and a parenthesised list in `shop/hooks`).
URLS_BY_PACKAGE = (
    "from django.urls import path\n\n"
    "from shop.api import OrderList\n"
    "from shop.hooks import Courier\n\n"
    "urlpatterns = [\n"
    '    path("api/orders/", OrderList.as_view()),\n'
    '    path("courier/status/", Courier.as_view()),\n'
    "]\n")
PACKAGES = {**{path: text for path, text in FILES.items() if path != "shop/urls.py"},
            "shop/urls.py": URLS_BY_PACKAGE,
            "shop/api/__init__.py": '"""The API."""\n\nfrom .orders import OrderList\n',
            "shop/hooks/__init__.py": ("from .courier import (  # the receivers\n"
                                       "    CourierStatus as Courier,\n)\n")}


def test_a_view_re_exported_by_its_package_is_told_from_the_text_too(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The plain API view is known not to be a receiver from the package's import line and its
    own file's text: neither file is parsed. The receiver re-exported under another name is still
    found and reported."""
    result, loads = _scan(PACKAGES, monkeypatch)
    # (The relay view is found by its decorators, not routed here: as in the first test.)
    assert sorted((f.path, f.line) for f in result.findings) == [
        ("shop/api/relay.py", 10), ("shop/hooks/courier.py", 8)]
    assert loads["shop/api/__init__.py"] == 0 and loads["shop/api/orders.py"] == 0
    # A name the package binds otherwise than by one plain import is resolved by parsing.
    for init in ('from .orders import OrderList\nOrderList = wrap(OrderList)\n',
                 'from .orders import *\n', 'from .orders import OrderList\nfrom .v2 import OrderList\n'):
        result, loads = _scan({**PACKAGES, "shop/api/__init__.py": init}, monkeypatch)
        assert loads["shop/api/__init__.py"] >= 1, init


def test_a_module_looked_up_by_name_then_followed_into_is_parsed_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Its parse for module symbols (function bodies left out) is kept until the whole code
    model is asked for: one parse, the same code model as a fresh parse gives."""
    from scanner.parsing import trees

    parses: list[int] = []
    original = trees.parse

    def counted(grammar: str, source: bytes) -> Any:
        parses.append(len(source))
        return original(grammar, source)

    monkeypatch.setattr(trees, "parse", counted)
    document = Document("shop/api/relay.py", RELAY)
    assert document.symbols_code is not None and document.symbols_code.body
    assert repr(document.code) == repr(lower("python", document.utf8))  # IR nodes: by identity
    assert len(parses) == 2  # the document's one parse, and the fresh one compared with
    assert document._symbols_tree is None  # not kept once the code model is built
