"""The scope reader walks only the statements that may hold a request (their code holds a scope
key, an offline key or a positional client's name): the same facts as a walk of every statement,
wherever a request hides (an `elif` after others, a lambda, a decorator, a class decorator)."""

from __future__ import annotations

import pytest

from scanner.code import ir
from scanner.facts.scopes import ScopeExtractor, ScopeRequest, code
from scanner.model.document import Document

_MODULE = '''import sentry_sdk


def report(job):
    sentry_sdk.set_tag("job", job.name)
    return [step.run() for step in job.steps if step.enabled]


def login(kind, client):
    if kind == "a":
        pass
    elif kind == "b":
        pass
    elif kind == "c":
        return client.authorize(scope="repo admin:org")
    sort = kind or "date"
    paginate(count=lambda: client.count(scope=sort))


@oauth.require(scope="gist")
def gists(request):
    return request.user


@register(default_scopes=["calendar"])
class Calendar:
    def events(self):
        return self.fetch()


flow = Flow.from_client_secrets_file("client.json", ["drive"])
auth_url = flow.authorization_url(access_type="offline")
'''
_JS = '''export function track(monitor) {
  monitor.configureScope((s) => s.setTag("page", "home"));
  return monitor.flush();
}

export const login = (msal) => msal.loginPopup({ scopes: ["User.Read"] });
'''


def _requests(path: str, text: str, *, every_statement: bool,
              monkeypatch: pytest.MonkeyPatch) -> list[ScopeRequest]:
    with monkeypatch.context() as patch:
        if every_statement:
            patch.setattr(code._RequestWords, "holds_one", lambda self, statement: True)
        return [f for f in ScopeExtractor().extract(Document(path, text))
                if isinstance(f, ScopeRequest)]


@pytest.mark.parametrize(("path", "text", "origins"), [
    ("app/auth.py", _MODULE, {"client.authorize(scope=)", "client.count(scope=)", "oauth.require(scope=)",
                              "register(default_scopes=)", "Flow.from_client_secrets_file(scopes)",
                              "flow.authorization_url(access_type=)"}),
    ("src/auth.js", _JS, {'msal.loginPopup({"scopes": ...} payload)'}),
])
def test_the_requests_are_those_of_a_walk_of_every_statement(
        path: str, text: str, origins: set[str], monkeypatch: pytest.MonkeyPatch) -> None:
    found = _requests(path, text, every_statement=False, monkeypatch=monkeypatch)
    assert {request.origin for request in found} == origins
    assert found == _requests(path, text, every_statement=True, monkeypatch=monkeypatch)


def test_statements_without_a_request_word_are_not_walked() -> None:
    document = Document("app/auth.py", _MODULE)
    assert document.code is not None
    words = code._RequestWords(document)
    walked = list(words.statements(document.code.body))
    assert {s.function.name for s in walked if isinstance(s, ir.FunctionDef)} == {"login", "gists"}
    calendar = next(s for s in walked if isinstance(s, ir.ClassDef))
    assert list(words.statements(calendar.cls.body)) == []  # its decorator asks, not its methods
