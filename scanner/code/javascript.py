"""JavaScript, TypeScript, JSX and TSX (via tree-sitter) lowered to the `ir` model.

`require()` bindings count as imports; `export`/`module.exports` fill the module's exports."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from scanner.code import ir
from scanner.code.lowering import Lowerer

if TYPE_CHECKING:
    from tree_sitter import Node

_COMPARE_OPS = {"===": "==", "==": "==", "!==": "!=", "!=": "!=", "<": "<", "<=": "<=",
                ">": ">", ">=": ">=", "in": "in", "instanceof": "instanceof"}
_BOOL_OPS = {"&&": "and", "||": "or", "??": "??"}
_FUNCTION_TYPES = ("function_declaration", "generator_function_declaration",
                   "function_expression", "function", "generator_function", "arrow_function")
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
# TypeScript wrappers whose value is their first named child.
_UNWRAP = ("parenthesized_expression", "await_expression", "as_expression",
           "satisfies_expression", "non_null_expression", "type_assertion")


class JavaScriptLowerer(Lowerer):
    language = "javascript"

    def __init__(self, source: bytes) -> None:
        super().__init__(source)
        self.expr_handlers.update({
            "identifier": self._identifier, "property_identifier": self._identifier,
            "shorthand_property_identifier": self._identifier, "this": self._identifier,
            "super": self._identifier, "private_property_identifier": self._identifier,
            "type_identifier": self._identifier,
            "member_expression": self._member, "subscript_expression": self._subscript,
            "call_expression": self._call, "new_expression": self._new,
            "string": self._string, "template_string": self._template, "number": self._number,
            "true": self._constant, "false": self._constant, "null": self._constant,
            "undefined": self._constant, "object": self._object, "array": self._array,
            "binary_expression": self._binary, "unary_expression": self._unary,
            "ternary_expression": self._ternary, "assignment_expression": self._assignment_expr,
            "augmented_assignment_expression": self._assignment_expr,
            "spread_element": self._spread, "rest_pattern": self._spread,
            "object_pattern": self._object_pattern, "array_pattern": self._array,
            "sequence_expression": self._sequence, "pair": self._pair_value,
            **{kind: self._function_expr for kind in _FUNCTION_TYPES},
            **{kind: self._unwrap_first for kind in _UNWRAP},
        })
        self.stmt_handlers.update({
            "expression_statement": self._expression_statement,
            "lexical_declaration": self._declaration, "variable_declaration": self._declaration,
            "if_statement": self._if, "return_statement": self._return,
            "throw_statement": self._throw, "try_statement": self._try,
            "for_statement": self._loop, "for_in_statement": self._loop,
            "while_statement": self._loop, "do_statement": self._loop,
            "statement_block": self._block, "switch_statement": self._switch,
            "labeled_statement": self._labeled, "function_declaration": self._function_declaration,
            "generator_function_declaration": self._function_declaration,
            "class_declaration": self._class_declaration,
            "abstract_class_declaration": self._class_declaration,
            "export_statement": self._export, "import_statement": self._import,
            "empty_statement": self._nothing, "comment": self._nothing,
            "break_statement": self._jump, "continue_statement": self._jump,
            "debugger_statement": self._nothing, "interface_declaration": self._nothing,
            "type_alias_declaration": self._nothing, "enum_declaration": self._nothing,
            "ambient_declaration": self._nothing, "function_signature": self._nothing,
            "module": self._namespace, "internal_module": self._namespace,
            "import_alias": self._nothing, "hash_bang_line": self._nothing,
        })

    def module(self, root: Node) -> ir.Module:
        body = self.statements(root.named_children)
        return ir.Module("javascript", body, tuple(self.imports), self.exports, self.truncated)

    # -- expressions -----------------------------------------------------------------------------

    def _identifier(self, node: Node) -> ir.Expr:
        return ir.Name(node.start_byte, node.end_byte, self.text(node))

    def _member(self, node: Node) -> ir.Expr:
        obj = self.expr(node.child_by_field_name("object"))
        prop = node.child_by_field_name("property")
        return self.name_chain(obj, self.text(prop) if prop is not None else "", node)

    def _subscript(self, node: Node) -> ir.Expr:
        index = node.child_by_field_name("index")
        return ir.Index(node.start_byte, node.end_byte, self.expr(node.child_by_field_name("object")),
                        self.expr(index) if index is not None else None)

    def _arguments(self, node: Node | None) -> tuple[ir.Expr, ...]:
        if node is None:
            return ()
        if node.type == "template_string":  # a tagged template: tag`...`
            return (self.expr(node),)
        return tuple(self.expr(child) for child in node.named_children if child.type != "comment")

    def _call(self, node: Node) -> ir.Expr:
        func = self.expr(node.child_by_field_name("function"))
        return ir.Call(node.start_byte, node.end_byte, func,
                       self._arguments(node.child_by_field_name("arguments")))

    def _new(self, node: Node) -> ir.Expr:
        func = self.expr(node.child_by_field_name("constructor"))
        return ir.Call(node.start_byte, node.end_byte, func,
                       self._arguments(node.child_by_field_name("arguments")), new=True)

    def _string(self, node: Node) -> ir.Expr:
        content = []
        for child in node.named_children:
            text = self.text(child)
            content.append(_unescape(text) if child.type == "escape_sequence" else text)
        return ir.Str(node.start_byte, node.end_byte, "".join(content))

    def _template(self, node: Node) -> ir.Expr:
        content: list[str] = []
        parts: list[ir.Expr] = []
        for child in node.named_children:
            if child.type == "template_substitution":
                inner = [c for c in child.named_children if c.type != "comment"]
                if inner:
                    parts.append(self.expr(inner[0]))
                    content.append("{" + self.text(inner[0]) + "}")
            elif child.type == "escape_sequence":
                content.append(_unescape(self.text(child)))
            else:
                content.append(self.text(child))
        return ir.Str(node.start_byte, node.end_byte, "".join(content), tuple(parts))

    def _number(self, node: Node) -> ir.Expr:
        return ir.Num(node.start_byte, node.end_byte, self.text(node))

    def _constant(self, node: Node) -> ir.Expr:
        kind = node.type
        return ir.Const(node.start_byte, node.end_byte,
                        True if kind == "true" else False if kind == "false" else None,
                        undefined=kind == "undefined")

    def _object(self, node: Node) -> ir.Expr:
        items: list[tuple[ir.Expr | None, ir.Expr]] = []
        for child in node.named_children:
            kind = child.type
            if kind == "pair":
                items.append((self._key(child.child_by_field_name("key")),
                              self.expr(child.child_by_field_name("value"))))
            elif kind == "shorthand_property_identifier":
                name = self._identifier(child)
                items.append((name, name))
            elif kind == "spread_element":
                items.append((None, self._unwrap_first(child)))
            elif kind == "method_definition":
                key = child.child_by_field_name("name")
                function = self._function(child, self.text(key) if key is not None else "")
                items.append((self._key(key), ir.Func(child.start_byte, child.end_byte, function)))
        return ir.Dict(node.start_byte, node.end_byte, tuple(items))

    def _key(self, node: Node | None) -> ir.Expr:
        if node is None:
            return ir.Other(0, 0, "missing")
        if node.type == "computed_property_name":
            return self._unwrap_first(node)
        if node.type in ("property_identifier", "identifier", "private_property_identifier"):
            return ir.Name(node.start_byte, node.end_byte, self.text(node))
        return self.expr(node)

    def _array(self, node: Node) -> ir.Expr:
        return ir.Seq(node.start_byte, node.end_byte,
                      tuple(self.expr(c) for c in node.named_children if c.type != "comment"))

    def _binary(self, node: Node) -> ir.Expr:
        operator = node.child_by_field_name("operator")
        op = self.text(operator) if operator is not None else "?"
        left = self.expr(node.child_by_field_name("left"))
        right = self.expr(node.child_by_field_name("right"))
        if op in _COMPARE_OPS:
            return ir.Compare(node.start_byte, node.end_byte, _COMPARE_OPS[op], left, right)
        if op in _BOOL_OPS:
            name = _BOOL_OPS[op]
            values: list[ir.Expr] = []
            for side in (left, right):
                if isinstance(side, ir.BoolOp) and side.op == name:
                    values.extend(side.values)
                else:
                    values.append(side)
            return ir.BoolOp(node.start_byte, node.end_byte, name, tuple(values))
        return ir.BinOp(node.start_byte, node.end_byte, op, left, right)

    def _unary(self, node: Node) -> ir.Expr:
        operator = node.child_by_field_name("operator")
        argument = self.expr(node.child_by_field_name("argument"))
        if operator is not None and self.text(operator) == "!":
            return ir.Not(node.start_byte, node.end_byte, argument)
        return ir.Other(node.start_byte, node.end_byte,
                        f"unary {self.text(operator) if operator is not None else ''}".strip(),
                        (argument,))

    def _ternary(self, node: Node) -> ir.Expr:
        return ir.Cond(node.start_byte, node.end_byte,
                       self.expr(node.child_by_field_name("condition")),
                       self.expr(node.child_by_field_name("consequence")),
                       self.expr(node.child_by_field_name("alternative")))

    def _assignment_expr(self, node: Node) -> ir.Expr:
        # As an expression (`a = b = c`, `f(x = 1)`) an assignment is its value.
        return self.expr(node.child_by_field_name("right"))

    def _spread(self, node: Node) -> ir.Expr:
        return ir.Spread(node.start_byte, node.end_byte, self._unwrap_first(node))

    def _unwrap_first(self, node: Node) -> ir.Expr:
        for child in node.named_children:
            if child.type not in ("comment", "type_annotation", "type_arguments"):
                return self.expr(child)
        return ir.Other(node.start_byte, node.end_byte, node.type)

    def _sequence(self, node: Node) -> ir.Expr:
        return ir.Other(node.start_byte, node.end_byte, "sequence",
                        tuple(self.expr(c) for c in node.named_children if c.type != "comment"))

    def _pair_value(self, node: Node) -> ir.Expr:
        return self.expr(node.child_by_field_name("value"))

    def _object_pattern(self, node: Node) -> ir.Expr:
        items: list[tuple[str, ir.Expr]] = []
        for child in node.named_children:
            kind = child.type
            if kind == "shorthand_property_identifier_pattern":
                items.append((self.text(child), ir.Name(child.start_byte, child.end_byte,
                                                        self.text(child))))
            elif kind == "pair_pattern":
                key = child.child_by_field_name("key")
                value = child.child_by_field_name("value")
                if key is not None and value is not None:
                    items.append((self.text(key).strip("'\"`"), self.expr(value)))
            elif kind == "object_assignment_pattern":
                left = child.child_by_field_name("left")
                if left is not None:
                    items.append((self.text(left), self.expr(left)))
            elif kind == "rest_pattern":
                items.append(("...", self._spread(child)))
        return ir.ObjectPattern(node.start_byte, node.end_byte, tuple(items))

    def _function_expr(self, node: Node) -> ir.Expr:
        name_node = node.child_by_field_name("name")
        name = self.text(name_node) if name_node is not None else ""
        function = self._function(node, name)
        return ir.Func(node.start_byte, node.end_byte, function)

    # -- functions and classes -------------------------------------------------------------------

    def _function(self, node: Node, name: str, decorators: tuple[ir.Expr, ...] = (),
                  cls: str | None = None, start: int | None = None) -> ir.Function:
        shown = name or f"<function@{node.start_point[0] + 1}>"
        qualname = self.qualname(shown)
        params = self._params(node.child_by_field_name("parameters")
                              or node.child_by_field_name("parameter"))
        is_async = any(not child.is_named and self.text(child) == "async" for child in node.children)
        body_node = node.child_by_field_name("body")
        with self.scoped(shown):
            if body_node is not None and body_node.type == "statement_block":
                body = self.statements(body_node.named_children)
                expression_body = False
            elif body_node is not None:
                value = self.expr(body_node)
                body = (ir.Return(value.start, value.end, value),)
                expression_body = True
            else:
                body, expression_body = (), False
        name_node = node.child_by_field_name("name")
        return ir.Function(name, qualname, node.start_byte if start is None else start,
                           node.end_byte,
                           name_node.start_byte if name_node is not None else node.start_byte,
                           params, body, decorators, is_async, cls, expression_body)

    def _params(self, node: Node | None) -> tuple[ir.Param, ...]:
        if node is None:
            return ()
        if node.type == "identifier":  # `x => ...`
            return (ir.Param(self.text(node), node.start_byte, node.end_byte),)
        params: list[ir.Param] = []
        for child in node.named_children:
            kind = child.type
            pattern = child
            default: ir.Expr | None = None
            annotation: ir.Expr | None = None
            if kind in ("required_parameter", "optional_parameter"):
                pattern = child.child_by_field_name("pattern") or child
                value = child.child_by_field_name("value")
                default = self.expr(value) if value is not None else None
                type_node = child.child_by_field_name("type")
                annotation = self._unwrap_first(type_node) if type_node is not None else None
            elif kind == "assignment_pattern":
                pattern = child.child_by_field_name("left") or child
                value = child.child_by_field_name("right")
                default = self.expr(value) if value is not None else None
            if pattern.type == "identifier":
                params.append(ir.Param(self.text(pattern), child.start_byte, child.end_byte,
                                       default, annotation))
            elif pattern.type == "rest_pattern":
                params.append(ir.Param(self.text(pattern).lstrip("."), child.start_byte,
                                       child.end_byte, kind="star"))
            elif pattern.type in ("object_pattern", "array_pattern"):
                params.append(ir.Param(self.text(pattern), child.start_byte, child.end_byte,
                                       default, annotation, kind="pattern"))
            elif kind not in ("comment", "decorator"):
                params.append(ir.Param(self.text(pattern), child.start_byte, child.end_byte,
                                       default, annotation))
        return tuple(params)

    def _decorators(self, node: Node) -> tuple[ir.Expr, ...]:
        return tuple(self._unwrap_first(child) for child in node.named_children
                     if child.type == "decorator")

    def _function_declaration(self, node: Node) -> list[ir.Stmt]:
        name_node = node.child_by_field_name("name")
        function = self._function(node, self.text(name_node) if name_node is not None else "")
        return [ir.FunctionDef(node.start_byte, node.end_byte, function)]

    def _class_declaration(self, node: Node) -> list[ir.Stmt]:
        name_node = node.child_by_field_name("name")
        name = self.text(name_node) if name_node is not None else f"<class@{node.start_point[0] + 1}>"
        return [ir.ClassDef(node.start_byte, node.end_byte, self._class(node, name))]

    def _class(self, node: Node, name: str) -> ir.Class:
        qualname = self.qualname(name)
        bases: list[ir.Expr] = []
        for child in node.named_children:
            if child.type == "class_heritage":
                for clause in child.named_children:
                    if clause.type == "extends_clause":
                        value = clause.child_by_field_name("value")
                        if value is not None:
                            bases.append(self.expr(value))
                    elif clause.type not in ("implements_clause", "comment"):
                        bases.append(self.expr(clause))  # plain JS: `extends X` directly
        body: list[ir.Stmt] = []
        body_node = node.child_by_field_name("body")
        with self.scoped(name):
            pending: list[ir.Expr] = []
            for member in (body_node.named_children if body_node is not None else ()):
                kind = member.type
                if kind == "decorator":
                    pending.append(self._unwrap_first(member))
                elif kind == "method_definition":
                    key = member.child_by_field_name("name")
                    method = self._function(member, self.text(key) if key is not None else "",
                                            tuple(pending) + self._decorators(member), qualname)
                    pending = []
                    body.append(ir.FunctionDef(member.start_byte, member.end_byte, method))
                elif kind in ("field_definition", "public_field_definition"):
                    key = member.child_by_field_name("property") or member.child_by_field_name("name")
                    value = member.child_by_field_name("value")
                    if key is None:
                        continue
                    target = ir.Name(key.start_byte, key.end_byte, self.text(key))
                    if value is not None and value.type in _FUNCTION_TYPES:
                        method = self._function(value, self.text(key), tuple(pending), qualname,
                                                member.start_byte)
                        body.append(ir.FunctionDef(member.start_byte, member.end_byte, method))
                    else:
                        body.append(ir.Assign(member.start_byte, member.end_byte, (target,),
                                              self.expr(value) if value is not None else None))
                    pending = []
        name_node = node.child_by_field_name("name")
        return ir.Class(name, qualname, node.start_byte, node.end_byte,
                        name_node.start_byte if name_node is not None else node.start_byte,
                        tuple(bases), (), self._decorators(node), tuple(body))

    # -- statements ------------------------------------------------------------------------------

    def _nothing(self, node: Node) -> list[ir.Stmt]:
        return []

    def _jump(self, node: Node) -> list[ir.Stmt]:
        return [ir.Jump(node.start_byte, node.end_byte, node.type.split("_")[0])]

    def _block(self, node: Node) -> list[ir.Stmt]:
        return list(self.statements(node.named_children))

    def _body(self, node: Node | None) -> tuple[ir.Stmt, ...]:
        if node is None:
            return ()
        if node.type == "statement_block":
            return self.statements(node.named_children)
        return tuple(self.statement(node))

    def _namespace(self, node: Node) -> list[ir.Stmt]:
        body = node.child_by_field_name("body")
        return list(self._body(body)) if body is not None else []

    def _expression_statement(self, node: Node) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for child in node.named_children:
            if child.type in ("assignment_expression", "augmented_assignment_expression"):
                out.append(self._assignment(child))
            elif child.type == "sequence_expression":
                for part in child.named_children:
                    if part.type in ("assignment_expression", "augmented_assignment_expression"):
                        out.append(self._assignment(part))
                    elif part.type != "comment":
                        out.append(ir.ExprStmt(part.start_byte, part.end_byte, self.expr(part)))
            elif child.type != "comment":
                out.append(ir.ExprStmt(child.start_byte, child.end_byte, self.expr(child)))
        return out

    def _assignment(self, node: Node) -> ir.Assign:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        operator = node.child_by_field_name("operator")
        op = self.text(operator) if operator is not None else "="
        target = self.expr(left)
        value = self._named_value(right, target) if right is not None else None
        self._track_export(target, value)
        return ir.Assign(node.start_byte, node.end_byte, (target,), value, op)

    def _named_value(self, node: Node, target: ir.Expr) -> ir.Expr:
        """A value; a function expression assigned to a name takes that name."""
        if node.type in _FUNCTION_TYPES and isinstance(target, ir.Name):
            name_node = node.child_by_field_name("name")
            name = self.text(name_node) if name_node is not None else target.name.rsplit(".", 1)[-1]
            return ir.Func(node.start_byte, node.end_byte, self._function(node, name))
        return self.expr(node)

    def _track_export(self, target: ir.Expr, value: ir.Expr | None) -> None:
        if not isinstance(target, ir.Name):
            return
        name = target.name
        if name == "module.exports":
            if isinstance(value, ir.Name):
                self.exports["default"] = value.name
            elif isinstance(value, ir.Dict):
                for key, item in value.items:
                    key_name = ir.key_text(key)
                    if key_name and isinstance(item, ir.Name):
                        self.exports[key_name] = item.name
            elif isinstance(value, ir.Func):
                self.exports["default"] = value.function.qualname
        elif name.startswith(("module.exports.", "exports.")):
            exported = name.rsplit(".", 1)[-1]
            if isinstance(value, ir.Name):
                self.exports[exported] = value.name
            elif isinstance(value, ir.Func):
                self.exports[exported] = value.function.qualname

    def _declaration(self, node: Node) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for child in node.named_children:
            if child.type != "variable_declarator":
                continue
            name_node = child.child_by_field_name("name")
            value_node = child.child_by_field_name("value")
            target = self.expr(name_node)
            if value_node is not None and self._require(target, value_node, child):
                continue
            value = self._named_value(value_node, target) if value_node is not None else None
            if isinstance(value, ir.Func) and isinstance(target, ir.Name) and value.function.name:
                out.append(ir.FunctionDef(child.start_byte, child.end_byte, value.function))
                continue
            out.append(ir.Assign(child.start_byte, child.end_byte, (target,), value))
        return out

    def _require(self, target: ir.Expr, value: Node, declarator: Node) -> bool:
        """`const x = require("m")` / `const {a, b: c} = require("m")`: imports."""
        call = value
        member: str | None = None
        if call.type == "member_expression":  # require("m").x
            prop = call.child_by_field_name("property")
            member = self.text(prop) if prop is not None else None
            call = call.child_by_field_name("object") or call
        if call.type != "call_expression":
            return False
        func = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        if func is None or self.text(func) != "require" or args is None:
            return False
        strings = [c for c in args.named_children if c.type == "string"]
        if not strings:
            return False
        module = "".join(self.text(c) for c in strings[0].named_children)
        start, end = declarator.start_byte, declarator.end_byte
        if isinstance(target, ir.Name):
            self.imports.append(ir.Import(target.name, module, member, 0, start, end))
        elif isinstance(target, ir.ObjectPattern):
            for key, bound in target.items:
                if isinstance(bound, ir.Name):
                    self.imports.append(ir.Import(bound.name, module, key, 0, start, end))
        else:
            return False
        return True

    def _if(self, node: Node) -> list[ir.Stmt]:
        test = self.expr(node.child_by_field_name("condition"))
        body = self._body(node.child_by_field_name("consequence"))
        alternative = node.child_by_field_name("alternative")
        orelse: tuple[ir.Stmt, ...] = ()
        if alternative is not None:
            inner = [c for c in alternative.named_children if c.type != "comment"]
            orelse = self._body(inner[0]) if inner else ()
        return [ir.If(node.start_byte, node.end_byte, test, body, orelse)]

    def _return(self, node: Node) -> list[ir.Stmt]:
        children = [c for c in node.named_children if c.type != "comment"]
        return [ir.Return(node.start_byte, node.end_byte,
                          self.expr(children[0]) if children else None)]

    def _throw(self, node: Node) -> list[ir.Stmt]:
        children = [c for c in node.named_children if c.type != "comment"]
        return [ir.Raise(node.start_byte, node.end_byte, self.expr(children[0]) if children else None)]

    def _try(self, node: Node) -> list[ir.Stmt]:
        body = self._body(node.child_by_field_name("body"))
        handlers: list[ir.ExceptHandler] = []
        handler = node.child_by_field_name("handler")
        if handler is not None:
            parameter = handler.child_by_field_name("parameter")
            handlers.append(ir.ExceptHandler(
                handler.start_byte, handler.end_byte, None,
                self.text(parameter) if parameter is not None else None,
                self._body(handler.child_by_field_name("body"))))
        finalizer = node.child_by_field_name("finalizer")
        final = self._body(finalizer.child_by_field_name("body")) if finalizer is not None else ()
        return [ir.Try(node.start_byte, node.end_byte, body, tuple(handlers), (), final)]

    def _loop(self, node: Node) -> list[ir.Stmt]:
        head: list[ir.Expr] = []
        for name in ("condition", "left", "right", "initializer", "increment"):
            part = node.child_by_field_name(name)
            if part is not None and part.type not in ("lexical_declaration", "variable_declaration"):
                head.append(self.expr(part))
        return [ir.Loop(node.start_byte, node.end_byte, tuple(head),
                        self._body(node.child_by_field_name("body")))]

    def _switch(self, node: Node) -> list[ir.Stmt]:
        value = node.child_by_field_name("value")
        body: list[ir.Stmt] = []
        cases = node.child_by_field_name("body")
        for case in (cases.named_children if cases is not None else ()):
            for part in case.named_children:
                if part.type not in ("comment",) and part != case.child_by_field_name("value"):
                    body.extend(self.statement(part))
        return [ir.Block(node.start_byte, node.end_byte, "switch",
                         (self.expr(value),) if value is not None else (), tuple(body))]

    def _labeled(self, node: Node) -> list[ir.Stmt]:
        body = node.child_by_field_name("body")
        return list(self._body(body)) if body is not None else []

    def _export(self, node: Node) -> list[ir.Stmt]:
        declaration = node.child_by_field_name("declaration")
        is_default = any(not c.is_named and self.text(c) == "default" for c in node.children)
        decorators = self._decorators(node)
        if declaration is not None:
            statements = self.statement(declaration)
            for statement in statements:
                names: list[str] = []
                if isinstance(statement, ir.FunctionDef):
                    names = [statement.function.name]
                elif isinstance(statement, ir.ClassDef):
                    statement.cls.decorators = decorators + statement.cls.decorators
                    names = [statement.cls.name]
                elif isinstance(statement, ir.Assign):
                    names = [t.name for t in statement.targets if isinstance(t, ir.Name)]
                for name in names:
                    self.exports["default" if is_default else name] = name
            return statements
        value = node.child_by_field_name("value")
        if value is not None:  # export default <expression>
            lowered = self.expr(value)
            if isinstance(lowered, ir.Func):
                if not lowered.function.name:
                    lowered.function.name = "default"
                self.exports["default"] = lowered.function.qualname
                return [ir.FunctionDef(node.start_byte, node.end_byte, lowered.function)]
            if isinstance(lowered, ir.Name):
                self.exports["default"] = lowered.name
            return [ir.ExprStmt(node.start_byte, node.end_byte, lowered)]
        source = node.child_by_field_name("source")
        for child in node.named_children:
            if child.type == "export_clause":
                for specifier in child.named_children:
                    specified = specifier.child_by_field_name("name")
                    alias = specifier.child_by_field_name("alias")
                    if specified is None:
                        continue
                    local = self.text(specified)
                    if source is not None:  # export { a as b } from "m": a re-export
                        module = "".join(self.text(c) for c in source.named_children)
                        self.imports.append(ir.Import(local, module, local, 0, node.start_byte,
                                                      node.end_byte))
                    self.exports[self.text(alias) if alias is not None else local] = local
        return []

    def _import(self, node: Node) -> list[ir.Stmt]:
        source = node.child_by_field_name("source")
        if source is None:
            return []
        module = "".join(self.text(c) for c in source.named_children)
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":
                    self._add_import(self.text(part), module, "default", node)
                elif part.type == "namespace_import":
                    names = [c for c in part.named_children if c.type == "identifier"]
                    if names:
                        self._add_import(self.text(names[0]), module, None, node)
                elif part.type == "named_imports":
                    for specifier in part.named_children:
                        if specifier.type != "import_specifier":
                            continue
                        name = specifier.child_by_field_name("name")
                        alias = specifier.child_by_field_name("alias")
                        if name is not None:
                            original = self.text(name).strip("'\"")
                            local = self.text(alias) if alias is not None else original
                            self._add_import(local, module, original, node)
        return []

    def _add_import(self, local: str, module: str, name: str | None, node: Node) -> None:
        self.imports.append(ir.Import(local, module, name, 0, node.start_byte, node.end_byte))


def _unescape(sequence: str) -> str:
    match = _ESCAPE.fullmatch(sequence)
    if match is None:
        return sequence
    body = match.group(1)
    if body.startswith("u{"):
        return _chr(body[2:-1])
    if body.startswith("u") and len(body) == 5:
        return _chr(body[1:])
    if body.startswith("x") and len(body) == 3:
        return _chr(body[1:])
    return _SIMPLE_ESCAPES.get(body, body if body != "\n" else "")


def _chr(hex_digits: str) -> str:
    try:
        return chr(int(hex_digits, 16))
    except (ValueError, OverflowError):
        return ""
