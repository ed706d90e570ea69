"""Pieces of the gates' fast paths (regular expressions over lower-cased text) that several
extractors share: what may stand between two tokens, where a string literal starts."""

# Each piece matches one way only and bounds what it scans past a marker, so a fast path scans
# a hostile line in linear time.

from __future__ import annotations

# One thing between two tokens: a blank, a line continuation, or a comment of either language
# (up to 200 characters: a scan that starts at every occurrence of a marker then stays linear).
GAP_ITEM = (r"[\s\\]|#[^\n]{0,200}(?:\n|\Z)|//[^\n]{0,200}(?:\n|\Z)"
            r"|/\*(?:[^*]|\*(?!/)){0,200}\*/")
GAP = rf"(?:{GAP_ITEM})*"
# The start of a string literal (Python prefixes `r`, `b`, `u`, `f`, two at most; JS templates).
STRING = r"[rbuf]{0,2}[\"'`]"
# Before a value the code model unwraps to the value itself: blanks and comments, parentheses,
# `await`, a TypeScript `<T>` assertion; and up to four other targets of a chained assignment or
# a walrus (`a.verify = b = False`, `(x := False)`; bounded, so a run of them is linear to scan).
_WRAPPERS = rf"(?:{GAP_ITEM}|\(|await\b|<[^<>\n]*>)*"
VALUE_PREFIX = rf"{_WRAPPERS}(?:[a-z0-9_$.\[\]\"']+[\s\\]*:?=(?!=){_WRAPPERS}){{0,4}}"
# The constants `False`/`false` and `0` as whole tokens (not `0.5`, `0x0`, `falsey`).
FALSE_OR_ZERO = r"(?:false|0)(?![a-z0-9_$.])"
