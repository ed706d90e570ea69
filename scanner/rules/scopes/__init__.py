"""The scope family (SH2xx): scope strings over the provider limit, wildcard/admin scopes,
duplicates, and scopes the code never exercises. One module per rule, listed here once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.rules.base import Rule
from scanner.rules.scopes.sh201_scope_string_too_long import ScopeStringTooLong
from scanner.rules.scopes.sh202_wildcard_or_admin_scope import WildcardOrAdminScope
from scanner.rules.scopes.sh203_duplicate_scope import DuplicateScope
from scanner.rules.scopes.sh204_unused_scope import UnusedScope

FAMILY = "scope"
SECTION = "scopes"
PREFIX = "SH2"
OPTIONS: dict[str, Any] = {
    "max-length": int,
    "host-limits": dict,
    "map": dict,
    "allow": list,
}
RULES: tuple[type[Rule], ...] = (ScopeStringTooLong, WildcardOrAdminScope, DuplicateScope,
                                 UnusedScope)


def validate_options(raw: Mapping[str, Any]) -> None:
    """Raise ValueError("key: problem") for a bad value in [tool.secret-hygiene.scopes]."""
    max_length = raw.get("max-length")
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, int)
                                   or max_length <= 0):
        raise ValueError("max-length: expected a positive integer")
    limits = raw.get("host-limits", {})
    if not isinstance(limits, dict):
        raise ValueError("host-limits: expected a table of host = limit")
    for host, limit in limits.items():
        if not isinstance(host, str) or not host or "/" in host:
            raise ValueError(f"host-limits: {host!r} is not a host name")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
            raise ValueError(f"host-limits: the limit for {host!r} must be a positive integer")
    mapping = raw.get("map", {})
    if not isinstance(mapping, dict):
        raise ValueError("map: expected a table of scope = [\"METHOD /path\", ...]")
    for scope, endpoints in mapping.items():
        from scanner.rules.scopes.usage import parse_endpoint

        if not isinstance(endpoints, list) or not endpoints:
            raise ValueError(f"map: {scope!r} needs a non-empty list of \"METHOD /path\" strings")
        for endpoint in endpoints:
            if not isinstance(endpoint, str) or parse_endpoint(endpoint) is None:
                raise ValueError(f"map: {endpoint!r} (for {scope!r}) is not \"METHOD /path\"")
    allow = raw.get("allow", [])
    if not isinstance(allow, list) or not all(isinstance(s, str) for s in allow):
        raise ValueError("allow: expected a list of scope strings")
