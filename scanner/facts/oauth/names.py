"""What a name says in OAuth client code: a credential, a token storage key, a session cookie,
and whether a file talks OAuth/HTTP auth at all. Plain string functions, shared by the extractors."""

from __future__ import annotations

import re

_NON_ALNUM = re.compile(r"[^a-z0-9]")
_WORD = re.compile(r"\w+")


def normal(name: str) -> str:
    """`redirect_uri`, `redirectUri`, `REDIRECT-URI` -> `redirecturi`."""
    return _NON_ALNUM.sub("", name.lower())


_CREDENTIAL_EXACT = frozenset({
    "authorization", "authheader", "authorizationheader", "bearer", "bearertoken", "apikey",
    "jwt", "clientsecret", "accesstoken", "refreshtoken", "idtoken",
})
_NOT_CREDENTIAL = (
    "url", "uri", "endpoint", "type", "len", "count", "expir", "ttl", "name", "path", "file",
    "csrf", "xsrf", "page", "cursor", "next", "sync", "continuation", "hint", "tokenizer",
    "valid", "scope", "verifier", "challenge", "method", "prefix", "hash", "digest", "mask",
    "redact", "fingerprint", "kind", "format", "version", "age", "created", "issued", "store",
    "manager", "service", "provider", "client", "dir", "keyid", "nonce",
)
# `total_tokens`, `prompt_tokens`: an LLM's usage counts, not credentials.
_TOKEN_COUNTS = ("total", "prompt", "completion", "input", "output", "cached", "reasoning", "used",
                 "remaining", "usage", "context")
_NOT_CREDENTIAL_SPELT = ("key_id", "header_name")
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
    if not flat or flat in _TOO_VAGUE or any(part in flat for part in _NOT_CREDENTIAL):
        return False
    if any(part in lowered for part in _NOT_CREDENTIAL_SPELT) or lowered.startswith(_NOT_CREDENTIAL_START):
        return False
    if flat.endswith("tokens") and flat[:-len("tokens")].endswith(_TOKEN_COUNTS):
        return False
    return flat.endswith(("token", "tokens", "secret", "secrets")) or flat == "tokenset"


CREDENTIAL_PREFIXES = (
    "access", "refresh", "id", "bearer", "auth", "oauth", "api", "session", "jwt", "client", "app",
    "bot", "user", "personal", "github", "gitlab", "slack", "discord", "stripe", "service",
    "installation", "webhook", "signing", "private", "admin", "deploy", "npm", "pypi", "hf",
    "openai", "consumer", "shared", "master")
# A file talks OAuth/HTTP auth when it holds one of these: auth words, or a `<prefix>_token`
# name with a credential prefix (access_token, githubToken, id-token...).
TALKS_AUTH_WORDS = (
    "oauth", "bearer", "authorization", "jwt", "api_key", "apikey", "api-key", "client_secret",
    "clientsecret", "_secret", "secret_", "credential",
    *(f"{prefix}{separator}token" for prefix in CREDENTIAL_PREFIXES for separator in ("", "_", "-")))
# Credential names that count in any file (see is_generic_credential) hold one of these.
SPECIFIC_CREDENTIAL_WORDS = (
    "authheader", "auth_header", "auth-header", "tokenset", "token_set",
    *(f"{prefix}{separator}secret" for prefix in CREDENTIAL_PREFIXES for separator in ("", "_")))


def is_generic_credential(found: str) -> bool:
    """`token`, `self.tokens`, `cur_token`, `secret`: names lexers and the `secrets` module use as
    well, so they count only in files that talk OAuth/HTTP auth at all (see talks_auth)."""
    words = _WORD.findall(found)
    if not words:
        return False
    flat = normal(words[-1])
    for suffix in ("tokens", "token", "secrets", "secret"):
        if flat.endswith(suffix):
            return flat[:-len(suffix)] not in CREDENTIAL_PREFIXES
    return False


STORAGE_SAFE = ("verifier", "state", "nonce", "csrf", "xsrf", "expir", "pkce", "redirect",
                "returnto", "challenge", "type", "url", "uri")


def is_token_storage_key(key: str) -> bool:
    """A browser-storage or cookie key that names a token (not a PKCE verifier, state or expiry)."""
    flat = normal(key)
    if any(part in flat for part in STORAGE_SAFE):
        return False
    return "token" in flat or "jwt" in flat or flat in {"auth", "authorization", "bearer", "session",
                                                         "sessionid", "sid", "credentials"}


def is_session_cookie_name(key: str) -> bool:
    flat = normal(key)
    if any(part in flat for part in ("csrf", "xsrf", "theme", "lang", "locale", "consent")):
        return False
    return is_token_storage_key(key) or "session" in flat or flat in {"sid", "auth"}


def short(text: str, limit: int = 60) -> str:
    """Code shown in a message: whitespace folded, cut at `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def described(expression: str) -> str:
    """Code for a message: shortened, and never a literal (it could be the token itself)."""
    return "..." if any(quote in expression for quote in "'\"`") else short(expression, 40)
