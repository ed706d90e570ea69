"""Credentials written out: a token, a secret or an Authorization header passed whole to a log
call, print/console output, or an exception message; and a token request's body or a token
response logged whole."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from scanner.code import ir
from scanner.facts.base import Extractor, Fact, Gate
from scanner.facts.oauth.code import (
    CodeIndex,
    assigned_names,
    callee_text,
    code_index,
    leaked_name,
    receiver_text,
    scope_has,
)
from scanner.facts.oauth.names import (
    SPECIFIC_CREDENTIAL_WORDS,
    TALKS_AUTH_WORDS,
    is_generic_credential,
    short,
)
from scanner.model.document import JS_KINDS, Document, FileKind

_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical",
                          "fatal", "log", "trace", "success", "dir"})
_LOG_RECEIVER = re.compile(r"log|warnings|console", re.IGNORECASE)
_NOT_MESSAGE = frozenset({"exc_info", "stack_info", "stacklevel"})
# A name counts when the file talks auth (any credential name), or it is specific on its own.
_COUNTING_WORDS = (*TALKS_AUTH_WORDS, *SPECIFIC_CREDENTIAL_WORDS)
# A function that requests tokens: what it sends and receives carries secrets and tokens.
_TOKEN_REQUEST = re.compile(r"token_url|token_endpoint|access_token_url|fetch_token|grant_type"
                            r"|oauth2?/token|oauth/access_token", re.IGNORECASE)
# A value that names a file (`TOKEN_FILE = "token.json"`, `Path.home() / ".acme"`), not a secret.
_FILE_LITERAL = re.compile(r"(?:\.(?:json|pickle|pkl|ya?ml|txt|pem|key|db|sqlite3?|cfg|ini|toml"
                           r"|env|dat|cache)|[/\\])\Z", re.IGNORECASE)
_STATUS_CHECK = re.compile(r"\b(?:\w+\.)*(?:status_code|status|ok|is_error|is_success)\b")
_PATH_CALLS = frozenset({"Path", "join", "expanduser", "abspath", "joinpath", "resolve",
                         "user_config_dir", "user_data_dir", "user_cache_dir"})


@dataclass(frozen=True)
class LoggedCredential(Fact):
    """A credential passed whole to a log call (`sink` "log") or into an exception message
    ("raise"). Generic names (`token`, `secret`) are facts only in files that talk OAuth or
    HTTP auth: lexers and the `secrets` module use them too."""

    sink: str
    call: str  # `logger.info`, `print`, `console.log`; for a raise, the exception class
    name: str  # the expression that leaks, as written
    wire: bool = False  # a token request's body/headers or a token response, not a named value


class LogExtractor(Extractor):
    name = "oauth-logs"
    produces = (LoggedCredential,)
    gate = Gate(kinds=frozenset({FileKind.PYTHON, *JS_KINDS}),
                words=("token", "secret", "authorization"), requires=(_COUNTING_WORDS,),
                vendored=False)

    def extract(self, document: Document) -> Iterator[LoggedCredential]:
        index = code_index(document)
        if index is None:
            return
        generic_ok = document.has_any(TALKS_AUTH_WORDS)
        files = _file_names(index)
        error_paths: dict[int, list[tuple[int, int]]] = {}
        for call, scope, _ in index.calls:
            logger = _log_call(document, call)
            if logger is not None:
                arguments = (*call.args, *(v for k, v in call.kwargs if k not in _NOT_MESSAGE))
                leak = _first_leak(document, arguments, "log", logger, generic_ok, files)
                if leak is None and scope_has(document, index, scope, _TOKEN_REQUEST) and \
                        not _on_error_path(index, scope, call, error_paths):
                    leak = _wire_leak(document, arguments, logger)
                if leak is not None:
                    yield leak
        quiet = _quiet_exceptions(index)
        for statement, _ in index.raises:
            if isinstance(statement.value, ir.Call):
                created = statement.value
                ignored = quiet.get(created.method, frozenset())
                arguments = (*(arg for position, arg in enumerate(created.args)
                               if position not in ignored),
                             *(value for key, value in created.kwargs if key not in ignored))
                leak = _first_leak(document, arguments, "raise", created.method, generic_ok, files)
                if leak is not None:
                    yield leak


def _first_leak(document: Document, arguments: tuple[ir.Expr, ...], sink: str, call: str,
                generic_ok: bool, files: frozenset[str]) -> LoggedCredential | None:
    for argument in arguments:
        # An exception's dict maps field names to errors: there the key is not the value.
        name = leaked_name(document, argument, dict_keys=sink == "log")
        if name and name.rsplit(".", 1)[-1] not in files and (generic_ok or _specific(name)):
            return LoggedCredential(document.node_span(argument), sink, call, name)
    return None


def _wire_leak(document: Document, arguments: tuple[ir.Expr, ...],
               logger: str) -> LoggedCredential | None:
    """A token request's body or headers (`r.request.body`) or a response's content (`r.text`,
    `r.json()`) logged in a function that requests tokens."""
    for argument in arguments:
        # The value itself or interpolated whole (`f"body {r.request.body}"`), not one field of it.
        for node in (argument, *(argument.parts if isinstance(argument, ir.Str) else ())):
            if _is_wire(node):
                return LoggedCredential(document.node_span(argument), "log", logger,
                                        document.source(node), wire=True)
    return None


def _on_error_path(index: CodeIndex, scope: int, call: ir.Call,
                   memo: dict[int, list[tuple[int, int]]]) -> bool:
    """Whether a call runs only when the request failed: in an `except` handler or under a
    status check (`if resp.status_code >= 300:`, `if not r.ok:`). An error response holds
    no token."""
    spans = memo.get(scope)
    if spans is None:
        function = index.functions[scope]
        body = function.body if function is not None else index.module.body
        spans = memo[scope] = list(_error_spans(body))
    return any(start <= call.start < end for start, end in spans)


def _error_spans(body: tuple[ir.Stmt, ...]) -> Iterator[tuple[int, int]]:
    for statement in ir.walk_statements(body):
        if isinstance(statement, ir.Try):
            yield from ((handler.start, handler.end) for handler in statement.handlers)
        elif isinstance(statement, ir.If) and statement.body and _STATUS_CHECK.search(
                _expr_names(statement.test)):
            yield statement.body[0].start, statement.body[-1].end


def _expr_names(expr: ir.Expr) -> str:
    return " ".join(node.name if isinstance(node, ir.Name) else node.attr
                    for node in ir.walk_expr(expr) if isinstance(node, (ir.Name, ir.Attr)))


def _is_wire(node: ir.Expr) -> bool:
    """`r.text`, `resp.content`, `r.request.body`, `r.request.headers`, `resp.json()`."""
    chain = ir.dotted(node) if isinstance(node, ir.Name) else \
        f"{ir.dotted(node.obj) or '()'}.{node.attr}" if isinstance(node, ir.Attr) else None
    if chain is not None:
        parts = chain.split(".")
        return (len(parts) >= 2 and parts[-1] in {"text", "content"}) or (
            len(parts) >= 3 and parts[-2] == "request" and parts[-1] in {"body", "headers"})
    return isinstance(node, ir.Call) and node.method == "json" and not node.args and \
        isinstance(node.receiver, ir.Name)


def _file_names(index: CodeIndex) -> frozenset[str]:
    """Names assigned a file name or a path (`TOKEN_FILE = "token.json"`, `os.path.join(...)`)."""
    found: set[str] = set()
    for statement, _, _ in index.assigns:
        value = statement.value
        if value is None:
            continue
        text = ir.string_value(value)
        if (text is not None and _FILE_LITERAL.search(text.strip())) or (
                isinstance(value, ir.Call) and value.method in _PATH_CALLS) or (
                isinstance(value, ir.BinOp) and value.op == "/" and not isinstance(value.left, ir.Num)):
            found.update(name for name, _ in assigned_names(statement))
    return frozenset(found)


def _quiet_exceptions(index: CodeIndex) -> dict[str, frozenset[int | str]]:
    """Exception classes of the module whose `__init__` keeps some arguments out of the message
    (`self.token = token`, then a fixed message): class name -> the positions and keywords of
    the arguments it ignores."""
    quiet: dict[str, frozenset[int | str]] = {}
    for statement in index.module.body:
        if not isinstance(statement, ir.ClassDef):
            continue
        methods = {method.name: method for method in statement.cls.methods()}
        init = methods.get("__init__")
        if init is None or "__str__" in methods or "__repr__" in methods:
            continue
        ignored = _ignored_params(init)
        if ignored:
            params = [p.name for p in init.params[1:] if p.kind == "normal"]
            quiet[statement.cls.name] = frozenset(
                {*ignored, *(position for position, name in enumerate(params) if name in ignored)})
    return quiet


def _ignored_params(init: ir.Function) -> set[str]:
    """The parameters an `__init__` only stores as attributes (never in its message)."""
    used: set[str] = set()
    for statement in ir.walk_statements(init.body):
        if isinstance(statement, ir.Assign) and len(statement.targets) == 1 and \
                isinstance(statement.value, ir.Name) and \
                (ir.dotted(statement.targets[0]) or "").startswith("self."):
            continue  # `self.token = token`: kept for the caller, not shown
        used.update(node.name.split(".", 1)[0] for expr in ir.statement_exprs(statement)
                    for node in ir.walk_expr(expr) if isinstance(node, ir.Name))
    return {param.name for param in init.params[1:]
            if param.kind == "normal" and param.name not in used}


def _specific(name: str) -> bool:
    """A credential name that counts even where the file does not talk auth."""
    lowered = name.lower()
    return not is_generic_credential(name) and any(word in lowered for word in _COUNTING_WORDS)


def _log_call(document: Document, call: ir.Call) -> str | None:
    """How a call that writes out its arguments is shown (`log.info`, `print`), or None."""
    if call.new:
        return None
    method = call.method
    receiver = receiver_text(document, call)
    if not receiver:
        return method if method in {"print", "pprint"} else None
    if (method in _LOG_METHODS or method == "print") and (
            _LOG_RECEIVER.search(receiver) or "getLogger" in receiver):
        return f"{short(receiver, 30)}.{method}"
    if (method == "echo" and receiver in {"click", "typer"}) or (
            method == "write" and receiver.endswith(("stdout", "stderr"))):
        return callee_text(document, call)
    return None
