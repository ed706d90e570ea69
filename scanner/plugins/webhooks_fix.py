"""Autofix for SH302: rewrite `digest == signature` to `hmac.compare_digest(...)` with libcst.

Called by `secret-hygiene fix --select SH302` as `scanner.plugins.webhooks_fix:fix_source`."""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection, Iterable

import libcst as cst

from scanner.fix import FixSkipped, name_bindings
from scanner.parsed import FileKind, ParsedFile

# Calls whose result is never None (a digest, text or bytes made from something).
_VALUE_METHODS = frozenset({
    "hexdigest", "digest", "decode", "encode", "lower", "upper", "strip", "lstrip", "rstrip",
    "format", "join", "replace", "b64encode", "b64decode", "urlsafe_b64encode",
    "urlsafe_b64decode", "hexlify", "unhexlify", "hex",
})
# Encoders whose result is empty only when their input is.
_ENCODERS = frozenset({"b64encode", "urlsafe_b64encode", "hexlify", "b16encode", "b32encode",
                       "decode", "encode", "lower", "upper"})
# Where `a or b` around the replacement needs no parentheses to keep its meaning.
_LOOSE_PARENTS = (cst.If, cst.While, cst.Return, cst.Assign, cst.AnnAssign, cst.Expr, cst.Assert,
                  cst.Arg, cst.IfExp, cst.Lambda)


def fix_source(path: str, text: str, lines: Collection[int] | None = None) -> str | None:
    """The rewritten text of a Python file, or None when it has nothing SH302 can fix on `lines`
    (None: anywhere).

    `a == b` becomes `hmac.compare_digest(a, b)`, `a != b` its negation, `a in b`
    `any(hmac.compare_digest(a, candidate) for candidate in b)`; `import hmac` is added when
    missing. compare_digest raises TypeError on None where `==` said False, so a missing header
    must stay a rejection: an operand that may be None (a parameter, a `.get(...)`) gets an
    `is not None` guard, or a `""` default when the other side is a digest (never empty, so ""
    never matches). An operand that may be None and cannot be evaluated twice is not fixed."""
    file = ParsedFile(path, text)
    # SH302 does not report in tests (they compare signatures on purpose): nothing to fix there.
    if file.kind is not FileKind.PYTHON or file.is_test or not file.has_any(("hmac", "token")):
        return None
    from scanner.plugins import webhooks_py

    analysis = webhooks_py.analyse(file, ())
    if analysis is None:
        return None
    targets = {
        id(local.node) for local in analysis.findings
        if local.rule == "SH302" and isinstance(local.node, cst.Comparison)
        and len(local.node.comparisons) == 1
        and (lines is None or set(range(local.span[0], local.span[2] + 1)) & set(lines))
    }
    if not targets or file.python is None:
        return None
    rewriter = _CompareRewriter(targets, _Values(ast.parse(text)), file.python)
    module = file.python.visit(rewriter)
    if not rewriter.changed:
        if rewriter.skipped:
            raise FixSkipped(rewriter.skipped[0])
        return None
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor

    context = CodemodContext()
    AddImportsVisitor.add_needed_import(context, "hmac")
    module = AddImportsVisitor(context).transform_module(module)
    return module.code


class _Values:
    """What each name of the module may hold, judged over every binding it has anywhere: names
    that are never None, and names that are never empty (a digest and encodings of one)."""

    def __init__(self, tree: ast.AST) -> None:
        bindings: dict[str, list[ast.expr | None]] = {}
        for name, bound in name_bindings(tree):
            bindings.setdefault(name, []).append(bound if isinstance(bound, ast.expr) else None)
        self.not_none = _closure(bindings, self.never_none)
        self.not_empty = _closure(bindings, self.never_empty)

    def never_empty(self, expr: ast.expr, names: Collection[str] | None = None) -> bool:
        names = self.not_empty if names is None else names
        if isinstance(expr, ast.Constant):
            return isinstance(expr.value, (str, bytes)) and bool(expr.value)
        if isinstance(expr, ast.Name):
            return expr.id in names
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return self.never_empty(expr.left, names) or self.never_empty(expr.right, names)
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
            method = expr.func.attr
            if method in {"hexdigest", "digest"}:
                return True
            source = expr.func.value if method in {"decode", "encode", "lower", "upper"} else (
                expr.args[0] if expr.args else None)
            return method in _ENCODERS and source is not None and self.never_empty(source, names)
        return False

    def never_none(self, expr: ast.expr, names: Collection[str] | None = None) -> bool:
        names = self.not_none if names is None else names
        if isinstance(expr, ast.Constant):
            return expr.value is not None
        if isinstance(expr, (ast.JoinedStr, ast.BinOp)):
            return True
        if isinstance(expr, ast.Name):
            return expr.id in names
        if isinstance(expr, ast.Call):
            if isinstance(expr.func, ast.Name):
                return expr.func.id in {"str", "bytes", "bytearray"}
            if isinstance(expr.func, ast.Attribute):
                if expr.func.attr == "get":
                    return len(expr.args) == 2 and self.never_none(expr.args[1], names)
                return expr.func.attr in _VALUE_METHODS
        return False


def _closure(bindings: dict[str, list[ast.expr | None]],
             holds: Callable[[ast.expr, Collection[str]], bool]) -> set[str]:
    """The names all of whose bindings satisfy `holds` (which may rely on such names)."""
    names: set[str] = set()
    while True:
        grown = {name for name, values in bindings.items()
                 if all(value is not None and holds(value, names) for value in values)}
        if grown <= names:
            return names
        names |= grown


def _pure(expr: ast.expr) -> bool:
    """An expression that may be evaluated twice: names, attributes, constant subscripts and
    `.get(constant)` lookups on them (a header mapping)."""
    if isinstance(expr, ast.Name):
        return True
    if isinstance(expr, ast.Attribute):
        return _pure(expr.value)
    if isinstance(expr, ast.Subscript):
        return _pure(expr.value) and isinstance(expr.slice, ast.Constant)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        return expr.func.attr == "get" and _pure(expr.func.value) and not expr.keywords and all(
            isinstance(arg, ast.Constant) for arg in expr.args)
    return False


def _header_get(node: cst.BaseExpression) -> bool:
    """`request.headers.get("X-Sig")` (one argument, on headers or Django's META)."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
            and node.func.attr.value == "get" and len(node.args) == 1 and node.args[0].keyword is None:
        receiver = cst.Module([]).code_for_node(node.func.value).lower()
        return "header" in receiver or "meta" in receiver
    return False


def _with_empty_default(node: cst.Call) -> cst.Call:
    """`request.headers.get("X-Sig")` -> `request.headers.get("X-Sig", "")`."""
    first = node.args[0].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return node.with_changes(args=[first, cst.Arg(cst.SimpleString('""'))])


def _compare_digest(left: cst.BaseExpression, right: cst.BaseExpression) -> cst.Call:
    return cst.Call(
        func=cst.Attribute(value=cst.Name("hmac"), attr=cst.Name("compare_digest")),
        args=[cst.Arg(left, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
              cst.Arg(right)],
    )


def _chain(operator: cst.BaseBooleanOp, parts: Iterable[cst.BaseExpression]) -> cst.BaseExpression:
    expressions = list(parts)
    result = expressions[0]
    for part in expressions[1:]:
        result = cst.BooleanOperation(left=result, operator=operator, right=part)
    return result


def _is_none(node: cst.BaseExpression, negated: bool) -> cst.Comparison:
    operator: cst.BaseCompOp = cst.IsNot() if negated else cst.Is()
    return cst.Comparison(left=node, comparisons=[
        cst.ComparisonTarget(operator=operator, comparator=cst.Name("None"))])


class _CompareRewriter(cst.CSTTransformer):
    def __init__(self, targets: set[int], values: _Values, module: cst.Module) -> None:
        super().__init__()
        self.targets = targets
        self.values = values
        self.module = module
        self.changed = False
        self.skipped: list[str] = []
        self.parent: dict[int, cst.CSTNode] = {}  # id of an original node -> its parent

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.parent.update((id(child), node) for child in node.children)
        return super().on_visit(node)

    def _ast(self, node: cst.BaseExpression) -> ast.expr:
        """The expression as `ast` sees it (an unknown value if it cannot stand alone)."""
        code = self.module.code_for_node(node)
        try:
            return ast.parse(f"(\n{code}\n)", mode="eval").body
        except SyntaxError:  # e.g. a bare `yield`
            return ast.Starred(value=ast.Constant(None), ctx=ast.Load())

    def _operand(self, node: cst.BaseExpression, other: cst.BaseExpression,
                 guards: list[cst.BaseExpression]) -> cst.BaseExpression | None:
        """The operand as compare_digest gets it (a guard noted where it may be None), or None
        when it may be None and cannot be guarded."""
        expr = self._ast(node)
        if self.values.never_none(expr):
            return node
        if isinstance(node, cst.Call) and _header_get(node) \
                and self.values.never_empty(self._ast(other)):
            return _with_empty_default(node)
        if _pure(expr):
            guards.append(node)
            return node
        code = " ".join(self.module.code_for_node(node).split())
        self.skipped.append(f"cannot tell whether `{code}` may be None (compare_digest would "
                            "raise TypeError where == said False)")
        return None

    def leave_Comparison(self, original_node: cst.Comparison,
                         updated_node: cst.Comparison) -> cst.BaseExpression:
        if id(original_node) not in self.targets:
            return updated_node
        target = updated_node.comparisons[0]
        left, right, operator = updated_node.left, target.comparator, target.operator
        guards: list[cst.BaseExpression] = []
        call: cst.BaseExpression
        if isinstance(operator, (cst.Equal, cst.NotEqual)):
            first = self._operand(left, right, guards)
            second = self._operand(right, left, guards) if first is not None else None
            if first is None or second is None:
                return updated_node
            call = _compare_digest(first, second)
            negate = isinstance(operator, cst.NotEqual)
        elif isinstance(operator, (cst.In, cst.NotIn)):
            first = self._operand(left, right, guards)
            if first is None:
                return updated_node
            candidate = cst.Name("candidate")
            call = cst.Call(func=cst.Name("any"), args=[cst.Arg(cst.GeneratorExp(
                elt=_compare_digest(first, candidate),
                for_in=cst.CompFor(target=candidate, iter=right),
                lpar=[], rpar=[],
            ))])
            negate = isinstance(operator, cst.NotIn)
        else:
            return updated_node
        replacement: cst.BaseExpression
        if negate:  # mismatch, or a guarded operand is None: rejected as before
            replacement = _chain(cst.Or(), [*(_is_none(g, False) for g in guards),
                                            cst.UnaryOperation(operator=cst.Not(), expression=call)])
        else:
            replacement = _chain(cst.And(), [*(_is_none(g, True) for g in guards), call])
        self.changed = True
        lpar, rpar = updated_node.lpar, updated_node.rpar
        if guards and not lpar and not isinstance(self.parent.get(id(original_node)),
                                                  _LOOSE_PARENTS):
            lpar, rpar = [cst.LeftParen()], [cst.RightParen()]
        return replacement.with_changes(lpar=lpar, rpar=rpar)
