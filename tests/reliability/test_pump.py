"""Every rule's trigger prefixes, pumped over one long line, never make a pass superlinear.

Each trigger (`pumps.triggers()`: keywords, provider prefixes, the shortest match of every
pattern, credential keys with each operator, bad-example lines) is repeated over a 200 KB line
in a file kind its rules read and scanned with every rule in a separate interpreter. Its CPU
time (getrusage of that process, robust on a loaded machine) must stay under a bound well below
what the quadratic passes of issue #17 took here (10 s to several minutes).
Secrets planted at the start and the end of the line are still found, unless a note says the
line held more candidate values than the pass's cap. Speed ratios (0.5 MB against 1 MB) are
measured by `benchmarks/linearity.py`, not here."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.facts.secrets import analysis as secrets_analysis
from scanner.rules.registry import RULES
from tests.reliability import pumps
from tests.reliability.speed import over

ROOT = Path(__file__).resolve().parents[2]
SIZE = 200_000
# CPU seconds per case. Most cases take about 0.15 s at this size; the slowest is bounded by a
# cap, not linear in the line: `GOOGLE = {"secret": "GOCSPX-...` repeated in YAML reaches the
# 1,000-candidate cap for Google tokens at about 100 KB and takes 1.9 s there, 2.4 s at 200 KB and
# 2.65 s at 400 KB on an idle machine (3.0 s with the machine shared). `eyJ` repeated took 20 s
# and `password=` in a .env 60 s before the passes were bounded: what this bound is for.
BOUND = 6.0
# Where the heavy prefixes meet every shape: code, a bare-value config, a JSON string (the
# benchmark measures them in every kind).
HEAVY_KINDS = ("py", "env", "json")

TRIGGERS = pumps.triggers()


def _cases() -> dict[str, list[tuple[str, str, str]]]:
    """Per file kind: (trigger, shape, kind). Every trigger repeated back to back in one kind its
    rules read (rotating over them); the heavy prefixes in every shape, in HEAVY_KINDS."""
    by_kind: dict[str, list[tuple[str, str, str]]] = {kind: [] for kind in pumps.PATHS}
    for index, trigger in enumerate(TRIGGERS):
        kinds = pumps.kinds_for(trigger)
        if kinds:
            kind = kinds[index % len(kinds)]
            by_kind[kind].append((trigger.text, "repeat", kind))
    for text in pumps.HEAVY:
        for kind in HEAVY_KINDS:
            for shape in pumps.SHAPES:
                if (text, shape, kind) not in by_kind[kind]:
                    by_kind[kind].append((text, shape, kind))
    return by_kind


CASES = _cases()


def _run(cases: list[tuple[str, str, str]], size: int = SIZE) -> list[dict[str, Any]]:
    """Scan the cases in one fresh interpreter; a CPU limit per case (not a wall clock) stops a
    hang there."""
    jobs = [[kind, trigger, shape, size] for trigger, shape, kind in cases]
    completed = subprocess.run([sys.executable, "-m", "tests.reliability.pumps", str(10 * BOUND)],
                               input=json.dumps(jobs), capture_output=True, text=True,
                               cwd=ROOT, check=False)
    results = [json.loads(line) for line in completed.stdout.splitlines()]
    assert completed.returncode == 0, (
        f"the pump runner died after {len(results)} of {len(cases)} cases "
        f"(exit {completed.returncode}), at {cases[len(results)] if len(results) < len(cases) else '?'}: "
        f"{completed.stderr[-2000:]}")
    return results


def _capped(notes: list[str], what: str) -> bool:
    return any(re.search(f"candidate {what} (?:on line|in the file)", note) for note in notes)


def _problems(case: tuple[str, str, str], result: dict[str, Any]) -> Iterator[str]:
    trigger, shape, kind = case
    label = f"{trigger[:50]!r} {shape} in {kind}"
    if over(result["cpu"], BOUND):
        yield f"{label}: {result['cpu']:.1f} s CPU for {SIZE // 1000} KB"
    if result["suppressed"]:
        return  # the trigger is a suppression comment (`pragma: allowlist secret`): nothing shows
    found = set(result["plants"])
    for plant in ("start-key", "start-token"):
        if plant not in found:
            yield f"{label}: the secret planted at the start ({plant}) was not found"
    if "end-key" not in found and not _capped(result["notes"], "credential values"):
        yield f"{label}: the key planted at the end was neither found nor noted as past the cap"
    if "end-token" not in found and not _capped(result["notes"], "GitHub tokens"):
        yield f"{label}: the token planted at the end was neither found nor noted as past the cap"


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(pumps.PATHS))
def test_pumped_triggers_stay_linear_and_keep_the_plants(kind: str) -> None:
    cases = CASES[kind]
    results = _run(cases)
    problems = [problem for case, result in zip(cases, results, strict=True)
                for problem in _problems(case, result)]
    assert not problems, "\n".join(problems[:40])


def test_every_rule_has_pumped_triggers() -> None:
    """Each rule owns triggers, and every word its prefilter or gates ask about is pumped."""
    texts = {trigger.text.lower() for trigger in TRIGGERS}
    owned = {rule for trigger in TRIGGERS for rule in trigger.rules}
    assert owned >= {rule.id for rule in RULES}
    missing = {rule.id: word for rule in RULES for word in pumps.rule_words(rule)
               if word not in texts}
    assert not missing, missing
    pumped = {case[0] for cases in CASES.values() for case in cases}
    assert all(trigger.text in pumped for trigger in TRIGGERS if pumps.kinds_for(trigger))


def test_triggers_follow_the_code() -> None:
    """Provider prefixes, detector patterns and the issue's prefixes are derived, not listed."""
    texts = {trigger.text for trigger in TRIGGERS}
    for _, _, _, keywords in secrets_analysis.PROVIDERS:
        assert set(keywords) <= {text.lower() for text in texts}
    assert {"eyJ", "password=", "api_key: ", "localStorage"} <= texts
    assert {"xoxb-", "ghp_", "pat-"} <= texts  # the provider catalogue's keywords
    assert any(re.fullmatch(r"BEGIN RSA PRIVATE KEY", text) for text in texts)


# Detector lines: a leading literal repeated (quadratic passes show at this size), and the
# ReDoS attacks of each pattern (a cubic or exponential one shows at any size).
REPEATED_SIZE = 100_000
ATTACK_SIZE = 20_000


@pytest.mark.slow
@pytest.mark.parametrize("size", [REPEATED_SIZE, ATTACK_SIZE])
def test_detect_secrets_patterns_stay_linear(size: int) -> None:
    """Every detect-secrets pattern the secrets pass runs, on its leading literal repeated before
    a match (`sk-sk-...`, `////...`) and on its ReDoS attacks (a key, 20,000 spaces, `=`), behind
    the words that make the pass run it: npm's and OpenAI's patterns were quadratic there, IBM's,
    Cloudant's and SoftLayer's cubic in a run of spaces."""
    lines = [(where, line) for where, line in pumps.detector_lines(size)
             if ("repeated" in where) == (size == REPEATED_SIZE)]
    results = _run([(line, "verbatim", "py") for _, line in lines])
    slow = [f"{where}: {result['cpu']:.1f} s" for (where, _), result in zip(lines, results, strict=True)
            if over(result["cpu"], BOUND)]
    assert not slow, slow
