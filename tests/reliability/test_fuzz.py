"""Property tests: random bytes, Python-like, JS-like and config-like text and random diffs go
through every source, parser and rule. No exception escapes (a rule exception would become a
"failed" note, which counts as a failure here), every output format stays valid, and the same
input always gives the same findings."""

from __future__ import annotations

import io
import json
import os
import random
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scanner.engine import pool
from scanner.lang.config import iter_entries
from scanner.model.document import Document, kind_of, split_lines
from scanner.model.finding import Finding, Summary
from scanner.reporters import REPORTERS
from scanner.rules.registry import RULES, instantiate
from scanner.sources import SourceFile, decode, parse_patch, unquote_git_path
from tests.reliability import strategies as sts
from tests.support import ScanResult, rules_reached, run_scan

EXAMPLES = settings(max_examples=500, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ALL_RULES = instantiate(RULES, {}, {})


def scan_one(path: str, text: str) -> ScanResult:
    return run_scan([SourceFile(path=path, text=text)], ALL_RULES, max_size=1 << 22)


def check_result(result: ScanResult, text: str) -> None:
    errors = result.summary.errors
    assert not [e for e in errors if "failed" in e], errors
    line_count = len(split_lines(text))
    for finding in result.findings:
        assert 1 <= finding.line <= finding.end_line <= line_count, finding
        assert finding.column >= 1 and finding.end_column >= 1, finding
        assert finding.rule in {r.id for r in RULES}
    rendered_outputs(result.findings, result.summary)


def rendered_outputs(findings: list[Finding], summary: Summary) -> dict[str, str]:
    """Every reporter's output; the JSON ones must parse."""
    outputs = {}
    for name, render in REPORTERS.items():
        stream = io.StringIO()
        render(findings, summary, stream, False)
        outputs[name] = stream.getvalue()
        outputs[name].encode("utf-8")  # printable: no lone surrogates reach a stream
    document = json.loads(outputs["json"])
    assert len(document["findings"]) == len(findings)
    if "sarif" in outputs:
        sarif = json.loads(outputs["sarif"])
        assert sarif["version"] == "2.1.0"
        assert len(sarif["runs"][0]["results"]) == len(findings)
    return outputs


# -- sources ----------------------------------------------------------------------------------


@EXAMPLES
@given(st.binary(max_size=300))
@example(b"\xef\xbb\xbf\xff\xfe")
@example(b"\xff\xfe\x00")  # a UTF-16 BOM and half a character
@example(b"\x00\x00\xfe\xff\x00")
def test_decode_is_total_and_lossless(data: bytes) -> None:
    text = decode(data)
    assert text is None or isinstance(text, str)
    if text is not None and not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        assert text.encode("utf-8", "surrogateescape") == body
    assert decode(data) == text


@EXAMPLES
@given(st.binary(max_size=40))
@example(b'"a\\18x"')
@example(b'"\\777"')
@example(b'"\\')
def test_unquote_git_path_is_total(raw: bytes) -> None:
    assert isinstance(unquote_git_path(raw), bytes)
    assert isinstance(unquote_git_path(b'"' + raw + b'"'), bytes)


@EXAMPLES
@given(st.binary(min_size=1, max_size=30).filter(lambda b: b"\0" not in b))
def test_unquote_git_path_inverts_git_quoting(path: bytes) -> None:
    assert unquote_git_path(sts.c_quote(path)) == path


@EXAMPLES
@given(st.lists(sts.diff_files(), max_size=4), st.data())
def test_parse_patch_finds_exactly_the_added_lines(files: list[sts.DiffFile], data: st.DataObject) -> None:
    text = sts.render_diff(files, commit="c" * 40)
    expected = [(os.fsdecode(f.path), sts.expected_added(f)) for f in files if sts.expected_added(f)]
    whole = [(p.path, p.added, p.commit) for p in parse_patch([text])]
    assert [(path, added) for path, added, _ in whole] == expected
    assert all(commit == "c" * 40 for _, _, commit in whole)
    # Streamed in blocks of any size, as `history` reads git log: the same result.
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=6)))
    blocks = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    assert [(p.path, p.added, p.commit) for p in parse_patch(blocks)] == whole


@EXAMPLES
@given(st.lists(st.one_of(st.binary(max_size=30), st.sampled_from(
    [b"diff --git a/x b/x", b"+++ b/x", b"+++ /dev/null", b"@@ -1 +1 @@", b"@@ -0,0 +1,3 @@",
     b"@@ -1,2 +0,0 @@", b"@@ junk @@", b"index 00..11", b"index", b"\x01abc", b"+added", b"-gone",
     b'+++ "b/\\377"', b"+++ b/", b"@@ -1 +99999999999999999999 @@"])), max_size=20))
@example([b"diff --git ", b"index "])
def test_parse_patch_survives_garbage(lines: list[bytes]) -> None:
    text = b"\n".join(lines)
    for item in parse_patch([text]):
        assert isinstance(item.path, str)
        assert all(n >= 1 for n in item.added)


# -- parsers ----------------------------------------------------------------------------------


def exercise_parses(path: str, text: str) -> Document:
    file = Document(path, text)
    file.code  # noqa: B018 - the parse is a lazy property
    file.config  # noqa: B018
    entries = list(iter_entries(file))
    for entry in entries:
        assert 1 <= entry.line <= max(len(file.lines), 1) + 1
    assert file.lines_with(tuple(sts.RULE_WORDS[:20])) == sorted(set(file.lines_with(tuple(sts.RULE_WORDS[:20]))))
    for offset in (0, len(text) // 2, len(text)):
        line, column = file.position(offset)
        assert 1 <= line <= len(file.lines) and column >= 1
    assert all("\n" not in note for note in file.notes)
    return file


@EXAMPLES
@given(st.sampled_from(["a.py", "a.js", "a.ts", "a.tsx", "a.yaml", "a.json", "a.toml", "a.ini",
                        ".env", "a.ipynb", "a.html"]), st.binary(max_size=300))
def test_parsers_accept_any_bytes(path: str, data: bytes) -> None:
    text = decode(data)
    if text is not None:
        exercise_parses(path, text)


@EXAMPLES
@given(sts.source_files())
def test_parsers_accept_code_like_text(source: tuple[str, str]) -> None:
    exercise_parses(*source)


# -- rules ------------------------------------------------------------------------------------


def _findings(result: ScanResult) -> list[dict[str, Any]]:
    return [f.to_json() for f in result.findings]


@EXAMPLES
@given(st.sampled_from(sorted({p for ps in sts.PATHS_BY_FLAVOUR.values() for p in ps})),
       sts.python_like)
def test_rules_on_python_like_text(path: str, text: str) -> None:
    result = scan_one(path, text)
    check_result(result, text)
    assert _findings(scan_one(path, text)) == _findings(result)


@EXAMPLES
@given(st.sampled_from(sts.PATHS_BY_FLAVOUR["js"] + ["server/hook.js", "app.py"]), sts.js_like)
def test_rules_on_js_like_text(path: str, text: str) -> None:
    result = scan_one(path, text)
    check_result(result, text)
    assert _findings(scan_one(path, text)) == _findings(result)


@EXAMPLES
@given(sts.source_files(), st.binary(max_size=60), st.integers(0, 10_000))
def test_rules_on_damaged_text(source: tuple[str, str], noise: bytes, where: int) -> None:
    """Code-like text with random bytes spliced in (decoded as a file would be)."""
    path, text = source
    raw = text.encode("utf-8", "surrogatepass")
    cut = where % (len(raw) + 1)
    decoded = decode(raw[:cut] + noise + raw[cut:])
    if decoded is None:
        return
    result = scan_one(path, decoded)
    check_result(result, decoded)
    assert _findings(scan_one(path, decoded)) == _findings(result)


@settings(max_examples=60, deadline=None)
@given(st.lists(sts.source_files(), min_size=3, max_size=8))
def test_same_findings_serial_and_in_the_process_pool(files: list[tuple[str, str]]) -> None:
    """Worker processes give the same findings and notes as the in-process path."""
    sources = [SourceFile(path=f"{i}/{path}", text=text) for i, (path, text) in enumerate(files)]
    serial = run_scan(sources, ALL_RULES, max_size=1 << 22, jobs=1)
    previous = pool.PARALLEL_MIN_FILES, pool.CHUNK_SIZE
    pool.PARALLEL_MIN_FILES, pool.CHUNK_SIZE = 1, 2
    try:
        pooled = run_scan(sources, ALL_RULES, max_size=1 << 22, jobs=2, expected=len(sources))
    finally:
        pool.PARALLEL_MIN_FILES, pool.CHUNK_SIZE = previous
    assert _findings(pooled) == _findings(serial)
    assert pooled.summary.to_json() == serial.summary.to_json()


def test_fuzz_inputs_reach_every_rule() -> None:
    """The generated text is rich enough that every rule's check runs on some of it."""
    rng = random.Random(3)
    reached: set[str] = set()
    for _ in range(400):
        flavour = rng.choice(sorted(sts.PATHS_BY_FLAVOUR))
        fragments = {"python": sts.PY_FRAGMENTS, "js": sts.JS_FRAGMENTS, "config": sts.CONFIG_FRAGMENTS}[flavour]
        text = "\n".join(rng.choice(fragments + sts.RULE_WORDS) for _ in range(30))
        for path in sts.PATHS_BY_FLAVOUR[flavour]:
            file = Document(path, text)
            reached |= rules_reached(file)
    assert reached == {rule.id for rule in RULES}
    assert {kind_of(p) for ps in sts.PATHS_BY_FLAVOUR.values() for p in ps} >= {
        kind_of("a.py"), kind_of("a.js"), kind_of("a.yaml"), kind_of("a.json"), kind_of(".env")}
