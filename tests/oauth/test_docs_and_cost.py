"""SH4xx docs cite RFC 9700 sections; the family imports no parser at start-up and parses only
candidate files."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.model.document import Document
from scanner.plugins import oauth

# The RFC 9700 sections each rule cites (checked against the RFC's table of contents).
RFC9700_SECTIONS = {
    "SH401": ["2.6", "4.1"], "SH402": ["2.1.1", "4.5.3.1"], "SH403": ["2.1.1", "4.5"],
    "SH404": ["2.1", "4.7"], "SH405": ["2.1.2", "4.3.2"], "SH406": ["2.4"], "SH407": ["2.6"],
    "SH408": ["4.10", "4.14"], "SH409": ["4.10", "4.14"], "SH410": ["4.3.2", "4.2"],
    "SH411": ["4.10", "4.14"], "SH412": ["4.14", "2.2.2"],
}


def test_family_shape() -> None:
    assert oauth.SECTION == "oauth"
    assert [rule.id for rule in oauth.RULES] == [f"SH4{n:02d}" for n in range(1, 13)]
    assert all(rule.category.value == "oauth" for rule in oauth.RULES)


@pytest.mark.parametrize("rule", oauth.RULES, ids=lambda r: r.id)
def test_explain_cites_rfc9700_sections(rule: type) -> None:
    result = CliRunner().invoke(cli, ["explain", rule.id])
    assert result.exit_code == 0, result.output
    references = result.output.split("## References", 1)[1]
    rfc9700 = " ".join(line for line in references.splitlines() if "RFC 9700" in line)
    for section in RFC9700_SECTIONS[rule.id]:
        assert re.search(rf"§{re.escape(section)}(?!\d|\.\d)", rfc9700), (rule.id, section)


def test_plugin_import_pulls_in_no_parser() -> None:
    code = ("import sys, scanner.plugins.oauth\n"
            "print(sorted(m for m in ('libcst', 'tree_sitter', 'yaml', 'scanner.plugins.oauth_common')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_files_without_keywords_are_never_parsed() -> None:
    text = "import os\n\n\ndef main():\n    return os.getcwd()\n" * 50
    file = Document("tool.py", text)
    for rule_class in oauth.RULES:
        rule = rule_class()
        if rule.applies_to(file):
            list(rule.check(file))
    assert "python" not in file.__dict__


def test_keyword_without_precheck_match_is_not_parsed() -> None:
    # Mentions access_token (SH410's keyword) but builds no URL with it: no parse needed.
    file = Document("client.py", 'def refresh(token):\n    return token["access_token"]\n')
    rule = oauth.TokenInUrl()
    assert rule.applies_to(file)
    assert list(rule.check(file)) == []
    assert "python" not in file.__dict__


def test_every_keyword_has_a_root_and_roots_decide_like_keywords() -> None:
    for rule in oauth.RULES:
        for keyword in rule.keywords:
            assert any(root in keyword for root in oauth.KEYWORD_ROOTS), (rule.id, keyword)
    file = Document("app.py", 'URL = "https://x.io/?access_token=1"\nresp.set_cookie("sid", v)\n')
    for rule_class in oauth.RULES:
        rule = rule_class()
        expected = file.kind in (rule.kinds or {file.kind}) and file.has_any(rule.keywords)
        assert rule.applies_to(file) is expected, rule.id


def test_the_family_scans_its_own_modules_clean() -> None:
    from pathlib import Path

    from tests.support import scan_files

    root = Path(__file__).resolve().parents[2]
    files = {str(path.relative_to(root)): path.read_text(encoding="utf-8")
             for path in sorted((root / "scanner" / "plugins").glob("oauth*.py"))}
    result = scan_files(files, select=["SH4"])
    assert result.findings == []
