"""The explicit list of rule families and rules, and rule selection (select/ignore).

Nothing registers itself on import: a new rule is one module, listed once in its family."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.rules import oauth, scopes, secrets, webhooks
from scanner.rules.base import Rule
from scanner.rules.selectors import selector_matches


@dataclass(frozen=True)
class Family:
    """A rule family as data: its category name, config section, id prefix, rules and options."""

    name: str  # the findings' category: secret, scope, webhook, oauth
    section: str  # its table in the configuration: secrets, scopes, webhooks, oauth
    prefix: str  # SH1, SH2 ...
    rules: tuple[type[Rule], ...]
    options: Mapping[str, Any]
    validate: Callable[[Mapping[str, Any]], None] | None = None


FAMILIES: tuple[Family, ...] = tuple(
    Family(module.FAMILY, module.SECTION, module.PREFIX, module.RULES, module.OPTIONS,
           getattr(module, "validate_options", None))
    for module in (secrets, scopes, webhooks, oauth))
RULES: tuple[type[Rule], ...] = tuple(rule for family in FAMILIES for rule in family.rules)
RULES_BY_ID: dict[str, type[Rule]] = {rule.id: rule for rule in RULES}
FAMILY_BY_NAME: dict[str, Family] = {family.name: family for family in FAMILIES}
FAMILY_SECTIONS: dict[str, Family] = {family.section: family for family in FAMILIES}


class SelectorError(ValueError):
    pass


def matches(rule: type[Rule], selector: str) -> bool:
    return selector_matches(selector, rule.id, rule.name, rule.family,
                            FAMILY_BY_NAME[rule.family].section)


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
        section = FAMILY_BY_NAME[rule_class.family].section
        rule = rule_class(options.get(section, {}))
        override = severity.get(rule_class.id)
        if override is not None:
            rule.effective_severity = override
        rules.append(rule)
    return rules
