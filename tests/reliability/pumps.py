"""Pumped inputs for every rule's trigger prefixes: each prefix repeated over one long line, in
every file kind its rules read, with secrets planted at the start and the end of the line.

The prefixes are derived from the code, so a new keyword or pattern is pumped without an edit
here: the rules' keywords and vocabulary (in lower case and as the rule's examples spell them),
the secrets pass's provider table, the shortest match of every pattern the package holds and of
every detect-secrets detector it calls, credential-named keys with each assignment operator, and
each line of the rules' bad examples (the shape of minified code). Used by `test_pump.py` and by
`benchmarks/linearity.py`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from scanner.engine.plan import extractor_classes
from scanner.model.document import FileKind, kind_of
from scanner.rules.base import Bad, Rule
from scanner.rules.registry import RULES
from tests.reliability.patterns import attacks, collect_patterns, leading_literal, shortest_match

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as scanner.model.document counts lines

FAMILY_OF_MODULE = (("secrets", "SH1"), ("detect_secrets", "SH1"), ("scopes", "SH2"),
                    ("webhooks", "SH3"), ("oauth", "SH4"))
# How a credential-named key meets its value (the assignment grammar's operators, in the forms
# code and config write them).
OPERATORS = ("=", ": ", ":=", " => ", "=>", ", ", " ", "\t=\t")
# A value the secret filters let through: random-looking, long enough, no placeholder word.
VALUE = "Xk3dM9pQ2LmX8vB7nR4tW1zY"
# Planted at the start and the end of each pumped line: a credential-named key (the keyword
# pass) and a provider token (the provider pass); distinct values tell which one was found.
PLANTS = {
    "start-key": 'client_secret = "Zq8xK2mN4pL7vR1tY5wB3cD6"',
    "start-token": "ghp_Wq7eR2tY9uI4oP1aS6dF3gH8jK5lZ0xC2vB7",
    "end-key": 'client_secret = "Jm4nB8vC2xZ6lK1jH5gF9dS3"',
    "end-token": "ghp_Tr5eW2qA9sD4fG7hJ1kL6zX3cV8bN0mQ4pO2",
}
PLANTED_VALUES = {
    "start-key": "Zq8xK2mN4pL7vR1tY5wB3cD6",
    "start-token": "ghp_Wq7eR2tY9uI4oP1aS6dF3gH8jK5lZ0xC2vB7",
    "end-key": "Jm4nB8vC2xZ6lK1jH5gF9dS3",
    "end-token": "ghp_Tr5eW2qA9sD4fG7hJ1kL6zX3cV8bN0mQ4pO2",
}
# The cases and the prefixes that start the heaviest passes: pumped in every shape and
# kind (the others are pumped back to back in the kinds their rules read).
HEAVY = ("eyJ", "password=", "xoxb-1-", "api_key: ", "Bearer ", "https://user:",
         "-----BEGIN RSA PRIVATE KEY-----", "PuTTY-User-Key-File-2", "AccountKey=",
         "_create_unverified_context", "localStorage.setItem(", "redirect_uri=", '"http://"',
         "?scope=")
# One file per kind the rules read; the frontend-free `server/` keeps SH101 the secret's rule.
PATHS = {
    "py": "server/app.py",
    "js": "server/app.js",
    "env": ".env",
    "yaml": "config/app.yaml",
    "json": "config/app.json",
    "ipynb": "notebooks/app.ipynb",
}
_KIND_OF_PATH = {name: kind_of(path) for name, path in PATHS.items()}


@dataclass(frozen=True)
class Trigger:
    """A string that makes a line a candidate or starts work in some rules' passes."""

    text: str
    rules: frozenset[str]
    sources: tuple[str, ...]


def rule_words(rule: type[Rule]) -> tuple[str, ...]:
    """The words of the gates of the extractors a rule needs: what makes its facts be looked for."""
    producers = extractor_classes()
    words: list[str] = []
    for fact in rule.needs:
        gate = producers[fact].gate
        words.extend(gate.words)
        words.extend(word for group in gate.requires for word in group)
    return tuple(dict.fromkeys(words))


def rule_kinds(rule: type[Rule]) -> frozenset[FileKind] | None:
    """The file kinds the extractors a rule needs read (None: every kind)."""
    producers = extractor_classes()
    kinds: set[FileKind] = set()
    for fact in rule.needs:
        gate = producers[fact].gate
        if not gate.kinds:
            return None
        kinds |= gate.kinds
    return frozenset(kinds) if kinds else None


def _family_rules(prefix: str) -> frozenset[str]:
    return frozenset(rule.id for rule in RULES if rule.id.startswith(prefix))


def _module_rules(module: str) -> frozenset[str]:
    """The rules whose passes run a pattern held by `module` (all rules for shared modules)."""
    name = module.split(":")[0].split(".")
    for word, family in FAMILY_OF_MODULE:
        if any(part.startswith(word) for part in name[1:3]):
            return _family_rules(family)
    return frozenset(rule.id for rule in RULES)


def _example_spelling(word: str, examples: Iterable[str]) -> str | None:
    """`word` as some example spells it (`eyj` -> `eyJ`, `localstorage` -> `localStorage`)."""
    for code in examples:
        index = code.lower().find(word)
        if index != -1:
            return code[index:index + len(word)]
    return None


def _detect_secrets_patterns() -> Iterator[tuple[str, frozenset[str], re.Pattern[str]]]:
    """Every detect-secrets pattern the secrets pass runs, with the rules it serves."""
    from scanner.facts.secrets import analysis
    from scanner.lazy import detect_secrets_module

    called = [(f"detect_secrets.plugins.{module}", name, frozenset({"SH106"}))
              for module, name, _, _ in analysis.PROVIDERS]
    called += [("detect_secrets.plugins.jwt", "JwtTokenDetector", frozenset({"SH108"})),
               ("detect_secrets.plugins.basic_auth", "BasicAuthDetector", frozenset({"SH109"})),
               ("detect_secrets.plugins.private_key", "PrivateKeyDetector", frozenset({"SH107"}))]
    called += [("scanner.facts.secrets.detect_secrets_plugins", name, _family_rules("SH1"))
               for name, _, _, _ in analysis.OAUTH_PREFIXED]
    for module, name, rules in called:
        detector = getattr(detect_secrets_module(module), name)
        for pattern in detector.denylist:
            yield f"{name}.denylist", rules, pattern


def _line_index_patterns() -> Iterator[re.Pattern[str]]:
    """The secrets pass's Hyperscan line patterns (bytes, not re objects in the package)."""
    from scanner.facts.secrets import analysis

    for value in vars(analysis).values():
        if isinstance(value, bytes) and len(value) > 2:
            yield re.compile(value.decode("latin-1"), re.IGNORECASE)


def _key_names() -> set[str]:
    """The credential-named keys the secret rules' examples assign to."""
    from scanner.facts.secrets import syntax

    names = set(syntax.KEY_WORDS)
    for rule in RULES:
        if rule.id.startswith("SH1"):
            for example in rule.examples:
                for match in syntax.ASSIGNMENT_CONFIG().finditer(example.code):
                    names.add(match.group("key").strip("-"))
    return names


def triggers() -> list[Trigger]:
    """Every trigger prefix, with the rules that own it and where it was derived from."""
    found: dict[str, tuple[set[str], list[str]]] = {}

    def add(text: str, rules: Iterable[str], source: str) -> None:
        if not text or not text.strip() or len(text) > 200:
            return
        entry = found.setdefault(text, (set(), []))
        entry[0].update(rules)
        if source not in entry[1]:
            entry[1].append(source)

    for rule in RULES:
        examples = [example.code for example in rule.examples]
        for word in rule_words(rule):
            add(word, {rule.id}, f"{rule.id} keyword")
            spelled = _example_spelling(word, examples)
            if spelled is not None:
                add(spelled, {rule.id}, f"{rule.id} keyword as its examples spell it")
        for example in rule.examples:
            if not isinstance(example, Bad):
                continue
            for line in example.code.splitlines():
                if any(word in line.lower() for word in rule_words(rule)):
                    add(line.strip(), {rule.id}, f"{rule.id} bad example line")
    from scanner.facts.secrets import analysis

    for _, name, _, keywords in analysis.PROVIDERS:
        for keyword in keywords:
            add(keyword, {"SH106"}, f"secrets_analysis.PROVIDERS[{name}]")
    secret_rules = _family_rules("SH1")
    for key in sorted(_key_names()):
        for operator in OPERATORS:
            add(key + operator, secret_rules, "credential-named key and operator")
    for where, rules, pattern in _detect_secrets_patterns():
        add(shortest_match(pattern), rules, where)
    for pattern in _line_index_patterns():
        add(shortest_match(pattern), secret_rules, "secrets_analysis line index pattern")
    for where, pattern in sorted(collect_patterns().items()):
        text = shortest_match(pattern)
        if isinstance(text, str) and len(text.strip()) >= 2:
            add(text, _module_rules(where), where)
    return [Trigger(text, frozenset(rules), tuple(sources))
            for text, (rules, sources) in sorted(found.items())]


# -- pumped lines ------------------------------------------------------------------------------

SHAPES = {
    "repeat": lambda t: t,  # eyJeyJeyJ..., password=password=...
    "spaced": lambda t: t + " ",  # password= password= ...
    "separated": lambda t: t + "a=b;",
    "quoted": lambda t: '"' + t + "'",  # "t'"t'"t' ... nested, never closed
    "valued": lambda t: t + VALUE + " ",  # alternating with a plausible value
    "quoted-value": lambda t: t + '"' + VALUE + '" ',
}


def pumped_line(trigger: str, shape: str, size: int, *, plants: bool = True) -> str:
    """One line of about `size` characters: the shape's unit repeated, between the plants (the
    shape "verbatim" takes the trigger as the whole body)."""
    if shape == "verbatim":
        body = trigger
    else:
        unit = SHAPES[shape](trigger)
        body = unit * max(1, size // len(unit))
    if not plants:
        return body
    return f"{PLANTS['start-key']} {PLANTS['start-token']} {body} {PLANTS['end-key']} {PLANTS['end-token']}"


def detector_lines(size: int) -> list[tuple[str, str]]:
    """(where, line) for every detect-secrets pattern the secrets pass runs: its leading literal
    repeated before one match (`sk-sk-...sk-<key>`, `////...//<npm line>`), and each repeated
    part of it pumped (long space runs between a key name and its value). Each line starts with
    the words that make the pass run the detector."""
    from scanner.facts.secrets import analysis

    gates = {name: " ".join(keywords) for _, name, _, keywords in analysis.PROVIDERS}
    lines = []
    for where, _, pattern in _detect_secrets_patterns():
        gate = "token " + gates.get(where.split(".")[0], "") + " "
        match = shortest_match(pattern)
        prefix = leading_literal(pattern)
        if prefix:
            lines.append((f"{where}: {prefix!r} repeated",
                          gate + prefix * (size // len(prefix)) + " " + match))
        for index, subject in enumerate(attacks(pattern, size)):
            if isinstance(subject, str):
                lines.append((f"{where}: attack {index}", gate + subject))
    return lines


def example_files() -> list[tuple[str, str, str]]:
    """(rule id, path, code) of every bad example: repeated, they make files with many
    constructs (handlers, calls, storage writes) for the passes that work per construct."""
    return [(rule.id, example.path, example.code if example.code.endswith("\n")
             else example.code + "\n")
            for rule in RULES for example in rule.examples if isinstance(example, Bad)]


def repeated_example(code: str, size: int) -> str:
    """`code` repeated to about `size` characters, one copy after another."""
    return code * max(1, size // len(code))


def document(kind: str, line: str) -> str:
    """A file of `kind` whose second line holds `line` (inside a string where the kind has one)."""
    if kind == "json":
        return "{\n" + f'  "value": {json.dumps(line)}\n' + "}\n"
    if kind == "ipynb":
        cell = {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
                "source": ["x = 1\n", line + "\n"]}
        notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        return json.dumps(notebook, indent=1) + "\n"
    return "x = 1\n" + line + "\n"


def kinds_for(trigger: Trigger) -> list[str]:
    """The file kinds (keys of PATHS) that one of the trigger's rules reads."""
    wanted = []
    for name, kind in _KIND_OF_PATH.items():
        for rule in RULES:
            kinds = rule_kinds(rule)
            if rule.id in trigger.rules and (kinds is None or kind in kinds
                                             or (kind is FileKind.NOTEBOOK
                                                 and FileKind.PYTHON in kinds)):
                wanted.append(name)
                break
    return wanted


def planted_positions(text: str) -> dict[str, tuple[int, int]]:
    """(line, column) of each planted value in `text` (JSON-escaped kinds keep the values
    whole); a text without plants has none."""
    positions = {}
    for name, value in PLANTED_VALUES.items():
        offset = text.find(value)
        if offset == -1:
            continue
        # Lines as the scanner counts them: a lone CR ends a line too.
        breaks = list(_LINE_BREAK.finditer(text, 0, offset))
        line_start = breaks[-1].end() if breaks else 0
        positions[name] = (len(breaks) + 1, offset - line_start + 1)
    return positions


def found_plants(text: str, findings: Iterable[Any]) -> set[str]:
    """Which plants a scan reported: a secret finding whose span covers the planted value."""
    positions = planted_positions(text)
    found = set()
    for finding in findings:
        line, column, end = _span(finding)
        for name, (plant_line, plant_column) in positions.items():
            if line == plant_line and column <= plant_column < end:
                found.add(name)
    return found


def _span(finding: Any) -> tuple[int, int, int]:
    if isinstance(finding, dict):
        return finding["line"], finding["column"], finding["end_column"]
    return finding.line, finding.column, finding.end_column


# -- scanning in a separate process --------------------------------------------------------------


def scan_case(kind: str, trigger: str, shape: str, size: int) -> dict[str, Any]:
    """Scan one pumped document with every rule as the CLI does (`scan_source`, which sends
    notebooks through their own reader): CPU seconds, plants found, notes."""
    import resource

    from scanner.engine.plan import build_plan
    from scanner.engine.runner import Settings, scan_source
    from scanner.sources import SourceFile

    plan = build_plan([rule_class({}) for rule_class in RULES], {})
    text = document(kind, pumped_line(trigger, shape, size))
    source = SourceFile(path=PATHS[kind], text=text)
    before = resource.getrusage(resource.RUSAGE_SELF)
    result = scan_source(source, plan, Settings(max_size=64 * 1024 * 1024))
    after = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "plants": sorted(found_plants(text, result.findings)),
            "notes": list(result.notes), "findings": len(result.findings),
            "suppressed": result.suppressed}


def main() -> None:
    """`python -m tests.reliability.pumps [SECONDS]` reads [[kind, trigger, shape, size], ...] as
    JSON on stdin and prints one JSON result per case. With SECONDS, a case that runs longer than
    that in CPU time ends the process (SIGXCPU): a hang fails fast, whatever the load."""
    import resource
    import sys

    cases = json.load(sys.stdin)
    scan_case("py", "x", "repeat", 100)  # imports and compiled patterns, outside the timings
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    for kind, trigger, shape, size in cases:
        if len(sys.argv) > 1:
            usage = resource.getrusage(resource.RUSAGE_SELF)
            soft = int(usage.ru_utime + usage.ru_stime + float(sys.argv[1])) + 1
            resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY
                                                     else min(soft, hard), hard))
        print(json.dumps(scan_case(kind, trigger, shape, size)), flush=True)


if __name__ == "__main__":
    main()
