"""A module SH301's verdict is led to has its function summaries built one by one, as the verdict
asks for them (`Extractor.keyed`, `FileFacts.by_key`): a handler's helper module with dozens of
functions gets the helper's summary (and those of what it calls) built, not every function's.
The findings are those of the eager build (fast paths off builds them all)."""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest

from scanner.engine import runner
from scanner.engine.plan import build_plan
from scanner.engine.runner import ScanResult, Settings
from scanner.facts.base import FileFacts, Keyed
from scanner.facts.webhooks import FunctionSummaryExtractor, routes
from scanner.facts.webhooks.model import FunctionSummary
from scanner.model.document import Document
from scanner.sources import SourceFile
from tests.support import MAX_SIZE, make_rules

# A receiver (its route names a webhook) that hands the request to a helper module; the helper
# verifies through a second helper of the same module. Twenty unrelated functions beside them.
APP = ("from flask import Flask, request\n\n"
       "from shop.security import check_request\n\n"
       "app = Flask(__name__)\n\n\n"
       "@app.post('/hooks/courier')\n"
       "def courier_hook():\n"
       "    check_request(request)\n"
       "    return 'ok'\n\n\n"
       "@app.post('/hooks/parcel')\n"
       "def parcel_hook():\n"
       "    return record(request.json)\n")
UNRELATED = "".join(f"\n\ndef report_{n}(rows):\n    return [row['total'] for row in rows]\n"
                    for n in range(20))
SECURITY = ("import hashlib\nimport hmac\nimport os\n\n\n"
            "def check_request(request):\n"
            "    if not _valid(request.body, request.headers.get('X-Courier-Signature', '')):\n"
            "        raise PermissionError('bad signature')\n\n\n"
            "def _valid(body, signature):\n"
            "    digest = hmac.new(os.environ['COURIER_SECRET'].encode(), body,\n"
            "                      hashlib.sha256).hexdigest()\n"
            "    return hmac.compare_digest(digest, signature)\n" + UNRELATED)
FILES = {"shop/app.py": APP, "shop/security.py": SECURITY}


def _scan(files: Mapping[str, str], monkeypatch: pytest.MonkeyPatch, *,
          fast_paths: bool = True) -> tuple[ScanResult, Counter[str]]:
    """A scan of in-memory files (only `shop/app.py` scanned; the rest loaded on demand), and
    the summaries built, by qualname."""
    plan = build_plan(make_rules(["SH301"]), {}, fast_paths=fast_paths)
    built: Counter[str] = Counter()
    original = routes._summary

    def counted(document: Document, module: Any, function: Any, *args: Any) -> Any:
        built[function.qualname] += 1
        return original(document, module, function, *args)

    monkeypatch.setattr(routes, "_summary", counted)
    sources = [SourceFile(path="shop/app.py", text=files["shop/app.py"])]
    result = runner.scan(sources, plan, Settings(max_size=MAX_SIZE), jobs=1,
                         project_loader=lambda path: Document(path, files[path])
                         if path in files else None)
    return result, built


def test_only_the_functions_the_verdict_follows_are_summarised(
        monkeypatch: pytest.MonkeyPatch) -> None:
    result, built = _scan(FILES, monkeypatch)
    # The parcel hook never verifies; the courier hook verifies through the helper module.
    assert [(f.path, f.line) for f in result.findings] == [("shop/app.py", 15)]
    # Of the helper module's 22 functions, the two on the courier hook's path.
    assert built["check_request"] == 1 and built["_valid"] == 1
    assert not any(name.startswith("report_") for name in built)


def test_the_same_findings_when_every_summary_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    lazy, _ = _scan(FILES, monkeypatch)
    eager, built = _scan(FILES, monkeypatch, fast_paths=False)
    assert [(f.path, f.line, f.message) for f in lazy.findings] == \
        [(f.path, f.line, f.message) for f in eager.findings]
    assert built["report_0"] == 1  # fast paths off: the whole module, as before
    # A helper that no longer verifies: both builds report the courier hook too.
    unchecked = {**FILES, "shop/app.py": APP.replace("check_request(request)",
                                                     "report_3(request.json)")}
    lazy, _ = _scan(unchecked, monkeypatch)
    eager, _ = _scan(unchecked, monkeypatch, fast_paths=False)
    assert [(f.path, f.line) for f in lazy.findings] == [(f.path, f.line) for f in eager.findings] \
        == [("shop/app.py", 9), ("shop/app.py", 15)]


def _keyed(text: str) -> Keyed[Any, FunctionSummary]:
    keyed = FunctionSummaryExtractor().keyed(Document("shop/security.py", text))
    assert keyed is not None
    return keyed


def test_keyed_summaries_are_the_extracted_ones() -> None:
    # Two functions of one qualname (a conditional definition): the later one is the key's.
    text = SECURITY + ("\n\nif os.environ.get('LEGACY'):\n"
                       "    def check_request(request):\n        return None\n")
    eager = list(FunctionSummaryExtractor().extract(Document("shop/security.py", text)))
    keyed = _keyed(text)
    assert keyed.all() == eager
    assert dict(keyed) == {summary.qualname: summary for summary in eager}
    assert keyed["check_request"].verification is None  # the later definition's
    assert "missing" not in keyed and keyed.get("missing") is None


def test_file_facts_build_keyed_facts_when_asked_and_whole_when_listed() -> None:
    keyed = _keyed(SECURITY)
    facts = FileFacts()
    facts.add_keyed(keyed)
    assert facts and list(facts.types()) == [FunctionSummary]
    by_name = facts.by_key(FunctionSummary, lambda summary: summary.qualname)
    assert by_name["_valid"].verification is not None
    assert len(keyed._built) == 1  # only what was asked for
    # Merged into a scanned file's facts that lacked them, they stay unbuilt.
    scanned = FileFacts(missing=frozenset({FunctionSummary}))
    merged = scanned.merged(facts)
    assert merged.by_key(FunctionSummary, lambda summary: summary.qualname) is keyed
    assert len(keyed._built) == 1
    # Listed, compared or pickled: every one, in the extractor's order.
    eager = list(FunctionSummaryExtractor().extract(Document("shop/security.py", SECURITY)))
    copy = pickle.loads(pickle.dumps(merged))
    assert copy.of(FunctionSummary) == eager and copy == merged
    assert merged.of(FunctionSummary) == eager


def test_a_summary_that_fails_to_build_is_absent() -> None:
    def build(name: str) -> FunctionSummary:
        if name == "bad":
            raise ValueError(name)
        return FunctionSummary((1, 1, 1, 1), name, name, None, "", None, (), (), (), (), None,
                               False, False, False)

    keyed: Keyed[str, FunctionSummary] = Keyed(FunctionSummary, ["good", "bad", "last"],
                                               lambda name: name, build)
    assert keyed.get("bad") is None and "bad" not in keyed
    assert [summary.qualname for summary in keyed.all()] == ["good", "last"]
    assert list(keyed) == ["good", "last"] and len(keyed) == 2
