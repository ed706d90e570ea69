"""Python (any version from 3.8 to 3.14, via tree-sitter) lowered to the `ir` model.

Newer syntax (PEP 695 type parameters, `type X = ...`, `except A, B:`) parses like the rest."""

from __future__ import annotations

import ast
import re
import warnings
from typing import TYPE_CHECKING

from scanner.code import ir
from scanner.code.lowering import MAX_DEPTH, Lowerer

if TYPE_CHECKING:
    from tree_sitter import Node

_COMPARE_OPS = {"==": "==", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
                "in": "in", "is": "is"}
_CONSTANTS = {"true": True, "false": False, "none": None}


class PythonLowerer(Lowerer):
    language = "python"

    def __init__(self, source: bytes, *, shallow: bool = False) -> None:
        super().__init__(source)
        self.shallow = shallow  # function bodies left out unless they import (module symbols)
        self.expr_handlers.update({
            "identifier": self._identifier, "attribute": self._attribute, "call": self._call,
            "string": self._string, "concatenated_string": self._concatenated,
            "integer": self._number, "float": self._number, "true": self._constant,
            "false": self._constant, "none": self._constant, "list": self._seq,
            "tuple": self._seq, "set": self._seq, "expression_list": self._seq,
            "pattern_list": self._seq, "tuple_pattern": self._seq, "list_pattern": self._seq,
            "dictionary": self._dict, "subscript": self._subscript,
            "comparison_operator": self._comparison, "boolean_operator": self._boolean,
            "not_operator": self._not, "binary_operator": self._binary,
            "conditional_expression": self._conditional, "lambda": self._lambda,
            "await": self._unwrap_first, "parenthesized_expression": self._unwrap_first,
            "list_splat": self._splat, "dictionary_splat": self._splat,
            "list_splat_pattern": self._splat, "dictionary_splat_pattern": self._splat,
            "named_expression": self._named_expression, "keyword_argument": self._keyword_value,
            "type": self._unwrap_first, "assignment": self._assignment_value,
        })
        self.stmt_handlers.update({
            "expression_statement": self._expression_statement, "if_statement": self._if,
            "return_statement": self._return, "raise_statement": self._raise,
            "try_statement": self._try, "for_statement": self._for, "while_statement": self._while,
            "with_statement": self._with, "function_definition": self._function_definition,
            "class_definition": self._class_definition,
            "decorated_definition": self._decorated_definition,
            "import_statement": self._import, "import_from_statement": self._import_from,
            "future_import_statement": self._nothing, "pass_statement": self._jump,
            "break_statement": self._jump, "continue_statement": self._jump,
            "global_statement": self._nothing, "nonlocal_statement": self._nothing,
            "assert_statement": self._assert, "match_statement": self._match,
            "block": self._block, "comment": self._nothing, "delete_statement": self._other_stmt,
            "type_alias_statement": self._nothing, "print_statement": self._other_stmt,
            "exec_statement": self._other_stmt,
        })

    def module(self, root: Node) -> ir.Module:
        body = self.statements(root.named_children)
        return ir.Module("python", body, tuple(self.imports), self.exports, self.truncated)

    # -- expressions -----------------------------------------------------------------------------

    def _identifier(self, node: Node) -> ir.Expr:
        return ir.Name(node.start_byte, node.end_byte, self.text(node))

    def _attribute(self, node: Node) -> ir.Expr:
        obj = self.expr(node.child_by_field_name("object"))
        attr = node.child_by_field_name("attribute")
        return self.name_chain(obj, self.text(attr) if attr is not None else "", node)

    def _call(self, node: Node) -> ir.Expr:
        func = self.expr(node.child_by_field_name("function"))
        arguments = node.child_by_field_name("arguments")
        args: list[ir.Expr] = []
        kwargs: list[tuple[str, ir.Expr]] = []
        if arguments is not None:
            if arguments.type == "generator_expression":
                args.append(self.expr(arguments))
            else:
                for child in arguments.named_children:
                    if child.type == "keyword_argument":
                        name = child.child_by_field_name("name")
                        kwargs.append((self.text(name) if name is not None else "",
                                       self.expr(child.child_by_field_name("value"))))
                    elif child.type != "comment":
                        args.append(self.expr(child))
        return ir.Call(node.start_byte, node.end_byte, func, tuple(args), tuple(kwargs))

    def _string(self, node: Node) -> ir.Expr:
        read = self._plain_string(node)
        if read is not None:
            return read
        prefix = ""
        content: list[str] = []
        parts: list[ir.Expr] = []
        plain = True
        for child in node.children:
            kind = child.type
            if kind == "string_start":
                prefix = self.text(child).rstrip("'\"").lower()
            elif kind == "string_content":
                content.append(self.text(child))
            elif kind == "interpolation":
                expression = child.child_by_field_name("expression")
                inner = self.expr(expression)
                parts.append(inner)
                content.append("{" + (self.text(expression) if expression is not None else "") + "}")
                plain = False
            elif kind == "escape_sequence":
                content.append(self.text(child))
        value = "".join(content)
        if plain and "r" not in prefix and "\\" in value:
            value = _unescape(value, "b" in prefix)
        return ir.Str(node.start_byte, node.end_byte, value, tuple(parts), "b" in prefix)

    def _plain_string(self, node: Node) -> ir.Str | None:
        """A string without interpolation, read from its text as its children would give it
        (walking a node's children costs more than the rest of lowering a literal); None for an
        f-string or t-string, or a string the parser recovered from an error."""
        raw = self.text(node)
        opening = _STRING_OPENING.match(raw)
        if opening is None or node.has_error:
            return None
        prefix, quote = opening.group(1).lower(), opening.group(2)
        if "f" in prefix or "t" in prefix or len(raw) < opening.end() + len(quote) \
                or not raw.endswith(quote):
            return None
        value = raw[opening.end():len(raw) - len(quote)]
        if "r" not in prefix and "\\" in value:
            value = _unescape(value, "b" in prefix)
        return ir.Str(node.start_byte, node.end_byte, value, (), "b" in prefix)

    def _concatenated(self, node: Node) -> ir.Expr:
        pieces = [self.expr(child) for child in node.named_children if child.type == "string"]
        value = "".join(p.value for p in pieces if isinstance(p, ir.Str))
        parts = tuple(part for p in pieces if isinstance(p, ir.Str) for part in p.parts)
        is_bytes = any(isinstance(p, ir.Str) and p.is_bytes for p in pieces)
        return ir.Str(node.start_byte, node.end_byte, value, parts, is_bytes)

    def _number(self, node: Node) -> ir.Expr:
        return ir.Num(node.start_byte, node.end_byte, self.text(node))

    def _constant(self, node: Node) -> ir.Expr:
        return ir.Const(node.start_byte, node.end_byte, _CONSTANTS[node.type])

    def _seq(self, node: Node) -> ir.Expr:
        items = tuple(self.expr(child) for child in node.named_children if child.type != "comment")
        return ir.Seq(node.start_byte, node.end_byte, items)

    def _dict(self, node: Node) -> ir.Expr:
        items: list[tuple[ir.Expr | None, ir.Expr]] = []
        for child in node.named_children:
            if child.type == "pair":
                items.append((self.expr(child.child_by_field_name("key")),
                              self.expr(child.child_by_field_name("value"))))
            elif child.type == "dictionary_splat":
                items.append((None, self._unwrap_first(child)))
            elif child.type != "comment":
                items.append((None, self.expr(child)))  # a comprehension's parts
        return ir.Dict(node.start_byte, node.end_byte, tuple(items))

    def _subscript(self, node: Node) -> ir.Expr:
        obj = self.expr(node.child_by_field_name("value"))
        keys = node.children_by_field_name("subscript")
        key: ir.Expr | None = self.expr(keys[0]) if len(keys) == 1 else (
            ir.Seq(keys[0].start_byte, keys[-1].end_byte, tuple(self.expr(k) for k in keys))
            if keys else None)
        return ir.Index(node.start_byte, node.end_byte, obj, key)

    def _comparison(self, node: Node) -> ir.Expr:
        operands: list[ir.Expr] = []
        operators: list[str] = []
        pending = ""
        for child in node.children:
            if child.is_named and child.type != "comment":
                if pending:
                    operators.append(pending)
                    pending = ""
                operands.append(self.expr(child))
            elif not child.is_named:
                word = self.text(child)
                pending = f"{pending} {word}".strip() if pending else word
        operators = [_normal_compare(op) for op in operators]
        if len(operands) < 2 or len(operators) != len(operands) - 1:
            return self.other(node)
        compares = [ir.Compare(node.start_byte, node.end_byte, op, left, right)
                    for op, left, right in zip(operators, operands[:-1], operands[1:], strict=True)]
        if len(compares) == 1:
            return compares[0]
        return ir.BoolOp(node.start_byte, node.end_byte, "and", tuple(compares))

    def _boolean(self, node: Node) -> ir.Expr:
        operator = node.child_by_field_name("operator")
        op = self.text(operator) if operator is not None else "and"
        left = self.expr(node.child_by_field_name("left"))
        right = self.expr(node.child_by_field_name("right"))
        values: list[ir.Expr] = []
        for side in (left, right):
            if isinstance(side, ir.BoolOp) and side.op == op:
                values.extend(side.values)
            else:
                values.append(side)
        return ir.BoolOp(node.start_byte, node.end_byte, op, tuple(values))

    def _not(self, node: Node) -> ir.Expr:
        return ir.Not(node.start_byte, node.end_byte, self.expr(node.child_by_field_name("argument")))

    def _binary(self, node: Node) -> ir.Expr:
        operator = node.child_by_field_name("operator")
        return ir.BinOp(node.start_byte, node.end_byte,
                        self.text(operator) if operator is not None else "?",
                        self.expr(node.child_by_field_name("left")),
                        self.expr(node.child_by_field_name("right")))

    def _conditional(self, node: Node) -> ir.Expr:
        parts = [child for child in node.named_children if child.type != "comment"]
        if len(parts) != 3:
            return self.other(node)
        body, test, orelse = (self.expr(part) for part in parts)
        return ir.Cond(node.start_byte, node.end_byte, test, body, orelse)

    def _lambda(self, node: Node) -> ir.Expr:
        name = f"<lambda@{node.start_point[0] + 1}>"
        params = self._params(node.child_by_field_name("parameters"))
        with self.scoped(name):
            body_node = node.child_by_field_name("body")
            value = self.expr(body_node)
        function = ir.Function("", self.qualname(name), node.start_byte, node.end_byte,
                               node.start_byte, params,
                               (ir.Return(value.start, value.end, value),),
                               cls=None, expression_body=True)
        return ir.Func(node.start_byte, node.end_byte, function)

    def _unwrap_first(self, node: Node) -> ir.Expr:
        for child in node.named_children:
            if child.type != "comment":
                return self.expr(child)
        return ir.Other(node.start_byte, node.end_byte, node.type)

    def _splat(self, node: Node) -> ir.Expr:
        return ir.Spread(node.start_byte, node.end_byte, self._unwrap_first(node))

    def _named_expression(self, node: Node) -> ir.Expr:
        return self.expr(node.child_by_field_name("value"))

    def _keyword_value(self, node: Node) -> ir.Expr:
        return self.expr(node.child_by_field_name("value"))

    def _assignment_value(self, node: Node) -> ir.Expr:
        # `a = b = c` nests assignments; as an expression it is its value.
        return self.expr(node.child_by_field_name("right"))

    # -- statements ------------------------------------------------------------------------------

    def _nothing(self, node: Node) -> list[ir.Stmt]:
        return []

    def _other_stmt(self, node: Node) -> list[ir.Stmt]:
        return [ir.ExprStmt(node.start_byte, node.end_byte, self.other(node))]

    def _jump(self, node: Node) -> list[ir.Stmt]:
        return [ir.Jump(node.start_byte, node.end_byte, node.type.split("_")[0])]

    def _block(self, node: Node) -> list[ir.Stmt]:
        return list(self.statements(node.named_children))

    def _body(self, node: Node | None) -> tuple[ir.Stmt, ...]:
        if node is None:
            return ()
        if node.type == "block":
            return self.statements(node.named_children)
        return tuple(self.statement(node))

    def _expression_statement(self, node: Node) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for child in node.named_children:
            if child.type == "assignment":
                out.append(self._assignment(child))
            elif child.type == "augmented_assignment":
                operator = child.child_by_field_name("operator")
                out.append(ir.Assign(child.start_byte, child.end_byte,
                                     (self.expr(child.child_by_field_name("left")),),
                                     self.expr(child.child_by_field_name("right")),
                                     self.text(operator) if operator is not None else "+="))
            elif child.type != "comment":
                out.append(ir.ExprStmt(child.start_byte, child.end_byte, self.expr(child)))
        return out

    def _assignment(self, node: Node) -> ir.Assign:
        targets = [self.expr(node.child_by_field_name("left"))]
        right = node.child_by_field_name("right")
        while right is not None and right.type == "assignment":  # a = b = value
            targets.append(self.expr(right.child_by_field_name("left")))
            right = right.child_by_field_name("right")
        annotation = node.child_by_field_name("type")
        return ir.Assign(node.start_byte, node.end_byte, tuple(targets),
                         self.expr(right) if right is not None else None, "=",
                         self.expr(annotation) if annotation is not None else None)

    def _if(self, node: Node) -> list[ir.Stmt]:
        test = self.expr(node.child_by_field_name("condition"))
        body = self._body(node.child_by_field_name("consequence"))
        orelse: tuple[ir.Stmt, ...] = ()
        alternatives = node.children_by_field_name("alternative")
        if len(alternatives) > MAX_DEPTH // 2:  # a chain of elifs nests in the model: cut it
            self.truncated = True
            alternatives = alternatives[:MAX_DEPTH // 2]
        for alternative in reversed(alternatives):
            if alternative.type == "else_clause":
                orelse = self._body(alternative.child_by_field_name("body"))
            elif alternative.type == "elif_clause":
                orelse = (ir.If(alternative.start_byte, alternative.end_byte,
                                self.expr(alternative.child_by_field_name("condition")),
                                self._body(alternative.child_by_field_name("consequence")),
                                orelse),)
        return [ir.If(node.start_byte, node.end_byte, test, body, orelse)]

    def _return(self, node: Node) -> list[ir.Stmt]:
        children = [c for c in node.named_children if c.type != "comment"]
        return [ir.Return(node.start_byte, node.end_byte,
                          self.expr(children[0]) if children else None)]

    def _raise(self, node: Node) -> list[ir.Stmt]:
        children = [c for c in node.named_children if c.type != "comment"]
        return [ir.Raise(node.start_byte, node.end_byte, self.expr(children[0]) if children else None)]

    def _assert(self, node: Node) -> list[ir.Stmt]:
        children = [c for c in node.named_children if c.type != "comment"]
        if not children:
            return []
        return [ir.Assert(node.start_byte, node.end_byte, self.expr(children[0]))]

    def _try(self, node: Node) -> list[ir.Stmt]:
        body = self._body(node.child_by_field_name("body"))
        handlers: list[ir.ExceptHandler] = []
        orelse: tuple[ir.Stmt, ...] = ()
        final: tuple[ir.Stmt, ...] = ()
        for child in node.named_children:
            if child.type in ("except_clause", "except_group_clause"):
                handlers.append(self._except(child))
            elif child.type == "else_clause":
                orelse = self._body(child.child_by_field_name("body"))
            elif child.type == "finally_clause":
                blocks = [c for c in child.named_children if c.type == "block"]
                final = self._body(blocks[0]) if blocks else ()
        return [ir.Try(node.start_byte, node.end_byte, body, tuple(handlers), orelse, final)]

    def _except(self, node: Node) -> ir.ExceptHandler:
        types: ir.Expr | None = None
        name: str | None = None
        body: tuple[ir.Stmt, ...] = ()
        for child in node.named_children:
            if child.type == "block":
                body = self._body(child)
            elif child.type == "as_pattern":
                value = [c for c in child.named_children if c.type != "as_pattern_target"]
                target = [c for c in child.named_children if c.type == "as_pattern_target"]
                types = self.expr(value[0]) if value else None
                name = self.text(target[0]) if target else None
            elif child.type != "comment" and types is None:
                types = self.expr(child)
        return ir.ExceptHandler(node.start_byte, node.end_byte, types, name, body)

    def _for(self, node: Node) -> list[ir.Stmt]:
        head = (self.expr(node.child_by_field_name("left")), self.expr(node.child_by_field_name("right")))
        alternative = node.child_by_field_name("alternative")
        orelse = self._body(alternative.child_by_field_name("body")) if alternative is not None else ()
        return [ir.Loop(node.start_byte, node.end_byte, head,
                        self._body(node.child_by_field_name("body")), orelse)]

    def _while(self, node: Node) -> list[ir.Stmt]:
        alternative = node.child_by_field_name("alternative")
        orelse = self._body(alternative.child_by_field_name("body")) if alternative is not None else ()
        return [ir.Loop(node.start_byte, node.end_byte,
                        (self.expr(node.child_by_field_name("condition")),),
                        self._body(node.child_by_field_name("body")), orelse)]

    def _with(self, node: Node) -> list[ir.Stmt]:
        items: list[ir.Expr] = []
        body: tuple[ir.Stmt, ...] = ()
        for child in node.named_children:
            if child.type == "with_clause":
                for item in child.named_children:
                    value = item.child_by_field_name("value") if item.type == "with_item" else item
                    if value is not None and value.type == "as_pattern":
                        inner = [c for c in value.named_children if c.type != "as_pattern_target"]
                        value = inner[0] if inner else value
                    if value is not None:
                        items.append(self.expr(value))
            elif child.type == "block":
                body = self._body(child)
        return [ir.With(node.start_byte, node.end_byte, tuple(items), body)]

    def _match(self, node: Node) -> list[ir.Stmt]:
        subject = node.child_by_field_name("subject")
        head = (self.expr(subject),) if subject is not None else ()
        body: list[ir.Stmt] = []
        block = node.child_by_field_name("body")
        for case in (block.named_children if block is not None else ()):
            for part in case.named_children:
                if part.type == "block":
                    body.extend(self._body(part))
        return [ir.Block(node.start_byte, node.end_byte, "match", head, tuple(body))]

    # -- definitions -----------------------------------------------------------------------------

    def _decorated_definition(self, node: Node) -> list[ir.Stmt]:
        decorators = tuple(self._unwrap_first(child) for child in node.named_children
                           if child.type == "decorator")
        definition = node.child_by_field_name("definition")
        if definition is None:
            return []
        if definition.type == "function_definition":
            return self._function_definition(definition, decorators, node)
        if definition.type == "class_definition":
            return self._class_definition(definition, decorators, node)
        return self.statement(definition)

    def _function_definition(self, node: Node, decorators: tuple[ir.Expr, ...] = (),
                             outer: Node | None = None) -> list[ir.Stmt]:
        name_node = node.child_by_field_name("name")
        name = self.text(name_node) if name_node is not None else ""
        params = self._params(node.child_by_field_name("parameters"))
        is_async = any(not child.is_named and self.text(child) == "async" for child in node.children)
        qualname = self.qualname(name)
        cls = self.classes[-1] if self.classes and self.scope and self.scope[-1] == \
            self.classes[-1].rsplit(".", 1)[-1] else None
        body_node = node.child_by_field_name("body")
        if self.shallow and (body_node is None or b"import" not in self.source[
                body_node.start_byte:body_node.end_byte]):
            body: tuple[ir.Stmt, ...] = ()
        else:
            with self.scoped(name):
                saved, self.classes = self.classes, []
                body = self._body(body_node)
                self.classes = saved
        start = (outer or node).start_byte
        function = ir.Function(name, qualname, start, node.end_byte,
                               name_node.start_byte if name_node is not None else node.start_byte,
                               params, body, decorators, is_async, cls)
        return [ir.FunctionDef(start, node.end_byte, function)]

    def _params(self, node: Node | None) -> tuple[ir.Param, ...]:
        if node is None:
            return ()
        params: list[ir.Param] = []
        for child in node.named_children:
            kind = child.type
            if kind == "identifier":
                params.append(ir.Param(self.text(child), child.start_byte, child.end_byte))
            elif kind in ("default_parameter", "typed_default_parameter"):
                name = child.child_by_field_name("name")
                value = child.child_by_field_name("value")
                annotation = child.child_by_field_name("type")
                params.append(ir.Param(
                    self.text(name) if name is not None else "", child.start_byte, child.end_byte,
                    self.expr(value) if value is not None else None,
                    self.expr(annotation) if annotation is not None else None))
            elif kind == "typed_parameter":
                inner = [c for c in child.named_children if c.type != "type"]
                annotation = child.child_by_field_name("type")
                first = inner[0] if inner else None
                star = first is not None and first.type in ("list_splat_pattern",
                                                             "dictionary_splat_pattern")
                name_text = self.text(first).lstrip("*") if first is not None else ""
                params.append(ir.Param(
                    name_text, child.start_byte, child.end_byte, None,
                    self.expr(annotation) if annotation is not None else None,
                    ("starstar" if first is not None and first.type == "dictionary_splat_pattern"
                     else "star") if star else "normal"))
            elif kind in ("list_splat_pattern", "dictionary_splat_pattern"):
                params.append(ir.Param(self.text(child).lstrip("*"), child.start_byte,
                                       child.end_byte,
                                       kind="star" if kind == "list_splat_pattern" else "starstar"))
            elif kind == "tuple_pattern":
                params.append(ir.Param(self.text(child), child.start_byte, child.end_byte,
                                       kind="pattern"))
        return tuple(params)

    def _class_definition(self, node: Node, decorators: tuple[ir.Expr, ...] = (),
                          outer: Node | None = None) -> list[ir.Stmt]:
        name_node = node.child_by_field_name("name")
        name = self.text(name_node) if name_node is not None else ""
        qualname = self.qualname(name)
        bases: list[ir.Expr] = []
        keywords: list[tuple[str, ir.Expr]] = []
        superclasses = node.child_by_field_name("superclasses")
        if superclasses is not None:
            for child in superclasses.named_children:
                if child.type == "keyword_argument":
                    key = child.child_by_field_name("name")
                    keywords.append((self.text(key) if key is not None else "",
                                     self.expr(child.child_by_field_name("value"))))
                elif child.type != "comment":
                    bases.append(self.expr(child))
        self.classes.append(qualname)
        with self.scoped(name):
            body = self._body(node.child_by_field_name("body"))
        self.classes.pop()
        start = (outer or node).start_byte
        cls = ir.Class(name, qualname, start, node.end_byte,
                       name_node.start_byte if name_node is not None else node.start_byte,
                       tuple(bases), tuple(keywords), decorators, body)
        return [ir.ClassDef(start, node.end_byte, cls)]

    def _import(self, node: Node) -> list[ir.Stmt]:
        for child in node.children_by_field_name("name"):
            if child.type == "aliased_import":
                module = child.child_by_field_name("name")
                alias = child.child_by_field_name("alias")
                if module is not None and alias is not None:
                    self.imports.append(ir.Import(self.text(alias), self.text(module), None, 0,
                                                  node.start_byte, node.end_byte))
            else:
                dotted = self.text(child)
                head = dotted.split(".")[0]
                self.imports.append(ir.Import(head, head, None, 0, node.start_byte, node.end_byte))
        return []

    def _import_from(self, node: Node) -> list[ir.Stmt]:
        module_node = node.child_by_field_name("module_name")
        level, module = 0, ""
        if module_node is not None:
            text = self.text(module_node)
            stripped = text.lstrip(".")
            level, module = len(text) - len(stripped), stripped
        names = node.children_by_field_name("name")
        if not names and any(c.type == "wildcard_import" for c in node.named_children):
            self.imports.append(ir.Import("*", module, "*", level, node.start_byte, node.end_byte))
        for child in names:
            if child.type == "aliased_import":
                original = child.child_by_field_name("name")
                alias = child.child_by_field_name("alias")
                if original is not None and alias is not None:
                    self.imports.append(ir.Import(self.text(alias), module, self.text(original),
                                                  level, node.start_byte, node.end_byte))
            else:
                text = self.text(child)
                self.imports.append(ir.Import(text, module, text, level, node.start_byte,
                                              node.end_byte))
        return []


def _normal_compare(op: str) -> str:
    op = " ".join(op.split())
    if op in ("not in", "is not"):
        return op
    return _COMPARE_OPS.get(op, op)


# A string literal's prefix and opening quote (a triple quote where there is one).
_STRING_OPENING = re.compile(r"([A-Za-z]*)(\"\"\"|'''|\"|')")


def _unescape(content: str, is_bytes: bool) -> str:
    """A string's value with its escapes resolved (Python's own rules)."""
    quote = '"""' if '"' not in content else "'''"
    try:
        # A scanned file's invalid escape (`"\d"`) is its own business: Python warns about it when
        # compiling (a SyntaxWarning on the user's stderr from 3.12), never on our output.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = ast.literal_eval(("b" if is_bytes else "") + quote + content + quote)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return content
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else content
