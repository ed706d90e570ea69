"""tree-sitter parsing for JavaScript, TypeScript and TSX, with small helpers for rules.

Grammars load once per process, on first use."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tree_sitter

    from scanner.parsed import FileKind


@lru_cache(maxsize=4)
def _parser(grammar: str) -> tree_sitter.Parser:
    import tree_sitter

    if grammar == "javascript":
        import tree_sitter_javascript

        capsule = tree_sitter_javascript.language()
    else:
        import tree_sitter_typescript

        capsule = (tree_sitter_typescript.language_tsx() if grammar == "tsx"
                   else tree_sitter_typescript.language_typescript())
    return tree_sitter.Parser(tree_sitter.Language(capsule))


def grammar_for(kind: FileKind) -> str:
    from scanner.parsed import FileKind

    if kind is FileKind.TYPESCRIPT:
        return "typescript"
    if kind is FileKind.TSX:
        return "tsx"
    return "javascript"


def parse_js(text: str, kind: FileKind) -> tree_sitter.Tree | None:
    """Parse JS/TS/TSX (HTML and Vue files: their text as JS, so inline scripts still parse)."""
    try:
        return _parser(grammar_for(kind)).parse(text.encode("utf-8", "surrogatepass"))
    except (ValueError, RecursionError, MemoryError):
        return None


def walk(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """Every node below `node`, depth first, without recursion (minified code nests deeply)."""
    cursor = node.walk()
    visited_children = False
    while True:
        if not visited_children:
            assert cursor.node is not None
            yield cursor.node
            if cursor.goto_first_child():
                continue
        if cursor.goto_next_sibling():
            visited_children = False
        elif cursor.goto_parent():
            visited_children = True
        else:
            return


def walk_depths(node: tree_sitter.Node) -> Iterator[tuple[tree_sitter.Node, int]]:
    """`walk`, with each node's depth below `node` (tree-sitter finds a node's parent by walking
    down from the root, so code that needs ancestors tracks them here instead)."""
    cursor = node.walk()
    visited_children = False
    depth = 0
    while True:
        if not visited_children:
            assert cursor.node is not None
            yield cursor.node, depth
            if cursor.goto_first_child():
                depth += 1
                continue
        if cursor.goto_next_sibling():
            visited_children = False
        elif cursor.goto_parent():
            depth -= 1
            visited_children = True
        else:
            return


def node_text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def string_value(node: tree_sitter.Node) -> str | None:
    """The value of a string literal or a template string without substitutions."""
    if node.type == "string":
        return "".join(node_text(c) for c in node.children if c.type in {"string_fragment", "escape_sequence"})
    if node.type == "template_string":
        if any(c.type == "template_substitution" for c in node.children):
            return None
        return "".join(node_text(c) for c in node.children if c.type in {"string_fragment", "escape_sequence"})
    return None


def position(node: tree_sitter.Node) -> tuple[int, int, int, int]:
    """1-based (line, column, end_line, end_column); columns count bytes, close enough for ASCII."""
    (row, col), (end_row, end_col) = node.start_point, node.end_point
    return row + 1, col + 1, end_row + 1, end_col + 1
