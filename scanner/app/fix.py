"""The `fix` use case's core: apply the edits that rules attached to reported, unsuppressed
findings, then add the imports the new code needs with libcst's AddImportsVisitor.

Only edits travel with findings; nothing here decides what is a finding."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from scanner.model.finding import Edit, Finding, Fix
from scanner.redact import redact

# libcst's native parser recurses without a limit (it segfaults on ~10,000 nested operators or
# dotted names) and slows down quadratically with nesting, so CPython's own parser vets the text
# first. Real code stays far below these bounds (site-packages: depth 87 at most).
MAX_PYTHON_DEPTH = 100
MAX_PYTHON_CHARS = 1_000_000
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class FixedText:
    text: str
    applied: int = 0
    skipped: list[str] = field(default_factory=list)  # notes: overlapping edits, import problems
    environment: set[str] = field(default_factory=set)
    secrets: list[str] = field(default_factory=list)  # replaced secret texts (for redaction)


def apply_fixes(path: str, text: str, findings: Sequence[Finding]) -> FixedText:
    """`text` with the fixes of `findings` applied (edits in character offsets; overlapping fixes
    after the first are skipped with a note), plus the imports those fixes need."""
    fixes: list[Fix] = [f.fix for f in findings if f.fix is not None]
    result = FixedText(text)
    taken: list[tuple[int, int]] = []
    chosen: list[tuple[Fix, list[Edit]]] = []
    for fix in sorted(fixes, key=lambda f: min((e.start for e in f.edits), default=0)):
        spans = [(edit.start, edit.end) for edit in fix.edits]
        if any((start < end_taken and start_taken < end) or (start == end == start_taken)
               for start, end in spans for start_taken, end_taken in taken):
            result.skipped.append(f"{path}: two fixes overlap; only the first was applied")
            continue
        taken.extend(spans)
        chosen.append((fix, list(fix.edits)))
    edits = sorted((edit for _, group in chosen for edit in group), key=lambda e: e.start,
                   reverse=True)
    new = text
    for edit in edits:
        if edit.secret:
            result.secrets.append(new[edit.start:edit.end])
        new = new[:edit.start] + edit.text + new[edit.end:]
    result.applied = len(chosen)
    imports = sorted({item for fix, _ in chosen for item in fix.imports}, key=lambda i: (i[0], i[1] or ""))
    if imports:
        with_imports, problem = add_imports(new, imports)
        if problem is not None:
            result.skipped.append(f"{path}: {problem}; file left as it was")
            return FixedText(text, skipped=result.skipped)
        new = with_imports
    result.text = new
    result.environment = {name for fix, _ in chosen for name in fix.environment}
    return result


def add_imports(text: str, imports: Iterable[tuple[str, str | None]]) -> tuple[str, str | None]:
    """`text` with the imports added where libcst's AddImportsVisitor puts them (after the
    docstring and `__future__` imports, merged with existing ones), or a reason it cannot."""
    problem = python_parse_problem(text)
    if problem is not None:
        return text, f"cannot add the imports the fix needs ({problem})"
    import libcst as cst
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor

    try:
        module = cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, ValueError, MemoryError) as exc:
        return text, f"cannot add the imports the fix needs ({type(exc).__name__})"
    context = CodemodContext()
    for module_name, obj in imports:
        AddImportsVisitor.add_needed_import(context, module_name, obj)
    return AddImportsVisitor(context).transform_module(module).code, None


def redacted_diff_line(line: str, secrets: Iterable[str]) -> str:
    """A `-` line of `fix --diff` with every replaced secret redacted."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret and secret in line:
            line = line.replace(secret, redact(secret))
    return line


def python_parse_problem(text: str) -> str | None:
    """Why libcst must not parse `text` (syntax error, too deep, too big), or None if it may."""
    import ast

    if len(text) > MAX_PYTHON_CHARS:
        return f"Python file over {MAX_PYTHON_CHARS} characters is not parsed"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for "\d" escapes is not our business
            tree = ast.parse(_SURROGATE.sub("\ufffd", text))
    except SyntaxError as exc:
        return f"Python syntax error at line {exc.lineno or '?'}"
    except (RecursionError, MemoryError):
        return "Python nested too deeply to parse"
    except ValueError as exc:  # NUL bytes in the source (Python < 3.12)
        return f"could not parse Python ({type(exc).__name__})"
    if _ast_depth(tree) > MAX_PYTHON_DEPTH:
        return "Python nested too deeply to parse"
    return None


def _ast_depth(tree: Any) -> int:
    """Deepest nesting as libcst will build it: `a and b and c` and dotted imports nest there."""
    import ast

    deepest = 0
    stack: list[tuple[Any, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.BoolOp):
            depth += len(node.values) - 1
        elif isinstance(node, ast.alias):
            depth += node.name.count(".")
        elif isinstance(node, ast.ImportFrom):
            depth += (node.module or "").count(".")
        if depth > deepest:
            deepest = depth
            if deepest > MAX_PYTHON_DEPTH:
                return deepest
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest
