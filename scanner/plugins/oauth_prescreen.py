"""A cheap `ast` pass that decides whether SH409/SH411/SH412 need the libcst analysis of a file.

Their keywords (`set_cookie`, a credential word near a log call, `refresh_token`) are common in
code that never does what the rules look for: Django's own cookie code, CLI tools that print a
vault secret's name, API clients that send a refresh grant. libcst costs a quarter of a second
to import and parses about 12x slower than `ast`, so those files are screened here first. Each
screen is a superset of its rule: False means the libcst analysis could not report anything.

SH409's settings check (`SESSION_COOKIE_SECURE = False`) needs no analysis at all: it is made
here from `ast`, with the same spans and messages."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from scanner.model.document import MAX_PYTHON_CHARS, ParsedFile
from scanner.plugins.oauth_common import Hit
from scanner.plugins.oauth_names import LeakJudge, is_credential_name, is_session_cookie_name

_AST_ATTR = "_oauth_ast"
SCREENED = frozenset({"SH409", "SH411", "SH412"})
# Kept in step with oauth_python (_LOG_METHODS, _TRANSPARENT_CALLS, _SQL_WRITE, _is_log_call).
LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical",
                         "fatal", "log", "trace", "success"})
TRANSPARENT_CALLS = frozenset({"str", "repr", "format", "dumps", "dict", "vars", "pformat",
                               "to_json", "json"})
SQL_WRITE = re.compile(r"\b(insert\s+into|update)\b[\s\S]*refresh_token", re.IGNORECASE)
LOG_RECEIVERS = re.compile(r"log|warnings", re.IGNORECASE)
DEV_SETTINGS = frozenset({"dev", "development", "local", "test", "tests", "testing", "ci"})
COOKIE_SETTINGS = frozenset({"SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY"})
_FILE_WRITES = frozenset({"write", "write_text", "writelines"})
_DUMPS = frozenset({"json.dump", "pickle.dump", "yaml.dump", "yaml.safe_dump", "toml.dump"})
_IGNORED_LOG_KEYWORDS = frozenset({"exc_info", "stack_info", "stacklevel"})


def parsed_ast(file: ParsedFile) -> ast.Module | None:
    cached = getattr(file, _AST_ATTR, None)
    if cached is None:
        try:
            cached = ast.parse(file.text) if len(file.text) <= MAX_PYTHON_CHARS else False
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            cached = False
        setattr(file, _AST_ATTR, cached)
    return cached if isinstance(cached, ast.Module) else None


def needs_analysis(rule: str, file: ParsedFile) -> bool:
    """Whether libcst must analyse `file` for `rule` (True when unsure: unparsable code)."""
    if rule not in SCREENED:
        return True
    tree = parsed_ast(file)
    if tree is None:
        return True  # libcst decides (and reports the parse problem)
    if rule == "SH409":
        return any(_cookie_call_may_fire(node) for node in _calls(tree))
    if rule == "SH411":
        return _may_log_secrets(file, tree)
    return _may_store_refresh_tokens(file, tree)


def settings_hits(file: ParsedFile) -> Iterator[Hit]:
    """SH409's Django settings check from `ast`: SESSION_COOKIE_SECURE/HTTPONLY set to False."""
    tree = parsed_ast(file)
    if tree is None or is_dev_settings(file.path):
        return
    for key, value in _key_values(tree):
        if key.upper() in COOKIE_SETTINGS and _bool(value) is False:
            effect = ("lets the session cookie travel over plain http" if "SECURE" in key.upper()
                      else "leaves the session cookie readable by scripts")
            yield Hit("SH409", span(file, value), f"{key.upper()} = False {effect}",
                      f"setting:{key.upper()}")


def is_dev_settings(path: str) -> bool:
    stem = PurePosixPath(path).stem.lower()
    return bool(set(re.split(r"[_.\-]", stem)) & DEV_SETTINGS)


def span(file: ParsedFile, node: ast.expr) -> tuple[int, int, int, int]:
    """libcst's 1-based (line, column, end_line, end_column), columns in characters."""
    end_line = node.end_lineno or node.lineno
    end_col = node.end_col_offset if node.end_col_offset is not None else node.col_offset
    return (node.lineno, _column(file, node.lineno, node.col_offset) + 1,
            end_line, _column(file, end_line, end_col) + 1)


def _column(file: ParsedFile, line: int, byte_offset: int) -> int:
    text = file.line_text(line)
    if text.isascii():
        return byte_offset
    return len(text.encode("utf-8", "surrogateescape")[:byte_offset].decode("utf-8", "ignore"))


# -- helpers -----------------------------------------------------------------------------------

def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def _call_parts(call: ast.Call) -> tuple[str, str]:
    """(receiver source or "", method or function name), as oauth_python._call_parts."""
    func = call.func
    if isinstance(func, ast.Name):
        return "", func.id
    if isinstance(func, ast.Attribute):
        return ast.unparse(func.value), func.attr
    return "", ""


def _method(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _string(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
        return "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
    return None


def _bool(node: ast.AST) -> bool | None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return node.value
        if type(node.value) is int and node.value in (0, 1):
            return node.value == 1
    return None


def _arg(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    positional = [a for a in call.args if not isinstance(a, ast.Starred)]
    return positional[position] if len(positional) > position else None


def _credential_names(expr: ast.AST | None) -> Iterator[str]:
    """The names oauth_python.leaked_name would find in `expr`, by the same walk: a name, an
    attribute, a constant subscript or dict key, a .get/.getenv/.pop key, through f-strings,
    binary operators, tuples and lists, dicts and str()/repr()/json.dumps()-like calls."""
    if isinstance(expr, ast.Name):
        if is_credential_name(expr.id):
            yield expr.id
    elif isinstance(expr, ast.Attribute):
        if is_credential_name(expr.attr):
            yield expr.attr
    elif isinstance(expr, ast.Subscript):
        if isinstance(expr.slice, (ast.Slice, ast.Tuple)):
            return
        key = _string(expr.slice)
        if key is None:
            yield from _credential_names(expr.value)
        elif is_credential_name(key):
            yield key
    elif isinstance(expr, ast.JoinedStr):
        for part in expr.values:
            if isinstance(part, ast.FormattedValue):
                yield from _credential_names(part.value)
    elif isinstance(expr, ast.BinOp):
        yield from _credential_names(expr.left)
        yield from _credential_names(expr.right)
    elif isinstance(expr, (ast.Tuple, ast.List)):
        for element in expr.elts:
            yield from _credential_names(element.value if isinstance(element, ast.Starred) else element)
    elif isinstance(expr, ast.Dict):
        for key_node, value in zip(expr.keys, expr.values, strict=True):
            key = _string(key_node)
            if key is not None and is_credential_name(key) and _string(value) is None:
                yield key
            yield from _credential_names(value)
    elif isinstance(expr, ast.Call):
        method = _method(expr)
        if method in {"get", "getenv", "pop"} and expr.args:
            key = _string(expr.args[0])
            if key is not None:
                if is_credential_name(key):
                    yield key
                return
        if method in TRANSPARENT_CALLS:
            for argument in expr.args:
                yield from _credential_names(argument.value if isinstance(argument, ast.Starred)
                                             else argument)
            if isinstance(expr.func, ast.Attribute) and method in {"to_json", "json"}:
                yield from _credential_names(expr.func.value)


def _key_values(tree: ast.AST) -> Iterator[tuple[str, ast.expr]]:
    """(key, value) of keyword arguments, constant-keyed dict entries and assignments."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for item in node.keywords:
                if item.arg is not None:
                    yield item.arg, item.value
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                text = _string(key)
                if text is not None:
                    yield text, value
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    yield target.id, node.value
                elif isinstance(target, ast.Attribute):
                    yield target.attr, node.value
                elif isinstance(target, ast.Subscript):
                    text = _string(target.slice)
                    if text is not None:
                        yield text, node.value


# -- screens -----------------------------------------------------------------------------------

def _cookie_call_may_fire(call: ast.Call) -> bool:
    if _method(call) not in {"set_cookie", "set_signed_cookie"}:
        return False
    name = _string(_arg(call, 0, "key"))
    if name is not None and not is_session_cookie_name(name):
        return False
    if name is None:
        value = _arg(call, 1, "value")
        if value is None or not any(True for _ in _credential_names(value)):
            return False
    flags = {item.arg: item.value for item in call.keywords if item.arg in {"httponly", "secure"}}
    return any(flag not in flags or _bool(flags[flag]) is False for flag in ("httponly", "secure"))


def _is_log_call(call: ast.Call) -> bool:
    method = _method(call)
    if method not in LOG_METHODS | {"print", "pprint", "echo", "write"}:
        return False
    receiver, method = _call_parts(call)
    return ((not receiver and method in {"print", "pprint"})
            or (method in LOG_METHODS and bool(LOG_RECEIVERS.search(receiver) or "getLogger" in receiver))
            or (method == "echo" and receiver in {"click", "typer"})
            or (method == "print" and "console" in receiver)
            or (method == "write" and receiver.endswith(("stdout", "stderr"))))


def _may_log_secrets(file: ParsedFile, tree: ast.Module) -> bool:
    judge = LeakJudge(lambda: file.lower)

    def leaks(expr: ast.AST) -> bool:
        return any(judge.counts(name) for name in _credential_names(expr))

    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            call, ignored = node.exc, frozenset[str]()
        elif isinstance(node, ast.Call) and _is_log_call(node):
            call, ignored = node, _IGNORED_LOG_KEYWORDS
        else:
            continue
        arguments = [*(a.value if isinstance(a, ast.Starred) else a for a in call.args),
                     *(k.value for k in call.keywords if k.arg not in ignored)]
        if any(leaks(argument) for argument in arguments):
            return True
    return False


def _may_store_refresh_tokens(file: ParsedFile, tree: ast.Module) -> bool:
    mentions_refresh = "refresh" in file.lower
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            receiver, method = _call_parts(node) if _method(node) in _FILE_WRITES | {
                "dump", "safe_dump", "set_cookie"} else ("", "")
            dotted = f"{receiver}.{method}" if receiver else method
            if (method in _FILE_WRITES or dotted in _DUMPS) and node.args:
                if receiver.endswith(("stdout", "stderr")) or _string(node.args[0]) is not None:
                    continue
                source = ast.unparse(node.args[0])
                if ("refresh" in source.lower() or re.search(r"\b(creds|credentials)\.to_json\(", source)
                        or (mentions_refresh and any(True for _ in _credential_names(node.args[0])))):
                    return True
            elif method == "set_cookie":
                return True  # the libcst rule looks at the cookie's name and value
        elif isinstance(node, ast.ClassDef) and _refresh_column(node):
            return True
        elif isinstance(node, (ast.Constant, ast.JoinedStr)):
            text: str | None = (_string(node) if isinstance(node, ast.Constant) else
                    "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values))
            if text is not None and SQL_WRITE.search(text):
                return True
    return False


def _refresh_column(node: ast.AST) -> bool:
    """A class-level (not in a method) assignment to a name holding "refresh"."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        targets = (child.targets if isinstance(child, ast.Assign)
                   else [child.target] if isinstance(child, ast.AnnAssign) else [])
        if any(isinstance(t, ast.Name) and "refresh" in t.id.lower() for t in targets):
            return True
        if _refresh_column(child):
            return True
    return False
