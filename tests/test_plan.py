"""The derived plan: selection never changes a rule's answers, and every fast path (a gate's
`pattern`) gives the findings of the full analysis, on every fixture project, every rule example
and generated input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.engine.plan import build_plan
from scanner.facts import EXTRACTORS
from scanner.facts.base import AnyOf
from scanner.model.finding import Finding
from scanner.rules.base import Bad, Good
from scanner.rules.registry import RULES
from tests.support import make_rules, scan_dir, scan_files

FIXTURES = Path(__file__).parent / "fixtures"
PROJECTS = sorted(p for family in FIXTURES.iterdir() if family.is_dir()
                  for p in family.iterdir() if p.is_dir())


def _key(findings: list[Finding]) -> list[tuple[str, int, int, str, str]]:
    return sorted((f.path, f.line, f.column, f.rule, f.message) for f in findings)


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_selecting_one_rule_gives_that_rules_findings_of_a_full_scan(project: Path) -> None:
    everything = scan_dir(project).findings
    for rule in RULES:
        alone = scan_dir(project, select=[rule.id]).findings
        assert _key(alone) == _key([f for f in everything if f.rule == rule.id]), rule.id
    for family in {rule.family for rule in RULES}:
        by_family = scan_dir(project, select=[family]).findings
        assert _key(by_family) == _key([f for f in everything if f.category == family]), family


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fast_paths_change_nothing_on_fixture_projects(project: Path) -> None:
    assert _key(scan_dir(project).findings) == _key(scan_dir(project, fast_paths=False).findings)


EXAMPLES = [(rule, example) for rule in RULES for example in rule.examples]


@pytest.mark.parametrize(("rule", "example"), EXAMPLES,
                         ids=[f"{r.id}-{i}" for i, (r, _) in enumerate(EXAMPLES)])
def test_fast_paths_change_nothing_on_rule_examples(rule: type, example: Bad | Good) -> None:
    files = {**example.files, example.path: example.code}
    assert _key(scan_files(files).findings) == _key(scan_files(files, fast_paths=False).findings)


def _snippets() -> list[str]:
    """Pieces of every rule example, to recombine into new files."""
    lines: list[str] = []
    for rule in RULES:
        for example in rule.examples:
            lines.extend(line for line in example.code.splitlines() if line.strip())
    return lines


_PIECES = _snippets()
_PATHS = sorted({example.path for _, example in EXAMPLES} | {"app.py", "server.js", "config.yaml"})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=12), st.sampled_from(_PATHS))
def test_fast_paths_change_nothing_on_generated_files(lines: list[str], path: str) -> None:
    files = {path: "\n".join(lines) + "\n"}
    assert _key(scan_files(files).findings) == _key(scan_files(files, fast_paths=False).findings)


def test_every_fact_a_rule_needs_has_an_extractor() -> None:
    produced = {fact for extractor in EXTRACTORS for fact in extractor.produces}
    for rule in RULES:
        assert set(rule.needs) <= produced, rule.id
    build_plan(make_rules(), {})  # raises LookupError otherwise


@pytest.mark.parametrize("select", [(), ("SH1",), ("SH3",), ("SH4",), ("SH2",)])
def test_the_history_prefilter_is_derived_from_the_gates(select: tuple[str, ...]) -> None:
    plan = build_plan(make_rules(select), {})
    prefilter = plan.prefilter()
    gates = [planned.extractor.gate for planned in plan.extractors
             if not planned.extractor.gate.on_demand]
    if any(not gate.words for gate in gates) or plan.rules_needing_nothing:
        assert prefilter is None  # some extractor admits files without a word: scan every blob
    else:
        assert prefilter is not None
        assert all(set(g.words) <= set(prefilter.words) for g in gates)
        assert all(set(g.path_words) <= set(prefilter.path_words) for g in gates)
    if not select:  # the webhook entries' gate lets a handler in by its path (`hooks.py`)
        assert prefilter is not None and "hook" in prefilter.path_words


def test_a_gate_keeping_bundles_out_changes_no_finding() -> None:
    """The scope extractor finds nothing in minified code: its gate says so (`bundles=False`)
    and skips the pattern search over megabyte lines; the answers are the same either way."""
    from scanner.model.document import Document

    request = 'const c={scope:"https://www.googleapis.com/auth/drive",clientId:"x"};'
    bundle = "var a=1;" + "x".join(str(i) for i in range(3000)) + request + "\n"
    plan = build_plan(make_rules(), {})
    scopes = next(p for p in plan.extractors if p.extractor.name == "scopes")
    assert not plan.admits(scopes, Document("static/app.js", bundle))
    assert plan.admits(scopes, Document("static/app.js", request.replace(",", ",\n") + "\n"))
    files = {"static/app.js": bundle}
    assert _key(scan_files(files).findings) == _key(scan_files(files, fast_paths=False).findings)


def test_a_gate_pattern_searched_branch_by_branch_answers_as_the_whole_pattern() -> None:
    """Gates search their pattern's top-level alternatives one by one (faster in Python's `re`),
    each branch once a file whichever gates share it: on every fixture file and rule example,
    each gate answers exactly as the whole pattern."""
    import re

    from scanner.facts.base import AnyOf, top_level_branches

    assert top_level_branches(r"a|b(c|d)|[|]x|\|y") == ["a", "b(c|d)", "[|]x", r"\|y"]
    assert top_level_branches(r"[]|]a|b") == ["[]|]a", "b"]
    assert top_level_branches(r"(?i)a|b") == [r"(?i)a|b"]  # a global flag holds for every branch
    assert top_level_branches(r"(a)|\1") == [r"(a)|\1"]  # group numbers would change
    texts = [path.read_text(encoding="utf-8", errors="replace").lower()
             for path in FIXTURES.rglob("*") if path.is_file() and path.stat().st_size < 200_000]
    texts += [example.code.lower() for _, example in EXAMPLES]
    patterns = [extractor.gate.pattern for extractor in EXTRACTORS if extractor.gate.pattern]
    assert patterns
    # One memo of branch answers per text, shared by every gate (as `Plan.admits` shares it).
    searched: list[dict[str, bool]] = [{} for _ in texts]
    for pattern in patterns:
        whole, split = re.compile(pattern), AnyOf(pattern)
        # Split, or one branch that starts with a literal (Python's `re` skips ahead to it).
        assert len(split.branches) > 1 or pattern.startswith("\\A") or split.literals[0], \
            pattern[:60]
        for text, memo in zip(texts, searched, strict=True):
            assert (whole.search(text) is None) == (split.search(text) is None), pattern[:60]
            assert (whole.search(text) is not None) == split.found_in(text, memo), pattern[:60]


def test_a_gate_skips_a_branch_only_when_the_keyword_pass_says_its_text_is_absent() -> None:
    """A branch starting with a word the keyword index did not find is not searched: on every
    fixture file and rule example (and with the two characters outside ASCII that lower-case
    into it), every gate of the full plan answers as its whole pattern does."""
    import re

    from scanner.facts.base import literal_prefix
    from scanner.model.document import Document

    assert literal_prefix(r"scopes?(?:x)") == "scope"
    assert literal_prefix(r"access_?type") == "access"
    assert literal_prefix(r"hmac") == "hmac"
    assert literal_prefix(r"\bfrom") == "" and literal_prefix(r"(?<!a)b") == ""
    plan = build_plan(make_rules(), {})
    assert plan.by_sets
    texts = [path.read_text(encoding="utf-8", errors="replace")
             for path in FIXTURES.rglob("*.py") if path.stat().st_size < 200_000]
    texts += [example.code for _, example in EXAMPLES]
    # `\u212a` (Kelvin) and `\u0130` lower-case into `k` and `i`: no ASCII word the index sees.
    texts += ["def on_delivery(request):\n    x_hoo\u212a_secret = request.headers['token']\n"
              "    return handle(request)\n",
              "def webhook(request):\n    event = s\u212aip_verification(request)\n",
              "def f(\u0130nput, sig):\n    return sig == \u0130nput\n"]
    checked = 0
    for text in texts:
        for planned in plan.extractors:
            source = planned.extractor.gate.pattern
            if source is None:
                continue
            document = Document("app/views.py", text)
            document.keyword_index = plan.index
            lacks = plan._lacks(document)
            assert lacks is not None
            pattern = planned.extractor.gate.compiled()
            assert pattern is not None
            found = pattern.found_in(document.lower, {}, lacks)
            assert found == (re.search(source, document.lower) is not None), source[:60]
            checked += 1
    assert checked > len(texts)


def test_a_branch_searched_from_its_literal_keeps_its_lookbehinds() -> None:
    """`AnyOf.found_in` starts a branch's search at its literal's first place: what stands
    before that place still counts (`re_path(` is no `path(` call; a later `path(` is)."""
    pattern = AnyOf(r"path(?<![a-z_]path)\(|nothing(?<=x nothing)")
    assert pattern.literals == ("path", "nothing")
    assert not pattern.found_in('re_path("a")', {})
    assert pattern.found_in('re_path("a"); path("b")', {})
    assert not pattern.found_in("y nothing", {})
    assert pattern.found_in("y nothing, x nothing", {})


def test_a_branch_is_compiled_only_when_its_literal_is_met() -> None:
    """A gate's branches are compiled on first search: a run whose files never hold a branch's
    literal never compiles it (and the answers are the same as the whole pattern's)."""
    pattern = AnyOf(r"path(?<![a-z_]path)\(|svix(?<![a-z]svix)-signature|token\s*=")
    assert pattern._branches == [None, None, None]
    assert pattern.found_in('path("a")', {})
    assert [b is not None for b in pattern._branches] == [True, False, False]
    assert not pattern.found_in("token: 1", {})
    assert [b is not None for b in pattern._branches] == [True, False, True]
    assert len(pattern.branches) == 3 and None not in pattern._branches

