"""What the api-use analysis does not pay for: the line table of a file with a few calls, the
lines of a wheel's built JavaScript, catalogue patterns tried at every character. Each fast
way gives the same facts as the plain one."""

from __future__ import annotations

import re

import pytest

from scanner.facts.scopes import ApiUse, ApiUseExtractor, clients, model
from scanner.facts.scopes.catalog import load_catalog
from scanner.model.document import Document

_CALLS = ('import requests\n\nPEOPLE_URL = "https://api.example.com/api/v3/people"\n\n\n'
          'def sync(session):\n    session.get(PEOPLE_URL)\n'
          '    session.post("https://api.example.com/api/v3/payroll/runs", json={})\n'
          '    requests.delete(f"https://api.example.com/api/v3/people/{pid}")\n'
          '    return github.get("user/emails")\n')


def _uses(document: Document, *, counted: bool, monkeypatch: pytest.MonkeyPatch) -> list[ApiUse]:
    with monkeypatch.context() as patch:
        if not counted:
            plain = model.Positions.__init__

            def through_the_document(self: model.Positions, document: Document) -> None:
                plain(self, document)
                self.counted = False

            patch.setattr(model.Positions, "__init__", through_the_document)
        return [f for f in ApiUseExtractor().extract(document) if isinstance(f, ApiUse)]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_call_positions_are_the_documents_without_its_line_table(
        newline: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (_CALLS + "\n" * 3 + _CALLS).replace("\n", newline)
    counted = Document("app/sync.py", text)
    found = _uses(counted, counted=True, monkeypatch=monkeypatch)
    assert len(found) >= 8
    assert found == _uses(Document("app/sync.py", text), counted=False, monkeypatch=monkeypatch)
    assert {f.span[0] for f in found} == {7, 8, 9, 10, 20, 21, 22, 23}  # both copies' calls
    # Only a text with CRs needs the document's table of line starts.
    assert ("_line_starts" in counted.__dict__) == ("\r" in newline)


def test_built_javascript_is_passed_over_by_its_path_before_its_lines(
        monkeypatch: pytest.MonkeyPatch) -> None:
    built = 'fetch("https://api.example.com/v1/people");\n' * 2000
    document = Document("static/dist/app.4f2a9c1b.js", built)
    assert _uses(document, counted=True, monkeypatch=monkeypatch) == []
    assert "lines" not in document.__dict__  # a build directory: its text is not split
    assert _uses(Document("static/app.js", built), counted=True, monkeypatch=monkeypatch)


# `word(?<!\wword)` is `\bword` written so that Python's `re` skips ahead to the word.
_WORD_START = re.compile(r"(\w+)\(\?<!\\w\1\)")
_SDK_TEXTS = (
    "jira.issue('PRJ-1')\nmyjira.issue('x')\n_jira.create_issue(fields)\né jira.projects()\n"
    "confluence.get_page_by_id(1)\nxconfluence.cql('q')\n"
    "svc = build('drive', 'v3')\nrebuild('drive', 'v3')\nbuild(serviceName='sheets', version='v4')\n"
    "admin.graphql(query)\nsysadmin.graphql(q)\n"
    "client.chat.postMessage(x)\nmyclient.chat.postMessage(x)\nweb.users.list()\n"
    "app.client.conversations.history(c)\nwebapp.client.files.upload()\nnoweb.pins.add()\n"
)


def test_catalogue_sdk_patterns_start_with_their_word() -> None:
    """A pattern led by `\\b` is tried at every character of every file holding its needle."""
    for sdk in load_catalog().sdk:
        if sdk.needle in ("google.cloud", "vertexai", "salesforce", "jsforce"):
            continue  # rare needles: their `\b(?:from|import)` patterns are left readable
        assert not sdk.pattern_source.startswith("\\b"), sdk.pattern_source
        plain = _WORD_START.sub(r"\\b\1", sdk.pattern_source)
        written = [(m.span(), m.groups()) for m in sdk.pattern.finditer(_SDK_TEXTS)]
        assert written == [(m.span(), m.groups()) for m in re.finditer(plain, _SDK_TEXTS)]
    slack = next(s for s in load_catalog().sdk if s.pattern_source.startswith("(?:client"))
    assert [m.start() for m in slack.pattern.finditer(_SDK_TEXTS)] == [
        _SDK_TEXTS.index("client.chat"), _SDK_TEXTS.index("web.users"),
        _SDK_TEXTS.index("app.client"), _SDK_TEXTS.index("client.files")]


def test_client_calls_are_placed_as_the_document_places_them(monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("from hop import HopClient\n\nclient = HopClient(token)\n\n\ndef sync():\n"
            "    client.get_hop_intervals()\n    return client.save_hop_connection(1)\n"
            'EVENTS = {"events": ["pullrequest:fulfilled"]}\n')
    counted = Document("app/sync.py", text)
    found = list(clients.client_calls(counted))
    assert "_line_starts" not in counted.__dict__
    with monkeypatch.context() as patch:
        patch.setattr(model.Positions, "at", lambda self, offset: self.document.position(offset))
        assert found == list(clients.client_calls(Document("app/sync.py", text)))
    assert [f.span[0] for f in found] == [3, 7, 8, 9]
