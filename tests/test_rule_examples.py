"""Every rule's documented examples run as tests, at their stated line; every rule has complete
docs, a unique id, its own module, and an `explain` page whose examples are really flagged."""

from __future__ import annotations

import re

import pytest

from scanner.rules.base import DOC_SECTIONS, Bad, Good, Rule
from scanner.rules.registry import FAMILIES, RULES
from tests.support import scan_files

EXAMPLES = [(rule, index, example) for rule in RULES for index, example in enumerate(rule.examples)]


def test_registry_is_not_empty() -> None:
    assert len(RULES) >= 1


def test_rule_ids_and_names_are_unique_and_well_formed() -> None:
    ids = [r.id for r in RULES]
    names = [r.name for r in RULES]
    assert len(ids) == len(set(ids))
    assert len(names) == len(set(names))
    prefixes = {family.name: family.prefix for family in FAMILIES}
    for rule in RULES:
        assert re.fullmatch(r"SH[1-4]\d\d", rule.id), rule.id
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", rule.name), rule.name
        assert rule.id.startswith(prefixes[rule.family]), rule.id


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_lives_in_its_own_module(rule: type[Rule]) -> None:
    """One module per rule: scanner/rules/<family>/sh<id>_<name>.py, holding only that rule."""
    family = next(f for f in FAMILIES if f.name == rule.family)
    expected = f"scanner.rules.{family.section}.{rule.id.lower()}_{rule.name.replace('-', '_')}"
    assert rule.__module__ == expected
    module = __import__(rule.__module__, fromlist=["_"])
    others = [value for value in vars(module).values() if isinstance(value, type)
              and issubclass(value, Rule) and value.__module__ == rule.__module__ and value is not rule]
    assert not others, f"{rule.__module__} holds more than one rule"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_docs_and_examples(rule: type[Rule]) -> None:
    sections = rule.doc_sections()
    for section in DOC_SECTIONS:
        assert sections.get(section, "").strip(), f"{rule.id} lacks '## {section}'"
    bad = [e for e in rule.examples if isinstance(e, Bad)]
    assert bad, f"{rule.id} has no Bad example"
    assert any(isinstance(e, Good) for e in rule.examples), f"{rule.id} has no Good example"
    assert all(e.line >= 1 for e in bad), f"{rule.id}: every Bad example states its line"
    if rule.has_fix:
        assert any(e.fixed is not None for e in bad), f"{rule.id} has a fix but no fixed example"


@pytest.mark.parametrize(("rule", "index", "example"), EXAMPLES,
                         ids=[f"{r.id}-{i}-{type(e).__name__}" for r, i, e in EXAMPLES])
def test_rule_example(rule: type[Rule], index: int, example: Bad | Good) -> None:
    files = {**example.files, example.path: example.code}
    result = scan_files(files, select=[rule.id])
    hits = [f for f in result.findings if f.rule == rule.id and f.path == example.path]
    if isinstance(example, Bad):
        assert hits, f"{rule.id} example {index} should be flagged:\n{example.code}"
        assert example.line in {f.line for f in hits}, (
            f"{rule.id} example {index}: expected a finding on line {example.line}, "
            f"got lines {sorted({f.line for f in hits})}")
    else:
        assert not hits, f"{rule.id} example {index} should not be flagged: {[f.message for f in hits]}"
    assert not [e for e in result.summary.errors if "failed" in e], result.summary.errors


@pytest.mark.parametrize(("rule", "index", "example"),
                         [(r, i, e) for r, i, e in EXAMPLES if isinstance(e, Bad) and e.fixed is not None],
                         ids=lambda value: getattr(value, "id", str(value)))
def test_rule_fix_gives_the_fixed_example(rule: type[Rule], index: int, example: Bad) -> None:
    from scanner.app.fix import apply_fixes

    files = {**example.files, example.path: example.code}
    result = scan_files(files, select=[rule.id], want_fixes=True)
    findings = [f for f in result.findings if f.rule == rule.id and f.path == example.path]
    fixed = apply_fixes(example.path, example.code, findings)
    assert fixed.text == example.fixed, fixed.skipped


_CODE_BLOCK = re.compile(r"^(?: {4}.*|\s*)$")


def _block(section: str) -> str:
    """The code of an `## Example` / `## Use instead` section (4-space indented or fenced)."""
    fenced = re.search(r"```[a-z]*\n(.*?)```", section, re.DOTALL)
    if fenced:
        return fenced.group(1)
    lines = [line[4:] if line.startswith("    ") else line for line in section.splitlines()
             if _CODE_BLOCK.match(line)]
    return "\n".join(lines).strip("\n") + "\n"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_explain_examples_are_what_the_rule_does(rule: type[Rule]) -> None:
    """The `## Example` printed by `explain` is flagged and `## Use instead` is not (both are
    scanned under the path of the rule's first Bad example)."""
    sections = rule.doc_sections()
    bad = next(e for e in rule.examples if isinstance(e, Bad))
    example = scan_files({**bad.files, bad.path: _block(sections["Example"])}, select=[rule.id])
    assert [f for f in example.findings if f.path == bad.path], f"{rule.id}: ## Example is not flagged"
    fixed = scan_files({**bad.files, bad.path: _block(sections["Use instead"])}, select=[rule.id])
    assert not [f for f in fixed.findings if f.path == bad.path], \
        f"{rule.id}: ## Use instead is flagged"
