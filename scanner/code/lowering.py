"""What the Python and JavaScript lowerers share: reading tree-sitter nodes, a depth guard, and
the names of the functions and classes being lowered (for qualified names)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from scanner.code import ir

if TYPE_CHECKING:
    from tree_sitter import Language, Node

# Deeper nesting (generated or hostile code) is cut: its inner expressions become `Other`.
MAX_DEPTH = 120


@lru_cache(maxsize=8)
def kind_names(language: Language) -> Mapping[int, str]:
    """A grammar's node type names by kind id: `Node.kind_id` is read far faster than
    `Node.type`, which builds a new string each time (an id not here is read by its type)."""
    names = {kind: name for kind in range(language.node_kind_count)
             if (name := language.node_kind_for_id(kind)) is not None}
    for builtin in (0xFFFF, 0xFFFE):  # ERROR and its repetition
        name = language.node_kind_for_id(builtin)
        if name is not None:
            names[builtin] = name
    return names


class Lowerer:
    """Turns a tree-sitter tree into `ir` nodes; subclasses give the per-node-type handlers."""

    language = ""

    def __init__(self, source: bytes, kinds: Mapping[int, str] | None = None) -> None:
        self.source = source
        # Most source files are ASCII: a node's text is then a slice of the text decoded once.
        self._ascii = source.decode("ascii") if source.isascii() else None
        self._kinds: Mapping[int, str] = kinds or {}
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
        return self.span_text(*node.byte_range)

    def span_text(self, start: int, end: int) -> str:
        """The text between two byte offsets."""
        if self._ascii is not None:
            return self._ascii[start:end]
        return self.source[start:end].decode("utf-8", "surrogateescape")

    def kind(self, node: Node) -> str:
        """`node.type`, read through its kind id."""
        name = self._kinds.get(node.kind_id)
        return name if name is not None else node.type

    def qualname(self, name: str) -> str:
        return ".".join((*self.scope, name)) if self.scope else name

    # -- expressions -----------------------------------------------------------------------------

    def expr(self, node: Node | None) -> ir.Expr:
        if node is None:
            return ir.Other(0, 0, "missing")
        kind = self.kind(node)
        handler = self.expr_handlers.get(kind)
        if self.depth >= MAX_DEPTH:
            self.truncated = True
            return ir.Other(*node.byte_range, kind)
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
            kind = self.kind(child)
            if (kind in self.stmt_handlers and kind not in self.expr_handlers) or kind == "comment":
                continue
            inner.append(self.expr(child))
        start, end = node.byte_range
        return ir.Other(start, end, self.kind(node), tuple(inner))

    def name_chain(self, obj: ir.Expr, attr: str, node: Node) -> ir.Expr:
        """`obj.attr`: a Name when `obj` is a name chain, else an Attr."""
        if isinstance(obj, ir.Name):
            return ir.Name(*node.byte_range, f"{obj.name}.{attr}")
        return ir.Attr(*node.byte_range, obj, attr)

    # -- statements ------------------------------------------------------------------------------

    def statements(self, nodes: list[Node]) -> tuple[ir.Stmt, ...]:
        out: list[ir.Stmt] = []
        for node in nodes:
            out.extend(self.statement(node))
        return tuple(out)

    def statement(self, node: Node) -> list[ir.Stmt]:
        kind = self.kind(node)
        handler = self.stmt_handlers.get(kind)
        if self.depth >= MAX_DEPTH:
            self.truncated = True
            return []
        self.depth += 1
        try:
            if handler is not None:
                return handler(node)
            if kind == "comment" or not node.is_named:
                return []
            # An expression in statement position, or a construct without a handler.
            start, end = node.byte_range
            return [ir.ExprStmt(start, end, self.expr(node))]
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
