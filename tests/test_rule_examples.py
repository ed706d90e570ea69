"""Every rule's documented examples run as tests; every rule has complete docs and a unique id."""

from __future__ import annotations

import re

import pytest

from scanner.registry import RULES
from scanner.rules import DOC_SECTIONS, Bad, Good
from tests.support import scan_files

EXAMPLES = [(rule, index, example) for rule in RULES for index, example in enumerate(rule.examples)]


def test_registry_is_not_empty() -> None:
    assert len(RULES) >= 1


def test_rule_ids_and_names_are_unique_and_well_formed() -> None:
    ids = [r.id for r in RULES]
    names = [r.name for r in RULES]
    assert len(ids) == len(set(ids))
    assert len(names) == len(set(names))
    for rule in RULES:
        assert re.fullmatch(r"SH[1-4]\d\d", rule.id), rule.id
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", rule.name), rule.name
        assert int(rule.id[2]) == {"secret": 1, "scope": 2, "webhook": 3, "oauth": 4}[rule.category.value]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_docs_and_examples(rule: type) -> None:
    sections = rule.doc_sections()
    for section in DOC_SECTIONS:
        assert sections.get(section, "").strip(), f"{rule.id} lacks '## {section}'"
    assert any(isinstance(e, Bad) for e in rule.examples), f"{rule.id} has no Bad example"
    assert any(isinstance(e, Good) for e in rule.examples), f"{rule.id} has no Good example"
    assert all(k == k.lower() for k in rule.keywords), f"{rule.id} keywords must be lower-case"


@pytest.mark.parametrize(("rule", "index", "example"), EXAMPLES,
                         ids=[f"{r.id}-{i}-{type(e).__name__}" for r, i, e in EXAMPLES])
def test_rule_example(rule: type, index: int, example: Bad | Good) -> None:
    files = {**example.files, example.path: example.code}
    result = scan_files(files, select=[rule.id])
    hits = [f for f in result.findings if f.rule == rule.id and f.path == example.path]
    if isinstance(example, Bad):
        assert hits, f"{rule.id} example {index} should be flagged:\n{example.code}"
    else:
        assert not hits, f"{rule.id} example {index} should not be flagged: {[f.message for f in hits]}"
    assert not [e for e in result.summary.errors if "failed" in e], result.summary.errors
