"""Autofix for SH302: rewrite `digest == signature` to `hmac.compare_digest(...)` with libcst.

Called by `secret-hygiene fix --select SH302` as `scanner.plugins.webhooks_fix:fix_source`."""

from __future__ import annotations

import libcst as cst

from scanner.parsed import FileKind, ParsedFile


def fix_source(path: str, text: str) -> str | None:
    """The rewritten text of a Python file, or None when it has nothing SH302 can fix.

    `a == b` becomes `hmac.compare_digest(a, b)`, `a != b` its negation, `a in b`
    `any(hmac.compare_digest(a, candidate) for candidate in b)`; `import hmac` is added when
    missing. A header read with `.get(name)` gets a `""` default so a missing header is a
    mismatch, not a TypeError."""
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
    }
    if not targets or file.python is None:
        return None
    rewriter = _CompareRewriter(targets)
    module = file.python.visit(rewriter)
    if not rewriter.changed:
        return None
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor

    context = CodemodContext()
    AddImportsVisitor.add_needed_import(context, "hmac")
    module = AddImportsVisitor(context).transform_module(module)
    return module.code


def _compare_digest(left: cst.BaseExpression, right: cst.BaseExpression) -> cst.Call:
    return cst.Call(
        func=cst.Attribute(value=cst.Name("hmac"), attr=cst.Name("compare_digest")),
        args=[cst.Arg(_defaulted(left),
                      comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
              cst.Arg(_defaulted(right))],
    )


def _defaulted(node: cst.BaseExpression) -> cst.BaseExpression:
    """`request.headers.get("X-Sig")` -> `request.headers.get("X-Sig", "")`."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
            and node.func.attr.value == "get" and len(node.args) == 1 and node.args[0].keyword is None:
        receiver = cst.Module([]).code_for_node(node.func.value).lower()
        if "header" in receiver or "meta" in receiver:
            first = node.args[0].with_changes(
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            return node.with_changes(args=[first, cst.Arg(cst.SimpleString('""'))])
    return node


class _CompareRewriter(cst.CSTTransformer):
    def __init__(self, targets: set[int]) -> None:
        super().__init__()
        self.targets = targets
        self.changed = False

    def leave_Comparison(self, original_node: cst.Comparison,
                         updated_node: cst.Comparison) -> cst.BaseExpression:
        if id(original_node) not in self.targets:
            return updated_node
        target = updated_node.comparisons[0]
        left, right, operator = updated_node.left, target.comparator, target.operator
        replacement: cst.BaseExpression
        if isinstance(operator, (cst.Equal, cst.NotEqual)):
            replacement = _compare_digest(left, right)
            negate = isinstance(operator, cst.NotEqual)
        elif isinstance(operator, (cst.In, cst.NotIn)):
            candidate = cst.Name("candidate")
            replacement = cst.Call(func=cst.Name("any"), args=[cst.Arg(cst.GeneratorExp(
                elt=_compare_digest(left, candidate),
                for_in=cst.CompFor(target=candidate, iter=right),
                lpar=[], rpar=[],
            ))])
            negate = isinstance(operator, cst.NotIn)
        else:
            return updated_node
        if negate:
            replacement = cst.UnaryOperation(operator=cst.Not(), expression=replacement)
        self.changed = True
        return replacement.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)
