"""The one-pass keyword index gives the rules the same answers as searching word by word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner import keywords
from scanner.engine.plan import build_plan
from scanner.keywords import KeywordIndex
from scanner.model.document import Document
from tests.support import make_rules, scan_files, triples


def _index() -> KeywordIndex:
    """The keyword index of a plan with every rule."""
    return build_plan(make_rules(), {}).index

TOKENS = ("token", "client_secret", "x-hub-", ".post(", "verify=false", "secret-hygiene", "ya29.")
FIXTURES = Path(__file__).resolve().parent / "fixtures"

pytestmark = pytest.mark.skipif(keywords._hyperscan is None,
                                reason="hyperscan has no wheel for this platform (the fallback "
                                       "path is what every other test runs there)")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from([*TOKENS, *(t.upper() for t in TOKENS), "Token",
                                           "é", "\u212a", "\n", "tok", "en"]),
                          st.text(max_size=5)), max_size=30))
def test_present_matches_substring_search(parts: list[str]) -> None:
    text = "".join(parts)
    index = keywords.KeywordIndex(TOKENS)
    expected = {t for t in TOKENS if t in text.lower()}
    found = index.present(text)
    # ASCII case-insensitive: a word spelt with the Kelvin sign is the only difference.
    assert found == expected or "\u212a" in text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from([*TOKENS, *(t.upper() for t in TOKENS), "Token",
                                           "é", "\n", "tok", "en"]),
                          st.text(max_size=5)), max_size=30))
def test_any_in_stops_at_the_first_token_with_the_full_passs_answer(parts: list[str]) -> None:
    """History's prefilter asks only whether a patch holds a token: the pass ends at the first
    match, and says yes exactly where the full pass finds one (and the fallback's substring
    search)."""
    data = "".join(parts).encode("utf-8", "surrogateescape")
    index = keywords.KeywordIndex(TOKENS)
    assert index.any_in(data) == bool(index.present_bytes(data)) \
        == any(t.encode() in data.lower() for t in TOKENS)


def test_words_outside_the_index_are_still_answered() -> None:
    file = Document("a.py", "Bearer TOKEN here\n")
    file.keyword_index = keywords.KeywordIndex(("token",))
    assert file.has_token("token") and file.has_any(("nothing", "bearer"))
    assert not file.has_any(("secret", "nothing"))


def test_surrogates_and_non_utf8_text_do_not_break_the_index() -> None:
    text = b"token = '\xff\xfe'\n".decode("utf-8", "surrogateescape")
    assert keywords.KeywordIndex(TOKENS).present(text) == {"token"}


def test_non_ascii_or_upper_case_words_are_left_to_the_fallback() -> None:
    index = keywords.KeywordIndex(("clé", "Token", "token"))
    assert index.tokens == {"token"}


def _fixture_files() -> dict[str, str]:
    files = {}
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".js", ".ts", ".tsx", ".yaml", ".yml", ".env",
                                              ".json", ".toml", ".cfg", ".ini", ".txt", ".html"}:
            try:
                files[str(path.relative_to(FIXTURES))] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
    return files


def test_scan_results_are_the_same_with_and_without_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    files = _fixture_files()
    assert len(files) > 50
    fast = scan_files(files)
    monkeypatch.setattr(keywords, "_hyperscan", None)
    monkeypatch.setattr(keywords, "_indexes", {})
    slow = scan_files(files)
    assert not _index().accelerated
    assert triples(fast.findings) == triples(slow.findings)
    assert len(triples(fast.findings)) > 100


def test_gates_give_the_same_answer_with_and_without_the_index(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A gate's words are answered from the one-pass index or word by word: the same documents
    pass every extractor's gate either way."""
    files = _fixture_files()
    plan = build_plan(make_rules(), {})
    assert plan.index.accelerated
    admitted = 0
    for path, text in files.items():
        fast, slow = Document(path, text), Document(path, text)
        fast.keyword_index = plan.index
        for planned in plan.extractors:
            answer = plan.admits(planned, fast)
            assert answer == plan.admits(planned, slow), (planned.extractor.name, path)
            admitted += answer
    assert admitted > 200


_KEYS = st.sampled_from(["client_secret", "TOKEN", "api_key", "password", "pwd", "secretKey",
                         "x", "discord_bot", "AUTH", "ibm_cloud_iam_key", "refresh_token"])
_SEPARATORS = st.sampled_from([" = ", "=", ": ", ":", " => ", ", ", " ", "=\"", "('", "(",
                               " " * 75 + "= ", "\t", " == ", ">", "\"]: ", "s = ", " ??= ",
                               " ||= ", ":= ", "::", "  "])
_QUOTES = st.sampled_from(['"', "'", "`", ""])
_VALUES = st.sampled_from(["9f3KpQ2LmX8vB7nR4tW1zY6a", "Xq7vB2nR4tW1zY6aKpQ2LmX8vB7nR4tW1zY6a9f3KpQ2",
                           "ghp_9f3KpQ2LmX8vB7nR4tW1zY6aQ2LmX8vB7nR4", "changeme", "é9f3KpQ2LmX8vB7nR4tW",
                           "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.SflKxwRJSMeKKF2QT4fwpMeJf36P",
                           "get_token()", "os.environ['X']"])
_AROUND = st.sampled_from(["", "    ", "# ", "// ", "é ", "Bearer ", "Authorization: Bearer ",
                           "https://user:", "@host/x", ")", ";", " # noqa", "ENV ", "  ARG ",
                           "--", "-", "<", "</x>", "?a=1&", "[", "]", "\\"])


@st.composite
def _code_line(draw: st.DrawFn) -> str:
    quote = draw(_QUOTES)
    return (draw(_AROUND) + draw(_KEYS) + draw(_SEPARATORS) + quote + draw(_VALUES) + quote
            + draw(_AROUND))


@settings(max_examples=800, deadline=None)
@given(st.lists(_code_line(), min_size=1, max_size=8),
       st.sampled_from(["app/settings.py", "web/src/auth.js", "conf/app.yaml", ".env",
                        "docs/notes.txt", "svc/app.ts", "Dockerfile", "conf/settings.xml",
                        "locale/de/django.po"]))
def test_candidate_lines_from_one_pass_match_the_word_search(lines: list[str], path: str) -> None:
    """The analysis finds the same candidates whether its lines come from the Hyperscan pass or
    from the word-by-word search (every pattern of the pass mirrors a gate of the analysis)."""
    from scanner.facts.secrets import analysis as secrets_analysis

    text = "\n".join(lines) + "\n"
    fast = Document(path, text)
    fast.keyword_index = _index()
    slow = Document(path, text)
    assert secrets_analysis.candidates(fast, {}) == secrets_analysis.candidates(slow, {})


def test_the_one_pass_lines_feed_real_candidates() -> None:
    from scanner.facts.secrets import analysis as secrets_analysis

    text = ('import os\nCLIENT_SECRET = "9f3KpQ2LmX8vB7nR4tW1zY6a"\nkey = compute()\n'
            'headers = {"Authorization": "Bearer Xq7vB2nR4tW1zY6aKpQ2LmX8vB7nR4"}\n')
    file = Document("app/settings.py", text)
    file.keyword_index = _index()
    one_pass = secrets_analysis._one_pass(secrets_analysis.formats.shipped())
    assert one_pass is not None
    line_starts, _ = one_pass.scan(file.utf8)
    lines = secrets_analysis._indexed_candidate_lines(file, line_starts, quoted=True, env=False)
    assert lines is not None and [n for n, _ in lines] == [2, 4]  # not `key = compute()`
    assert {c.line for c in secrets_analysis.candidates(file, {})} == {2, 4}


@pytest.mark.parametrize(("path", "line"), [
    ("conf/settings.xml", "<server><password>9f3KpQ2LmX8vB7nR4tW1zY6a</password></server>"),
    ("docs/deploy.txt", "run: deploy --db-password 9f3KpQ2LmX8vB7nR4tW1zY6a --fast"),
    ("Dockerfile", "ENV API_KEY 9f3KpQ2LmX8vB7nR4tW1zY6a"),
    ("docs/notes.txt", "see https://x.io/cb?a=1&client_secret=9f3KpQ2LmX8vB7nR4tW1zY6a"),
    ("conf/app.yaml", "db: {password: 9f3KpQ2LmX8vB7nR4tW1zY6a}"),
    ("conf/app.ini", "token ??= 9f3KpQ2LmX8vB7nR4tW1zY6a"),
    ("conf/app.yaml", "  secret: '9f3KpQ2LmX8vB7nR4tW1zY6a'  # prod"),
    ("docs/notes.txt", "Authorization: Bearer Xq7vB2nR4tW1zY6aKpQ2LmX8vB7nR4"),
    (".env", "SERVICE_CREDENTIAL=9f3KpQ2LmX8vB7nR4tW1zY6a"),
])
def test_loose_lines_each_pass_can_act_on_are_kept(path: str, line: str) -> None:
    from scanner.facts.secrets import analysis as secrets_analysis

    text = f"# header\n{line}\nnothing = here\n"
    fast = Document(path, text)
    fast.keyword_index = _index()
    found = secrets_analysis.candidates(fast, {})
    assert found == secrets_analysis.candidates(Document(path, text), {})
    assert [c.line for c in found] == [2], found


@pytest.mark.parametrize("raw", [
    b"client_secret = 'x'\n",
    b"\xef\xbb\xbfclient_secret = 'x'\n",  # UTF-8 with a BOM
    "client_secret = 'é'\n".encode("utf-16"),
    "client_secret = 'é'\n".encode("utf-32"),
    "client_secret = 'é'\n".encode("utf-32-be").join([b"\x00\x00\xfe\xff", b""]),
    b"client_secret = '\xff\xfe bad'\n",  # not UTF-8
])
def test_the_bytes_the_passes_search_are_the_text_as_utf8(
        tmp_path: Path, raw: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """scan_source hands the file's own bytes to the Hyperscan passes only when they are the
    UTF-8 of its text; files with a BOM are re-encoded."""
    from scanner.engine.runner import Settings, scan_source
    from scanner.facts.secrets import SecretsExtractor
    from scanner.sources import SourceFile

    target = tmp_path / "f.py"
    target.write_bytes(raw)
    seen: list[bytes] = []
    original = SecretsExtractor.extract

    def spy(self: SecretsExtractor, document: Document) -> object:
        seen.append(document.utf8)
        assert document.utf8 == document.text.encode("utf-8", "surrogateescape")
        return original(self, document)

    monkeypatch.setattr(SecretsExtractor, "extract", spy)
    scan_source(SourceFile(path="f.py", location=str(target), root=str(tmp_path)),
                build_plan(make_rules(["SH101"]), {}), Settings(max_size=1 << 20))
    assert seen


SHAPES = (r"[a-zA-Z0-9_\-]{44}", r"[a-fA-F0-9]{48}")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["a" * 44, "f0" * 24, "F" * 47, "-", "é", "\u212a",
                                           "\udc80", "\ud800", "\n", "0123456789abcdef"]),
                          st.text(max_size=8)), max_size=40))
def test_pattern_presence_answers_as_each_search_does(parts: list[str]) -> None:
    """The secrets pass's value shapes (IBM keys), found in one Hyperscan pass over the UTF-8
    bytes, are present exactly where `re.search` over the characters finds them."""
    text = "".join(parts)
    expected = {index for index, pattern in enumerate(SHAPES) if re.search(pattern, text)}
    assert keywords.PatternPresence(SHAPES).present(text) == expected
