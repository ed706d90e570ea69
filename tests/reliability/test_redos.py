"""No regular expression and no rule hangs on adversarial input (ReDoS).

1. Every pattern the scanner holds or compiles meets inputs that pump each of its repeated
   parts after the prefix leading to it (the shape that makes backtracking explode).
2. Every extractor (the part of a rule family that reads text and code) and every rule meet
   1 MB lines built from the same ideas (long runs of the characters patterns repeat,
   unterminated strings, minified code), in every file kind they read.

The only timed tests of the suite, because the failure mode is a hang: CPU time per pattern must
stay under BOUND seconds and per extractor on a 1 MB line under LINE_BOUND (each scaled by how
much slower the machine runs now: `tests/reliability/speed.py`), and an alarm turns a real hang
into a failure."""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from scanner.engine.plan import Plan, Planned, build_plan
from scanner.engine.runner import scan_document
from scanner.model.document import Document
from tests.reliability.patterns import attacks, collect_patterns
from tests.reliability.speed import over
from tests.support import gate_words, make_rules

BOUND = 5.0  # seconds of CPU per pattern (all its attacks) or per rule and input
# Seconds of CPU per extractor on a file with a 1 MB adversarial line. The slowest linear case,
# the secret family on a run of `A` after a JWT header (a provider format's anchor literal hit at
# every position), takes about 4 s on a quiet machine and 6 s on a shared one; a super-linear
# pass over 1 MB takes minutes (and the alarm stops a hang).
LINE_BOUND = 3 * BOUND
HANG = 120  # wall seconds before the alarm fires (a loaded CI machine is slow, not hung)
PATTERN_INPUT = 2_000  # exponential or cubic blow-ups show at this size; quadratic ones do not
LINE = 1_000_000

PATTERNS = collect_patterns()
UNIQUE = {}
for _where, _pattern in sorted(PATTERNS.items()):
    UNIQUE.setdefault((_pattern.pattern, _pattern.flags), (_where, _pattern))


class Hang(Exception):
    pass


@contextmanager
def alarm(seconds: int) -> Iterator[None]:
    """Raise Hang in the main thread after `seconds` (re matching checks for signals)."""

    def fire(signum: int, frame: Any) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_patterns_were_collected() -> None:
    """The collector sees module, class, catalog and literal-call patterns of every family."""
    modules = {where.split(":")[0].rsplit(".", 1)[0] for where in PATTERNS}
    assert {"scanner.facts.secrets.syntax", "scanner.facts.scopes.text", "scanner.facts.oauth",
            "scanner.facts.webhooks"} <= modules
    assert any(where.endswith(")") or "()" in where for where in PATTERNS)  # cached catalogs
    assert any(":" in where for where in PATTERNS)  # literal re.* calls
    assert len(UNIQUE) >= 50


@pytest.mark.parametrize("key", sorted(UNIQUE, key=lambda k: UNIQUE[k][0]),
                         ids=[UNIQUE[k][0] for k in sorted(UNIQUE, key=lambda k: UNIQUE[k][0])])
def test_pattern_resists_backtracking_attacks(key: tuple[Any, int]) -> None:
    where, pattern = UNIQUE[key]
    subjects = attacks(pattern, PATTERN_INPUT)
    start = time.process_time()
    with alarm(HANG):
        for subject in subjects:
            pattern.search(subject)
            for _ in pattern.finditer(subject):
                pass
    spent = time.process_time() - start
    assert not over(spent, BOUND), \
        f"{where} ({pattern.pattern!r}) took {spent:.1f} s on {len(subjects)} attacks"


# -- rules on 1 MB lines ----------------------------------------------------------------------

KEYWORDS = " ".join(gate_words())
N = LINE
ATTACK_LINES = {
    "unterminated-string": 'client_secret = "' + "a" * N,
    "space-run": "token:" + " " * N + "x",
    "keyword-space-run": "secret" + " " * N,
    "assignment-space-run": "api_key =" + " " * N,
    "keyword-tab-run": "password" + "\t" * N + ":",
    "tab-equals-run": "key\t" + "\t=" * (N // 2),
    "bearer-run": "Authorization: Bearer " + "A" * N,
    "url-host-run": "https://" + "a" * N + "@",
    "url-password-run": "https://user:" + "a" * N,
    "jwt-run": "eyJhbGciOiJIUzI1NiJ9." + "A" * N,
    "scope-run": "scope=" + "a%20" * (N // 4),
    "minified": ('var token="x";fetch(u,{headers:{Authorization:"Bearer "+t}});'
                 'localStorage.setItem("token",t);') * (N // 96),
    "pem-run": "-----BEGIN RSA PRIVATE KEY-----" + "A" * N,
    "paren-run": "hmac.compare_digest(" + "(" * N,
    "bracket-run": "scopes = " + "[" * N,
    "backslash-run": 'password = "' + "\\" * N,
    "quote-run": "secret = " + '"' * N,
    "equals-run": "api_key" + "=" * N,
    "template-run": 'token = "' + "${" * (N // 2),
    "alnum-run": "password=" + "a1" * (N // 2),
    "redirect-run": "redirect_uri=http://" + "a" * N,
    "keyword-at-end": "x" * N + ' secret = "Zq8xK2mN4pL7vR1tY5wB3cD6fG9hJ0kA"',
    "keyword-run": "secret token " * (N // 13),
    "dotted-run": "client.secret" + ".a" * (N // 2),
    "colon-run": "token" + ":" * N,
    "dash-run": "api-key " + "-" * N,
}
PATHS = ("app/settings.py", "src/app.js", "config/app.yaml", ".env")


def _plan() -> Plan:
    """Every rule, fast paths off: an extractor meets the attack whatever its pattern says."""
    return build_plan(make_rules(), {}, fast_paths=False)


def _applicable(plan: Plan, file: Document) -> list[Planned]:
    if plan.index.accelerated and file.keyword_index is None:
        file.keyword_index = plan.index
    # An on-demand extractor runs on any file of its kinds a project rule asks about.
    return [planned for planned in plan.extractors if plan.admits(planned, file) or (
        planned.extractor.gate.on_demand and file.kind in planned.extractor.gate.kinds)]


def _parse(file: Document) -> None:
    file.code  # noqa: B018 - the lazy parse, shared by every extractor
    file.config  # noqa: B018


@pytest.mark.slow
@pytest.mark.parametrize("attack", sorted(ATTACK_LINES))
def test_extractors_and_rules_on_one_megabyte_lines(attack: str) -> None:
    """Each extractor, then every rule on what they found, on a file whose second line is a 1 MB
    adversarial line, per file kind. The file's parse is shared, as in a real scan."""
    plan = _plan()
    slow = []
    ran = set()
    for path in PATHS:
        file = Document(path, KEYWORDS + "\n" + ATTACK_LINES[attack] + "\n")
        with alarm(HANG):
            _parse(file)  # parsers are timed in test_parsers_scale_linearly
        for planned in _applicable(plan, file):
            ran.add(planned.extractor.name)
            start = time.process_time()
            with alarm(HANG):
                for _ in planned.extractor.extract(file):
                    pass
            spent = time.process_time() - start
            if over(spent, LINE_BOUND):
                slow.append(f"{planned.extractor.name} on {path}: {spent:.1f} s")
        start = time.process_time()
        with alarm(HANG):
            scan_document(Document(path, file.text), plan)  # the rules, on the facts
        spent = time.process_time() - start
        if over(spent, 2 * LINE_BOUND):
            slow.append(f"the whole scan of {path}: {spent:.1f} s")
    assert not slow, slow
    assert ran == {p.extractor.name for p in plan.extractors} or attack != "unterminated-string"


def test_every_extractor_meets_the_attacks() -> None:
    """The keyword line lets every extractor past its gate in some file kind."""
    plan = _plan()
    reached = set()
    for path in PATHS:
        reached |= {p.extractor.name for p in _applicable(plan, Document(path, KEYWORDS + "\n"))}
    assert reached == {p.extractor.name for p in plan.extractors}


def test_alarm_interrupts_a_catastrophic_pattern() -> None:
    """The hang breaker itself works on a pattern that would run for years."""
    with pytest.raises(Hang), alarm(1):
        re.search(r"(a+)+$", "a" * 64 + "!")


SCALING = {
    "app.js": lambda n: "scope=" + "a%20" * (n // 4),  # tree-sitter error recovery: the worst found
    "web/App.tsx": lambda n: 'x = "' + '"' * n,
    "app.py": lambda n: "x = [\n" + "    'value',\n" * (n // 14) + "]\n",
    "config.yaml": lambda n: "items:\n" + "  - value\n" * (n // 10),
    "config.json": lambda n: "[" + '"value",' * (n // 8) + "1]",
}


@pytest.mark.parametrize("path", sorted(SCALING))
def test_parsers_scale_linearly(path: str) -> None:
    """Parse time grows with the input, not with its square: 4x the input may cost 8x at most."""
    def cost(size: int) -> float:
        file = Document(path, SCALING[path](size))
        start = time.process_time()
        with alarm(HANG):
            _parse(file)
        return time.process_time() - start

    small, large = cost(50_000), cost(200_000)
    assert large < max(8 * small, 0.5), f"{path}: {small:.2f} s for 50 KB, {large:.2f} s for 200 KB"
