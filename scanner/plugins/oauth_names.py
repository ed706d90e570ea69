"""Names, words and lazily compiled patterns shared by the OAuth rules: what counts as a
credential, a token storage key, a session cookie. Stdlib only, cheap to import (hook start-up)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any


class LazyPattern:
    """A regex compiled on first use: plugin modules load on every hook run, most patterns are
    never needed there, and compiling them all costs more than the rest of the import."""

    __slots__ = ("_compiled", "_flags", "_source")

    def __init__(self, source: str, flags: int = 0) -> None:
        self._source, self._flags = source, flags
        self._compiled: re.Pattern[str] | None = None
        _ALL_LAZY.append(self)

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self._source, self._flags)
        return self._compiled

    def search(self, text: str) -> re.Match[str] | None:
        return self.compiled.search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(text)

    def findall(self, text: str) -> list[Any]:
        return self.compiled.findall(text)

    def sub(self, replacement: Callable[[re.Match[str]], str] | str, text: str) -> str:
        return self.compiled.sub(replacement, text)


def lazy(source: str, flags: int = 0) -> LazyPattern:
    return LazyPattern(source, flags)


_ALL_LAZY: list[LazyPattern] = []


@functools.lru_cache(maxsize=1)
def compiled_patterns() -> tuple[re.Pattern[str], ...]:
    """Every lazy pattern of the family, compiled: for audits (the ReDoS tests walk cached
    no-argument loaders like this one). Call it after the plugin modules are imported."""
    return tuple(pattern.compiled for pattern in _ALL_LAZY)




def normal(name: str) -> str:
    """`redirect_uri`, `redirectUri`, `REDIRECT-URI` -> `redirecturi`."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


# -- names --------------------------------------------------------------------------------------

_CREDENTIAL_EXACT = frozenset({
    "authorization", "authheader", "authorizationheader", "bearer", "bearertoken", "apikey",
    "jwt", "clientsecret", "accesstoken", "refreshtoken", "idtoken",
})
_NOT_CREDENTIAL = (
    "url", "uri", "endpoint", "type", "len", "count", "expir", "ttl", "name", "path", "file",
    "csrf", "xsrf", "page", "cursor", "next", "sync", "continuation", "hint", "tokenizer",
    "valid", "scope", "verifier", "challenge", "method", "prefix", "hash", "digest", "mask",
    "redact", "fingerprint", "kind", "format", "version", "age", "created", "issued", "store",
    "manager", "service", "provider", "client", "dir", "key_id", "keyid", "header_name",
)
_NOT_CREDENTIAL_START = ("has", "is", "should", "use", "num", "max", "min", "get", "set", "new_",
                         "create", "generate", "fetch", "load", "parse", "save", "validate",
                         "verify", "decode", "encode", "sign", "issue", "revoke", "rotate", "mint",
                         "request", "exchange", "obtain", "make")
# A bare `secret` is as often a secrets-scanner finding or a `secrets` module value as a credential.
_TOO_VAGUE = frozenset({"secret", "secrets"})


def is_credential_name(name: str) -> bool:
    """A variable, attribute or key that holds a token, a secret or an Authorization header."""
    lowered = name.lower().lstrip("_")
    flat = normal(name)
    if flat in _CREDENTIAL_EXACT:
        return True
    if not flat or flat in _TOO_VAGUE or any(part in flat for part in _NOT_CREDENTIAL if "_" not in part):
        return False
    if any(part in lowered for part in _NOT_CREDENTIAL if "_" in part):
        return False
    if lowered.startswith(_NOT_CREDENTIAL_START):
        return False
    return flat.endswith(("token", "tokens", "secret", "secrets")) or flat == "tokenset"


_CREDENTIAL_PREFIXES = (
    "access", "refresh", "id", "bearer", "auth", "oauth", "api", "session", "jwt", "client", "app",
    "bot", "user", "personal", "github", "gitlab", "slack", "discord", "stripe", "service",
    "installation", "webhook", "signing", "private", "admin", "deploy", "npm", "pypi", "hf",
    "openai", "consumer", "shared", "master")
_AUTH_WORDS = ("oauth", "bearer", "authorization", "jwt", "api_key", "apikey", "api-key",
               "client_secret", "clientsecret", "_secret", "secret_", "credential")


class LeakJudge:
    """Whether a credential name a file writes out counts: a specific name (`access_token`)
    always, a generic one (`token`, `secret`) only when the file talks auth (asked once)."""

    def __init__(self, lower: Callable[[], str]) -> None:
        self._lower = lower
        self._talks_auth: bool | None = None

    def counts(self, name: str) -> bool:
        if not is_generic_credential(name):
            return True
        if self._talks_auth is None:
            self._talks_auth = talks_auth(self._lower())
        return self._talks_auth


def talks_auth(lower: str) -> bool:
    """Whether a (lower-cased) file talks OAuth/HTTP auth: auth words, or a `<prefix>_token`
    name with a credential prefix (access_token, github_token...). Plain substring scans: fast."""
    if any(word in lower for word in _AUTH_WORDS):
        return True
    index = lower.find("token")
    while index != -1:
        head = lower[max(0, index - 16):index].rstrip("_-")
        match = re.search(r"[a-z]+$", head)
        if match and match.group(0) in _CREDENTIAL_PREFIXES:
            return True
        index = lower.find("token", index + 5)
    return False


def is_generic_credential(found: str) -> bool:
    """`token`, `self.tokens`, `cur_token`, `secret`: names lexers and the `secrets` module use as
    well, so they count only in files that talk OAuth/HTTP auth at all (see talks_auth)."""
    words = re.findall(r"\w+", found)
    if not words:
        return False
    flat = normal(words[-1])
    for suffix in ("tokens", "token", "secrets", "secret"):
        if flat.endswith(suffix):
            return flat[:-len(suffix)] not in _CREDENTIAL_PREFIXES
    return False


_STORAGE_SAFE = ("verifier", "state", "nonce", "csrf", "xsrf", "expir", "pkce", "redirect",
                 "returnto", "challenge", "type", "url", "uri")


def is_token_storage_key(key: str) -> bool:
    """A browser-storage or cookie key that names a token (not a PKCE verifier, state or expiry)."""
    flat = normal(key)
    if any(part in flat for part in _STORAGE_SAFE):
        return False
    return "token" in flat or "jwt" in flat or flat in {"auth", "authorization", "bearer", "session",
                                                         "sessionid", "sid", "credentials"}


def is_session_cookie_name(key: str) -> bool:
    flat = normal(key)
    if any(part in flat for part in ("csrf", "xsrf", "theme", "lang", "locale", "consent")):
        return False
    return is_token_storage_key(key) or "session" in flat or flat in {"sid", "auth"}
