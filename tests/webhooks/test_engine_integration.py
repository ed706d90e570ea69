"""How the family plugs into the engine: picklable facts, worker processes, lazy imports,
ast-derived positions that agree with libcst's own."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import libcst as cst

from scanner import engine
from scanner.lang.python import span
from scanner.parsed import ParsedFile
from scanner.plugins import webhooks, webhooks_py
from scanner.sources import tree_files
from tests.support import make_rules, scan_dir, triples

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "webhooks"


def test_collected_facts_are_picklable() -> None:
    rule = webhooks.WebhookSignatureNotVerified()
    for path in ("flask_app/app/hooks.py", "django_app/shop/urls.py", "express_app/server/app.js"):
        relative = path.split("/", 1)[1]
        facts = rule.collect(ParsedFile(relative, (FIXTURES / path).read_text()))
        assert facts is not None
        assert pickle.loads(pickle.dumps(facts)) == facts


def test_worker_processes_give_the_same_findings() -> None:
    root = FIXTURES / "express_app"
    serial = triples(scan_dir(root, select=["SH3"]).findings)
    sources, _ = tree_files(root)
    pooled = engine.scan(sources, make_rules(["SH3"]), max_size=5 * 1024 * 1024, jobs=2,
                         project_loader=engine.loader_for(root, 5 * 1024 * 1024))
    assert triples(pooled.findings) == serial
    assert not pooled.summary.errors


def test_plugin_import_does_not_load_parsers() -> None:
    code = ("import sys\nimport scanner.plugins.webhooks\n"
            "heavy = [m for m in ('libcst', 'tree_sitter') if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_ast_spans_agree_with_libcst_positions() -> None:
    checked = 0
    for path in sorted(FIXTURES.rglob("*.py")):
        file = ParsedFile(path.name, path.read_text())
        assert file.python is not None
        typed: dict[type[cst.CSTNode], list[cst.CSTNode]] = {k: [] for k in webhooks_py._AST_TYPES}
        for node in webhooks_py.walk(file.python):
            if type(node) in typed:
                typed[type(node)].append(node)
        spans = webhooks_py.ast_spans(file.text, file.lines, typed)
        assert spans is not None, path
        for nodes in typed.values():
            for node in nodes:
                assert spans[id(node)][:2] == span(file, node)[:2], (path, node)
                checked += 1
    assert checked > 300


def test_ast_spans_count_non_ascii_columns_in_characters() -> None:
    text = 'x = "é€"; y = f(1)\nif a == b:\n    pass\n'
    file = ParsedFile("u.py", text)
    assert file.python is not None
    typed: dict[type[cst.CSTNode], list[cst.CSTNode]] = {k: [] for k in webhooks_py._AST_TYPES}
    for node in webhooks_py.walk(file.python):
        if type(node) in typed:
            typed[type(node)].append(node)
    spans = webhooks_py.ast_spans(text, file.lines, typed)
    assert spans is not None
    call = typed[cst.Call][0]
    assert spans[id(call)] == span(file, call)


def test_minified_bundles_are_skipped() -> None:
    bundle = "app.post('/webhooks/x',function(a,b){b.send(1)});" * 2000
    result = scan_dir_files({"public/bundle.min.js": bundle})
    assert result == set()


def scan_dir_files(files: dict[str, str]) -> set[tuple[str, int, str]]:
    from tests.support import scan_files

    return triples(scan_files(files, select=["SH3"]).findings)


def _scan_only(root: Path, paths: list[str]) -> set[tuple[str, int, str]]:
    """Hook/diff-like: scan a few files; the rest of the tree is reachable only via the loader."""
    from scanner.sources import SourceFile

    sources = [SourceFile(path=p, location=str(root / p), root=str(root)) for p in paths]
    result = engine.scan(sources, make_rules(["SH3"]), max_size=5 * 1024 * 1024, jobs=1,
                         project_loader=engine.loader_for(root, 5 * 1024 * 1024))
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


def test_prescreen_never_hides_a_local_finding() -> None:
    from scanner.plugins import webhooks_prescreen
    from tests.support import scan_files

    for path in sorted(FIXTURES.rglob("*.py")):
        text = path.read_text()
        local = {r for (_, _, r) in triples(scan_files({"m.py": text}, select=["SH302", "SH303",
                                                                                "SH304", "SH305",
                                                                                "SH306"]).findings)}
        assert local <= webhooks_prescreen.may_fire(ParsedFile("m.py", text)), path


def test_hmac_users_that_cannot_match_skip_libcst() -> None:
    code = (
        "import sys\n"
        "from tests.support import scan_files\n"
        "text = ('import hashlib\\nimport hmac\\n\\n\\ndef sign(key, value):\\n'\n"
        "        '    return hmac.new(key, value, hashlib.sha256).hexdigest()\\n\\n\\n'\n"
        "        'def check(key, value, mac):\\n'\n"
        "        '    return hmac.compare_digest(sign(key, value), mac)\\n')\n"
        "assert not scan_files({'app/cookies.py': text}, select=['SH3']).findings\n"
        "assert 'libcst' not in sys.modules, 'libcst was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60,
                   cwd=Path(__file__).resolve().parents[2])
