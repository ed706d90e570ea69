"""The explicit list of rule families and the rule selection logic (select/ignore).

Adding a family: one module under scanner/plugins/ with RULES (and OPTIONS), listed in FAMILIES."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import ModuleType
from typing import Any

from scanner.plugins import oauth, scopes, secrets, webhooks
from scanner.rules import Rule

FAMILIES: tuple[ModuleType, ...] = (secrets, scopes, webhooks, oauth)
RULES: tuple[type[Rule], ...] = tuple(rule for family in FAMILIES for rule in family.RULES)
RULES_BY_ID: dict[str, type[Rule]] = {rule.id: rule for rule in RULES}
# Config section name -> (family module, category value), e.g. "scopes" -> scope family.
FAMILY_SECTIONS: dict[str, ModuleType] = {family.SECTION: family for family in FAMILIES}


class SelectorError(ValueError):
    pass


def matches(rule: type[Rule], selector: str) -> bool:
    """A selector is a rule id or id prefix (SH101, SH1, SH), a rule name, or a category."""
    selector = selector.strip()
    upper = selector.upper()
    return (
        (upper.startswith("SH") and rule.id.startswith(upper))
        or selector.lower() == rule.name
        or selector.lower() in {rule.category.value, FAMILY_NAME.get(rule.category.value, "")}
    )


FAMILY_NAME = {"secret": "secrets", "scope": "scopes", "webhook": "webhooks", "oauth": "oauth"}


def check_selectors(selectors: Iterable[str]) -> None:
    for selector in selectors:
        if not any(matches(rule, selector) for rule in RULES):
            raise SelectorError(f"unknown rule or family {selector!r}")


def select_rules(select: Sequence[str], ignore: Sequence[str]) -> list[type[Rule]]:
    chosen = [r for r in RULES if not select or any(matches(r, s) for s in select)]
    return [r for r in chosen if not any(matches(r, s) for s in ignore)]


def instantiate(rule_classes: Iterable[type[Rule]], options: Mapping[str, Mapping[str, Any]],
                severity: Mapping[str, Any]) -> list[Rule]:
    """Rule objects with their family's options and any configured severity override."""
    rules = []
    for rule_class in rule_classes:
        section = FAMILY_NAME[rule_class.category.value]
        rule = rule_class(options.get(section, {}))
        override = severity.get(rule_class.id)
        if override is not None:
            rule.effective_severity = override
        rules.append(rule)
    return rules
