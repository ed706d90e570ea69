"""Notebooks: code cells as Python, outputs as text, images skipped, physical .ipynb lines."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable

from scanner.engine.plan import build_plan
from scanner.engine.runner import FileResult, Settings, scan_source
from scanner.engine.runner import scan as engine_scan
from scanner.facts.base import FileFacts
from scanner.model.document import FileKind
from scanner.model.finding import Finding, Severity
from scanner.notebooks import _located_loads, _raw_offset, build_virtual_files
from scanner.rules.base import Rule, RuleContext
from scanner.sources import SourceFile
from tests.support import make_rules
from tests.workflow.helpers import PLANTED, PlantedToken

TOKEN_LINE = f'PLANTED_TOKEN = "{PLANTED}"'


class PythonOnly(Rule):
    """## What it does
    Test rule: flags `python_only_marker` in Python that parses.

    ## Why is this bad?
    It is a test.

    ## Example
        python_only_marker()

    ## Use instead
        nothing()
    """

    id = "SH198"
    name = "python-only-test"
    family = "secret"
    severity = Severity.LOW

    def check(self, facts: FileFacts, context: RuleContext) -> Iterable[Finding]:
        document = context.document
        if document.kind is not FileKind.PYTHON:
            return
        try:  # the cells must be valid Python: magics may not break the code cells
            ast.parse(document.text)
        except SyntaxError:
            return
        for number in document.lines_with(("python_only_marker",)):
            column = document.line_text(number).find("python_only_marker") + 1
            yield context.report(self, (number, column, number, column + 18), "marker",
                                 construct="marker")


PLAN = build_plan([PlantedToken(), PythonOnly()], {})


def notebook(cells: list[dict[str, object]], **metadata: object) -> str:
    document = {"cells": cells, "metadata": metadata or {"kernelspec": {"language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=1) + "\n"


def code(*lines: str, outputs: list[dict[str, object]] | None = None) -> dict[str, object]:
    return {"cell_type": "code", "execution_count": 1, "metadata": {},
            "source": [line + "\n" for line in lines[:-1]] + list(lines[-1:]),
            "outputs": outputs or []}


def markdown(*lines: str) -> dict[str, object]:
    return {"cell_type": "markdown", "metadata": {}, "source": [line + "\n" for line in lines]}


def scan(text: str, changed: frozenset[int] | None = None) -> FileResult:
    return scan_source(SourceFile(path="nb/analysis.ipynb", text=text, changed_lines=changed),
                       PLAN, Settings(max_size=5_000_000))


def physical_line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_code_cell_finding_lands_on_the_physical_line_and_names_the_cell() -> None:
    text = notebook([
        markdown("# Setup"),
        code("import os", "x = 1", TOKEN_LINE, "print(x)"),
    ])
    result = scan(text)
    [finding] = result.findings
    line = physical_line(text, "PLANTED_TOKEN")
    assert (finding.rule, finding.line, finding.end_line) == ("SH199", line, line)
    physical = text.splitlines()[line - 1]
    assert physical[finding.column - 1:].startswith(PLANTED)
    assert physical[finding.end_column - 2] == PLANTED[-1]
    assert finding.message.endswith("(cell 2, line 3)")
    assert PLANTED not in finding.message + finding.snippet
    assert finding.snippet.startswith('PLANTED_TOKEN = "9f3K…')


def test_single_string_source_form_maps_columns_through_escapes() -> None:
    source = f'a = "x\\ty"\n{TOKEN_LINE}\n'
    document = {"cells": [{"cell_type": "code", "source": source, "outputs": [], "metadata": {}}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    text = json.dumps(document)  # one physical line
    [finding] = scan(text).findings
    assert finding.line == 1
    assert text[finding.column - 1:].startswith(PLANTED)
    assert finding.message.endswith("(cell 1, line 2)")


def test_python_rules_run_on_code_cells_only_and_magics_do_not_break_parsing() -> None:
    text = notebook([
        code("%matplotlib inline", "!pip install requests", "python_only_marker()"),
        markdown("python_only_marker() in prose is not code"),
        code("%%bash", "python_only_marker"),
    ])
    result = scan(text)
    assert [(f.rule, f.line) for f in result.findings] == [
        ("SH198", physical_line(text, '"python_only_marker()"'))]
    assert not result.notes


def test_outputs_are_text_and_images_are_skipped() -> None:
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": ["loaded\n", TOKEN_LINE + "\n"]},
        {"output_type": "display_data", "metadata": {},
         "data": {"image/png": TOKEN_LINE, "text/plain": ["<Figure>"]}},
    ]
    text = notebook([code("load()", outputs=outputs)])
    result = scan(text)
    assert [(f.line, f.message.rsplit("(", 1)[1]) for f in result.findings] == [
        (physical_line(text, PLANTED), "cell 1 output, line 2)")]  # the stream, not the image


def test_inline_ignore_inside_a_cell() -> None:
    text = notebook([code(TOKEN_LINE + "  # secret-hygiene: ignore[SH199]", "y = 2")])
    result = scan(text)
    assert (result.findings, result.suppressed) == ([], 1)


def test_diff_mode_keeps_only_findings_on_changed_physical_lines() -> None:
    text = notebook([code("x = 1", TOKEN_LINE)])
    line = physical_line(text, "PLANTED_TOKEN")
    assert [f.line for f in scan(text, frozenset({line})).findings] == [line]
    assert scan(text, frozenset({1, 2})).findings == []


def test_fingerprint_does_not_depend_on_cell_position() -> None:
    first = scan(notebook([code(TOKEN_LINE)])).findings[0]
    second = scan(notebook([markdown("intro"), code("a = 1", "b = 2"), code("c = 3", TOKEN_LINE)])).findings[0]
    assert first.fingerprint == second.fingerprint
    assert first.line != second.line


def test_broken_json_is_a_note_and_a_text_scan() -> None:
    text = '{"cells": [ {"source": ["' + TOKEN_LINE.replace('"', "'") + '"\n'
    result = scan(text)
    assert [f.line for f in result.findings] == [1]
    assert result.notes == ["nb/analysis.ipynb: notebook is invalid JSON; scanned as plain text"]


def test_other_kernel_language_is_text_and_nbformat3_is_read() -> None:
    text = notebook([code(TOKEN_LINE, "python_only_marker")],
                    kernelspec={"language": "R"})
    assert [f.rule for f in scan(text).findings] == ["SH199"]
    old = {"worksheets": [{"cells": [{"cell_type": "code", "input": [TOKEN_LINE], "outputs": []}]}],
           "metadata": {}, "nbformat": 3}
    kinds = [v.kind for v in build_virtual_files(json.loads(json.dumps(old)))]
    assert kinds == [FileKind.PYTHON]


def test_project_rules_see_physical_lines_and_code_after_a_syntax_error() -> None:
    """A project rule (SH301) reports a handler in a code cell at its line in the .ipynb; a
    broken cell before it does not hide it (the parser recovers)."""
    handler = ("@app.post('/webhooks/github')", "def github_webhook():",
               "    handle(request.get_json())", "    return '', 204")
    text = notebook([markdown("intro"), code("y = 2", "def broken(:", "    pass"),
                     code("from flask import Flask, request", "app = Flask(__name__)", *handler)])
    sources = [SourceFile(path="nb.ipynb", text=text)]
    plan = build_plan(make_rules(["SH301"]), {})
    result = engine_scan(sources, plan, Settings(max_size=5_000_000), jobs=1)
    assert [(f.path, f.line, f.rule) for f in result.findings] == [
        ("nb.ipynb", physical_line(text, "def github_webhook"), "SH301")]


def test_raw_offsets_follow_json_escapes() -> None:
    document = '"a\\ud83d\\ude00\\u00e9\\n\\"\\ud83dxB\tC"'
    value = _located_loads(document)
    assert value == 'a\U0001F600é\n"\ud83dxB\tC'
    raw = [document[_raw_offset(document, value.offset, i):][:2] for i in range(len(value))]
    assert raw == ["a\\", "\\u", "\\u", "\\n", '\\"', "\\u", "xB", "B\t", "\tC", 'C"']
