"""Project rules load a file for the fact types they need that its scan lacks, not whole: one
family's gates keeping a file out no longer makes another family's rule read and parse it again.
Every partial load gives the findings of whole loads (the plan's fast paths off)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from scanner.engine.plan import build_plan
from scanner.engine.runner import ScanResult, Settings, scan
from scanner.facts.base import FileFacts
from scanner.facts.symbols import ModuleSymbols, module_symbols
from scanner.facts.webhooks import FunctionSummary
from scanner.model.document import Document
from scanner.project.index import ProjectIndex
from scanner.sources import SourceFile
from tests.support import MAX_SIZE, make_rules, seen

# A Flask receiver verified by a helper of another module, and one that never verifies. No file
# holds what the scope family's gates look for (no scope, no HTTP call literal).
WEBHOOKS = {
    "app/receivers.py": (
        "from flask import Flask, request\n\n"
        "from app.security import signature_matches\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.route("/webhooks/billing", methods=["POST"])\n'
        "def billing_webhook():\n"
        "    payload = request.get_data()\n"
        '    if not signature_matches(payload, request.headers["X-Billing-Signature"]):\n'
        '        return "", 401\n'
        '    return "", 204\n\n\n'
        '@app.route("/webhooks/shipping", methods=["POST"])\n'
        "def shipping_webhook():\n"
        "    event = request.get_json()\n"
        '    return event["id"], 200\n'),
    "app/security.py": (
        "import hashlib\nimport hmac\nimport os\n\n\n"
        "def signature_matches(payload, received):\n"
        '    key = os.environ["BILLING_WEBHOOK_SECRET"].encode()\n'
        "    expected = hmac.new(key, payload, hashlib.sha256).hexdigest()\n"
        "    return hmac.compare_digest(expected, received)\n"),
}


def _scan(files: Mapping[str, str], select: Sequence[str] = (), *,
          fast_paths: bool = True) -> tuple[ScanResult, Counter[str]]:
    """A scan of in-memory files, and how often project rules had each file read."""
    plan = build_plan(make_rules(select), {}, fast_paths=fast_paths)
    reads: Counter[str] = Counter()

    def load(path: str) -> Document | None:
        reads[path] += 1
        return Document(path, files[path]) if path in files else None

    sources = [SourceFile(path=path, text=text) for path, text in files.items()]
    return scan(sources, plan, Settings(max_size=MAX_SIZE), jobs=1, project_loader=load), reads


def test_a_route_file_is_not_read_again_because_another_familys_gates_kept_it_out() -> None:
    fast, reads = _scan(WEBHOOKS)
    whole, whole_reads = _scan(WEBHOOKS, fast_paths=False)
    assert seen(fast.findings) == seen(whole.findings)
    assert [(f.path, f.line, f.rule) for f in fast.findings] == [
        ("app/receivers.py", 17, "SH301")]
    # Its webhook facts came whole from its scan: the scope family's gates do not matter here.
    assert reads["app/receivers.py"] == 0
    assert whole_reads["app/receivers.py"] == 1
    # The helper's module holds no route: read once, for the verification in it.
    assert reads["app/security.py"] == 1


def _facts_of(path: str, text: str, kinds: frozenset[type] | None) -> FileFacts:
    """What the engine's loader gives: the asked-for types (the rest missing), symbols when
    asked for (this file has no function summary to find)."""
    facts = FileFacts(missing=frozenset() if kinds is None else frozenset({FunctionSummary}) - kinds)
    document = Document(path, text)
    if kinds is None or ModuleSymbols in kinds:
        symbols = module_symbols(document)
        assert symbols is not None
        facts.add(symbols)
    return facts


def test_a_module_looked_up_by_name_is_loaded_for_its_symbols_alone() -> None:
    asked: list[tuple[str, frozenset[type] | None]] = []

    def load(path: str, kinds: frozenset[type] | None = None) -> FileFacts | None:
        asked.append((path, kinds))
        return _facts_of(path, WEBHOOKS[path], kinds) if path in WEBHOOKS else None

    index = ProjectIndex({}, load, partial_loads=True)
    assert index.module("app.security") is not None
    assert asked == [("app/security.py", frozenset({ModuleSymbols}))]
    index.load("app/security.py", (FunctionSummary,))  # what a rule reads of it: loaded once
    index.load("app/security.py", (FunctionSummary, ModuleSymbols))
    assert asked[1:] == [("app/security.py", frozenset({FunctionSummary}))]

    asked.clear()
    whole = ProjectIndex({}, load)  # partial loads off: every load is whole
    assert whole.module("app.security") is not None
    whole.load("app/security.py", (FunctionSummary,))
    assert asked == [("app/security.py", None)]
