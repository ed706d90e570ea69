"""The secret family's cheap paths on real bundles (issue #15): a context word is reported only
where a token can follow it (no cap on its mentions), decoded runs are searched by the compiled
pass, and a run of `A`s is read once. Work is checked by counting reports and calls, never by a
clock; every token is a synthetic catalogue example."""

from __future__ import annotations

import base64
import random
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.facts.providers import catalogue
from scanner.facts.secrets import formats
from scanner.facts.secrets.analysis import _one_pass
from scanner.model.document import Document
from tests.gitrepo import Repo

CATALOGUE = catalogue()
SENTRY_TOKEN = CATALOGUE.by_id("sentry-auth-token-legacy").examples.positive[0]


def _accelerated() -> formats.FormatSet:
    shipped = formats.shipped()
    if _one_pass(shipped) is None:
        pytest.skip("Hyperscan is not installed here: only the fallback runs")
    return shipped


@pytest.mark.parametrize("layout", ["lines", "one-line bundle"])
def test_a_token_after_thousands_of_mentions_of_its_context_word_is_found(
        tmp_path: Path, layout: str) -> None:
    """Before, a file's 2,001st mention of `sentry` and the ones after were not read."""
    mention = "Sentry.captureException(error);"
    mentions = ("\n" if layout == "lines" else "").join([mention] * 5_000)
    newline = "\n" if layout == "lines" else ""
    text = f'{mentions}{newline}const SENTRY_AUTH_TOKEN = "{SENTRY_TOKEN}";\n'
    repo = Repo(tmp_path / "repo")
    repo.write("static/app.js", text)
    repo.commit()
    code, report = repo.run("scan", "--select", "SH1", "--no-cache")
    assert code == 1
    line = text.count("\n", 0, text.index(SENTRY_TOKEN)) + 1
    assert [(f["path"], f["line"], f["rule"]) for f in report["findings"]] == [
        ("static/app.js", line, "SH106")]
    assert not any("mentions of" in error for error in report["summary"]["errors"])


def test_a_context_word_is_reported_only_where_a_token_can_follow_it() -> None:
    """A bundle's mentions of context words with no token after them cost no report at all."""
    shipped = _accelerated()
    one_pass = _one_pass(shipped)
    assert one_pass is not None
    words = range(len(shipped.prefixed), len(shipped.prefixed) + len(shipped.context_words))
    bundle = "".join(f'{word}.init({{dsn:"{word}_url",id:{n}}});'
                     for n in range(200) for word in shipped.context_words)
    _, hits = one_pass.scan(bundle.encode())
    assert [hit for hit in hits if hit[0] in words] == []
    planted = f'{bundle}\nsentry_token = "{SENTRY_TOKEN}"\n'
    _, hits = one_pass.scan(planted.encode())
    assert len([hit for hit in hits if hit[0] in words]) == 1
    found = formats.from_hits(Document("app.js", planted), shipped, hits)
    assert [(t.format.id, t.value) for t in found] == [("sentry-auth-token-legacy", SENTRY_TOKEN)]


@pytest.mark.parametrize("gap", ['=', ' = "', '_AUTH_TOKEN: ', "Token => '", "_clé_accès = ",
                                 "-" * 150 + "=", "_" * 161 + "="])
def test_the_compiled_pass_and_the_fallback_agree_on_what_names_a_value(gap: str) -> None:
    """The gap between a word and its token, ASCII or not, long or too long for the reach."""
    shipped = _accelerated()
    one_pass = _one_pass(shipped)
    assert one_pass is not None
    for word in ("sentry", "SLACK", "Jira"):
        for item in shipped.by_context_word[word.lower()]:
            for token in item.examples.positive:
                document = Document("a.txt", f"x {word}{gap}{token}\n")
                _, hits = one_pass.scan(document.utf8)
                accelerated = [(t.format.id, t.start) for t in formats.from_hits(document, shipped, hits)]
                searched = [(t.format.id, t.start) for t in formats.by_search(document, shipped)]
                assert accelerated == searched, (word, gap, item.id)
                assert bool(accelerated) == (len(gap) <= formats.CONTEXT_REACH), (word, gap)


def _without_hyperscan(monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner.facts.secrets import analysis

    monkeypatch.setattr(formats, "_hyperscan", None)
    analysis._one_pass.cache_clear()
    formats._token_pass.cache_clear()


def test_a_decoded_run_gives_the_same_tokens_with_and_without_hyperscan(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A token inside a base64 data: URI of a bundle, found by the compiled pass in the decoded
    text (the fallback's regex is not run) and by the fallback alone, at the same place."""
    from scanner.facts.secrets import analysis

    _accelerated()
    hubspot = CATALOGUE.by_id("hubspot-private-app-token").examples.positive[0]
    payload = f'{{"sentry_auth_token": "{SENTRY_TOKEN}", "hubspot": "{hubspot}", "pad": "{"x" * 900}"}}'
    blob = base64.b64encode(payload.encode()).decode()
    bundle = f'var a=1;url("data:application/json;base64,{blob}");var b=2;\n'
    searched: list[int] = []
    original = formats.search_text

    def counted(text: str, shipped: formats.FormatSet, depth: int) -> list[formats.Token]:
        searched.append(len(text))
        return original(text, shipped, depth)

    monkeypatch.setattr(formats, "search_text", counted)
    reports = []
    for accelerated in (True, False):
        if not accelerated:
            _without_hyperscan(monkeypatch)
        repo = Repo(tmp_path / f"repo-{accelerated}")
        repo.write("static/app.min.js", bundle)
        repo.commit()
        code, report = repo.run("scan", "--select", "SH1", "--no-cache")
        assert code == 1
        reports.append([(f["line"], f["column"], f["end_column"], f["rule"]) for f in report["findings"]])
        if accelerated:
            assert searched == []
    analysis._one_pass.cache_clear()
    formats._token_pass.cache_clear()
    assert searched
    assert reports[0] == reports[1] == [(1, bundle.index(blob) + 1, bundle.index(blob) + len(blob) + 1,
                                         "SH106")]


DROPBOX = "9naHVck6pbdAAAAAAAAAAsVEoR7TJYHSDATOCN1D61_k7U4O5Zi_czrwcK-tmoYg"  # random, a dummy


def test_a_megabyte_run_of_as_in_a_bundle_is_read_once(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Base64 of zero bytes holds Dropbox's keyword (`AAAAAAAAAA`) at every place: the run is
    reported once and read in one search (before: a report and a read per character), and a
    token after it is still found."""
    _accelerated()
    reads: list[str] = []
    original = formats.FormatSet.tokens_at

    def counted(self: formats.FormatSet, text: str, item: object, *args: object) -> object:
        reads.append(getattr(item, "id", ""))
        return original(self, text, item, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(formats.FormatSet, "tokens_at", counted)
    run = "A" * 1_000_000
    bundle = f'var f="data:font/woff2;base64,d09GMgABAAAA{run}";\nconst dropbox_token = "{DROPBOX}";\n'
    repo = Repo(tmp_path / "repo")
    repo.write("static/fonts.min.js", bundle)
    repo.commit()
    code, report = repo.run("scan", "--select", "SH1", "--no-cache", "--jobs", "1")
    assert code == 1
    assert [(f["line"], f["rule"]) for f in report["findings"]] == [(2, "SH106")]
    assert reads.count("dropbox-long-lived-access-token") == 2  # the run, the token


@pytest.mark.parametrize("before", ["", "AA", "A" * 11, "x" + "A" * 30])
def test_a_keyword_inside_a_longer_run_is_found_by_both_paths(before: str) -> None:
    """The Dropbox keyword reported at its run's start: a token whose keyword the run holds
    anywhere is found as the fallback finds it."""
    shipped = _accelerated()
    one_pass = _one_pass(shipped)
    assert one_pass is not None
    head, rest = DROPBOX[:11], DROPBOX[11:]
    token = (head[:11 - len(before)] + before)[-11:] + rest if before else DROPBOX
    for text in (f'dropbox = "{token}"\n', f"{'A' * 5000},dropbox:{token},{'A' * 5000}\n",
                 f"é dropbox {token}\n"):
        document = Document("a.txt", text)
        _, hits = one_pass.scan(document.utf8)
        accelerated = [(t.format.id, t.start) for t in formats.from_hits(document, shipped, hits)]
        searched = [(t.format.id, t.start) for t in formats.by_search(document, shipped)]
        assert accelerated == searched == [("dropbox-long-lived-access-token", text.index(token))]


@pytest.mark.parametrize("prefix", ["", "é "])
def test_chance_mentions_in_a_long_base64_run_are_reported_a_few_times_and_read_the_same(
        prefix: str) -> None:
    """A context word met by chance in a base64 run (`aWs` in an embedded font) was reported at
    every end a head could have after it: 160 reports a mention, half a million in pdf.js's
    bundles, each read in Python. Its reports are thinned to a few per run of touching windows,
    and the tokens are those the fallback (which reads every mention) finds."""
    shipped = _accelerated()
    one_pass = _one_pass(shipped)
    assert one_pass is not None
    words = range(len(shipped.prefixed), len(shipped.prefixed) + len(shipped.context_words))
    aws = CATALOGUE.by_id("aws-secret-access-key").examples.positive[0]
    chance = random.Random(15)
    alphabet = string.ascii_letters + string.digits + "+/"
    blob = "".join(chance.choice(alphabet) for _ in range(60_000))
    # 20 chance mentions, 3,000 characters apart, in any case.
    run = "".join(blob[at:at + 3_000] + chance.choice(("aws", "AWS", "aWs"))
                  for at in range(0, len(blob), 3_000))
    texts = [f'{prefix}x = "{run}"\n',
             f'{prefix}x = "{run}";aws_secret = "{aws}"\n',
             f'{prefix}["{run[:30_000]}",AWS_KEY="{aws}","{run[30_000:]}"]\n',
             f'{prefix}{run[:30_000]}aws{aws}aws{aws}{run[30_000:]}\n']
    for text in texts:
        document = Document("static/fonts.js", text)
        _, hits = one_pass.scan(document.utf8)
        reports = [hit for hit in hits if hit[0] in words]
        assert 20 <= len(reports) <= 3 * (20 + 3), len(reports)  # unthinned: over 3,000
        accelerated = [(t.format.id, t.start) for t in formats.from_hits(document, shipped, hits)]
        searched = [(t.format.id, t.start) for t in formats.by_search(document, shipped)]
        assert accelerated == searched, text[:40]
    # The named tokens are found (after the run, and between two of its halves).
    for text in texts[1:3]:
        document = Document("static/fonts.js", text)
        _, hits = one_pass.scan(document.utf8)
        found = [t.value for t in formats.from_hits(document, shipped, hits)
                 if t.format.id == "aws-secret-access-key"]
        assert aws in found, text[-80:]


def test_thinned_context_reports_read_what_every_report_reads() -> None:
    """Random runs of base64, context words in any case, gaps and planted tokens: the compiled
    pass (its context reports thinned) and the fallback (every mention read) find the same
    tokens at the same places."""
    shipped = _accelerated()
    one_pass = _one_pass(shipped)
    assert one_pass is not None
    aws = CATALOGUE.by_id("aws-secret-access-key").examples.positive[0]
    pieces = st.sampled_from(["aws", "AWS", "aWs", "sentry", "jira", "=", ' = "', '"', "\n", "é",
                              aws, SENTRY_TOKEN, "x" * 37, "Ab9+/" * 9, "_secret_key"])
    runs = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                   min_size=0, max_size=400)

    @settings(max_examples=150, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.one_of(pieces, runs), min_size=1, max_size=40))
    def check(parts: list[str]) -> None:
        document = Document("static/app.js", "".join(parts))
        _, hits = one_pass.scan(document.utf8)
        accelerated = [(t.format.id, t.start) for t in formats.from_hits(document, shipped, hits)]
        searched = [(t.format.id, t.start) for t in formats.by_search(document, shipped)]
        assert accelerated == searched

    check()


def test_a_named_token_in_the_middle_of_a_long_run_of_chance_reports_is_found() -> None:
    """Chance mentions every 100 characters make one run of touching report windows, thousands
    of characters long; a token named by the word in its middle is read, as the fallback reads
    it: the reports kept between the run's ends are never further apart than a window."""
    shipped = _accelerated()
    one_pass = _one_pass(shipped)
    assert one_pass is not None
    aws = CATALOGUE.by_id("aws-secret-access-key").examples.positive[0]
    chance = random.Random(16)
    alphabet = string.ascii_letters + string.digits
    chain = ["".join(chance.choice(alphabet) for _ in range(100)) + "aWs" for _ in range(30)]
    for at in (5, 15, 25):
        text = "".join(chain[:at]) + f'",aws_secret="{aws}","' + "".join(chain[at:]) + "\n"
        document = Document("static/fonts.js", text)
        _, hits = one_pass.scan(document.utf8)
        accelerated = [(t.format.id, t.start) for t in formats.from_hits(document, shipped, hits)]
        searched = [(t.format.id, t.start) for t in formats.by_search(document, shipped)]
        assert accelerated == searched
        assert ("aws-secret-access-key", text.index(aws)) in accelerated, at
