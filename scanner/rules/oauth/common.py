"""What the OAuth rules share: the file contexts they report in, one finding per place, one
authorization request per function."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from scanner.facts.base import FileFacts
from scanner.facts.oauth.params import AuthorizationRequest, OAuthParam
from scanner.model.finding import Finding
from scanner.rules.base import Rule, RuleContext

R = TypeVar("R", bound=Rule)

# Test code drives flows against fakes on purpose (http redirects, verify=False, logged tokens).
NOT_IN_TESTS = frozenset({"code", "example", "docs"})


def once_per_place(check: Callable[[R, FileFacts, RuleContext], Iterable[Finding]]
                   ) -> Callable[[R, FileFacts, RuleContext], Iterator[Finding]]:
    """A rule's `check` that reports each message once per place: a URL can repeat a parameter,
    and a template string nested in another (`${a}${b ? `?token=${t}` : ""}`) is read whole and
    again alone; the outermost place is kept."""

    @functools.wraps(check)
    def checked_once(rule: R, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        kept: list[Finding] = []
        for finding in check(rule, facts, context):
            if any(other.message == finding.message and _within(finding, other) for other in kept):
                continue
            kept = [other for other in kept
                    if not (other.message == finding.message and _within(other, finding))]
            kept.append(finding)
        yield from sorted(kept, key=lambda f: (f.line, f.column))

    return checked_once


def _within(inner: Finding, outer: Finding) -> bool:
    """`inner`'s span lies inside `outer`'s (the same span included)."""
    return (outer.line, outer.column) <= (inner.line, inner.column) and \
        (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)


def first_per_function(requests: Iterable[AuthorizationRequest]) -> list[AuthorizationRequest]:
    """The first authorization request of each function (one flow, one finding)."""
    first: dict[tuple[int, int], AuthorizationRequest] = {}
    for request in requests:
        current = first.get(request.function)
        if current is None or request.span < current.span:
            first[request.function] = request
    return sorted(first.values(), key=lambda r: r.span)


def params_named(facts: FileFacts, *names: str) -> Iterator[OAuthParam]:
    """The OAuth parameters of a file that set one of `names` to a value."""
    for param in facts.of(OAuthParam):
        if param.param in names:
            yield param
