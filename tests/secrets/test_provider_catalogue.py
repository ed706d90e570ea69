"""The provider catalogue (`scanner/data/providers/*.toml`): it loads and validates, covers every
provider our users integrate where a format is published, every pattern compiles into one
Hyperscan database with start-of-match reporting, its examples hold, and every pattern is linear."""

from __future__ import annotations

import dataclasses
import json
import re
import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from scanner.facts.providers import (
    KINDS,
    Catalogue,
    CatalogueError,
    ProviderFormat,
    catalogue,
    load_catalogue,
)

try:  # Python 3.11+
    import re._parser as sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse  # type: ignore[no-redef]

hyperscan = pytest.importorskip("hyperscan", reason="Hyperscan has wheels for Linux x86-64 only")

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = catalogue()
FORMATS = CATALOGUE.formats
IDS = [f.id for f in FORMATS]

# The providers issue #14 names, and the catalogue's provider names that cover each.
REQUIRED: dict[str, set[str]] = {
    "HubSpot": {"HubSpot"}, "Google": {"Google"},
    "Microsoft Entra/Azure": {"Microsoft Entra ID", "Microsoft Azure", "Azure DevOps"},
    "Slack": {"Slack"}, "GitHub": {"GitHub"}, "GitLab": {"GitLab"},
    "Bitbucket/Atlassian": {"Bitbucket", "Atlassian"}, "Salesforce": {"Salesforce"},
    "Shopify": {"Shopify"}, "Stripe": {"Stripe"}, "Okta": {"Okta"}, "Auth0": {"Auth0"},
    "Zoom": {"Zoom"}, "Dropbox": {"Dropbox"}, "Box": {"Box"}, "Notion": {"Notion"},
    "Linear": {"Linear"}, "Discord": {"Discord"}, "Twilio": {"Twilio"}, "SendGrid": {"SendGrid"},
    "Mailgun": {"Mailgun"}, "Mailchimp": {"Mailchimp"}, "OpenAI": {"OpenAI"},
    "Anthropic": {"Anthropic"}, "Hugging Face": {"Hugging Face"}, "npm": {"npm"}, "PyPI": {"PyPI"},
    "Docker Hub": {"Docker Hub"}, "AWS": {"AWS"}, "GCP service accounts": {"Google Cloud"},
    "DigitalOcean": {"DigitalOcean"}, "Heroku": {"Heroku"}, "Cloudflare": {"Cloudflare"},
    "Datadog": {"Datadog"}, "New Relic": {"New Relic"}, "Sentry": {"Sentry"},
    "PagerDuty": {"PagerDuty"}, "Asana": {"Asana"}, "Airtable": {"Airtable"}, "Figma": {"Figma"},
    "Intercom": {"Intercom"}, "Zendesk": {"Zendesk"}, "Square": {"Square"},
    "PayPal/Braintree": {"PayPal", "Braintree"}, "Plaid": {"Plaid"}, "Adyen": {"Adyen"},
    "Lucid": {"Lucid"}, "Lucca": {"Lucca"}, "Doppler": {"Doppler"},
}
# Named providers with no published token format, and why.
UNPUBLISHED = {
    "Lucid": "Lucid's REST API keys and OAuth tokens are opaque: its developer docs publish no "
             "prefix, length or alphabet to recognise them by",
    "Lucca": "Lucca API keys are opaque strings issued per client: no documented prefix or shape",
}

HS_FLAGS = 0  # patterns are case-sensitive as written; start of match is added below
BOUND = 5.0  # CPU seconds for all the 200 KB attacks on one pattern: linear ones take milliseconds
CPU_LIMIT = 900  # CPU seconds for the whole attack process: a hang breaker, not a timer


def test_the_catalogue_loads_with_at_least_150_formats() -> None:
    assert len(FORMATS) >= 150
    assert len(set(IDS)) == len(IDS)
    assert {f.kind for f in FORMATS} <= KINDS
    assert all(f.revoke.startswith("https://") and f.docs.startswith("https://") for f in FORMATS)


def test_every_named_provider_is_covered_or_has_no_published_format() -> None:
    present = CATALOGUE.providers
    missing = [name for name, names in REQUIRED.items() if not names & present and name not in UNPUBLISHED]
    assert not missing, f"providers without a format and without a reason: {missing}"
    stale = [name for name in UNPUBLISHED if REQUIRED[name] & present]
    assert not stale, f"listed as unpublished but present in the catalogue: {stale}"


def _hyperscan_database(patterns: list[str]) -> Any:
    database = hyperscan.Database()
    database.compile(expressions=[p.encode("ascii") for p in patterns], ids=list(range(len(patterns))),
                     elements=len(patterns), flags=[HS_FLAGS | hyperscan.HS_FLAG_SOM_LEFTMOST] * len(patterns))
    return database


def test_every_pattern_compiles_in_hyperscan_with_start_of_match() -> None:
    failed = []
    for item in FORMATS:
        try:
            _hyperscan_database([item.pattern])
        except hyperscan.error as exc:
            failed.append(f"{item.id}: {exc}")
    assert not failed, failed
    _hyperscan_database([f.pattern for f in FORMATS])  # and all of them as the one pass


def test_hyperscan_reports_every_positive_example_whole() -> None:
    database = _hyperscan_database([f.pattern for f in FORMATS])
    missed = []
    for index, item in enumerate(FORMATS):
        for token in item.examples.positive:
            if (index, 0, len(token)) not in _hyperscan_matches(database, token):
                missed.append(item.id)
    assert not missed, missed


def _hyperscan_matches(database: Any, text: str) -> set[tuple[int, int, int]]:
    found: set[tuple[int, int, int]] = set()

    def on_match(pattern: int, start: int, end: int, flags: int, context: object) -> None:
        found.add((pattern, start, end))

    database.scan(text.encode(), match_event_handler=on_match)
    return found


_NOT_PORTABLE = {"ASSERT": "lookaround", "ASSERT_NOT": "lookaround", "GROUPREF": "backreference",
                 "GROUPREF_EXISTS": "conditional", "MIN_REPEAT": "lazy quantifier",
                 "POSSESSIVE_REPEAT": "possessive quantifier", "ATOMIC_GROUP": "atomic group",
                 "AT": "anchor or \\b (use the boundary field)"}


def _walk(items: Any) -> Any:
    for op, arg in items:
        yield str(op), arg
        if str(op) in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            yield from _walk(arg[2])
        elif str(op) == "SUBPATTERN":
            yield from _walk(arg[-1])
        elif str(op) == "BRANCH":
            for alternative in arg[1]:
                yield from _walk(alternative)
        elif str(op) in {"ASSERT", "ASSERT_NOT"}:
            yield from _walk(arg[1])


def test_patterns_use_only_syntax_both_engines_share() -> None:
    problems = []
    for item in FORMATS:
        parsed = sre_parse.parse(item.pattern)
        if parsed.state.flags & ~re.UNICODE:
            problems.append(f"{item.id}: inline flags")
        problems += [f"{item.id}: {_NOT_PORTABLE[op]}" for op, _ in _walk(parsed) if op in _NOT_PORTABLE]
    assert not problems, problems


@pytest.mark.parametrize("item", FORMATS, ids=IDS)
def test_examples_hold_in_context(item: ProviderFormat) -> None:
    """Positives are found whole in the places tokens are written; negatives yield nothing."""
    for token in item.examples.positive:
        assert all(keyword in token.lower() for keyword in item.keywords)
        assert item.accepts(token)
        for line in (f'value = "{token}"', f"value: '{token}'", f"VALUE={token}", f"<v>{token}</v>",
                     f"https://api.example.com/v1/items?value={token}&page=2"):
            start = line.index(token)
            assert list(CATALOGUE.find(line, item)) == [(start, start + len(token))], line
    for text in item.examples.negative:
        assert not list(CATALOGUE.find(text, item)), text


def test_no_negative_example_holds_a_token_of_another_format() -> None:
    """A negative is a near miss, never a different real credential (say, a whole connection
    string behind a prefix that only spoils the outer format)."""
    held = [f"{item.id}: {text[:30]}… holds {other.id}" for item in FORMATS for text in item.examples.negative
            for other in FORMATS if other.keywords and any(CATALOGUE.find(text, other))]
    assert not held, held


def _prefix(item: ProviderFormat) -> str:
    """The distinctive prefix as tokens spell it (keywords are lower-case)."""
    token = item.examples.positive[0]
    keyword = next(k for k in item.keywords if token.lower().startswith(k))
    return token[:len(keyword)]


def test_distinctive_prefixes_reject_placeholder_runs() -> None:
    """`ghp_XXXX…`, `sk_live_xxxx…`, `dop_v1_0000…` of any length are never accepted."""
    accepted = []
    for item in FORMATS:
        if not item.distinctive:
            continue
        prefix = _prefix(item)
        for fill in ("X", "x", "0", "A", "*", "-"):
            accepted += [f"{item.id}: {prefix}{fill}*{n}" for n in range(1, 400)
                         if item.accepts(prefix + fill * n)]
    assert not accepted, accepted[:20]


def test_distinctive_formats_start_with_their_keyword() -> None:
    assert all(any(f.examples.positive[0].lower().startswith(k) for k in f.keywords)
               for f in FORMATS if f.distinctive)


def _first_chars(items: Any) -> set[str]:
    """Characters a match of the sequence `items` can start with (ASCII)."""
    chars: set[str] = set()
    for op, arg in items:
        if op is sre_parse.LITERAL or str(op) == "LITERAL":
            return chars | {chr(arg)}
        if str(op) == "IN":
            return chars | {chr(c) for c in range(128) if _in_class(arg, chr(c))}
        if str(op) == "SUBPATTERN":
            return chars | _first_chars(arg[-1])
        if str(op) == "BRANCH":
            return chars.union(*(_first_chars(a) for a in arg[1]))
        if str(op) == "MAX_REPEAT":
            chars |= _first_chars(arg[2])
            if arg[0] > 0:
                return chars
    return chars


def _in_class(items: Any, char: str) -> bool:
    for op, arg in items:
        name = str(op)
        if (name == "LITERAL" and chr(arg) == char) or (name == "RANGE" and arg[0] <= ord(char) <= arg[1]):
            return True
        if name == "CATEGORY" and "DIGIT" in str(arg) and char.isdigit():
            return True
    return False


def _nested_overlaps(items: Any) -> list[str]:
    """Repeats inside repeats that can both take the same character, and repeated alternatives
    that start alike: the shapes that make backtracking explode."""
    found = []
    for op, arg in _walk(items):
        if op != "MAX_REPEAT" or arg[1] <= 1:
            continue
        body = list(arg[2])
        inner = [a for o, a in _walk(body) if o == "MAX_REPEAT" and a[1] > 1]
        lead = _first_chars(body)  # each round starts with one of these: a clean split if the inner repeats cannot take them
        for repeat in inner:
            if lead & _first_chars(repeat[2]):
                found.append("nested quantifiers over overlapping characters")
        for o, a in _walk(body):
            if o == "BRANCH":
                seen: set[str] = set()
                for alternative in a[1]:
                    first = _first_chars(alternative)
                    if first & seen:
                        found.append("repeated alternatives that start alike")
                    seen |= first
    return found


def test_patterns_have_no_nested_quantifiers_over_overlapping_characters() -> None:
    problems = [f"{f.id}: {p}" for f in FORMATS for p in _nested_overlaps(sre_parse.parse(f.pattern))]
    assert not problems, problems


def test_the_overlap_check_finds_the_classic_shapes() -> None:
    for pattern in (r"(a+)+$", r"([a-z0-9]+-?)*x", r"(ab|[a-c]d)+$"):
        assert _nested_overlaps(sre_parse.parse(pattern)), pattern
    assert not _nested_overlaps(sre_parse.parse(r"(\\n[A-Za-z0-9+/]{64})+"))


_ATTACK = textwrap.dedent("""
    import json, sys, time
    from scanner.facts.providers import catalogue
    from tests.reliability.patterns import attacks

    size = int(sys.argv[1])
    spent = {}
    for item in catalogue().formats:
        subjects = attacks(item.regex, size)
        token = item.examples.positive[0]
        for lead in (token[:8], token[:3], token[:1]):
            for sep in ("", "/", ".", " ", "="):
                unit = sep + lead
                subjects.append((unit * (size // len(unit) + 1))[:size] + "!")
        start = time.process_time()
        for subject in subjects:
            for _ in item.spans(subject):
                pass
        spent[item.id] = time.process_time() - start
    print(json.dumps(spent))
""")


def _limit_cpu() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT, CPU_LIMIT))


@pytest.mark.slow
def test_every_pattern_is_linear_on_200_kb_pumped_input() -> None:
    """Each pattern meets 200 KB inputs pumping each of its repeats after the prefix leading to
    it, and runs of its own prefix glued by separators, in a child process with a CPU limit."""
    done = subprocess.run([sys.executable, "-c", _ATTACK, "200000"], cwd=ROOT, capture_output=True,
                          text=True, check=False, preexec_fn=_limit_cpu)
    assert done.returncode == 0, done.stderr[-2000:]
    spent = json.loads(done.stdout)
    assert set(spent) == set(IDS)
    slow = {ident: round(seconds, 2) for ident, seconds in spent.items() if seconds > BOUND}
    assert not slow, slow


def test_the_attack_finds_a_quadratic_pattern() -> None:
    """The prefix-run attack is not vacuous: an unbounded base64 run before a required separator
    (a shape the catalogue avoids) is caught on a small input already."""
    item = ProviderFormat(id="demo", provider="Demo", kind="api-key", pattern=r"AQE[A-Za-z0-9+/]{40,}-x",
                          boundary="word", keywords=("aqe",), context_words=(), entropy=0.0,
                          revoke="https://example.com", docs="https://example.com", distinctive=True,
                          examples=CATALOGUE.formats[0].examples, source="demo.toml")
    small, large = "/AQE" * 1_000 + "!", "/AQE" * 4_000 + "!"
    costs = []
    for subject in (small, large):
        start = time.process_time()
        list(item.spans(subject))
        costs.append(time.process_time() - start)
    assert costs[1] > 8 * max(costs[0], 1e-4)


def test_documented_dummies_match_their_format_but_are_never_found() -> None:
    aws = CATALOGUE.by_id("aws-access-key-id")
    assert aws.accepts("AKIAIOSFODNN7EXAMPLE")  # the pattern alone would report it
    assert not list(CATALOGUE.find('key = "AKIAIOSFODNN7EXAMPLE"', aws))
    for dummy in CATALOGUE.dummies:
        assert dummy.source.startswith("https://")
        for item in FORMATS:
            assert not list(CATALOGUE.find(f'value = "{dummy.value}"', item)), (dummy.value, item.id)
    assert {"2YotnFZFEjr1zCsicMWpAA", "tGzv3JOkF0XG5Qx2TlKWIA", "AKIAIOSFODNN7EXAMPLE",
            "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "ghs_16C7e42F292c6912E7710c838347Ae178B4a"} <= {d.value for d in CATALOGUE.dummies}


def test_the_catalogue_is_loaded_once_and_frozen() -> None:
    assert catalogue() is catalogue()
    with pytest.raises(dataclasses.FrozenInstanceError):
        FORMATS[0].pattern = "x"  # type: ignore[misc]
    assert isinstance(FORMATS, tuple) and isinstance(CATALOGUE, Catalogue)


_GOOD = {
    "id": "demo-token", "provider": "Demo", "kind": "api-key", "pattern": "demo_[a-z0-9]{12}",
    "boundary": "word", "keywords": ["demo_"], "entropy": 2.0, "distinctive": True,
    "revoke": "https://example.com/revoke", "docs": "https://example.com/docs",
    "examples": {"positive": ["demo_k3j9x0q2m7wz", "demo_p8r2v6t1y4hb"],
                 "negative": ["demo_xxxxxxxxxxxx", "ademo_k3j9x0q2m7wz"]},
}


def _write(directory: Path, name: str, entries: list[dict[str, Any]]) -> None:
    lines = []
    for entry in entries:
        lines.append("[[format]]")
        for key, value in entry.items():
            lines.append(f"{key} = {json.dumps(value)}" if key != "examples" else
                         f"examples = {{ positive = {json.dumps(value['positive'])}, "
                         f"negative = {json.dumps(value['negative'])} }}")
    (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_minimal_good_entry_loads(tmp_path: Path) -> None:
    _write(tmp_path, "demo.toml", [_GOOD])
    loaded = load_catalogue(tmp_path)
    assert [f.id for f in loaded.formats] == ["demo-token"] and loaded.formats[0].source == "demo.toml"


@pytest.mark.parametrize(("change", "message"), [
    ({"kind": "session-cookie"}, "unknown kind"),
    ({"pattern": "demo_[a-z0-9{12}"}, "pattern does not compile"),
    ({"examples": {"positive": ["demo_k3j9x0q2m7wz", "demo_SHORT"], "negative": ["x", "y"]}},
     "does not match the pattern"),
    ({"examples": {"positive": ["demo_k3j9x0q2m7wz", "demo_p8r2v6t1y4hb"], "negative": ["demo_a1b2c3d4e5f6", "y"]}},
     "yields a match"),
    ({"keywords": ["demo_", "token"]}, "lacks keywords"),
    ({"keywords": ["Demo_"]}, "lower-case"),
    ({"keywords": [], "distinctive": False}, "needs context_words"),
    ({"entropy": 4.5}, "entropy floor"),
    ({"docs": "http://example.com/docs"}, "https URL"),
    ({"boundary": "line"}, "unknown boundary"),
    ({"colour": "blue"}, "unknown keys"),
    ({"id": "Demo Token"}, "kebab-case"),
])
def test_a_bad_entry_is_an_error_naming_the_file_and_the_id(tmp_path: Path, change: dict[str, Any],
                                                            message: str) -> None:
    _write(tmp_path, "bad.toml", [{**_GOOD, **change}])
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path)
    text = str(caught.value)
    assert text.startswith("bad.toml: format ") and message in text
    assert repr(change.get("id", "demo-token")) in text


def test_a_missing_field_and_a_duplicate_id_are_errors(tmp_path: Path) -> None:
    _write(tmp_path, "bad.toml", [{k: v for k, v in _GOOD.items() if k != "revoke"}])
    with pytest.raises(CatalogueError, match=r"bad.toml: format 'demo-token': missing \['revoke'\]"):
        load_catalogue(tmp_path)
    _write(tmp_path, "bad.toml", [_GOOD])
    _write(tmp_path, "more.toml", [_GOOD])
    with pytest.raises(CatalogueError, match=r"more.toml: format 'demo-token': duplicate id \(also in bad.toml\)"):
        load_catalogue(tmp_path)
