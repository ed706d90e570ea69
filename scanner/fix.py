"""Autofixes: a registry of fixers by rule id, loaded lazily by "module:function" strings, and the
fixer for hard-coded secrets in Python (the literal becomes `os.environ["NAME"]`, via libcst).

A fixer is `fix_source(path: str, text: str) -> str | None`: the new text, or None for no change.
Only the `fix` command imports this module, so libcst is imported at the top."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable

import libcst as cst

from scanner.lang.python import dotted_name, string_value

Fixer = Callable[[str, str], "str | None"]

FIXERS: dict[str, str] = {
    "SH101": "scanner.fix:fix_hardcoded_secret",
    "SH302": "scanner.plugins.webhooks_fix:fix_source",
}


class FixerUnavailable(Exception):
    """A registered fixer that cannot be imported (one line naming the rule and the fixer)."""


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


def fix_hardcoded_secret(path: str, text: str) -> str | None:
    """Replace hard-coded secrets assigned to secret-like names (assignments, keyword arguments,
    dict values) with `os.environ["NAME"]`, adding `import os` when needed."""
    if not path.endswith((".py", ".pyw")):
        return None
    try:
        module = cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return None
    transformer = _SecretToEnviron()
    fixed = module.visit(transformer)
    if not transformer.names:
        return None
    fixed = _ensure_import_os(fixed)
    return fixed.code


class _SecretToEnviron(cst.CSTTransformer):
    """Rewrites secret literals; `names` maps each environment name to the value it replaces."""

    def __init__(self) -> None:
        super().__init__()
        self.names: dict[str, str] = {}

    def _replacement(self, name: str | None, value: cst.BaseExpression) -> cst.BaseExpression | None:
        if name is None or not is_secret_name(name):
            return None
        if not isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
            return None
        secret = string_value(value)
        if secret is None or not looks_like_secret(secret):
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
        return cst.parse_expression(f"os.environ[{quote}{candidate}{quote}]")

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        name = dotted_name(updated.targets[-1].target)
        replacement = self._replacement(name, updated.value)
        return updated if replacement is None else updated.with_changes(value=replacement)

    def leave_AnnAssign(self, original: cst.AnnAssign, updated: cst.AnnAssign) -> cst.AnnAssign:
        if updated.value is None:
            return updated
        replacement = self._replacement(dotted_name(updated.target), updated.value)
        return updated if replacement is None else updated.with_changes(value=replacement)

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        if updated.keyword is None:
            return updated
        replacement = self._replacement(updated.keyword.value, updated.value)
        return updated if replacement is None else updated.with_changes(value=replacement)

    def leave_DictElement(self, original: cst.DictElement, updated: cst.DictElement) -> cst.DictElement:
        replacement = self._replacement(string_value(updated.key), updated.value)
        return updated if replacement is None else updated.with_changes(value=replacement)


def _ensure_import_os(module: cst.Module) -> cst.Module:
    """Add `import os` unless the module imports it at top level: after the docstring and
    `from __future__` imports, in order within a leading block of `import x` lines, else before
    the first other statement."""
    if any(_imports_os(statement) for statement in module.body):
        return module
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
        body.insert(index, cst.parse_statement("import os\n"))
        return module.with_changes(body=body)
    body = list(module.body)
    import_os = cst.parse_statement("import os\n")
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


def _imports_os(statement: cst.BaseStatement) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    return any(isinstance(small, cst.Import) and any(
        isinstance(alias.name, cst.Name) and alias.name.value == "os" and alias.asname is None
        for alias in small.names) for small in statement.body)
