"""The language-neutral code model (`ir`) and the lowerers that build it from syntax trees."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tree_sitter

    from scanner.code import ir


def lower(grammar: str, source: bytes, *, shallow: bool = False,
          tree: tree_sitter.Tree | None = None) -> ir.Module | None:
    """Parse `source` with the grammar ("python", "javascript", "typescript", "tsx") and lower it;
    None when it cannot be parsed at all. `shallow` (Python): function bodies are left empty
    unless they import (imports anywhere are the module's), enough for module symbols. `tree`:
    `source` parsed already (by `parsing.trees.parse`, with this grammar)."""
    from scanner.parsing.trees import parse

    if tree is None:
        tree = parse(grammar, source)
    if tree is None:
        return None
    if grammar == "python":
        from scanner.code.python import PythonLowerer

        return PythonLowerer(source, shallow=shallow).module(tree.root_node)
    from scanner.code.javascript import JavaScriptLowerer

    return JavaScriptLowerer(source).module(tree.root_node)
