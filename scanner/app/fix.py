"""The `fix` use case's core: apply the edits that rules attached to reported, unsuppressed
findings, then add the imports the new code needs with libcst's AddImportsVisitor.

Only edits travel with findings; nothing here decides what is a finding. Every byte that is not
an edit stays: a UTF-8 BOM, CRLF/CR/LF line endings, a final lone CR."""

from __future__ import annotations

import ast
import codecs
import difflib
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scanner.model.finding import Edit, Finding, Fix
from scanner.redact import SecretValues, redact_text

if TYPE_CHECKING:
    from scanner.facts.secrets import SecretValue

# libcst's native parser recurses without a limit (it segfaults on ~10,000 nested operators or
# dotted names) and slows down quadratically with nesting, so CPython's own parser vets the text
# first. Real code stays far below these bounds (site-packages: depth 87 at most).
MAX_PYTHON_DEPTH = 100
MAX_PYTHON_CHARS = 1_000_000
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
PYTHON_SUFFIXES = (".py", ".pyw")


@dataclass
class FixedText:
    text: str
    applied: int = 0
    skipped: list[str] = field(default_factory=list)  # notes: overlapping edits, import problems
    environment: set[str] = field(default_factory=set)
    secrets: list[str] = field(default_factory=list)  # replaced secret texts (for redaction)


@dataclass
class FileFix:
    """Fixing one file: its new bytes (None: leave it), the text before and after (for a diff),
    the secrets the edits replaced (redacted in a diff), notes and new environment names."""

    data: bytes | None
    before: str = ""
    after: str = ""
    notes: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    environment: set[str] = field(default_factory=set)

    def diff(self, path: str, options: Mapping[str, Any] | None = None,
             hidden: int | None = None) -> str:
        """The change as a unified diff, with every replaced secret and every other value the
        secret analysis sees in the file (a suppressed one on a context line) redacted
        (`hidden`: the --redact level)."""
        from scanner.facts.secrets import PRIVATE_KEY

        seen = SecretValues(self.secrets, hidden=hidden)
        for found in secret_values(path, self.before, options or {}):
            seen.add(found.value, key=found.kind == PRIVATE_KEY)
        lines = difflib.unified_diff(_LINE.findall(self.before), _LINE.findall(self.after),
                                     f"a/{path}", f"b/{path}")
        return "".join(redacted_diff_line(line, seen) for line in lines)


def fix_file(path: str, data: bytes, findings: Sequence[Finding]) -> FileFix:
    """The fixed bytes of a file whose findings carry fixes (their offsets count characters of
    the text as the scan decoded it: after a BOM, undecodable bytes refused here)."""
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        text = data[len(codecs.BOM_UTF8) if bom else 0:].decode("utf-8")
    except UnicodeDecodeError:
        return FileFix(None, notes=[f"{path}: not UTF-8 text; not fixed"])
    fixed = apply_fixes(path, text, findings)
    if fixed.text == text:
        return FileFix(None, text, text, fixed.skipped)
    result = ("\ufeff" if bom else "") + fixed.text
    return FileFix(result.encode("utf-8"), text, fixed.text, fixed.skipped, fixed.secrets,
                   fixed.environment)


def apply_fixes(path: str, text: str, findings: Sequence[Finding]) -> FixedText:
    """`text` with the fixes of `findings` applied (edits in character offsets; overlapping fixes
    after the first are skipped with a note), plus the imports those fixes need."""
    fixes: list[Fix] = [f.fix for f in findings if f.fix is not None]
    result = FixedText(text)
    taken: list[tuple[int, int]] = []
    chosen: list[Fix] = []
    for fix in sorted(fixes, key=lambda f: min((e.start for e in f.edits), default=0)):
        spans = [(edit.start, edit.end) for edit in fix.edits]
        if any((start < end_taken and start_taken < end) or (start == end == start_taken)
               for start, end in spans for start_taken, end_taken in taken):
            result.skipped.append(f"{path}: two fixes overlap; only the first was applied")
            continue
        taken.extend(spans)
        chosen.append(fix)
    if not chosen:
        return result
    imports = sorted({item for fix in chosen for item in fix.imports}, key=lambda i: (i[0], i[1] or ""))
    aliases: dict[str, str] = {}
    if imports and path.endswith(PYTHON_SUFFIXES):
        problem = python_parse_problem(text)
        if problem is not None:
            result.skipped.append(f"{path}: {problem}; not fixed")
            return result
        try:
            aliases = _aliases(ast.parse(text), [module for module, name in imports if name is None])
        except _Shadowed as exc:
            result.skipped.append(f"{path}: {exc}; not fixed")
            return result
    renamed, environment = _distinct_environment(text, chosen)
    edits = sorted((edit for fix in chosen for edit in fix.edits), key=lambda e: e.start,
                   reverse=True)
    new = text
    for edit in edits:
        if edit.secret:
            result.secrets.append(_literal_value(new[edit.start:edit.end]))
        new = new[:edit.start] + _aliased(renamed.get(id(edit), edit), aliases) + new[edit.end:]
    if imports and path.endswith(PYTHON_SUFFIXES):
        with_imports, problem = add_imports(new, imports, aliases)
        if problem is not None:
            result.skipped.append(f"{path}: {problem}; not fixed")
            return FixedText(text, skipped=result.skipped)
        new = with_imports
    result.text = new
    result.applied = len(chosen)
    result.environment = environment
    return result


def _distinct_environment(text: str, fixes: Sequence[Fix]) -> tuple[dict[int, Edit], set[str]]:
    """Two fixes that move different secrets to the same environment variable: the later one
    gets `NAME_2` (then `_3` ...). Returns the renamed edits (by id of the original edit) and
    every environment name the fixed code reads."""
    owner: dict[str, str] = {}  # environment name -> the secret text it holds
    renamed: dict[int, Edit] = {}
    used: set[str] = set()
    for fix in fixes:
        secret = next((text[e.start:e.end] for e in fix.edits if e.secret), None)
        for name in fix.environment:
            final = name
            if secret is not None and owner.setdefault(name, secret) != secret:
                number = 2
                while owner.get(f"{name}_{number}", secret) != secret:
                    number += 1
                final = f"{name}_{number}"
                owner[final] = secret
                for edit in fix.edits:
                    renamed[id(edit)] = Edit(edit.start, edit.end,
                                             re.sub(rf"\b{re.escape(name)}\b", final, edit.text),
                                             edit.secret)
            used.add(final)
    return renamed, used


def _literal_value(replaced: str) -> str:
    """The value of a replaced string literal (its prefix and quotes stripped): what a diff
    line shows redacted, inside its quotes."""
    match = re.fullmatch(r"[rRuUbBfF]{0,2}(['\"])(.*)\1", replaced, re.DOTALL)
    return match.group(2) if match else replaced


def _aliased(edit: Edit, aliases: dict[str, str]) -> str:
    text = edit.text
    for module, alias in aliases.items():
        text = re.sub(rf"(?<![\w.]){re.escape(module)}\.", alias + ".", text)
    return text


def add_imports(text: str, imports: Iterable[tuple[str, str | None]],
                aliases: dict[str, str] | None = None) -> tuple[str, str | None]:
    """`text` with the imports added where libcst's AddImportsVisitor puts them (after the
    docstring and `__future__` imports, merged with existing ones), or a reason it cannot. A
    final lone CR (which libcst would drop) is kept."""
    problem = python_parse_problem(text)
    if problem is not None:
        return text, f"cannot add the imports the fix needs ({problem})"
    import libcst as cst
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor

    final_cr = text.endswith("\r")
    body = text[:-1] if final_cr else text
    try:
        module = cst.parse_module(body)
    except (cst.ParserSyntaxError, RecursionError, ValueError, MemoryError) as exc:
        return text, f"cannot add the imports the fix needs ({type(exc).__name__})"
    context = CodemodContext()
    for module_name, obj in imports:
        alias = (aliases or {}).get(module_name) if obj is None else None
        AddImportsVisitor.add_needed_import(context, module_name, obj,
                                            asname=alias if alias != module_name else None)
    fixed = AddImportsVisitor(context).transform_module(module).code
    return fixed + ("\r" if final_cr else ""), None


def redacted_diff_line(line: str, secrets: Iterable[str]) -> str:
    """A line of `fix --diff` with every secret it holds redacted."""
    return redact_text(line, secrets if isinstance(secrets, SecretValues)
                       else [secret for secret in secrets if secret])


def secret_values(path: str, text: str, options: Mapping[str, Any]) -> list[SecretValue]:
    """Every value the secret analysis finds in `text`, suppressed or not."""
    from scanner.facts.secrets import SecretsExtractor
    from scanner.model.document import Document

    return list(SecretsExtractor(options).extract(Document(path, text)))


class _Shadowed(Exception):
    """A module binds every name an added import could reach the real module under."""


def _aliases(tree: ast.AST, modules: Sequence[str]) -> dict[str, str]:
    """For each module an added `import X` needs: `X`, or `_X` where the file binds `X` to
    something else (`import y as os`, a parameter, an assignment)."""
    bindings: dict[str, set[object]] = {}
    for name, bound in name_bindings(tree):
        bindings.setdefault(name, set()).add(bound if isinstance(bound, str) else None)
    aliases: dict[str, str] = {}
    for module in modules:
        for candidate in (module, f"_{module}"):
            if bindings.get(candidate, set()) <= {f"module {module}"}:
                aliases[module] = candidate
                break
        else:
            raise _Shadowed(f"this module binds both `{module}` and `_{module}` to something else")
    return aliases


def name_bindings(tree: ast.AST) -> Iterator[tuple[str, ast.expr | str | None]]:
    """Every name a module binds, anywhere, with what it is bound to: the value of a plain
    `name = value`, "module X" for `import X` (as name), "from X" for a from-import, else None."""
    plain_targets: set[int] = set()
    for node in ast.walk(tree):  # breadth first: an assignment comes before its targets
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    plain_targets.add(id(target))
                    yield target.id, node.value
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            if id(node) not in plain_targets:
                yield node.id, None
        elif isinstance(node, ast.arg):
            yield node.arg, None
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                yield (alias.asname, f"module {alias.name}") if alias.asname else (top, f"module {top}")
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                yield alias.asname or alias.name, f"from {node.module or '.'}"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name, None
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            yield from ((name, None) for name in node.names)
        elif not isinstance(node, ast.alias):
            # `except ... as name`, match captures (`name`, `**rest`), type parameters
            for attribute in ("name", "rest"):
                bound = getattr(node, attribute, None)
                if isinstance(bound, str):
                    yield bound, None


def python_parse_problem(text: str) -> str | None:
    """Why libcst must not parse `text` (syntax error, too deep, too big), or None if it may."""
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
