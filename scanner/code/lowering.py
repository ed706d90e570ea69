"""What the Python and JavaScript lowerers share: reading tree-sitter nodes, a depth guard, and
the names of the functions and classes being lowered (for qualified names)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from scanner.code import ir

if TYPE_CHECKING:
    from tree_sitter import Node

# Deeper nesting (generated or hostile code) is cut: its inner expressions become `Other`.
MAX_DEPTH = 120


class Lowerer:
    """Turns a tree-sitter tree into `ir` nodes; subclasses give the per-node-type handlers."""

    language = ""

    def __init__(self, source: bytes) -> None:
        self.source = source
        self.depth = 0
        self.truncated = False
        self.scope: list[str] = []  # enclosing function/class names for qualified names
        self.classes: list[str] = []  # enclosing class qualnames (methods know their class)
        self.imports: list[ir.Import] = []
        self.exports: dict[str, str] = {}
        self.expr_handlers: dict[str, Callable[[Node], ir.Expr]] = {}
        self.stmt_handlers: dict[str, Callable[[Node], list[ir.Stmt]]] = {}

    # -- reading nodes ---------------------------------------------------------------------------

    def text(self, node: Node) -> str:
        return self.source[node.start_byte:node.end_byte].decode("utf-8", "surrogateescape")

    def qualname(self, name: str) -> str:
        return ".".join((*self.scope, name)) if self.scope else name

    # -- expressions -----------------------------------------------------------------------------

    def expr(self, node: Node | None) -> ir.Expr:
        if node is None:
            return ir.Other(0, 0, "missing")
        handler = self.expr_handlers.get(node.type)
        if self.depth >= MAX_DEPTH:
            self.truncated = True
            return ir.Other(node.start_byte, node.end_byte, node.type)
        self.depth += 1
        try:
            if handler is not None:
                return handler(node)
            return self.other(node)
        finally:
            self.depth -= 1

    def other(self, node: Node) -> ir.Expr:
        """An expression the model does not name, keeping the expressions inside it."""
        inner: list[ir.Expr] = []
        for child in node.named_children:
            if child.type in self.stmt_handlers and child.type not in self.expr_handlers:
                continue
            if child.type in ("comment",):
                continue
            inner.append(self.expr(child))
        return ir.Other(node.start_byte, node.end_byte, node.type, tuple(inner))

    def name_chain(self, obj: ir.Expr, attr: str, node: Node) -> ir.Expr:
        """`obj.attr`: a Name when `obj` is a name chain, else an Attr."""
        if isinstance(obj, ir.Name):
            return ir.Name(node.start_byte, node.end_byte, f"{obj.name}.{attr}")
        return ir.Attr(node.start_byte, node.end_byte, obj, attr)

    # -- statements ------------------------------------------------------------------------------

    def statements(self, nodes: list[Node]) -> tuple[ir.Stmt, ...]:
        out: list[ir.Stmt] = []
        for node in nodes:
            out.extend(self.statement(node))
        return tuple(out)

    def statement(self, node: Node) -> list[ir.Stmt]:
        handler = self.stmt_handlers.get(node.type)
        if self.depth >= MAX_DEPTH:
            self.truncated = True
            return []
        self.depth += 1
        try:
            if handler is not None:
                return handler(node)
            if node.type == "comment" or not node.is_named:
                return []
            # An expression in statement position, or a construct without a handler.
            return [ir.ExprStmt(node.start_byte, node.end_byte, self.expr(node))]
        finally:
            self.depth -= 1

    def scoped(self, name: str) -> _Scope:
        return _Scope(self, name)


class _Scope:
    def __init__(self, lowerer: Lowerer, name: str) -> None:
        self.lowerer, self.name = lowerer, name

    def __enter__(self) -> None:
        self.lowerer.scope.append(self.name)

    def __exit__(self, *exc: object) -> None:
        self.lowerer.scope.pop()
