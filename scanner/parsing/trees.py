"""One tree-sitter parse per document: Python (every version 3.8-3.14), JavaScript, TypeScript
and TSX. Grammars load once per process, on first use; a parse that fails returns None."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tree_sitter

GRAMMARS = ("python", "javascript", "typescript", "tsx")


@lru_cache(maxsize=len(GRAMMARS))
def parser(grammar: str) -> tree_sitter.Parser:
    import tree_sitter

    if grammar == "python":
        import tree_sitter_python

        capsule = tree_sitter_python.language()
    elif grammar == "javascript":
        import tree_sitter_javascript

        capsule = tree_sitter_javascript.language()
    else:
        import tree_sitter_typescript

        capsule = (tree_sitter_typescript.language_tsx() if grammar == "tsx"
                   else tree_sitter_typescript.language_typescript())
    return tree_sitter.Parser(tree_sitter.Language(capsule))


def parse(grammar: str, source: bytes) -> tree_sitter.Tree | None:
    """The syntax tree of `source` (tree-sitter recovers from errors: a tree is nearly always
    returned), or None when the parser gives up."""
    try:
        return parser(grammar).parse(source)
    except (ValueError, RecursionError, MemoryError):
        return None
