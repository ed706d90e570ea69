"""libcst helpers shared by the Python rules: constant strings, dotted names, node positions.

Positions are resolved once per file and cached on the ParsedFile."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

if TYPE_CHECKING:
    from scanner.parsed import ParsedFile

_WRAPPERS_ATTR = "_python_wrapper"
_POSITIONS_ATTR = "_python_positions"


def wrapper(file: ParsedFile) -> MetadataWrapper | None:
    """A MetadataWrapper over the file's module (shared by every rule), or None if unparsable."""
    cached = getattr(file, _WRAPPERS_ATTR, None)
    if cached is None and file.python is not None:
        cached = MetadataWrapper(file.python, unsafe_skip_copy=True)
        setattr(file, _WRAPPERS_ATTR, cached)
    return cached


def positions(file: ParsedFile) -> Mapping[cst.CSTNode, CodeRange]:
    cached = getattr(file, _POSITIONS_ATTR, None)
    if cached is None:
        meta = wrapper(file)
        cached = meta.resolve(PositionProvider) if meta is not None else {}
        setattr(file, _POSITIONS_ATTR, cached)
    return cached


def span(file: ParsedFile, node: cst.CSTNode) -> tuple[int, int, int, int]:
    """1-based (line, column, end_line, end_column) of a node of `file.python`."""
    code_range = positions(file).get(node)
    if code_range is None:
        return 1, 1, 1, 1
    return (code_range.start.line, code_range.start.column + 1,
            code_range.end.line, code_range.end.column + 1)


def string_value(node: cst.BaseExpression | None) -> str | None:
    """The value of a constant string expression: literals, implicit concatenation, f-strings
    without placeholders; None when any part is not constant."""
    if isinstance(node, cst.SimpleString):
        try:
            value = node.evaluated_value
        except (ValueError, SyntaxError):
            return None
        return value if isinstance(value, str) else value.decode("latin-1")
    if isinstance(node, cst.ConcatenatedString):
        left, right = string_value(node.left), string_value(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, cst.FormattedString):
        if all(isinstance(part, cst.FormattedStringText) for part in node.parts):
            return "".join(part.value for part in node.parts if isinstance(part, cst.FormattedStringText))
        return None
    return None


def dotted_name(node: cst.BaseExpression | None) -> str | None:
    """`a.b.c` for Name/Attribute chains, None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def call_name(node: cst.Call) -> str | None:
    return dotted_name(node.func)


def keyword_arg(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None
