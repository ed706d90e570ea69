"""Scope requests, constants and relative imports of one JS/TS file, read with tree-sitter:
`scope:` properties, `URLSearchParams` and `params.append("scope", ...)`, `SCOPES.join(" ")`."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from scanner.lang.javascript import node_text, position, string_value, walk
from scanner.plugins.scopes_model import (
    Concat,
    FileFacts,
    Join,
    Lit,
    Ref,
    ScopeRequest,
    Seq,
    Span,
    Unknown,
    Value,
)

if TYPE_CHECKING:
    import tree_sitter

    from scanner.model.document import ParsedFile

SCOPE_KEYS = frozenset({"scope", "scopes", "oauth_scopes", "oauthScopes", "defaultScopes"})
JS_MODULE_PREFIX = "js:"
_MAX_SPAN_LINES = 40


# A `scope:`/`scopes:` property or a "scope" string key/argument: worth a tree-sitter parse.
_CANDIDATE = re.compile(r"""scopes?["'`]?\s*[:,=]""", re.IGNORECASE)


def is_candidate(file: ParsedFile) -> bool:
    return _CANDIDATE.search(file.text) is not None


def _key_name(node: tree_sitter.Node) -> str | None:
    if node.type in {"property_identifier", "identifier"}:
        return node_text(node)
    return string_value(node)


class _Reader:
    def __init__(self, file: ParsedFile) -> None:
        self.file = file

    def span(self, node: tree_sitter.Node) -> Span:
        line, column, end_line, end_column = position(node)
        lines = tuple(self.file.lines[line - 1: min(end_line, line + _MAX_SPAN_LINES)])
        return Span(self.file.path, line, column, end_line, end_column, lines)

    def value_of(self, node: tree_sitter.Node, depth: int = 0) -> Value:
        if depth > 20:
            return Unknown(self.span(node))
        kind = node.type
        if kind == "parenthesized_expression" and node.named_child_count == 1:
            child = node.named_children[0]
            return self.value_of(child, depth + 1)
        if kind == "string":
            text = string_value(node)
            return Lit(text, self.span(node)) if text is not None else Unknown(self.span(node))
        if kind == "template_string":
            parts: list[Value] = []
            for child in node.named_children:
                if child.type == "string_fragment":
                    parts.append(Lit(node_text(child), self.span(child)))
                elif child.type == "template_substitution" and child.named_child_count == 1:
                    parts.append(self.value_of(child.named_children[0], depth + 1))
                elif child.type != "escape_sequence":
                    parts.append(Unknown(self.span(child)))
            return Concat(tuple(parts), self.span(node))
        if kind == "array":
            items: list[Value] = []
            for child in node.named_children:
                if child.type == "spread_element" and child.named_child_count == 1:
                    items.append(self.value_of(child.named_children[0], depth + 1))
                elif child.type != "comment":
                    items.append(self.value_of(child, depth + 1))
            return Seq(tuple(items), self.span(node))
        if kind == "identifier":
            return Ref(node_text(node), self.span(node))
        if kind == "member_expression":
            return Ref(node_text(node), self.span(node))
        if kind == "binary_expression":
            operator = node.child_by_field_name("operator")
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if operator is not None and node_text(operator) == "+" and left is not None and right is not None:
                return Concat((self.value_of(left, depth + 1), self.value_of(right, depth + 1)), self.span(node))
        if kind == "call_expression":
            function, arguments = node.child_by_field_name("function"), node.child_by_field_name("arguments")
            if function is not None and arguments is not None and function.type == "member_expression":
                prop = function.child_by_field_name("property")
                target = function.child_by_field_name("object")
                args = arguments.named_children
                if prop is not None and target is not None and node_text(prop) == "join" and len(args) == 1:
                    sep = string_value(args[0])
                    if sep is not None:
                        return Join(sep, self.value_of(target, depth + 1), self.span(node))
        return Unknown(self.span(node))


def collect_js(file: ParsedFile, facts: FileFacts) -> None:
    tree = file.js_tree
    if tree is None:
        return
    reader = _Reader(file)
    for node in walk(tree.root_node):
        kind = node.type
        if kind == "variable_declarator":
            name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
            if name is not None and value is not None and name.type == "identifier":
                facts.constants[node_text(name)] = reader.value_of(value)
        elif kind == "pair":
            key, value = node.child_by_field_name("key"), node.child_by_field_name("value")
            key_name = _key_name(key) if key is not None else None
            if key_name in SCOPE_KEYS and value is not None:
                facts.requests.append(ScopeRequest(reader.value_of(value), f"{_owner(node)}{{{key_name}: ...}}",
                                                   _provider(node), reader.span(value)))
        elif kind == "call_expression":
            function, arguments = node.child_by_field_name("function"), node.child_by_field_name("arguments")
            if function is None or arguments is None or function.type != "member_expression":
                continue
            prop = function.child_by_field_name("property")
            args = arguments.named_children
            if (prop is not None and node_text(prop) in {"append", "set"} and len(args) == 2
                    and string_value(args[0]) in SCOPE_KEYS):
                facts.requests.append(ScopeRequest(reader.value_of(args[1]), f"params.{node_text(prop)}(\"scope\")",
                                                   None, reader.span(args[1])))
        elif kind == "array" and node.named_child_count == 2:
            # `new URLSearchParams([["scope", "openid email"], ...])`
            key, value = node.named_children
            if key.type == "string" and string_value(key) in SCOPE_KEYS and node.parent is not None \
                    and node.parent.type == "array":
                facts.requests.append(ScopeRequest(reader.value_of(value), '["scope", ...] pair', None,
                                                   reader.span(value)))
        elif kind == "import_statement":
            _read_import(file.path, node, facts)


def _owner(pair: tree_sitter.Node) -> str:
    """The variable or call an object literal belongs to (`loginRequest = {...}`, `new X({...})`),
    which tells whether a `scope:` property is about OAuth."""
    node = pair.parent
    for _ in range(4):
        if node is None:
            break
        if node.type == "variable_declarator":
            name = node.child_by_field_name("name")
            return node_text(name) if name is not None else ""
        if node.type in {"call_expression", "new_expression"}:
            callee = node.child_by_field_name("function") or node.child_by_field_name("constructor")
            return node_text(callee)[:60] if callee is not None else ""
        node = node.parent
    return ""


def _provider(pair: tree_sitter.Node) -> str | None:
    """A URL-valued sibling property (tokenUrl, authority, authorizationEndpoint ...)."""
    parent = pair.parent
    if parent is None:
        return None
    for sibling in parent.named_children:
        if sibling.type != "pair":
            continue
        value = sibling.child_by_field_name("value")
        text = string_value(value) if value is not None else None
        if text and text.startswith(("https://", "http://")):
            return text
    return None


def _read_import(path: str, node: tree_sitter.Node, facts: FileFacts) -> None:
    source = node.child_by_field_name("source")
    spec = string_value(source) if source is not None else None
    if not spec or not spec.startswith("."):
        return
    module = JS_MODULE_PREFIX + posixpath.normpath(posixpath.join(posixpath.dirname(path), spec))
    for child in walk(node):
        if child.type == "import_specifier":
            name, alias = child.child_by_field_name("name"), child.child_by_field_name("alias")
            if name is not None:
                local = node_text(alias) if alias is not None else node_text(name)
                facts.imports[local] = (module, node_text(name))
