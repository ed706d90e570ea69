"""How the family plugs into the engine: picklable facts, worker processes, lazy imports,
partial scans that load the rest of the tree on demand, gates that never change answers."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.engine.plan import build_plan
from scanner.engine.runner import Settings, loader_for, scan
from scanner.facts.base import Gate
from scanner.facts.webhooks import EXTRACTORS, WebhookEntryExtractor
from scanner.model.document import Document
from scanner.rules.registry import RULES
from scanner.sources import SourceFile, tree_files
from tests.support import MAX_SIZE, make_rules, scan_dir, scan_files, triples

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "webhooks"
WEBHOOK_RULES = [rule.id for rule in RULES if rule.family == "webhook"]


def test_facts_are_picklable() -> None:
    checked = 0
    for path in ("flask_app/app/hooks.py", "django_app/shop/urls.py", "express_app/server/app.js"):
        relative = path.split("/", 1)[1]
        document = Document(relative, (FIXTURES / path).read_text())
        for extractor in EXTRACTORS:
            facts = list(extractor().extract(document))
            assert pickle.loads(pickle.dumps(facts)) == facts
            checked += len(facts)
    assert checked > 20


def test_worker_processes_give_the_same_findings() -> None:
    root = FIXTURES / "express_app"
    serial = triples(scan_dir(root, select=["SH3"]).findings)
    sources, _ = tree_files(root)
    plan = build_plan(make_rules(["SH3"]), {})
    pooled = scan(sources, plan, Settings(max_size=MAX_SIZE), jobs=2,
                  project_loader=loader_for(root, MAX_SIZE))
    assert triples(pooled.findings) == serial
    assert not pooled.summary.errors


def test_rule_import_does_not_load_parsers() -> None:
    code = ("import sys\nimport scanner.rules.webhooks\nimport scanner.facts.webhooks\n"
            "heavy = [m for m in ('libcst', 'tree_sitter') if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_spans_count_non_ascii_columns_in_characters() -> None:
    text = ('import hmac\n\n\ndef f(k, body, sig):\n    x = "é€"; d = hmac.new(k, body, "sha256")'
            '.hexdigest(); ok = d == sig\n    return ok\n')
    finding = scan_files({"u.py": text}, select=["SH302"]).findings[0]
    line = text.splitlines()[finding.line - 1]
    assert line[finding.column - 1:finding.end_column - 1] == "d == sig"


def test_minified_bundles_are_skipped() -> None:
    bundle = "app.post('/webhooks/x',function(a,b){b.send(1)});" * 2000
    assert triples(scan_files({"public/bundle.min.js": bundle}, select=["SH3"]).findings) == set()


def _scan_only(root: Path, paths: list[str]) -> set[tuple[str, int, str]]:
    """Hook/diff-like: scan a few files; the rest of the tree is reachable only via the loader."""
    sources = [SourceFile(path=p, location=str(root / p), root=str(root)) for p in paths]
    plan = build_plan(make_rules(["SH3"]), {})
    result = scan(sources, plan, Settings(max_size=MAX_SIZE), jobs=1,
                  project_loader=loader_for(root, MAX_SIZE))
    assert not result.summary.errors
    return triples(result.findings)


def test_partial_scan_finds_middleware_settings_and_verifiers_through_the_loader() -> None:
    assert _scan_only(FIXTURES / "django_middleware", ["relay/views.py", "relay/urls.py"]) == set()
    assert _scan_only(FIXTURES / "flask_app", ["app/hooks.py"]) == {
        ("app/hooks.py", 43, "SH302"), ("app/hooks.py", 50, "SH301"),
        ("app/hooks.py", 59, "SH304"), ("app/hooks.py", 67, "SH301")}


def test_partial_scan_reports_only_scanned_files() -> None:
    # views.py is loaded to judge the routes of urls.py, but findings stay on scanned files.
    assert _scan_only(FIXTURES / "django_app", ["shop/urls.py"]) == set()
    found = _scan_only(FIXTURES / "django_app", ["shop/urls.py", "shop/views.py"])
    assert ("shop/views.py", 43, "SH301") in found


def _fixture_and_example_inputs() -> list[tuple[str, dict[str, str]]]:
    inputs = []
    for project in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        files = {str(f.relative_to(project)): f.read_text() for f in sorted(project.rglob("*"))
                 if f.is_file()}
        inputs.append((project.name, files))
    for rule in RULES:
        if rule.family == "webhook":
            for number, example in enumerate(rule.examples):
                inputs.append((f"{rule.id}-{number}", {**example.files, example.path: example.code}))
    return inputs


INPUTS = _fixture_and_example_inputs()


@pytest.mark.parametrize(("name", "files"), INPUTS, ids=[name for name, _ in INPUTS])
def test_gates_never_change_findings(name: str, files: dict[str, str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Every webhook extractor with its gate opened to every code file finds what it finds with
    its real gate: the gates only save work (the prescreens they replace once hid findings)."""
    gated = triples(scan_files(files, select=["SH3"]).findings)
    for extractor in EXTRACTORS:
        monkeypatch.setattr(extractor, "gate", Gate(kinds=extractor.gate.kinds))
    monkeypatch.setattr(WebhookEntryExtractor, "__init__",
                        lambda self, options=None: setattr(self, "options", options or {}))
    assert triples(scan_files(files, select=["SH3"]).findings) == gated


def test_libcst_is_never_imported_by_a_scan() -> None:
    code = ("import sys\nfrom tests.support import scan_files\n"
            "text = ('import hashlib\\nimport hmac\\n\\n\\ndef sign(key, value):\\n'\n"
            "        '    return hmac.new(key, value, hashlib.sha256).hexdigest()\\n\\n\\n'\n"
            "        'def check(key, value, mac):\\n'\n"
            "        '    return hmac.compare_digest(sign(key, value), mac)\\n')\n"
            "assert not scan_files({'app/cookies.py': text}, select=['SH3']).findings\n"
            "assert 'libcst' not in sys.modules, 'libcst was imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60,
                   cwd=Path(__file__).resolve().parents[2])
