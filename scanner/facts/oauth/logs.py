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
    interpolated_tokens,
    leaked_name,
    receiver_text,
    scope_has,
)
from scanner.facts.oauth.names import (
    SPECIFIC_CREDENTIAL_WORDS,
    TALKS_AUTH_WORDS,
    is_credential_name,
    is_generic_credential,
    short,
)
from scanner.model.document import JS_KINDS, Document, FileKind

_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical",
                          "fatal", "log", "trace", "success", "dir"})
_LOG_RECEIVER = re.compile(r"log|warnings|console", re.IGNORECASE)
_NOT_MESSAGE = frozenset({"exc_info", "stack_info", "stacklevel"})
# A name counts when the file talks auth (any credential name), or it is specific on its own;
# a URL built with `?token={...}` holds one whatever the file talks about.
_COUNTING_WORDS = (*TALKS_AUTH_WORDS, *SPECIFIC_CREDENTIAL_WORDS, "token={", "token=${")
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
    # Holds a credential by where it came from, not by its name: a URL built with `?token=`,
    # the result of a call that mints a code or token (`grant = create_authorization_code(r)`).
    inferred: bool = False


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
        names = _Names(document, index)
        error_paths: dict[int, list[tuple[int, int]]] = {}
        for call, scope, _ in index.calls:
            logger = _log_call(document, call)
            if logger is not None:
                arguments = _message_arguments(call)
                leak = _first_leak(document, arguments, "log", logger, generic_ok, names, scope)
                if leak is None and scope_has(document, index, scope, _TOKEN_REQUEST) and \
                        not _on_error_path(index, scope, call, error_paths):
                    leak = _wire_leak(document, arguments, logger)
                if leak is not None:
                    yield leak
        quiet = _quiet_exceptions(index)
        for statement, scope in index.raises:
            if isinstance(statement.value, ir.Call):
                created = statement.value
                ignored = quiet.get(created.method, frozenset())
                arguments = (*(arg for position, arg in enumerate(created.args)
                               if position not in ignored),
                             *(value for key, value in created.kwargs if key not in ignored))
                leak = _first_leak(document, arguments, "raise", created.method, generic_ok,
                                   names, scope)
                if leak is not None:
                    yield leak


class _Names:
    """What the file's assignments say about names, worked out on first need: file names and
    paths, names that only ever hold a flag, a number or an id, and URLs built with a token."""

    def __init__(self, document: Document, index: CodeIndex) -> None:
        self.document = document
        self.index = index
        self._files: frozenset[str] | None = None
        self._plain: frozenset[tuple[int, str]] | None = None
        self._carriers: dict[tuple[int, str], str] | None = None
        self._absent: dict[int, list[tuple[int, int, str]]] = {}

    @property
    def files(self) -> frozenset[str]:
        if self._files is None:
            self._files = _file_names(self.index)
        return self._files

    def plain(self, name: str, scope: int) -> bool:
        """A credential-named value the file only ever sets to a flag, a number or an id, or
        declares as a WWW-Authenticate challenge (`self.manual_token = data.get(KEY, False)`)."""
        if self._plain is None:
            self._plain = _plain_names(self.document, self.index)
        return (_name_scope(name, scope), name) in self._plain

    def carried_by(self, name: str, scope: int) -> str | None:
        """How a name holds a credential whatever it is called: assigned a URL that carries a
        token (`url = f"{base}?token={self._token}"`), or what a call minting a code or token
        returns, whole or in a dict (`grant = {"code": generate_token()}`)."""
        if self._carriers is None:
            self._carriers = {}
            text = self.document.lower
            if "token=" not in text and _MINTS.search(text) is None:
                return None  # no URL with a token, no minting call: nothing to look for
            for statement, assigned_in, _ in self.index.assigns:
                source = _carried_credential(statement.value)
                if source is not None:
                    for target in statement.targets:
                        dotted = ir.dotted(target)
                        if dotted:
                            self._carriers[(_name_scope(dotted, assigned_in), dotted)] = source
        return self._carriers.get((_name_scope(name, scope), name))


    def lacks_credential(self, name: str, scope: int, at: int) -> bool:
        """Code at `at` runs only when the value `name` lacks a credential key: the body of
        `if "oauth_token" not in token:` or the `else` of `if "oauth_token" in token:`."""
        spans = self._absent.get(scope)
        if spans is None:
            function = self.index.functions[scope]
            body = function.body if function is not None else self.index.module.body
            spans = self._absent[scope] = list(_absent_spans(body))
        return any(start <= at < end and name == value for start, end, value in spans)


def _absent_spans(body: tuple[ir.Stmt, ...]) -> Iterator[tuple[int, int, str]]:
    for statement in ir.walk_statements(body):
        if not isinstance(statement, ir.If):
            continue
        test = statement.test
        if not isinstance(test, ir.Compare) or test.op not in {"in", "not in"}:
            continue
        key, value = ir.string_value(test.left), ir.dotted(test.right)
        if key is None or value is None or not is_credential_name(key):
            continue
        branch = statement.body if test.op == "not in" else statement.orelse
        if branch:
            yield branch[0].start, branch[-1].end, value


# A call that mints a code or token: `generate_token()`, `create_authorization_code(request)`,
# not `secrets.token_hex()`, as often a request id or a file name.
_MINTS = re.compile(r"(?:create|generate|issue|mint|new)_?(?:authorization_?code|access_?token"
                    r"|refresh_?token|token|secret)s?", re.IGNORECASE)


def _carried_credential(value: ir.Expr | None) -> str | None:
    """What makes a value hold a credential whatever its name, as shown in messages, or None."""
    if isinstance(value, ir.Str) and value.parts and any(interpolated_tokens(value.value)):
        return "a URL with ?token="
    calls = [value] if isinstance(value, ir.Call) else [
        item for _, item in value.items if isinstance(item, ir.Call)] \
        if isinstance(value, ir.Dict) else []
    for call in calls:
        if _MINTS.fullmatch(call.method):
            return f"from {call.method}()"
    return None


def _name_scope(name: str, scope: int) -> int:
    """Attributes (`self.token`) are the same name all over the file; plain names per function."""
    return -1 if "." in name else scope


def _first_leak(document: Document, arguments: tuple[ir.Expr, ...], sink: str, call: str,
                generic_ok: bool, names: _Names, scope: int) -> LoggedCredential | None:
    for argument in arguments:
        # An exception's dict maps field names to errors: there the key is not the value.
        name = leaked_name(document, argument, dict_keys=sink == "log")
        if name and name.rsplit(".", 1)[-1] not in names.files and \
                (generic_ok or _specific(name)) and not names.plain(name, scope) and \
                not names.lacks_credential(name, scope, argument.start):
            return LoggedCredential(document.node_span(argument), sink, call, name)
        written = ir.dotted(argument) if isinstance(argument, (ir.Name, ir.Attr)) else None
        if sink == "log" and written:
            source = names.carried_by(written, scope)
            if source is not None:
                return LoggedCredential(document.node_span(argument), sink, call,
                                        f"{written} ({source})", inferred=True)
    return None


# Words before a placeholder that say it is filled with a file or path, not a secret.
_FILE_PLACEHOLDER = re.compile(r"(?:files?|filenames?|paths?|director(?:y|ies)|folders?)\W*\Z",
                               re.IGNORECASE)
_PLACEHOLDER = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdrifx]|\{\}")


def _message_arguments(call: ir.Call) -> tuple[ir.Expr, ...]:
    """A log call's arguments that can reach the message; those its format string says are
    file names (`"duplicated in files %s and %s"`) are left out."""
    arguments = (*call.args, *(v for k, v in call.kwargs if k not in _NOT_MESSAGE))
    template = ir.string_value(call.args[0]) if call.args else None
    if not template or len(call.args) < 2:
        return arguments
    pieces = _PLACEHOLDER.split(template)[:-1]  # the text before each placeholder
    files = {position + 1 for position, before in enumerate(pieces)
             if _FILE_PLACEHOLDER.search(before)}
    return tuple(argument for position, argument in enumerate(arguments) if position not in files)


_PLAIN_TYPES = frozenset({"bool", "int", "float", "None", "Optional"})
# A declared type for a WWW-Authenticate challenge (what a server asks for, never a credential).
_CHALLENGE_TYPE = re.compile(r"authenticate|challenge", re.IGNORECASE)


def _plain_names(document: Document, index: CodeIndex) -> frozenset[tuple[int, str]]:
    """(scope, name) of credential-named targets whose declared type or every value says they
    hold no credential: a flag, a number, an id (`token = self.id`), a challenge."""
    evidence: dict[tuple[int, str], set[str]] = {}
    declared: dict[tuple[int, str], set[bool]] = {}
    for statement, scope, _ in index.assigns:
        for target in statement.targets:
            name = ir.dotted(target)
            if not name or not is_credential_name(name.rsplit(".", 1)[-1]):
                continue
            key = (_name_scope(name, scope), name)
            if statement.annotation is not None:
                words = set(re.findall(r"\w+", document.source(statement.annotation)))
                declared.setdefault(key, set()).add(
                    words <= _PLAIN_TYPES or any(_CHALLENGE_TYPE.search(word) for word in words))
            kind = _value_kind(statement.value)
            if kind:
                evidence.setdefault(key, set()).add(kind)
    plain = {key for key, kinds in evidence.items() if kinds == {"plain"}}
    # A declaration is the contract of typed code: it decides over the values assigned.
    plain.difference_update(key for key, verdicts in declared.items() if False in verdicts)
    plain.update(key for key, verdicts in declared.items() if verdicts == {True})
    return frozenset(plain)


def _value_kind(value: ir.Expr | None) -> str | None:
    """"plain" for a flag, number or id; None for no evidence (`None`); else "value"."""
    if value is None or (isinstance(value, ir.Const) and (value.value is None or value.undefined)):
        return None
    if isinstance(value, (ir.Const, ir.Num, ir.Compare, ir.Not)):
        return "plain"
    if isinstance(value, ir.Call):
        if value.callee in {"bool", "int", "float", "len"}:
            return "plain"
        if value.method == "get" and len(value.args) == 2 and isinstance(value.args[1], ir.Const) \
                and value.args[1].value is not None:
            return "plain"  # `entry.get(CONF_MANUAL_TOKEN, False)`: a flag's default
    name = ir.dotted(value) if isinstance(value, (ir.Name, ir.Attr)) else None
    if name is not None and re.search(r"(?:^|[._])id\Z", name, re.IGNORECASE):
        return "plain"  # `token = self.id`: an object's id
    return "value"


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
