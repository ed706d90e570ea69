"""The one selector matcher, used by --select/--ignore, inline ignores and per-file ignores.

A selector is a rule id or id prefix (`SH101`, `SH1`, `SH`), a rule name, a family name
(`secret`, `webhook`) or its config section (`secrets`, `webhooks`)."""

from __future__ import annotations

ALL = "*"


def selector_matches(selector: str, rule_id: str, rule_name: str, family: str,
                     section: str | None = None) -> bool:
    selector = selector.strip()
    if selector == ALL:
        return True
    upper = selector.upper()
    lower = selector.lower()
    return ((upper.startswith("SH") and rule_id.startswith(upper))
            or lower in (rule_name, family, section or family + "s"))
