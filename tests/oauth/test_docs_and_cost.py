"""SH4xx docs cite RFC 9700 sections; the family imports no parser at start-up, holds no module
of the old plugin shape, and scans its own code clean."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.rules import oauth
from scanner.rules.base import Rule
from tests.support import scan_files

ROOT = Path(__file__).resolve().parents[2]
# The RFC 9700 sections each rule cites (checked against the RFC's table of contents).
RFC9700_SECTIONS = {
    "SH401": ["2.6", "4.1"], "SH402": ["2.1.1", "4.5.3.1"], "SH403": ["2.1.1", "4.5"],
    "SH404": ["2.1", "4.7"], "SH405": ["2.1.2", "4.3.2"], "SH406": ["2.4"], "SH407": ["2.6"],
    "SH408": ["4.10", "4.14"], "SH409": ["4.10", "4.14"], "SH410": ["4.3.2", "4.2"],
    "SH411": ["4.10", "4.14"], "SH412": ["4.14", "2.2.2"], "SH413": ["4.14", "4.14.2"],
}


def test_family_shape() -> None:
    assert (oauth.FAMILY, oauth.SECTION, oauth.PREFIX) == ("oauth", "oauth", "SH4")
    assert [rule.id for rule in oauth.RULES] == [f"SH4{n:02d}" for n in range(1, 14)]
    assert all(rule.family == "oauth" for rule in oauth.RULES)


@pytest.mark.parametrize("rule", oauth.RULES, ids=lambda r: r.id)
def test_explain_cites_rfc9700_sections(rule: type[Rule]) -> None:
    result = CliRunner().invoke(cli, ["explain", rule.id])
    assert result.exit_code == 0, result.output
    references = result.output.split("## References", 1)[1]
    rfc9700 = " ".join(line for line in references.splitlines() if "RFC 9700" in line)
    for section in RFC9700_SECTIONS[rule.id]:
        assert re.search(rf"§{re.escape(section)}(?!\d|\.\d)", rfc9700), (rule.id, section)


def test_family_import_pulls_in_no_parser() -> None:
    code = ("import sys, scanner.rules.oauth, scanner.facts.oauth\n"
            "print(sorted(m for m in ('libcst', 'tree_sitter', 'yaml') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_plugin_modules_and_no_libcst_left() -> None:
    assert not list((ROOT / "scanner" / "plugins").glob("oauth*.py"))
    for folder in ("scanner/rules/oauth", "scanner/facts/oauth"):
        for path in (ROOT / folder).glob("*.py"):
            assert "libcst" not in path.read_text(encoding="utf-8"), path


def test_the_family_scans_its_own_modules_clean() -> None:
    files = {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
             for folder in ("scanner/rules/oauth", "scanner/facts/oauth", "scanner/facts")
             for path in sorted((ROOT / folder).glob("*.py"))}
    assert len(files) > 20
    result = scan_files(files, select=["SH4"])
    assert result.findings == []
