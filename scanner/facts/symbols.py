"""Module symbols: what each code file defines and imports, for the project index.

One `ModuleSymbols` fact per Python or JavaScript/TypeScript module; the project index resolves
names across modules with them (imports, re-exports, class bases, attributes, module constants)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from scanner.code import ir
from scanner.facts.base import Fact
from scanner.model.document import Document, FileKind, MemoKey

JS_MODULE_SEPARATOR = "::"
_JS_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")


def python_module(path: str) -> str:
    """`pkg/sub/mod.py` -> `pkg.sub.mod`; `pkg/__init__.py` -> `pkg`."""
    parts = path[:-3].split("/") if path.endswith((".py", ".pyi")) else path.split("/")
    if path.endswith(".pyi"):
        parts = path[:-4].split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def js_module(path: str) -> str:
    """`lib/verify.ts` -> `lib/verify`; `lib/verify/index.js` -> `lib/verify`."""
    for suffix in _JS_SUFFIXES:
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    if path.endswith("/index"):
        path = path[: -len("/index")]
    return path


def module_name(document: Document) -> str:
    return python_module(document.path) if document.kind is FileKind.PYTHON else js_module(document.path)


def qualify(module: str, name: str, language: str) -> str:
    """A module-level name's qualified form: `pkg.mod.name` or `lib/verify::name`."""
    if not module:
        return name
    return f"{module}{JS_MODULE_SEPARATOR if language == 'javascript' else '.'}{name}"


def import_target(module: str, language: str, item: ir.Import, *, is_package: bool) -> str:
    """What an imported binding refers to, as a qualified name (`flask.request`,
    `app.security.verify`, `lib/verify::check`, `lib/verify` for a whole JS module)."""
    if language == "python":
        base = item.module
        if item.level:
            package = module.split(".") if module else []
            if not is_package:
                package = package[:-1]
            anchor = package[: len(package) - (item.level - 1)] if item.level > 1 else package
            base = ".".join([*anchor, *([item.module] if item.module else [])])
        if item.name is None:
            return base
        return f"{base}.{item.name}" if base else item.name
    specifier = item.module
    if specifier.startswith("."):
        directory = module.rsplit("/", 1)[0] if "/" in module else ""
        resolved = _join_js(directory, specifier)
    else:
        resolved = specifier  # a package: `express`, `@octokit/webhooks`
    resolved = js_module(resolved)
    if item.name in (None, "*"):
        return resolved
    return f"{resolved}{JS_MODULE_SEPARATOR}{item.name}"


def _join_js(directory: str, specifier: str) -> str:
    parts = [p for p in directory.split("/") if p]
    for piece in specifier.split("/"):
        if piece in ("", "."):
            continue
        if piece == "..":
            if parts:
                parts.pop()
        else:
            parts.append(piece)
    return "/".join(parts)


@dataclass(frozen=True)
class ClassSymbol:
    """A class as the project index sees it: bases, attributes and methods."""

    qualname: str  # module-qualified
    bases: tuple[str, ...]  # as written (dotted), resolved by the index
    attributes: tuple[tuple[str, str], ...]  # class attribute -> dotted name it holds
    methods: tuple[str, ...]  # method names
    # class attribute -> the dotted names of the list or tuple it holds ("" for an item that is
    # no name): `permission_classes = (IsAuthenticated,)`
    sequences: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # FastAPI dependencies declared as class attributes (`user = Depends(get_current_user)` on a
    # class-based controller): what every route of the class and of its subclasses runs first.
    dependencies: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModuleSymbols(Fact):
    """What a module defines and imports, for resolving names across the project."""

    path: str
    module: str
    language: str
    is_package: bool
    imports: tuple[tuple[str, str], ...]  # local name -> qualified target
    functions: tuple[str, ...]  # module-level function names
    classes: tuple[ClassSymbol, ...]
    constants: tuple[str, ...]  # names of module-level constants (never their values: a fact
    # must not carry a secret literal into the parent process or the cache)
    aliases: tuple[tuple[str, str], ...]  # NAME -> dotted name it is bound to
    instances: tuple[tuple[str, str], ...]  # NAME -> dotted callee of `NAME = Callee(...)`
    exports: tuple[tuple[str, str], ...]  # JS exported name -> local name

    def imported(self, local: str) -> str | None:
        for name, target in self.imports:
            if name == local:
                return target
        return None


def symbols_of(document: Document, module: ir.Module) -> ModuleSymbols:
    name = module_name(document)
    language = module.language
    is_package = document.path.endswith("__init__.py")
    imports = tuple((item.local, import_target(name, language, item, is_package=is_package))
                    for item in module.imports if item.local != "*")
    functions: list[str] = []
    classes: list[ClassSymbol] = []
    constants: list[str] = []
    aliases: list[tuple[str, str]] = []
    instances: list[tuple[str, str]] = []
    for statement in _top_level(module.body):
        if isinstance(statement, ir.FunctionDef):
            functions.append(statement.function.name)
        elif isinstance(statement, ir.ClassDef):
            cls = statement.cls
            attributes = tuple((attr, value.name) for attr, value in cls.attributes()
                               if isinstance(value, ir.Name))
            sequences = tuple((attr, tuple(ir.dotted(item) or "" for item in value.items))
                              for attr, value in dict(cls.attributes()).items()
                              if isinstance(value, ir.Seq))
            dependencies = tuple(ir.dotted(value.args[0]) or "" for _, value in cls.attributes()
                                 if isinstance(value, ir.Call) and value.callee.endswith("Depends")
                                 and value.args)
            classes.append(ClassSymbol(
                qualify(name, cls.qualname, language),
                tuple(base.name for base in cls.bases if isinstance(base, ir.Name)),
                attributes, tuple(m.name for m in cls.methods()), sequences, dependencies))
        elif isinstance(statement, ir.Assign) and statement.value is not None:
            value = statement.value
            for target in statement.targets:
                if not isinstance(target, ir.Name) or "." in target.name:
                    continue
                if _constant_text(value) is not None:
                    constants.append(target.name)
                elif isinstance(value, ir.Name):
                    aliases.append((target.name, value.name))
                elif isinstance(value, ir.Call) and value.callee:
                    instances.append((target.name, value.callee))
                elif isinstance(value, ir.Func):
                    functions.append(target.name)
    return ModuleSymbols(
        span=(1, 1, 1, 1), path=document.path, module=name, language=language,
        is_package=is_package, imports=imports, functions=tuple(functions),
        classes=tuple(classes), constants=tuple(constants), aliases=tuple(aliases),
        instances=tuple(instances), exports=tuple(sorted(module.exports.items())))


def _top_level(body: Iterable[ir.Stmt]) -> Iterator[ir.Stmt]:
    """Module-level statements, looking inside `if`/`try` blocks (conditional definitions)."""
    pending = list(body)
    pending.reverse()
    while pending:
        statement = pending.pop()
        yield statement
        if isinstance(statement, (ir.If, ir.Try)):
            for block in reversed(ir.nested_blocks(statement)):
                pending.extend(reversed(block))


def _constant_text(value: ir.Expr) -> str | None:
    """A module constant's value: a string, or a list/tuple of strings joined by spaces."""
    text = ir.string_value(value)
    if text is not None:
        return text
    if isinstance(value, ir.Seq) and value.items:
        items = [ir.string_value(item) for item in value.items]
        if all(item is not None for item in items):
            return " ".join(item for item in items if item is not None)
    return None


_SYMBOLS = MemoKey[ModuleSymbols | None]("module symbols")


def module_symbols(document: Document) -> ModuleSymbols | None:
    """The document's symbols (computed once, shared by every extractor that emits them);
    None for files that are not code or do not parse."""

    def build(document: Document) -> ModuleSymbols | None:
        module = document.symbols_code
        return symbols_of(document, module) if module is not None else None

    return document.memo(_SYMBOLS, build)
