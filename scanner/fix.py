"""Autofixes: a registry of fixers by rule id, loaded lazily by "module:function" strings, the
fixer for hard-coded secrets in Python (the literal becomes `os.environ["NAME"]`, via libcst), and
`fix_file`, which applies fixers to one file's bytes without touching anything but its findings.

A fixer is `fix(path: str, text: str, lines: Collection[int] | None) -> str | None`: the new text,
or None for no change; it rewrites only what starts on `lines` (the lines of reported,
unsuppressed findings of its rule; None: everything), and raises FixSkipped to say why not.
Only the `fix` command imports this module, so libcst is imported at the top."""

from __future__ import annotations

import ast
import codecs
import difflib
import importlib
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import PositionProvider

from scanner.config import Config
from scanner.lang.python import dotted_name, string_value
from scanner.parsed import python_parse_problem

Fixer = Callable[[str, str, "Collection[int] | None"], "str | None"]

FIXERS: dict[str, str] = {
    "SH101": "scanner.fix:fix_hardcoded_secret",
    "SH302": "scanner.plugins.webhooks_fix:fix_source",
}


class FixerUnavailable(Exception):
    """A registered fixer that cannot be imported (one line naming the rule and the fixer)."""


class FixSkipped(Exception):
    """A fixer leaves a file alone for a reason the user should read (one line)."""


def load_fixer(rule_id: str) -> Fixer:
    spec = FIXERS.get(rule_id)
    if spec is None:
        raise FixerUnavailable(f"{rule_id}: no autofix exists for this rule")
    module_name, _, function_name = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise FixerUnavailable(f"{rule_id}: fixer {spec} is not available in this installation "
                               f"({type(exc).__name__}: {exc})") from None
    fixer = getattr(module, function_name, None)
    if not callable(fixer):
        raise FixerUnavailable(f"{rule_id}: fixer {spec} is not available ({module_name} has no "
                               f"function {function_name})")
    return fixer  # type: ignore[no-any-return]


_ENVIRON = re.compile(r"""os\.environ\[\s*(['"])([A-Za-z_][A-Za-z0-9_]*)\1\s*\]""")


def new_environment_names(before: str, after: str) -> list[str]:
    """Environment variables a fix started reading (`os.environ["NAME"]` new in `after`)."""
    old = {m.group(2) for m in _ENVIRON.finditer(before)}
    return sorted({m.group(2) for m in _ENVIRON.finditer(after)} - old)


# -- applying fixers to a file ------------------------------------------------------------------

PYTHON_SUFFIXES = (".py", ".pyw")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


@dataclass
class FileFix:
    """What fixing one file gives: its new bytes (None: leave the file as it is), the text before
    and after as the fixers saw it (for a diff), and notes about what was not fixed."""

    data: bytes | None
    before: str = ""
    after: str = ""
    notes: list[str] = field(default_factory=list)


def fix_file(path: str, data: bytes, fixers: Mapping[str, Fixer],
             lines: Mapping[str, Collection[int]]) -> FileFix:
    """Apply each rule's fixer to the lines of its findings (`lines`: rule id -> line numbers).

    The bytes that are not the fix stay exactly as they were: a UTF-8 BOM, CRLF/CR/LF line
    endings and a final lone CR (which libcst would drop). A Python file that `scan` would not
    give to libcst (too deep, too big, a syntax error) is left alone with a note, and so is any
    result that would change a line holding no finding of a fixed rule (a suppressed line)."""
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        text = data[len(codecs.BOM_UTF8) if bom else 0:].decode("utf-8")
    except UnicodeDecodeError:
        return FileFix(None, notes=[f"{path}: not UTF-8 text; not fixed"])
    if path.endswith(PYTHON_SUFFIXES):
        problem = python_parse_problem(text)
        if problem is not None:
            return FileFix(None, notes=[f"{path}: {problem}; not fixed"])
    final_cr = text.endswith("\r")
    before = text[:-1] if final_cr else text
    after, notes = before, []
    allowed = {rule_id: set(numbers) for rule_id, numbers in lines.items()}
    for rule_id in sorted(fixers):
        try:
            fixed = fixers[rule_id](path, after, frozenset(allowed.get(rule_id, ())))
        except FixSkipped as exc:
            notes.append(f"{path}: {rule_id} not fixed: {exc}")
            continue
        except Exception as exc:  # a fixer bug costs its own fix, never the others
            notes.append(f"{path}: the {rule_id} fixer failed ({type(exc).__name__}); "
                         "file left as it was for that rule")
            continue
        if fixed is not None and fixed != after:
            moved = _line_map(after, fixed)  # a later fixer's lines, after this one's inserts
            allowed = {rule: {moved[n] for n in numbers if n in moved}
                       for rule, numbers in allowed.items()}
            after = fixed
    if after == before:
        return FileFix(None, before, after, notes)
    finding_lines = {n for numbers in lines.values() for n in numbers}
    original = _LINE.findall(before)
    stray = [n for n in _changed_lines(before, after)
             if n not in finding_lines and original[n - 1].strip()]
    if stray:
        notes.append(f"{path}: the fix would change line {stray[0]}, which holds no finding to "
                     "fix (suppressed or not reported); not fixed")
        return FileFix(None, before, before, notes)
    fixed_text = ("\ufeff" if bom else "") + after + ("\r" if final_cr else "")
    return FileFix(fixed_text.encode("utf-8"), before, after, notes)


def _opcodes(before: str, after: str) -> Sequence[tuple[str, int, int, int, int]]:
    matcher = difflib.SequenceMatcher(None, _LINE.findall(before), _LINE.findall(after),
                                      autojunk=False)
    return matcher.get_opcodes()


def _line_map(before: str, after: str) -> dict[int, int]:
    """Line number in `before` -> the same line's number in `after` (kept or edited in place)."""
    moved: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in _opcodes(before, after):
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            moved.update((i1 + k + 1, j1 + k + 1) for k in range(i2 - i1))
    return moved


def _changed_lines(before: str, after: str) -> Iterator[int]:
    """Lines of `before` that `after` edits or removes (inserted lines touch none)."""
    for tag, i1, i2, _j1, _j2 in _opcodes(before, after):
        if tag in {"replace", "delete"}:
            yield from range(i1 + 1, i2 + 1)


def unified_diff(path: str, fixed: FileFix) -> str:
    """The change as a unified diff (not redacted: the caller redacts it)."""
    return "".join(difflib.unified_diff(_LINE.findall(fixed.before), _LINE.findall(fixed.after),
                                        f"a/{path}", f"b/{path}"))


def secrets_in(path: str, text: str, config: Config) -> set[str]:
    """Every value the secret rules see as a credential in `text` (to redact a diff)."""
    from scanner import registry
    from scanner.engine import scan_text
    from scanner.parsed import ParsedFile

    file = ParsedFile(path, text)
    rules = registry.instantiate(registry.select_rules(("secret",), ()), config.options,
                                 config.severity)
    scan_text(file, rules)
    return set(file.secrets_seen)


# -- names a module binds (for `os` and for what may be None) -------------------------------------


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


# -- SH101: hard-coded secret -> os.environ -----------------------------------------------------

_SECRET_NAME = re.compile(
    r"(secret|passw(or)?d|passwd|pwd|token|api_?key|access_?key|private_?key|auth_?key|"
    r"client_?key|signing_?key|credential)", re.IGNORECASE)
# Names that hold something about a secret, not the secret itself.
_NOT_A_SECRET_NAME = re.compile(
    r"(url|uri|endpoint|path|file|filename|name|type|header|prefix|suffix|id|length|len|field|"
    r"param|env|var|format|pattern|regex|scope|scopes|expires?|expiry|_at|ttl|timeout|count|"
    r"max|min|label|hint|location|method|style|kind)$", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"^(<.*>|\$\{.*\}|\$[A-Z_]+|\{\{.*\}\}|%\(.*\)s|x+|\*+|\.+|-+)$|your|example|changeme|"
    r"change_me|placeholder|dummy|xxxx|redacted|replace|todo|fixme|secret_here|insert", re.IGNORECASE)
_ENV_NAME_VALUE = re.compile(r"^[A-Z][A-Z0-9_]*$")


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name)) and not _NOT_A_SECRET_NAME.search(name.rstrip("_"))


def looks_like_secret(value: str) -> bool:
    """A literal worth moving: long enough, no spaces, not a URL, placeholder or variable name."""
    if len(value) < 8 or any(c.isspace() for c in value) or "://" in value:
        return False
    if _PLACEHOLDER.search(value) or _ENV_NAME_VALUE.match(value):
        return False
    classes = sum((any(c.islower() for c in value), any(c.isupper() for c in value),
                   any(c.isdigit() for c in value), any(not c.isalnum() for c in value)))
    return classes >= 2 or len(value) >= 20


def environment_name(name: str) -> str:
    """`self.client_secret` / "client-secret" -> `CLIENT_SECRET`."""
    last = name.rsplit(".", 1)[-1]
    cleaned = re.sub(r"[^A-Za-z0-9]+", "_", last).strip("_").upper()
    return cleaned if cleaned and not cleaned[0].isdigit() else f"SECRET_{cleaned}"


def fix_hardcoded_secret(path: str, text: str, lines: Collection[int] | None = None) -> str | None:
    """Replace hard-coded secrets assigned to secret-like names (assignments, keyword arguments,
    dict values) on `lines` with `os.environ["NAME"]`, adding `import os` when needed. Where the
    module binds `os` to something else, `import os as _os` and `_os.environ` are used. A bytes
    literal stays (the environment holds text)."""
    if not path.endswith(PYTHON_SUFFIXES) or python_parse_problem(text) is not None:
        return None
    try:
        module = cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return None
    os_name = _os_name(ast.parse(text))
    transformer = _SecretToEnviron(os_name, None if lines is None else frozenset(lines))
    fixed = cst.MetadataWrapper(module).visit(transformer)
    if not transformer.names:
        if transformer.skipped:
            raise FixSkipped(transformer.skipped[0])
        return None
    return _ensure_import_os(fixed, os_name).code


def _os_name(tree: ast.AST) -> str:
    """`os`, or `_os` where the module binds `os` to something else (`import x as os`, a
    parameter, an assignment): the name under which an added import reaches the real os."""
    bindings: dict[str, set[object]] = {}
    for name, bound in name_bindings(tree):
        bindings.setdefault(name, set()).add(bound if isinstance(bound, str) else None)
    for candidate in ("os", "_os"):
        if bindings.get(candidate, set()) <= {"module os"}:
            return candidate
    raise FixSkipped("this module binds both `os` and `_os` to something else")


def _is_bytes(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.SimpleString):
        return "b" in value.prefix.lower()
    if isinstance(value, cst.ConcatenatedString):
        return _is_bytes(value.left) or _is_bytes(value.right)
    return False


class _SecretToEnviron(cst.CSTTransformer):
    """Rewrites secret literals that start on `lines` (None: anywhere); `names` maps each
    environment name to the value it replaces, `skipped` says why a candidate was left."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, os_name: str, lines: frozenset[int] | None) -> None:
        super().__init__()
        self.os_name = os_name
        self.lines = lines
        self.names: dict[str, str] = {}
        self.skipped: list[str] = []

    def _replacement(self, name: str | None, original: cst.BaseExpression,
                     value: cst.BaseExpression) -> cst.BaseExpression | None:
        if name is None or not is_secret_name(name):
            return None
        if not isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
            return None
        if self.lines is not None:
            position = self.get_metadata(PositionProvider, original)
            if not set(range(position.start.line, position.end.line + 1)) & self.lines:
                return None  # no reported finding here (suppressed, baselined or not ours)
        secret = string_value(value)
        if secret is None or not looks_like_secret(secret):
            return None
        if _is_bytes(value):
            self.skipped.append("a bytes literal is left as it is (os.environ holds text)")
            return None
        env = environment_name(name)
        candidate, number = env, 1
        while self.names.get(candidate, secret) != secret:
            number += 1
            candidate = f"{env}_{number}"
        self.names[candidate] = secret
        quote = '"'
        if isinstance(value, cst.SimpleString) and value.quote.endswith("'"):
            quote = "'"
        return cst.parse_expression(f"{self.os_name}.environ[{quote}{candidate}{quote}]")

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        name = dotted_name(updated.targets[-1].target)
        replacement = self._replacement(name, original.value, updated.value)
        return updated if replacement is None else updated.with_changes(value=replacement)

    def leave_AnnAssign(self, original: cst.AnnAssign, updated: cst.AnnAssign) -> cst.AnnAssign:
        if updated.value is None or original.value is None:
            return updated
        replacement = self._replacement(dotted_name(updated.target), original.value, updated.value)
        return updated if replacement is None else updated.with_changes(value=replacement)

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        if updated.keyword is None:
            return updated
        replacement = self._replacement(updated.keyword.value, original.value, updated.value)
        return updated if replacement is None else updated.with_changes(value=replacement)

    def leave_DictElement(self, original: cst.DictElement, updated: cst.DictElement) -> cst.DictElement:
        replacement = self._replacement(string_value(updated.key), original.value, updated.value)
        return updated if replacement is None else updated.with_changes(value=replacement)


def _ensure_import_os(module: cst.Module, os_name: str) -> cst.Module:
    """Add `import os` (or `import os as _os`) unless the module has it at top level: after the
    docstring and `from __future__` imports, in order within a leading block of `import x`
    lines, else before the first other statement."""
    if any(_imports_os(statement, os_name) for statement in module.body):
        return module
    import_line = "import os\n" if os_name == "os" else f"import os as {os_name}\n"
    index = 0
    for position, statement in enumerate(module.body):
        small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
        is_docstring = position == 0 and isinstance(small, cst.Expr) and isinstance(
            small.value, (cst.SimpleString, cst.ConcatenatedString))
        is_future = isinstance(small, cst.ImportFrom) and isinstance(small.module, cst.Name) \
            and small.module.value == "__future__"
        if not (is_docstring or is_future):
            break
        index = position + 1
    # In a leading block of plain `import x` lines, keep alphabetical order.
    first_import = index
    while index < len(module.body) and _plain_import_name(module.body[index]) < "os" and (
            index == first_import or not module.body[index].leading_lines):
        index += 1
    if index > first_import:
        body = list(module.body)
        body.insert(index, cst.parse_statement(import_line))
        return module.with_changes(body=body)
    body = list(module.body)
    import_os = cst.parse_statement(import_line)
    if index < len(body):
        # The blank lines before the next statement now come before `import os`.
        following = body[index]
        is_import = isinstance(following, cst.SimpleStatementLine) and isinstance(
            following.body[0], (cst.Import, cst.ImportFrom))
        import_os = import_os.with_changes(leading_lines=following.leading_lines)
        body[index] = following.with_changes(
            leading_lines=() if is_import else (cst.EmptyLine(),))
    body.insert(index, import_os)
    return module.with_changes(body=body)


def _plain_import_name(statement: cst.BaseStatement) -> str:
    """`x` for an `import x` line, "~" (after every name) for anything else."""
    if isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Import):
        return cst.Module([]).code_for_node(statement.body[0].names[0].name)
    return "~"


def _imports_os(statement: cst.BaseStatement, os_name: str) -> bool:
    """Whether `statement` is `import os` (or `import os as <os_name>`)."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    return any(isinstance(small, cst.Import) and any(
        isinstance(alias.name, cst.Name) and alias.name.value == "os"
        and (alias.evaluated_alias or "os") == os_name
        for alias in small.names) for small in statement.body)
