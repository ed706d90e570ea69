"""A cheap `ast` pass that decides whether a Python file needs the libcst analysis at all.

libcst costs a quarter second to import and parses about 12x slower than `ast`; most files that
merely use hmac (password hashing, signing cookies) cannot trigger SH302/SH303/SH305."""

from __future__ import annotations

import ast
import re

from scanner.model.document import MAX_PYTHON_CHARS, ParsedFile
from scanner.plugins.webhooks_model import is_signature_header

# Attribute the libcst analysis caches itself under (webhooks_py._CACHE_ATTR).
ANALYSIS_ATTR = "_webhooks_python"
_PRESCREEN_ATTR = "_webhooks_prescreen"
AST_ATTR = "_webhooks_ast"
_HMAC_TAILS = ("hmac.new", "hmac.HMAC", "hmac.digest")
_CLOCK = ("time.time", "time()", "datetime.now", "utcnow", "timezone.now", "time.monotonic")
# Rules decided from the text gate alone (their keywords are rare).
_ALWAYS = frozenset({"SH306"})
# libcst's presence check: signature-ish names, secret-ish names (webhooks_py._SECRET_NAME).
_PRESENCE_WORDS = re.compile(r"sig|secret|signing_?key|webhook_?key|webhook_?token|hmac_?key",
                             re.IGNORECASE)


def is_analysed(file: ParsedFile) -> bool:
    return getattr(file, ANALYSIS_ATTR, None) is not None


def _call_name(node: ast.Call) -> str:
    parts: list[str] = []
    func: ast.expr = node.func
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    return ".".join(reversed(parts))


def may_fire(file: ParsedFile) -> frozenset[str]:
    """Ids of the local rules that could report in this file (a superset; never misses)."""
    cached = getattr(file, _PRESCREEN_ATTR, None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    result = _screen(file)
    setattr(file, _PRESCREEN_ATTR, result)
    return result


def parsed_ast(file: ParsedFile) -> ast.Module | None:
    """The file's `ast` tree, parsed once for the prescreen and the span lookup."""
    cached = getattr(file, AST_ATTR, None)
    if cached is None:
        try:
            cached = ast.parse(file.text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            cached = False
        setattr(file, AST_ATTR, cached)
    return cached if isinstance(cached, ast.Module) else None


def _screen(file: ParsedFile) -> frozenset[str]:
    if len(file.text) > MAX_PYTHON_CHARS:
        return frozenset()  # libcst refuses it anyway (scanner.parsed)
    tree = parsed_ast(file)
    if tree is None:
        return frozenset({"SH302", "SH303", "SH304", "SH305", "SH306"})  # let libcst decide
    lower = file.lower
    bare_hmac = "from hmac import" in lower
    token_header = any(t in lower for t in ("x-gitlab-token", "webhook-token", "http_x_gitlab_token"))
    clock = any(marker in lower for marker in _CLOCK)
    rules = set(_ALWAYS)
    if token_header:
        rules.add("SH302")
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        hmac_call = dumps = stripe = False
        comparison = False
        if any(_PRESENCE_WORDS.search(a.arg) for a in (*function.args.args,
                                                         *function.args.kwonlyargs)):
            rules.add("SH304")  # a signature parameter taints variables of any name
        for node in ast.walk(function):
            if isinstance(node, ast.If) and _may_test_presence(node.test):
                rules.add("SH304")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and len(node.value) < 80 and is_signature_header(node.value):
                rules.add("SH304")  # a header variable may have any name
            if isinstance(node, ast.Call):
                name = _call_name(node)
                if name.endswith(_HMAC_TAILS) or (bare_hmac and name in {"new", "HMAC", "digest"}):
                    hmac_call = True
                elif name.endswith("dumps"):
                    dumps = True
                elif name.endswith(("construct_event", "verify_header")):
                    stripe = True
            elif isinstance(node, ast.Compare):
                operands = [node.left, *node.comparators]
                for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
                    if isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)) and not (
                            isinstance(left, ast.Constant) or isinstance(right, ast.Constant)):
                        comparison = True
        if hmac_call and comparison:
            rules.add("SH302")
        if hmac_call and dumps:
            rules.add("SH303")
        if (hmac_call and not clock) or stripe:
            rules.add("SH305")
    return frozenset(rules)


def _may_test_presence(test: ast.expr) -> bool:
    """Superset of the libcst presence check: the test names a signature, secret or token."""
    for node in ast.walk(test):
        if isinstance(node, ast.Name) and _PRESENCE_WORDS.search(node.id):
            return True
        if isinstance(node, ast.Attribute) and _PRESENCE_WORDS.search(node.attr):
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and len(node.value) < 80 and is_signature_header(node.value):
            return True
    return False
