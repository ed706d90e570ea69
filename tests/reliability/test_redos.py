"""No regular expression and no rule hangs on adversarial input (ReDoS).

1. Every pattern the scanner holds or compiles meets inputs that pump each of its repeated
   parts after the prefix leading to it (the shape that makes backtracking explode).
2. Every rule's `check` meets 1 MB lines built from the same ideas (long runs of the characters
   patterns repeat, unterminated strings, minified code), in every file kind it reads.

The only timed tests of the suite, because the failure mode is a hang: CPU time per pattern or
per rule and input must stay under BOUND seconds, and an alarm turns a real hang into a failure."""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from scanner.model.document import Document
from scanner.rules.base import ProjectRule, Rule
from scanner.rules.registry import RULES
from tests.reliability.patterns import attacks, collect_patterns

BOUND = 5.0  # seconds of CPU per pattern (all its attacks) or per rule and input
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
    modules = {where.split(".")[2] if where.startswith("scanner.plugins.") else "" for where in PATTERNS}
    assert {"secrets_syntax", "scopes_text", "oauth", "webhooks_py"} <= {m.split(":")[0] for m in modules}
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
    assert spent < BOUND, f"{where} ({pattern.pattern!r}) took {spent:.1f} s on {len(subjects)} attacks"


# -- rules on 1 MB lines ----------------------------------------------------------------------

KEYWORDS = " ".join(sorted({k for rule in RULES for k in rule.keywords}))
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


def _applicable(file: Document) -> list[Rule]:
    rules = [rule_class({}) for rule_class in RULES]
    return [rule for rule in rules if rule.applies_to(file)]


def _parse(file: Document) -> None:
    file.code  # noqa: B018 - the lazy parse, shared by every extractor
    file.config  # noqa: B018


def _run(rule: Rule, file: Document) -> None:
    if isinstance(rule, ProjectRule):
        rule.collect(file)
    else:
        for _ in rule.check(file):
            pass


@pytest.mark.slow
@pytest.mark.parametrize("attack", sorted(ATTACK_LINES))
def test_rules_on_one_megabyte_lines(attack: str) -> None:
    """Each rule, on a file whose second line is a 1 MB adversarial line, per file kind.
    The file's parses are shared by the rules, as in a real scan."""
    slow = []
    ran = set()
    for path in PATHS:
        file = Document(path, KEYWORDS + "\n" + ATTACK_LINES[attack] + "\n")
        with alarm(HANG):
            _parse(file)  # parsers are timed in test_parsers_scale_linearly
        for rule in _applicable(file):
            ran.add(rule.id)
            start = time.process_time()
            with alarm(HANG):
                _run(rule, file)
            spent = time.process_time() - start
            if spent > BOUND:
                slow.append(f"{rule.id} on {path}: {spent:.1f} s")
    assert not slow, slow
    assert ran == {rule.id for rule in RULES} or attack != "unterminated-string"


def test_every_rule_meets_the_attacks() -> None:
    """The keyword line lets every rule past its prefilter in some file kind."""
    reached = set()
    for path in PATHS:
        reached |= {rule.id for rule in _applicable(Document(path, KEYWORDS + "\n"))}
    assert reached == {rule.id for rule in RULES}


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
