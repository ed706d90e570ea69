"""Document.has_any: the per-file keyword memo gives the same answers as a plain search."""

from __future__ import annotations

import itertools

from scanner.model.document import Document

WORDS = ("secret", "token", "passw", "webhook", "scope", "bearer", "xox", "http")


def test_memoized_answers_match_a_plain_search_in_any_order() -> None:
    text = "Client_SECRET = os.environ['X']\nscopes = ['a']\n# Bearer words\n"
    lower = text.lower()
    for size in (1, 2, 3):
        file = Document("app.py", text)  # one file across all queries: the memo fills up
        for keywords in itertools.permutations(WORDS, size):
            assert file.has_any(keywords) == any(k in lower for k in keywords), keywords
            assert file.has_any(iter(keywords)) == any(k in lower for k in keywords), keywords


def test_empty_keywords_match_nothing() -> None:
    file = Document("app.py", "token")
    assert file.has_any(()) is False
    assert file.has_any(("token",)) is True
    assert file.has_any(("nothing", "token")) is True
    assert file.has_any(("nothing",)) is False
