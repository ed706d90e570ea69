"""The OAuth extractors' shared view of a code file, built once per document: its calls, dicts,
strings, assignments and raises with the function each sits in, and the helpers that read them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from scanner.code import ir
from scanner.facts.oauth.names import is_credential_name
from scanner.lazy import compiled_on_use
from scanner.model.document import Document, MemoKey

# An encryption step: a value (or the function writing it) that goes through one is not plain.
ENCRYPTION_MARKERS = compiled_on_use(
    r"encrypt|fernet|cipher|\bkms\b|seal|keyring|keychain|nacl|aesgcm|crypto|vault|protect",
    re.IGNORECASE)


class CallSite(NamedTuple):
    call: ir.Call
    scope: int  # index into CodeIndex.functions
    statement: ir.Stmt


@dataclass
class CodeIndex:
    """Every call, dict, string, assignment and raise of a module once, with its scope: the
    innermost function around it (`functions[0]` is None: module level; class bodies belong to
    the function around the class)."""

    module: ir.Module
    functions: list[ir.Function | None] = field(default_factory=lambda: [None])
    calls: list[CallSite] = field(default_factory=list)
    dicts: list[tuple[ir.Dict, int]] = field(default_factory=list)
    strings: list[tuple[ir.Str, int]] = field(default_factory=list)  # docstrings left out
    assigns: list[tuple[ir.Assign, int, bool]] = field(default_factory=list)  # in a class body
    raises: list[tuple[ir.Raise, int]] = field(default_factory=list)
    scope_texts: dict[int, str] = field(default_factory=dict)  # filled by scope_text()
    # (scope, pattern) -> whether the pattern occurs in the scope's code (scope_has)
    scope_matches: dict[tuple[int, str], bool] = field(default_factory=dict)

    @property
    def language(self) -> str:
        return self.module.language


_INDEX = MemoKey[CodeIndex | None]("oauth.code_index")


def code_index(document: Document) -> CodeIndex | None:
    """The document's code index (None when it is not code or does not parse)."""
    return document.memo(_INDEX, _build)


def _build(document: Document) -> CodeIndex | None:
    module = document.code
    if module is None:
        return None
    index = CodeIndex(module)
    pending: list[tuple[int, tuple[ir.Stmt, ...], bool]] = [(0, module.body, False)]
    while pending:
        scope, body, class_body = pending.pop(0)
        for statement in ir.walk_statements(body):
            exprs = ir.statement_exprs(statement)
            if isinstance(statement, ir.FunctionDef):
                function = statement.function
                index.functions.append(function)
                pending.append((len(index.functions) - 1, function.body, False))
                # Decorators and defaults run in the scope around the function.
                exprs = (*function.decorators,
                         *(param.default for param in function.params if param.default is not None))
            elif isinstance(statement, ir.ClassDef):
                pending.append((scope, statement.cls.body, True))
                exprs = statement.cls.decorators
            elif isinstance(statement, ir.Assign):
                index.assigns.append((statement, scope, class_body))
            elif isinstance(statement, ir.Raise):
                index.raises.append((statement, scope))
            elif isinstance(statement, ir.ExprStmt) and isinstance(statement.expr, ir.Str):
                continue  # a docstring or a "use strict" directive
            for expr in exprs:
                for node in ir.walk_expr(expr):
                    if isinstance(node, ir.Call):
                        index.calls.append(CallSite(node, scope, statement))
                    elif isinstance(node, ir.Str):
                        index.strings.append((node, scope))
                    elif isinstance(node, ir.Dict):
                        index.dicts.append((node, scope))
                    elif isinstance(node, ir.Func):
                        index.functions.append(node.function)
                        pending.append((len(index.functions) - 1, node.function.body, False))
    return index


def scope_text(document: Document, index: CodeIndex, scope: int) -> str:
    """The code of a scope's function, or the whole file at module level."""
    text = index.scope_texts.get(scope)
    if text is None:
        function = index.functions[scope]
        text = document.text if function is None else \
            document.utf8[function.start:function.end].decode("utf-8", "surrogateescape")
        index.scope_texts[scope] = text
    return text


def scope_has(document: Document, index: CodeIndex, scope: int, pattern: re.Pattern[str]) -> bool:
    """Whether `pattern` occurs in a scope's code, searched once per scope (module-level code
    would otherwise search the whole file again for every call in it)."""
    key = (scope, pattern.pattern)
    found = index.scope_matches.get(key)
    if found is None:
        found = index.scope_matches[key] = pattern.search(scope_text(document, index, scope)) is not None
    return found


def scope_lines(document: Document, index: CodeIndex, scope: int) -> tuple[int, int]:
    """The first and last line of a scope's function (the whole file at module level)."""
    function = index.functions[scope]
    if function is None:
        return 1, max(1, len(document.lines))
    line, _, end_line, _ = document.node_span(function)
    return line, end_line


def receiver_text(document: Document, call: ir.Call) -> str:
    """What a method is called on, as written (`logging.getLogger(__name__)`), or ""."""
    receiver = call.receiver
    if receiver is None:
        return ""
    return receiver.name if isinstance(receiver, ir.Name) else document.source(receiver)


def callee_text(document: Document, call: ir.Call) -> str:
    """The called function as written: `requests.post`, `fs.writeFileSync`, `print`."""
    if call.callee:
        return call.callee
    receiver = receiver_text(document, call)
    return f"{receiver}.{call.method}" if receiver else call.method


def dict_key(key: ir.Expr | None, language: str) -> str | None:
    """A dict/object key's text: a constant string, or (JavaScript) a bare property name."""
    if isinstance(key, ir.Str):
        return ir.string_value(key)
    if language == "javascript" and isinstance(key, ir.Name) and "." not in key.name:
        return key.name
    return None


def positional(call: ir.Call) -> list[ir.Expr]:
    return [arg for arg in call.args if not isinstance(arg, ir.Spread)]


def assigned_names(statement: ir.Assign) -> Iterator[tuple[str, ir.Expr]]:
    """(key, target) of each target an assignment names: `x`, `obj.attr` (attr), `d["key"]`."""
    for target in statement.targets:
        if isinstance(target, ir.Name):
            yield target.name.rsplit(".", 1)[-1], target
        elif isinstance(target, ir.Attr):
            yield target.attr, target
        elif isinstance(target, ir.Index):
            key = ir.string_value(target.key)
            if key is not None:
                yield key, target


# Calls that hand on their argument whole (str(token), JSON.stringify(token), creds.to_json()).
_TRANSPARENT = frozenset({"str", "repr", "format", "dumps", "dict", "vars", "pformat", "to_json",
                          "json", "stringify", "String"})


# Tables of texts keyed by what they talk about, not holding it.
_MESSAGE_TABLES = ("messages", "message", "errors", "labels", "texts", "descriptions", "titles")


def leaked_name(document: Document, expr: ir.Expr | None, *, dict_keys: bool = True) -> str | None:
    """The credential-looking name an expression passes on whole (not its length or expiry).
    `dict_keys`: a dict key naming a credential counts for its value (in a log line it labels
    the value; an exception's dict maps field names to errors, so there it does not)."""
    if isinstance(expr, ir.Name):
        return expr.name if is_credential_name(expr.name.rsplit(".", 1)[-1]) else None
    if isinstance(expr, ir.Attr):
        return document.source(expr) if is_credential_name(expr.attr) else None
    if isinstance(expr, ir.Index):
        key = ir.string_value(expr.key)
        if key is not None:
            if (ir.dotted(expr.obj) or "").lower().endswith(_MESSAGE_TABLES):
                return None  # `error_messages["gift_card_secret"]`: a message about the secret
            return document.source(expr) if is_credential_name(key) else None
        if isinstance(expr.key, ir.Seq) or (isinstance(expr.key, ir.Other) and expr.key.kind == "slice"):
            return None  # a slice is a prefix, not the value
        return leaked_name(document, expr.obj, dict_keys=dict_keys)
    if isinstance(expr, (ir.Str, ir.Seq)):
        return _first_leak(document, expr.parts if isinstance(expr, ir.Str) else expr.items,
                           dict_keys)
    if isinstance(expr, ir.BinOp):
        return _first_leak(document, (expr.left, expr.right), dict_keys)
    if isinstance(expr, ir.Spread):
        return leaked_name(document, expr.value, dict_keys=dict_keys)
    if isinstance(expr, ir.Dict):
        for key_node, value in expr.items:
            name = ir.key_text(key_node)
            if dict_keys and name is not None and is_credential_name(name) and \
                    ir.string_value(value) is None:
                return name
            found = leaked_name(document, value, dict_keys=dict_keys)
            if found:
                return found
        return None
    if isinstance(expr, ir.Call):
        return _leaked_by_call(document, expr, dict_keys)
    return None


def _first_leak(document: Document, exprs: tuple[ir.Expr, ...], dict_keys: bool) -> str | None:
    for expr in exprs:
        found = leaked_name(document, expr, dict_keys=dict_keys)
        if found:
            return found
    return None


def _leaked_by_call(document: Document, call: ir.Call, dict_keys: bool) -> str | None:
    method = call.method
    if method in {"get", "getenv", "pop"} and call.args:
        key = ir.string_value(call.args[0])
        if key is not None:
            receiver = receiver_text(document, call)
            return f"{receiver}.{method}({key!r})" if is_credential_name(key) else None
    if method in _TRANSPARENT:
        found = _first_leak(document, (*call.args, *(value for _, value in call.kwargs)), dict_keys)
        if found:
            return found
        if method in {"to_json", "json"}:
            return leaked_name(document, call.receiver, dict_keys=dict_keys)
    return None


# -- query strings ---------------------------------------------------------------------------

_QUERY_PARAM = re.compile(
    r"(?:^|(?<=[?&]))(redirect_uri|redirecturi|callback_url|code_challenge_method|code_challenge"
    r"|response_type|grant_type|access_token|refresh_token|client_secret|accesstoken"
    r"|refreshtoken|clientsecret)=", re.IGNORECASE)
# A parameter's value: up to the next `&`, `#`, space or quote, and never more than a URL's worth
# (a long line of parameters with no separator must not be read to its end for each).
_VALUE = re.compile(r"[^&#\s\"'`]{0,2048}")


class QueryParam(NamedTuple):
    name: str  # as written
    value: str  # up to the next `&` or `#`
    in_query: bool  # a `?` comes before it (not a form body)
    at_start: bool  # the string starts with it


def query_params(text: str) -> Iterator[QueryParam]:
    """The OAuth parameters written as `name=value` pairs in a URL or form string."""
    if "=" not in text:
        return
    question = text.find("?")
    for match in _QUERY_PARAM.finditer(text):
        found = _VALUE.match(text, match.end())
        value = found.group() if found else ""
        yield QueryParam(match.group(1), value, 0 <= question < match.start(),
                         match.start() == 0)


# `?token={self._token}` in an f-string or template: a bare token parameter, interpolated.
_INTERPOLATED_TOKEN = compiled_on_use(
    r"[?&]((?:auth_?|api_?)?token)=\$?\{([^{}]{1,200})\}", re.IGNORECASE)
_LAST_NAME = re.compile(r"(\w+)\W*\Z")


def interpolated_tokens(text: str) -> Iterator[tuple[str, str]]:
    """(parameter, expression) of each `?token={expr}` in an interpolated string whose
    expression names a credential (`self._token`, `entry.data[CONF_TOKEN]`)."""
    if "token=" not in text.lower():
        return
    for match in _INTERPOLATED_TOKEN().finditer(text):
        last = _LAST_NAME.search(match.group(2))
        if last is not None and names_credential(last.group(1)):
            yield match.group(1), match.group(2)


def names_credential(name: str | None) -> bool:
    """Whether a dotted name's last part names a credential (`self._token`, `CONF_TOKEN`)."""
    return name is not None and is_credential_name(name.rsplit(".", 1)[-1])
