"""The IBM detectors read only windows around their key words (a fast path): the same matches as
detect-secrets' patterns over the whole line, on fuzzed lines, and a key in a 5 MB bundle found
through the CLI. Also the two facts the windows rest on: each pattern's longest match, and which
characters case-insensitive matching takes for an ASCII letter."""

from __future__ import annotations

import random
import re
import string
import sys
from pathlib import Path

import pytest

from scanner.facts.secrets import detect_secrets_plugins as plugins
from scanner.lazy import detect_secrets_module
from tests.gitrepo import Repo

IBM_KEY = "Qm9vN2tXc3JlZ0ZhbHNlUG9zaXRpdmVTaWduYXR1cmUx"  # 44 characters, a dummy
COS_SECRET = "9f3b7c1e8a2d4f6b0c9e7a1d3f5b8c2e4a6d0f9b1c3e5a7d"  # 48 hex characters, a dummy


def _detector(name: str) -> type:
    module = {"IbmCloudIamDetector": "ibm_cloud_iam", "IbmCosHmacDetector": "ibm_cos_hmac"}[name]
    detector: type = getattr(detect_secrets_module(f"detect_secrets.plugins.{module}"), name)
    return detector


def _parser() -> object:
    if sys.version_info >= (3, 11):
        import re._parser as parser  # type: ignore[import-not-found]
    else:  # pragma: no cover - Python 3.10
        import sre_parse as parser
    return parser


@pytest.mark.parametrize("name", sorted(plugins._KEYED))
def test_each_keyed_pattern_is_shorter_than_its_reach(name: str) -> None:
    """With space runs cut to two (as `_matches` cuts them), every match is at most the reach
    minus the look-ahead allowance: the windows hold every match whole."""
    _, reach, _ = plugins._KEYED[name]
    for pattern in _detector(name).denylist:
        assert "(?: *)" in pattern.pattern  # so `_matches` cuts long space runs first
        bounded = pattern.pattern.replace("(?: *)", "(?: {0,2})").replace("| +|", "| {1,2}|")
        assert " *" not in bounded and " +" not in bounded
        _, longest = _parser().parse(bounded, pattern.flags).getwidth()  # type: ignore[attr-defined]
        assert longest <= reach - 8, (name, longest)


def test_the_fold_table_names_every_character_taken_for_an_ascii_letter() -> None:
    """Every code point beyond ASCII that `[a-z]` matches case-insensitively is in the table, and
    `folded` turns it (and nothing else) into an ASCII letter, one character for one."""
    letter = re.compile("[a-z]", re.IGNORECASE)
    taken = set()
    for code in range(0x80, sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        low = plugins.folded(char)
        assert len(low) == 1, hex(code)
        if letter.fullmatch(char):
            taken.add(char)
            assert re.fullmatch(low, char, re.IGNORECASE), hex(code)
        else:
            assert not ("a" <= low <= "z"), hex(code)
    assert taken == set(plugins.FOLDS_TO_ASCII)


FRAGMENTS = (
    "ibm_cloud_iam_api_key", "IBM-COS-HMAC-secret_access_key", "cloud_iam_token", "iam_pwd",
    "api_key", "KEY", "Pass", "password", "secretkey", "secret-access-key", "\u212aey",
    "pa\u017f\u017f", "\u0130bm", "to\u212aen", " = ", "=", ":", ":=", "=>", "::", " ", "  ",
    "   ", "      ", "\"", "'", "[", "]", ",", ";", "(", ")", "\n", IBM_KEY, COS_SECRET,
    IBM_KEY + "x", IBM_KEY[:40], "\u00e9\u4e2d", "function(e){return e}", "var a=",
    f'api_key = "{IBM_KEY}"', f"ibm_iam_pwd:{IBM_KEY}", f"\u212aey={IBM_KEY}",
    f"pa\u017f\u017f => '{IBM_KEY}'", f"secret_access_key     =  '{COS_SECRET}'",
    f"cos_hmac_secret_key:{COS_SECRET}", f"\u0130BM_TOKEN   {IBM_KEY}",
)


def _line(rng: random.Random, fragments: tuple[str, ...] = FRAGMENTS, pieces: int = 400,
          run: int = 300) -> str:
    """Up to `pieces` pieces: mostly `fragments`, else runs of up to `run` name characters."""
    parts = []
    for _ in range(rng.randrange(1, pieces)):
        if rng.random() < 0.7:
            parts.append(rng.choice(fragments))
        else:
            parts.append("".join(rng.choice(string.ascii_letters + string.digits + "_-")
                                 for _ in range(rng.randrange(1, run))))
    return "".join(parts)


def _found(name: str, pattern: re.Pattern[str], line: str, lower: str | None = None,
           ) -> list[tuple[int, int, str]]:
    return [(shift(match.start()), shift(match.end()), match.group())
            for match, shift in plugins._matches(name, pattern, line, lower)]


@pytest.mark.parametrize("name", sorted(plugins._KEYED))
def test_windows_find_what_the_whole_line_finds(name: str) -> None:
    """Fuzzed lines of key words, operators, space runs, values and characters that fold to
    ASCII: the windowed matches (with and without the caller's lowered line) equal the whole
    line's (an unknown detector name takes the whole-line path)."""
    rng = random.Random(1715)
    matched = 0
    for _ in range(600):
        line = _line(rng)
        for pattern in _detector(name).denylist:
            whole = _found("whole-line", pattern, line)
            assert _found(name, pattern, line) == whole, line
            assert _found(name, pattern, line, line.lower()) == whole, line
            matched += bool(whole)
    assert matched > 100  # the fuzz plants keys often enough to compare something


def _bundle(rng: random.Random, size: int) -> str:
    """A minified bundle's one line: functions, key words and base64 runs."""
    chunks = []
    total = 0
    while total < size:
        blob = "".join(rng.choice(("iVBORw0KGgo", "AAAANSUhEUg", "+/", "x9Zq")) for _ in range(12))
        chunk = (f'function c{total}(e,t){{return e.key===t.token||e.password?"{blob}":null}}'
                 f'var s{total}={{secret:t.pass,apiKey:e}};')
        chunks.append(chunk)
        total += len(chunk)
    return "".join(chunks)


def test_a_key_in_a_5_mb_bundle_is_found(tmp_path: Path) -> None:
    """A real IBM Cloud IAM key in the middle of a one-line 5 MB bundle full of key words."""
    rng = random.Random(7)
    half = _bundle(rng, 2_500_000)
    line = f'{half}var ibm_cloud_iam_api_key = "{IBM_KEY}";{half}'
    assert len(line) > 5_000_000
    repo = Repo(tmp_path / "repo")
    repo.write("static/app.min.js", line + "\n")
    repo.commit("bundle")
    _, report = repo.run("scan", ".", "--select", "SH1", "--no-cache")
    column = line.index(IBM_KEY) + 1
    assert [(f["path"], f["line"], f["column"], f["rule"]) for f in report["findings"]] == [
        ("static/app.min.js", 1, column, "SH106")]


def test_chance_literals_are_read_by_their_head_with_the_same_tokens() -> None:
    """Four base64 characters starting a format's head (`EAAA`, `AKIA`) run in the compiled pass
    as the head, not the bare literal, so a source map's thousands of `EAAA` segments report
    nothing: on mappings around each example token, the one pass and the fallback search agree."""
    from scanner.facts.secrets import formats
    from scanner.facts.secrets.analysis import _one_pass
    from scanner.model.document import Document

    shipped = formats.shipped()
    one_pass = _one_pass(shipped)
    assert one_pass is not None
    chance = [item for item in shipped.prefixed
              if item.id not in shipped.by_literal and item.id not in shipped.by_anchor_only
              and len(formats._anchor(item)) >= 4]
    assert {"square-access-token", "aws-access-key-id"} <= {item.id for item in chance}
    rng = random.Random(3)
    found = 0
    for item in chance:
        for token in item.examples.positive:
            mappings = ";".join(",".join(rng.choice(("EAAA", "CAAC", "AAAA", "AKIA", "EAAAA"))
                                         for _ in range(20)) for _ in range(20))
            key = item.context_words[0] if item.context_words else "v"
            text = f'{{"mappings":"{mappings}","{key}":"{token}"}}\n'
            document = Document("static/app.js.map", text)
            _, hits = one_pass.scan(document.utf8)
            assert len(hits) < 100  # the segments are not reported one by one
            accelerated = [(t.format.id, t.start, t.end) for t in formats.from_hits(document, shipped, hits)]
            searched = [(t.format.id, t.start, t.end) for t in formats.by_search(document, shipped)]
            assert accelerated == searched, item.id
            found += any(format_id == item.id for format_id, _, _ in accelerated)
    assert found >= len(chance)


@pytest.mark.parametrize(("name", "value"), [("IbmCloudIamDetector", "secret"),
                                             ("IbmCosHmacDetector", "password")])
def test_each_value_run_spells_out_the_characters_of_the_detectors_value(name: str,
                                                                         value: str) -> None:
    """The windows' value run (a case-sensitive class, faster) holds exactly the characters the
    detector's value class matches case-insensitively, code point by code point, at its length."""
    shape = re.match(r"\((?P<chars>\[[^\]]+\])(?P<length>\{\d+\})", getattr(_detector(name), value))
    assert shape is not None
    their_class = re.compile(shape.group("chars"), re.IGNORECASE)
    run = plugins._KEYED[name][2].pattern
    our_class = re.compile(run[len("(?<!"):run.index("]") + 1])
    assert shape.group("length") in run
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        assert bool(our_class.fullmatch(char)) == bool(their_class.fullmatch(char)), hex(code)
