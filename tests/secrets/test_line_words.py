"""The per-line passes read where their words stand from one compiled pass over a long line
(issue #15): the same places, gates and findings as the lowered line's searches, on fuzzed lines
of key words and characters that lower or match unlike ASCII, and through the CLI in bundles."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from scanner.facts.secrets import analysis, syntax
from scanner.facts.secrets.detect_secrets_plugins import FOLDS_TO_ASCII
from tests.secrets.test_long_lines import SECRET, scan, where
from tests.secrets.test_windowed_matching import _detector, _line

# Key words in several cases and shapes, the header words, and characters that trip a byte
# search: dotless i and long s (IGNORECASE takes them for ASCII letters), an emoji (four UTF-8
# bytes), a lone surrogate, CJK characters whose wider encodings hold the bytes of `key`.
WORD_FRAGMENTS = (
    "secret", "SECRET", "Token", "tOkEn", "password", "PASS", "pwd", "Key", "api_key",
    "credential", "Credentials", "_pat", "GITHUB_PAT", "bearer ", "Bearer ", "Authorization: ",
    "authorization=", "auth=(", "auth = (", "HTTPBasicAuth(", "HTTPDigestAuth(", "OAuth(",
    "author", "private key", "PuTTY-User", "https://", "eyJ", "ibm", "Artifactory", "cloudant",
    "_authToken", "SoftLayer", "tok\u0131n", "pa\u017f\u017f",
    "authorızation", "\U0001f511", "\udc80", "\u6b00\u6500\u7900\u4e00", "\u00e9", " ", "=", ":",
    "'", '"', "`", "(", ")", ",", "\\", "&", "?", "<", ">", "/", SECRET, f'"{SECRET}"',
    f"'{SECRET}', '{SECRET}')", "token " + SECRET, f"Authorization: token {SECRET}",
    f"authorızation: token {SECRET}",
)


# On one line in ten: the Kelvin sign and dotted I lower to ASCII, so the line is read the
# lowered way.
LOWERED_TO_ASCII = ("\u212aey", "\u0130")


def _word_line(rng: random.Random) -> str:
    fragments = WORD_FRAGMENTS + LOWERED_TO_ASCII if rng.random() < 0.1 else WORD_FRAGMENTS
    return _line(rng, fragments, pieces=120, run=40)


def _places(lower: str, word: str) -> list[int]:
    found = []
    index = lower.find(word)
    while index != -1:
        found.append(index)
        index = lower.find(word, index + 1)
    return found


def _lines() -> list[str]:
    rng = random.Random(1515)
    return [_word_line(rng) for _ in range(1_500)]


def test_the_word_pass_places_and_holds_words_as_the_lowered_line_shows_them() -> None:
    """Every placed word at the offsets `line.lower()` shows it, every word held as `in` says;
    no place across UTF-32 code units; no words for a line that lowers to ASCII elsewhere."""
    word_pass = analysis._word_pass()
    for line in _lines():
        words = word_pass.words(line)
        if "\u212a" in line or "\u0130" in line:
            assert words is None, ascii(line)
            continue
        assert words is not None
        lower = line.lower()
        for word in analysis._PLACED_WORDS:
            assert words.at[word] == _places(lower, word), (word, ascii(line))
        for word in (*analysis._PLACED_WORDS, *analysis._HELD_WORDS):
            assert words.has(word) == (word in lower), (word, ascii(line))
        assert analysis._Line(1, line, None).held == words.held  # a short line's set alike
    trap = word_pass.words("\u6b00\u6500\u7900\u4e00 = 'x'")
    assert trap is not None and trap.at["key"] == [] and not trap.has("key")


def _bearer_everywhere(line: str) -> list[tuple[str, int, int]]:
    """The header values as each pattern's search over the whole line finds them."""
    lower = line.lower()
    return [(match.group("value"), match.start("value"), match.end("value"))
            for word, pattern in (("bearer", syntax.BEARER),
                                  ("authorization", syntax.AUTHORIZATION_TOKEN))
            if word in lower for match in pattern.finditer(line)]


@pytest.mark.parametrize("mode", [syntax.QUOTED, syntax.LOOSE])
def test_the_line_syntax_reads_the_same_from_words_as_from_the_lowered_line(mode: str) -> None:
    """Assignments (in and out of env files) and header values found from the word places equal
    those found by searching the lowered line, and those of the plain call."""
    word_pass = analysis._word_pass()
    compared = 0
    for line in _lines():
        words = word_pass.words(line)
        if words is None:
            continue
        lower = line.lower()
        for env in (False, True):
            searched = list(syntax.find_assignments(line, mode, env=env, lower=lower))
            assert list(syntax.find_assignments(line, mode, env=env, words=words)) == searched
            assert list(syntax.find_assignments(line, mode, env=env)) == searched
            compared += len(searched)
        bearer = _bearer_everywhere(line)
        assert list(syntax.find_bearer(line, lower)) == bearer
        assert list(syntax.find_bearer(line, words=words)) == bearer
        assert list(syntax.find_bearer(line)) == bearer
        compared += len(bearer)
    assert compared > 500  # the fuzz finds values often enough to compare something


def test_anchored_matching_finds_what_finditer_finds() -> None:
    """The header and basic-auth patterns tried only where their words stand give finditer's
    matches, dotless i (which IGNORECASE reads as `i`) included."""
    for line in _lines():
        whole = [m.span() for m in syntax.BASIC_AUTH.finditer(line)]
        places = syntax._basic_auth_places(line, None)
        assert [m.span() for m in syntax.anchored(syntax.BASIC_AUTH, line, places)] == whole
        lower = line.lower()
        for word, pattern in (("bearer", syntax.BEARER),
                              ("authorization", syntax.AUTHORIZATION_TOKEN)):
            if word in lower and "\u0131" not in line and len(lower) == len(line):
                anchored = syntax.anchored(pattern, line, _places(lower, word))
                assert [m.span() for m in anchored] == [m.span() for m in pattern.finditer(line)]


def test_the_shape_gate_holds_every_line_an_ibm_detector_matches() -> None:
    """The IBM detectors run only where a run of exactly their value's length stands (or, on a
    line with a character taken for an ASCII letter, any run of the value's ASCII characters, as
    before): every line where a detector matches and the former gate let it run passes."""
    rng = random.Random(44)
    searched = [re.compile(pattern.pattern) for pattern in analysis._SHAPES.patterns]
    former = [re.compile(r"[a-zA-Z0-9_\-]{44}"), re.compile(r"[a-fA-F0-9]{48}")]
    matched = 0
    for _ in range(800):
        line = _line(rng)
        present = analysis._SHAPES.present(line)
        assert present == {i for i, pattern in enumerate(searched) if pattern.search(line)}
        shapes = analysis._value_shapes(line)
        for name, shape in analysis._VALUE_SHAPES.items():
            for pattern in _detector(name).denylist:
                if pattern.search(line) and former[shape].search(line):
                    assert shape in shapes, (name, ascii(line))
                    matched += 1
    assert matched > 50
    kelvin = f'{"Qm9v" * 15} ibm_api_key = "{"Qm9vN2tXc3JlZ0ZhbHNlUG9zaXRpdmVTaWduYXR1cmU"}\u212a"'
    assert _detector("IbmCloudIamDetector").denylist[0].search(kelvin)
    assert 0 in analysis._value_shapes(kelvin) and 0 not in analysis._SHAPES.present(kelvin)


def test_the_characters_taken_for_ascii_letters_are_those_of_the_fold_table() -> None:
    """The line syntax's list is the detectors' fold table; of them, only the Kelvin sign and
    dotted I lower to a text holding an ASCII letter (the word pass leaves those lines alone)."""
    assert set(syntax.TAKEN_FOR_ASCII) == set(FOLDS_TO_ASCII)
    lowered = {char for char in syntax.TAKEN_FOR_ASCII if any(c.isascii() for c in char.lower())}
    assert lowered == set(syntax.LOWERED_TO_ASCII)


def _bundle(rng: random.Random, size: int, extra: str = "") -> str:
    """A minified bundle's one line full of key words (and `extra` characters)."""
    chunks = []
    total = 0
    while total < size:
        chunk = (f'function c{total}(e,t){{return e.key===t.token||e.password?"{extra}":'
                 f'Object.keys(e).auth}}var s{total}={{secret:t.pass,apiKey:e,author:"x"}};')
        chunks.append(chunk)
        total += len(chunk)
    rng.shuffle(chunks)
    return "".join(chunks)


@pytest.mark.parametrize("extra", ["", "\u00e9\U0001f511\u6b00", "\u212a"])
def test_credentials_in_a_long_bundle_line_are_found(tmp_path: Path, extra: str) -> None:
    """A client secret, a Bearer header and a basic-auth pair in one 600 kB line of an ASCII
    bundle, one with characters beyond ASCII and one with a Kelvin sign (read the lowered way)."""
    rng = random.Random(15)
    half = _bundle(rng, 300_000, extra)
    planted = (f'var client_secret="{SECRET}";fetch(u,{{headers:{{"Authorization":'
               f'"Bearer {SECRET[::-1]}"}}}});requests.get(u, auth=("svc", "{SECRET[3:]}x9"));')
    line = half + planted + half
    report = scan(tmp_path, {"static/app.min.js": line + "\n"})
    offset = len(half)
    assert where(report) == {
        ("static/app.min.js", 1, offset + planted.index(SECRET) + 1, "SH105"),
        ("static/app.min.js", 1, offset + planted.index(SECRET[::-1]) + 1, "SH105"),
        ("static/app.min.js", 1, offset + planted.index(f"{SECRET[3:]}x9") + 1, "SH110"),
    }


def test_a_pumped_line_is_read_the_lowered_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """More placed words on a line than the cap: the pass stops and gives no places (the line is
    lowered and searched, its places would outweigh it); held words never count."""
    monkeypatch.setattr(analysis, "_MAX_PLACES", 50)
    word_pass = analysis._word_pass()
    assert word_pass.words("key=1;" * 51) is None
    words = word_pass.words("key=1;" * 50 + "https://eyJ" * 1_000)
    assert words is not None and len(words.at["key"]) == 50 and words.has("eyj")


def test_a_password_after_more_key_words_than_the_cap_is_found(tmp_path: Path) -> None:
    """A bundle line with more key words than the word pass places: read the lowered way, the
    password planted at its end is still reported."""
    line = "k.key=1;" * (analysis._MAX_PLACES + 10) + f'var db_password="{SECRET}";'
    report = scan(tmp_path, {"static/app.min.js": line + "\n"})
    assert where(report) == {("static/app.min.js", 1, line.index(SECRET) + 1, "SH110")}
