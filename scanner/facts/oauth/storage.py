"""Browser storage use: values written to `localStorage`/`sessionStorage` (setItem or property
assignment) and values read back from there into an Authorization header."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from scanner.code import ir
from scanner.facts.base import Extractor, Fact, Gate
from scanner.facts.oauth.code import code_index, leaked_name, receiver_text
from scanner.model.document import JS_KINDS, Document

_STORAGES = ("localStorage", "sessionStorage")
# How far up from a storage read (a template, an object, a call) an Authorization header counts.
_HEADER_DEPTH = 3


@dataclass(frozen=True)
class BrowserStorageUse(Fact):
    """A write to (or, with `into_authorization`, a read from) web storage."""

    storage: str  # localStorage or sessionStorage
    write: bool
    key: str  # the constant key, else the key expression as written ("" when not visible)
    key_constant: bool
    value_name: str | None  # writes: the credential-looking name the value passes on
    into_authorization: bool  # reads: the value goes into an `Authorization`/`Bearer` header


class BrowserStorageExtractor(Extractor):
    name = "oauth-browser-storage"
    produces = (BrowserStorageUse,)
    gate = Gate(kinds=JS_KINDS, words=("localstorage", "sessionstorage"), vendored=False)

    def extract(self, document: Document) -> Iterator[BrowserStorageUse]:
        index = code_index(document)
        if index is None:
            return
        for call, _, statement in index.calls:
            storage = _storage(receiver_text(document, call))
            if storage is None or not call.args:
                continue
            key, constant = _key(document, call.args[0])
            if call.method == "setItem" and len(call.args) >= 2:
                yield BrowserStorageUse(document.node_span(call), storage, True, key, constant,
                                        leaked_name(document, call.args[1]), False)
            elif call.method == "getItem":
                yield BrowserStorageUse(document.node_span(call), storage, False, key, constant,
                                        None, _into_authorization(document, statement, call))
        for statement, _, _ in index.assigns:
            for target in statement.targets:
                if isinstance(target, ir.Name) and "." in target.name:
                    head, key = target.name.rsplit(".", 1)
                    storage, constant = _storage(head), True
                elif isinstance(target, ir.Index) and target.key is not None:
                    storage = _storage(ir.dotted(target.obj) or "")
                    key, constant = _key(document, target.key)
                else:
                    continue
                if storage is not None and statement.value is not None:
                    yield BrowserStorageUse(document.node_span(statement), storage, True, key,
                                            constant, leaked_name(document, statement.value),
                                            False)


def _storage(receiver: str) -> str | None:
    name = receiver.removeprefix("window.").removeprefix("globalThis.")
    return name if name in _STORAGES else None


def _key(document: Document, expr: ir.Expr) -> tuple[str, bool]:
    constant = ir.string_value(expr)
    if constant is not None:
        return constant, True
    return ir.dotted(expr) or "", False


def _into_authorization(document: Document, statement: ir.Stmt, call: ir.Call) -> bool:
    """Whether the expressions around the read (up to a few levels, or its statement when that
    is near) mention an Authorization or Bearer header."""
    path = _path_to(statement, call)
    nearby = [document.source(expr) for expr in path[-_HEADER_DEPTH:]]
    if len(path) <= _HEADER_DEPTH:
        nearby.append(document.source(statement))
    return any("bearer" in text.lower() or "authorization" in text.lower() for text in nearby)


def _path_to(statement: ir.Stmt, target: ir.Expr) -> list[ir.Expr]:
    """The expressions of `statement` that hold `target`, outermost first."""
    stack: list[tuple[ir.Expr, tuple[ir.Expr, ...]]] = [
        (expr, ()) for expr in ir.statement_exprs(statement)]
    while stack:
        expr, above = stack.pop()
        if expr is target:
            return list(above)
        stack.extend((child, (*above, expr)) for child in ir.children(expr))
    return []
