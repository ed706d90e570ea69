"""Cookie writes (Flask/Django/Starlette `set_cookie`, Express `res.cookie`, js-cookie,
`document.cookie`) with their flags, and session cookie settings turned off (Django/Flask)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from scanner.code import ir
from scanner.facts.base import Extractor, Fact, Gate
from scanner.facts.development import commented_for_development
from scanner.facts.oauth.code import (
    ENCRYPTION_MARKERS,
    CodeIndex,
    assigned_names,
    code_index,
    dict_key,
    leaked_name,
    positional,
    receiver_text,
)
from scanner.facts.oauth.names import described, normal
from scanner.model.document import JS_KINDS, Document, FileKind

_FLAGS = (("httponly", "HttpOnly"), ("secure", "Secure"))
_RESPONSES = frozenset({"res", "response", "reply", "resp"})
_SETTINGS = frozenset({"SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY"})
# A settings mapping named or commented as for development or tests is not what a deployment runs.
_NAME_WORD = re.compile(r"[a-z]+")
_DEV_WORDS = frozenset({"dev", "development", "local", "debug", "test", "testing"})
_COOKIE_NAME = re.compile(r"[\w.\-]+")


@dataclass(frozen=True)
class CookieWrite(Fact):
    """A cookie set by code. `api`: `set_cookie`, `set_signed_cookie` (Python frameworks),
    `res.cookie` (Express), or from browser script: `js-cookie`, `document.cookie`."""

    api: str
    name: str | None  # the constant cookie name
    value_name: str | None  # the credential-looking name the value passes on
    missing: tuple[str, ...] | None  # HttpOnly/Secure not set; None when the options are not visible
    refresh: bool  # the name or the value mentions a refresh token
    encrypted: bool  # the value goes through an encryption step
    value_shown: str  # the value as code for messages (never a literal)


@dataclass(frozen=True)
class CookieSettingOff(Fact):
    """`SESSION_COOKIE_SECURE = False` / `SESSION_COOKIE_HTTPONLY = False` (any spelling: an
    assignment, a dict entry, a keyword argument); the span is the value."""

    setting: str
    # In a mapping of defaults (Flask's `default_config = ImmutableDict({...})`): a framework's
    # default that each application overrides, not an application's setting.
    in_defaults: bool = False


class CookieExtractor(Extractor):
    name = "oauth-cookies"
    produces = (CookieWrite, CookieSettingOff)
    gate = Gate(kinds=frozenset({FileKind.PYTHON, *JS_KINDS}),
                words=("set_cookie", "set_signed_cookie", ".cookie(", "document.cookie",
                       "session_cookie_secure", "session_cookie_httponly", "cookies.set(",
                       "cookie.set("), vendored=False)

    def extract(self, document: Document) -> Iterator[Fact]:
        index = code_index(document)
        if index is None:
            return
        for call, _, _ in index.calls:
            yield from _cookie_call(document, index, call)
            for key, value in call.kwargs:
                yield from _setting(document, key, value)
        defaults: set[int] | None = None  # built on the first setting found in a dict
        for obj, _ in index.dicts:
            for key_node, value in obj.items:
                for setting in _setting(document, dict_key(key_node, index.language) or "", value):
                    if defaults is None:
                        defaults = _defaults_dicts(document, index)
                    yield replace(setting, in_defaults=id(obj) in defaults)
        for statement, _, _ in index.assigns:
            for key, target in assigned_names(statement):
                if ir.dotted(target) in {"document.cookie", "window.document.cookie"} \
                        and statement.value is not None:
                    yield _script_cookie(document, statement, statement.value)
                yield from _setting(document, key, statement.value)


def _setting(document: Document, key: str, value: ir.Expr | None) -> Iterator[CookieSettingOff]:
    if key.upper() in _SETTINGS and _is_false(value):
        assert value is not None
        yield CookieSettingOff(document.node_span(value), key.upper())


def _defaults_dicts(document: Document, index: CodeIndex) -> set[int]:
    """The ids of dicts assigned, whole or wrapped (`ImmutableDict({...})`), to a name of
    defaults (`default_config`, `DEFAULTS`) or of development settings (`TALISMAN_DEV_CONFIG`,
    or under a comment that says so: "Session configuration for local development")."""
    found: set[int] = set()
    for statement, _, _ in index.assigns:
        if statement.value is None:
            continue
        names = [name for name, _ in assigned_names(statement)]
        if any("default" in name.lower() or set(_NAME_WORD.findall(name.lower())) & _DEV_WORDS
               for name in names) or _development_comment(document, statement):
            found.update(id(node) for node in ir.walk_expr(statement.value)
                         if isinstance(node, ir.Dict))
    return found


def _development_comment(document: Document, statement: ir.Stmt) -> bool:
    """The comment lines right above a statement say it is for development or tests."""
    return commented_for_development(document, document.node_span(statement)[0])


def _is_false(value: ir.Expr | None) -> bool:
    return (isinstance(value, ir.Const) and value.value is False) or (
        isinstance(value, ir.Num) and value.text == "0")


def _cookie_call(document: Document, index: CodeIndex, call: ir.Call) -> Iterator[CookieWrite]:
    method = call.method
    receiver = receiver_text(document, call)
    last = receiver.rsplit(".", 1)[-1]
    if method in {"set_cookie", "set_signed_cookie"}:
        api = method
        name_node, value = call.arg(0, "key"), call.arg(1, "value")
    elif method == "cookie" and last in _RESPONSES and len(call.args) >= 2:
        api = "res.cookie"
        name_node, value = call.args[0], call.args[1]
    elif method == "set" and last in {"Cookies", "Cookie", "cookies"} and receiver != "ctx.cookies" \
            and index.language == "javascript" and len(call.args) >= 2:
        api = "js-cookie"
        name_node, value = call.args[0], call.args[1]
    else:
        return
    value_text = document.source(value) if value is not None else ""
    name = ir.string_value(name_node)
    yield CookieWrite(document.node_span(call), api, name, leaked_name(document, value),
                      _missing_flags(call, api),
                      "refresh" in (name or "").lower() or "refresh" in value_text.lower(),
                      ENCRYPTION_MARKERS().search(value_text) is not None, described(value_text))


def _missing_flags(call: ir.Call, api: str) -> tuple[str, ...] | None:
    """The flags a server cookie is set without, from keyword arguments (Python) or an options
    object (Express); None when options come from elsewhere (`**opts`, a variable)."""
    if api == "js-cookie" or any(isinstance(arg, ir.Spread) for arg in call.args):
        return None
    if api == "res.cookie":
        options = positional(call)[2] if len(positional(call)) > 2 else None
        if options is not None and not isinstance(options, ir.Dict):
            return None
        given = {normal(ir.key_text(key) or ""): value
                 for key, value in (options.items if options is not None else ())}
    else:
        given = {key.lower(): value for key, value in call.kwargs}
    return tuple(label for flag, label in _FLAGS if flag not in given or _is_false(given[flag]))


def _script_cookie(document: Document, statement: ir.Assign, value: ir.Expr) -> CookieWrite:
    """`document.cookie = "name=value; path=/"`: the name is read from the written text."""
    leftmost = value
    while isinstance(leftmost, ir.BinOp):
        leftmost = leftmost.left
    written = leftmost.value.split("=", 1) if isinstance(leftmost, ir.Str) else []
    name = written[0].strip() if len(written) == 2 else ""
    text = document.source(value)
    return CookieWrite(document.node_span(statement), "document.cookie",
                       name if _COOKIE_NAME.fullmatch(name) else None, leaked_name(document, value), None,
                       "refresh" in text.lower(), ENCRYPTION_MARKERS().search(text) is not None,
                       described(text))
