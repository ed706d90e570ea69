"""OAuth callbacks: functions that read `code` and `state` from the request (query, form, body,
injected parameters), and whether they ever check `state` against the value stored before."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from scanner.code import ir
from scanner.facts.base import Extractor, Fact, Gate, Span
from scanner.facts.oauth.code import code_index, receiver_text
from scanner.model.document import JS_KINDS, Document, FileKind

_GET_METHODS = frozenset({"get", "get_argument", "get_query_argument", "getlist", "getone"})
# Where a request's parameters live (`req.query.state`, `{ code, state } = req.body`) ...
_SOURCE_WORDS = ("query", "params", "search", "body", "url", "args", "form", "values")
# ... and, for `.get("state")` and `["state"]`, the request objects themselves (`request.GET`).
_LOOKUP_WORDS = (*_SOURCE_WORDS, "request", "get")
# Where the value stored before the redirect lives: reading it there is the check, not the input.
_STORED_WORDS = ("session", "cache", "storage", "cookie", "store", "db", "redis")
_CHECKING_CALLS = re.compile(
    r"compare_digest|timingsafeequal|valid|verify|check|compare|consume|callback", re.IGNORECASE)
_READ_KEYS = ("state", "code")


def _read_form(word: str) -> str:
    """`word` as code that reads it (lower case): quoted (`.get("state")`, `["state"]`), an
    attribute (`.state`), or a parameter or destructured name (followed by `,`, `)`, `}`, `:`,
    `=`, `?`, at most two short line comments between). It starts with the word itself, so that
    most positions of a file fail on their first character; comments are bounded, so that no
    input makes it slow."""
    comment = r"(?:#|//)[^\n]{0,200}\n\s{0,200}"
    return (rf"{word}\b(?:(?<=[\"'`]{word})(?=[\"'`])|(?<=\.{word})|(?<=\.\s{word})"
            rf"|(?<![\w$]{word})(?=\s{{0,200}}(?:{comment}){{0,2}}[,}}):=?]))")


@dataclass(frozen=True)
class CallbackStateRead(Fact):
    """A function that reads `code` and `state` from the request; the span is its first read
    of `state`. `checked` when it compares `state` with another value or hands it to a
    checking call (compare_digest, validate_state, authorize_access_token, fetch_token with
    the authorization response)."""

    function: str  # "" for an anonymous function
    checked: bool


class CallbackExtractor(Extractor):
    name = "oauth-callbacks"
    produces = (CallbackStateRead,)
    gate = Gate(kinds=frozenset({FileKind.PYTHON, *JS_KINDS}), words=("state",),
                requires=(("code",),),
                pattern=rf"\A(?=[\s\S]*?{_read_form('state')})[\s\S]*?{_read_form('code')}",
                vendored=False)

    def extract(self, document: Document) -> Iterator[CallbackStateRead]:
        index = code_index(document)
        if index is None:
            return
        for function in index.functions[1:]:
            assert function is not None
            source = document.utf8[function.start:function.end]
            if b"state" not in source or b"code" not in source:
                continue
            read = _first_state_read(document, function)
            if read is None:
                continue
            span, names = read
            yield CallbackStateRead(span, function.name, _checks_state(document, function, names))


def _first_state_read(document: Document, function: ir.Function) -> tuple[Span, set[str]] | None:
    """Where the function first reads `state` from the request, and the names it keeps the
    value under; None unless it reads both `state` and `code`."""
    reads: list[tuple[str, int, int, str | None]] = []  # key, start, end, the name it goes to
    if function.param("state") is not None and function.param("code") is not None:
        for param in function.params:
            if param.name in _READ_KEYS:
                reads.append((param.name, param.start, param.end, param.name))
    targets = {id(s.value): s.targets[0] for s in ir.walk_statements(function.body)
               if isinstance(s, ir.Assign) and len(s.targets) == 1 and s.value is not None}
    callees: set[int] = set()
    for expr in ir.body_exprs(function.body):
        if isinstance(expr, ir.Call):
            callees.add(id(expr.func))
            key = ir.string_value(expr.args[0]) if expr.args else None
            if key in _READ_KEYS and expr.method in _GET_METHODS and _from_request(
                    receiver_text(document, expr), _LOOKUP_WORDS, expr.method.startswith("get_")):
                reads.append((key, expr.start, expr.end, ir.dotted(targets.get(id(expr)))))
        elif isinstance(expr, ir.Index):
            key = ir.string_value(expr.key)
            if key in _READ_KEYS and _from_request(document.source(expr.obj), _LOOKUP_WORDS):
                reads.append((key, expr.start, expr.end, ir.dotted(targets.get(id(expr)))))
        elif isinstance(expr, (ir.Name, ir.Attr)):
            reads.extend(_member_reads(document, expr, id(expr) in callees, targets))
    for statement in ir.walk_statements(function.body):
        if isinstance(statement, ir.Assign) and statement.value is not None and any(
                isinstance(t, ir.ObjectPattern) for t in statement.targets) and _from_request(
                document.source(statement.value), _SOURCE_WORDS):
            for target in statement.targets:
                if isinstance(target, ir.ObjectPattern):
                    reads.extend((key, value.start, value.end, ir.dotted(value) or key)
                                 for key, value in target.items if key in _READ_KEYS)
    if {key for key, *_ in reads} != set(_READ_KEYS):
        return None
    state_reads = sorted(read for read in reads if read[0] == "state")
    names = {"state"} | {name for *_, name in state_reads if name}
    _, start, end, _ = state_reads[0]
    return document.span(start, end), names


def _member_reads(document: Document, expr: ir.Name | ir.Attr, called: bool,
                  targets: dict[int, ir.Expr]) -> Iterator[tuple[str, int, int, str | None]]:
    """`req.query.state`, `req.body.code`: reads of a request attribute (not a method call)."""
    if isinstance(expr, ir.Attr):
        chain = [(expr.attr, document.source(expr.obj))]
    else:
        parts = expr.name.split(".")
        chain = [(parts[i], ".".join(parts[:i])) for i in range(1, len(parts))]
    for position, (key, receiver) in enumerate(chain):
        last = position == len(chain) - 1
        if key in _READ_KEYS and not (last and called) and _from_request(receiver, _SOURCE_WORDS):
            target = ir.dotted(targets.get(id(expr))) if last else None
            yield key, expr.start, expr.end, target


def _from_request(source: str, words: tuple[str, ...], getter: bool = False) -> bool:
    lowered = source.lower()
    if any(word in lowered for word in _STORED_WORDS):
        return False
    return getter or any(word in lowered for word in words)


def _mentions(text: str, names: set[str]) -> bool:
    """Whether code mentions the state value: one of its names, `x.state` or `"state"`."""
    return any(re.search(rf"(?<![\w$]){re.escape(name)}\b", text) for name in names) or any(
        spelling in text for spelling in (".state", "'state'", '"state"', "`state`"))


def _literal(expr: ir.Expr) -> bool:
    return isinstance(expr, (ir.Str, ir.Num, ir.Const))


def _checks_state(document: Document, function: ir.Function, names: set[str]) -> bool:
    for expr in ir.body_exprs(function.body):
        if isinstance(expr, ir.Compare):
            if not (_literal(expr.left) or _literal(expr.right)) and _mentions(
                    document.source(expr), names):
                return True
        elif isinstance(expr, ir.Call):
            method = expr.method
            if method == "authorize_access_token":
                return True
            if (_CHECKING_CALLS.search(method) or expr.kwarg("authorization_response") is not None) \
                    and (method == "fetch_token" or _mentions(document.source(expr), names)):
                return True
    return False
