"""Teams' own secret rules: `[[tool.secret-hygiene.secrets.rules]]` tables and a gitleaks or
betterleaks rules file (`rules-file`), read into one shape and matched near their keywords.

A rule with keywords is tried on a window around each keyword; one without on every line up to
MAX_LINE characters. A bad rule is a ValueError naming it (the CLI's one-line config error)."""

from __future__ import annotations

import functools
import math
import re
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# How far around a keyword a rule's regex reads, and the longest line a keyword-less rule reads.
WINDOW = 512
MAX_LINE = 16_384
_MIDDLE_FLAGS = re.compile(r"\(\?i\)")


@dataclass(frozen=True)
class UserRule:
    """A secret pattern from the user's config, with its keywords and entropy bar."""

    id: str
    description: str
    regex: re.Pattern[str]
    keywords: tuple[str, ...]
    entropy: float
    secret_group: int
    examples: tuple[str, ...]

    def secret(self, match: re.Match[str]) -> tuple[str, int, int] | None:
        group = self.secret_group if self.secret_group <= (self.regex.groups or 0) else 0
        if group == 0 and self.regex.groups:
            group = max(range(1, self.regex.groups + 1), key=lambda g: len(match.group(g) or ""))
        value = match.group(group)
        if not value or _entropy(value) < self.entropy:
            return None
        return value, match.start(group), match.end(group)


def _entropy(text: str) -> float:
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in Counter(text).values())


def _compile(rule_id: str, pattern: str) -> re.Pattern[str]:
    flags = 0
    # Go's RE2 takes `(?i)` anywhere; Python only at the start: read it as a flag of the whole.
    if "(?i)" in pattern:
        pattern, flags = _MIDDLE_FLAGS.sub("", pattern), re.IGNORECASE
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ValueError(f"rule {rule_id!r}: pattern does not compile: {exc}") from None


def _rule(entry: Any, where: str) -> UserRule:
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: expected a table")
    rule_id = entry.get("id")
    pattern = entry.get("pattern", entry.get("regex"))
    if not isinstance(rule_id, str) or not rule_id:
        raise ValueError(f"{where}: a rule needs an id")
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"rule {rule_id!r}: needs a pattern (or gitleaks' regex)")
    keywords = entry.get("keywords", [])
    examples = entry.get("examples", [])
    entropy = entry.get("entropy", 0)
    group = entry.get("secret-group", entry.get("secretGroup", 0))
    if not isinstance(keywords, list) or not all(isinstance(k, str) and k for k in keywords):
        raise ValueError(f"rule {rule_id!r}: keywords must be a list of strings")
    if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
        raise ValueError(f"rule {rule_id!r}: examples must be a list of strings")
    if isinstance(entropy, bool) or not isinstance(entropy, (int, float)) or not 0 <= entropy <= 8:
        raise ValueError(f"rule {rule_id!r}: entropy must be a number from 0 to 8")
    if isinstance(group, bool) or not isinstance(group, int) or group < 0:
        raise ValueError(f"rule {rule_id!r}: secret-group must be a group number")
    regex = _compile(rule_id, pattern)
    rule = UserRule(rule_id, str(entry.get("description", "")), regex,
                    tuple(k.lower() for k in keywords), float(entropy), group, tuple(examples))
    for example in rule.examples:
        if not any(rule.secret(m) for m in rule.regex.finditer(example)):
            raise ValueError(f"rule {rule_id!r}: example {example[:12]!r}... does not match")
    return rule


def _read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"rules-file: cannot read {path} ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"rules-file: {path} is not valid TOML: {str(exc).splitlines()[0]}") from None
    return data


def parse(options: Mapping[str, Any]) -> tuple[UserRule, ...]:
    """The rules of `[tool.secret-hygiene.secrets]`: its `rules` tables, then the `[[rules]]` of
    its `rules-file` (gitleaks and betterleaks format: id, regex, keywords, entropy, secretGroup)."""
    found = [_rule(entry, f"rules[{index}]") for index, entry in enumerate(options.get("rules", []))]
    rules_file = options.get("rules-file")
    if rules_file:
        data = _read_toml(Path(rules_file))
        found.extend(_rule(entry, f"rules-file: [[rules]] {index}")
                     for index, entry in enumerate(data.get("rules", [])))
    seen: set[str] = set()
    for rule in found:
        if rule.id in seen:
            raise ValueError(f"rule {rule.id!r}: duplicate id")
        seen.add(rule.id)
    return tuple(found)


@functools.lru_cache(maxsize=8)
def cached(rules: tuple[tuple[str, Any], ...], rules_file: str | None) -> tuple[UserRule, ...]:
    return parse({"rules": [{k: list(v) if isinstance(v, tuple) else v for k, v in r}
                            for _, r in rules], "rules-file": rules_file})


def from_options(options: Mapping[str, Any]) -> tuple[UserRule, ...]:
    """The user rules of validated options, parsed once per process."""
    raw = options.get("rules", [])
    rules_file = options.get("rules-file")
    if not raw and not rules_file:
        return ()
    key = tuple((str(i), tuple(sorted((k, _frozen(v)) for k, v in r.items()))) for i, r in enumerate(raw))
    return cached(key, rules_file)


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def find(rules: Sequence[UserRule], text: str, lower: str) -> Iterator[tuple[UserRule, str, int, int]]:
    """(rule, secret, start, end) of every user rule's match in `text`."""
    for rule in rules:
        seen: set[int] = set()
        for low, high in _windows(rule, text, lower):
            for match in rule.regex.finditer(text, low, high):
                found = rule.secret(match)
                if found is not None and found[1] not in seen:
                    seen.add(found[1])
                    yield rule, *found


def _windows(rule: UserRule, text: str, lower: str) -> Iterator[tuple[int, int]]:
    if not rule.keywords:
        start = 0
        while start <= len(text):
            end = text.find("\n", start)
            end = len(text) if end == -1 else end
            if end - start <= MAX_LINE:
                yield start, end
            start = end + 1
        return
    for keyword in rule.keywords:
        index = lower.find(keyword)
        while index != -1:
            line_start = text.rfind("\n", 0, index) + 1
            line_end = text.find("\n", index)
            line_end = len(text) if line_end == -1 else line_end
            yield max(line_start, index - WINDOW), min(line_end, index + WINDOW)
            index = lower.find(keyword, index + 1)
