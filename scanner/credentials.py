"""Credential values in the string literals of a line of code, for rules that are not about secrets.

A token in `localStorage.setItem`, a basic-auth tuple, a positional client secret, a cookie value:
the rule flags the construct, and these values are redacted from its snippet, message and cache."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from scanner.lazy import compiled_on_use
from scanner.redact import MIN_REDACTED, strength_bits

# A quoted literal (Python, JS/TS, config): its body as written, escapes kept.
_LITERAL = r"""(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\$\n]|\\.)*)`)"""
_ANY_LITERAL = compiled_on_use(_LITERAL)
# Constructs whose literal arguments a rule treats as credentials, whatever they look like
# (case-insensitive).
_CONSTRUCT_PATTERNS = (
    # basic auth: auth=("user", "pass"), auth: ["user", "pass"], HTTPBasicAuth("user", "pass")
    rf"\bauth\s*[=:]\s*[(\[]\s*{_LITERAL}\s*,\s*{_LITERAL}",
    rf"\b(?:HTTPBasicAuth|HTTPDigestAuth|BasicAuth|DigestAuth)\(\s*{_LITERAL}\s*,\s*{_LITERAL}",
    # browser storage: localStorage.setItem(key, "value"), localStorage.token = "value"
    rf"\b(?:local|session)Storage\s*\.\s*setItem\(\s*[^,()]+,\s*{_LITERAL}",
    rf"\b(?:local|session)Storage\s*(?:\.\s*\w+|\[[^\]]+\])\s*=\s*{_LITERAL}",
    # cookies: set_cookie(name, "value"), res.cookie(name, "value"), Cookies.set(name, "value")
    rf"(?:\bset_cookie|\bset_signed_cookie|\.cookie|\bcookies?\s*\.\s*set)\(\s*[^,()]+,\s*{_LITERAL}",
    # an OAuth client or session with its secret as the second positional argument
    rf"\b(?:Async)?OAuth\d?(?:Session|Client)\(\s*[^,()]+,\s*{_LITERAL}",
    # a credential header set by a call: headers.set("Authorization", "Bearer ...")
    rf"\b(?:set|setHeader|append|add_header|putheader)\(\s*[\"'`](?:authorization|cookie|"
    rf"x-api-key|api-key|x-auth-token)[\"'`]\s*,\s*{_LITERAL}",
    # a credential-named key, keyword argument or variable: password="...", "token": "..."
    rf"(?:secret|passw(?:or)?d|\bpwd|token|api[_-]?key|apikey|(?:private|secret|access)[_-]?key"
    rf"|credentials?|authorization|cookie|session_?id|\bsid)[\"'`]?\s*(?::=|=|:)\s*{_LITERAL}",
)
# document.cookie = "name=value; ..." : the value of the first pair.
_DOCUMENT_COOKIE = compiled_on_use(r"document\s*\.\s*cookie\s*=\s*[\"'`]\s*[^=;\"'`]*=([^;\"'`$]+)")
_SEGMENTS = compiled_on_use(r"[_\-.\s/:]+")
_NATURAL = compiled_on_use(r"^(?:[a-z]+|[A-Z]+|[a-z]*(?:[A-Z][a-z]*)+|\d+)$")
_WORD = compiled_on_use(r"[A-Z]+(?![a-z])|[A-Z][a-z]*|[a-z]+")
_REFERENCE = compiled_on_use(r"^(?:[a-z][a-z0-9+.-]*://|/|\./|\.\./|~/|\$|%|\{|<)|\$\{|\{\{|%\(|process\.env"
                             r"|os\.environ|getenv|\.(?:json|pem|key|crt|txt|ya?ml|env|ini|toml|cfg)$",
                             re.IGNORECASE)
_NOT_VALUES = frozenset({"null", "none", "nil", "undefined", "true", "false", "bearer", "basic",
                         "token", "secret", "password", "cookie"})


@functools.cache
def _constructs() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern, re.IGNORECASE) for pattern in _CONSTRUCT_PATTERNS)


def _values(match: re.Match[str]) -> list[str]:
    return [group for group in match.groups() if group]


def _is_identifier_like(value: str) -> bool:
    """Names, header names, scopes, prose: natural-case words (and number segments), with word
    lengths of real words rather than the one- or two-letter humps of a random string."""
    segments = [s for s in _SEGMENTS().split(value) if s]
    if not segments or not all(_NATURAL().match(s) for s in segments):
        return False
    words = [w for s in segments if not s.isdigit() for w in _WORD().findall(s)]
    return not words or sum(len(w) for w in words) / len(words) >= 3


def looks_like_credential(value: str) -> bool:
    """A literal that nothing names as a credential but that looks like one: 8 characters or
    more, no spaces, not a reference, template, placeholder or name, and random-looking."""
    if len(value) < 8 or any(c.isspace() for c in value) or _REFERENCE().search(value):
        return False
    if _is_identifier_like(value) or len(set(value)) < 5:
        return False
    classes = sum((any(c.islower() for c in value), any(c.isupper() for c in value),
                   any(c.isdigit() for c in value), any(not c.isalnum() for c in value)))
    return classes >= 3 or (classes == 2 and strength_bits(value) >= 3.0 * len(value))


def _is_value(value: str) -> bool:
    """A literal a construct names as a credential is one unless it is plainly not a value."""
    stripped = value.strip()
    return (len(stripped) >= MIN_REDACTED and stripped.lower() not in _NOT_VALUES
            and not _REFERENCE().search(stripped))


def credential_literals(text: str) -> set[str]:
    """The credential values among the string literals of `text` (one or more lines of code):
    those a construct names (auth tuples, storage and cookie values, a positional client secret,
    credential-named keys) and any other literal that looks like a credential."""
    if not any(quote in text for quote in "\"'`"):
        return set()
    found: set[str] = set()
    for pattern in _constructs():
        for match in pattern.finditer(text):
            found.update(v for v in _values(match) if _is_value(v))
    for match in _DOCUMENT_COOKIE().finditer(text):
        if _is_value(match.group(1)):
            found.add(match.group(1).strip())
    for match in _ANY_LITERAL().finditer(text):
        found.update(v for v in _values(match) if looks_like_credential(v))
    return found


def credential_literals_in(texts: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for text in texts:
        found |= credential_literals(text)
    return found
