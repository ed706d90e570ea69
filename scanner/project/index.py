"""The project index: what a name refers to across modules.

Built from every file's `ModuleSymbols`, it follows imports, package re-exports (`__init__`),
module aliases, class bases and inherited methods, class attributes that hold classes, and
module-level instances (`verifier = Verifier(secret)`, whose calls go to `__call__`). Modules the
scan did not cover are loaded on demand (hook and diff modes read the rest of the work tree)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from scanner.facts.symbols import JS_MODULE_SEPARATOR, ClassSymbol, ModuleSymbols, python_module
from scanner.project.aliases import PathAliases, existing

if TYPE_CHECKING:
    from scanner.facts.base import Fact, FileFacts
    from scanner.model.document import MemoKey

T = TypeVar("T")

_MAX_HOPS = 8
_SYMBOLS: tuple[type[Fact], ...] = (ModuleSymbols,)  # what a module lookup needs of a file
_JS_EXTENSIONS = (".ts", ".js", ".tsx", ".mjs", ".cjs", ".jsx")


class ProjectIndex:
    """Names across the project. `facts` are the scanned files' project facts by path; `load`
    returns the project facts of another file of the work tree (or None): of the given fact
    types (None: every one). With `partial_loads`, a file is loaded for the types a rule asks
    for that its scanned facts lack, else whole whenever anything is lacking."""

    def __init__(self, facts: Mapping[str, FileFacts],
                 load: Callable[..., FileFacts | None] = lambda path, kinds=None: None,
                 all_paths: Callable[[], tuple[str, ...]] = lambda: (), *,
                 scanned: frozenset[str] = frozenset(), partial_loads: bool = False,
                 read: Callable[[str], str | None] = lambda path: None) -> None:
        self.facts: dict[str, FileFacts] = dict(facts)
        self._load = load
        self.read = read  # a work-tree file's text, not kept (None: unreadable or unknown)
        self.all_paths = all_paths
        self.scanned = scanned or frozenset(facts)
        self.partial_loads = partial_loads
        self.modules: dict[str, ModuleSymbols] = {}
        self.classes: dict[str, ClassSymbol] = {}
        self._tried: set[str] = set()
        self._tried_kinds: dict[str, set[type[Fact]]] = {}  # types loaded (or tried) per path
        self._listed: frozenset[str] | None = None  # all_paths(), once asked
        # The scanned Python files by the last part of their dotted name (`mod` for
        # `pkg/mod.py` and for `mod/__init__.py`).
        self._by_last: dict[str, list[str]] | None = None
        # Module lookups that missed `modules`, with the `modules` generation they saw: a name
        # outside the project (`django`, `rest_framework`) is asked for thousands of times.
        self._generation = 0
        self._lookups: dict[str, tuple[int, ModuleSymbols | None]] = {}
        # Every tail of a known module's name after a `.` or `/` -> those modules, oldest first
        # (the order of `modules`): a name is found by its tail without a walk over all modules.
        self._tails: dict[str, list[str]] = {}
        self._memo: dict[MemoKey[Any], Any] = {}
        self._aliases: PathAliases | None = None  # JS import aliases, read on first need
        for file_facts in self.facts.values():
            self._add(file_facts)

    def memo(self, key: MemoKey[T], build: Callable[[], T]) -> T:
        """`build()` computed once per project step under `key` (as `Document.memo`):
        what several project rules derive alike from the scan's facts (resolved scope requests)."""
        if key in self._memo:
            return self._memo[key]  # type: ignore[no-any-return]
        value = self._memo[key] = build()
        return value

    # -- modules -------------------------------------------------------------------------------

    def _add(self, file_facts: FileFacts) -> None:
        for symbols in file_facts.of(ModuleSymbols):
            if symbols.module in self.modules:
                continue
            self.modules[symbols.module] = symbols
            for tail in _tails(symbols.module):
                self._tails.setdefault(tail, []).append(symbols.module)
            self._generation += 1
            for cls in symbols.classes:
                self.classes[cls.qualname] = cls

    def load(self, path: str, needs: Collection[type[Fact]] | None = None) -> FileFacts | None:
        """The project facts of `path` a caller `needs` (None: every one): a scanned file's own
        when its gates let the extractors of those facts run, else loaded on demand (each path
        loaded whole once, or each fact type of it once)."""
        known = self.facts.get(path)
        if known is not None and known.complete:
            return known
        if needs is not None and self.partial_loads and path not in self._tried:
            return self._load_part(path, known, needs)
        if path in self._tried:
            return known
        self._tried.add(path)
        loaded = self._load(path)
        if loaded is None:
            return known
        self.facts[path] = loaded
        for symbols in loaded.of(ModuleSymbols):
            if self.modules.pop(symbols.module, None) is not None:  # the whole file replaces it
                for tail in _tails(symbols.module):
                    self._tails[tail].remove(symbols.module)
            self._generation += 1
        self._add(loaded)
        return loaded

    def _load_part(self, path: str, known: FileFacts | None,
                   needs: Collection[type[Fact]]) -> FileFacts | None:
        """`load` of the fact types a scanned file lacks: its other facts are whole already."""
        lacking = {kind for kind in needs
                   if (kind is ModuleSymbols and (known is None or not known.of(ModuleSymbols)))
                   or known is None or kind in known.missing}
        tried = self._tried_kinds.setdefault(path, set())
        lacking -= tried
        if not lacking:
            return known
        tried.update(lacking)
        loaded = self._load(path, frozenset(lacking))
        if loaded is None:
            return known
        merged = known.merged(loaded) if known is not None else loaded
        self.facts[path] = merged
        self._add(merged)
        return merged

    def module(self, name: str) -> ModuleSymbols | None:
        """A module by dotted (Python) or path-like (JS) name, loading it when needed; a
        `src/` layout or a deeper checkout root still resolves (by suffix)."""
        found = self.modules.get(name)
        if found is not None:
            return found
        looked_up = self._lookups.get(name)
        if looked_up is not None and looked_up[0] == self._generation:
            return looked_up[1]  # nothing known has changed since: the same search, the same answer
        found = self._search_module(name)
        self._lookups[name] = (self._generation, found)
        return found

    def _search_module(self, name: str) -> ModuleSymbols | None:
        for path in _candidate_paths(name):
            self.load(path, _SYMBOLS)
            found = self.modules.get(name)
            if found is not None:
                return found
        tails = self._tails.get(name)
        if tails:
            return self.modules[tails[0]]
        deeper = self._scanned_module_path(name)
        return self.module_of_path(deeper) if deeper is not None else None

    def _scanned_module_path(self, name: str) -> str | None:
        """A scanned Python file whose dotted name ends with `name` (`svc/api/pkg/mod.py` for
        `pkg.mod`), the shallowest first: modules under a deeper root that is not loaded yet."""
        if not name:
            return None
        if self._by_last is None:
            self._by_last = {}
            for path in self.scanned:
                if path.endswith(".py"):
                    stem = path[:-3]
                    if stem == "__init__" or stem.endswith("/__init__"):
                        stem = stem[:-len("__init__")].rstrip("/")
                    self._by_last.setdefault(stem.rpartition("/")[2], []).append(path)
        found: tuple[tuple[int, str], str] | None = None
        for path in self._by_last.get(name.rpartition(".")[2], ()):
            module = python_module(path)
            if module == name or module.endswith(f".{name}"):
                key = (path.count("/"), path)
                if found is None or key < found[0]:
                    found = (key, path)
        return found[1] if found is not None else None

    def is_project_module(self, name: str) -> bool:
        """Whether a dotted or path-like module name is a file of the project, by path alone
        (nothing is read or parsed)."""
        if name in self.modules:
            return True
        if self._listed is None:  # a diff or hook scan covers only some files: list the rest
            self._listed = frozenset(self.all_paths())
        return any(path in self.scanned or path in self.facts or path in self._listed
                   for path in _candidate_paths(name)) or self._scanned_module_path(name) is not None

    def module_file(self, qualname: str) -> tuple[str, str] | None:
        """(path, member) of the Python file that may define a qualified name, found by path
        alone (nothing read or parsed), the longest module with a file first, as `split` does.
        The caller checks the member is defined there (a package may re-export it)."""
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            member = ".".join(parts[cut:])
            known = self.modules.get(module)
            if known is not None:
                return known.path, member
            for path in (*_candidate_paths(module)[:4], self._scanned_module_path(module)):
                if path is not None and self._exists(path):
                    return path, member
        return None

    def _exists(self, path: str) -> bool:
        if path in self.scanned or path in self.facts:
            return True
        if self._listed is None:
            self._listed = frozenset(self.all_paths())
        return path in self._listed

    def module_of_path(self, path: str) -> ModuleSymbols | None:
        facts = self.load(path, _SYMBOLS)
        if facts is None:
            return None
        found = facts.of(ModuleSymbols)
        return found[0] if found else None

    # -- names ---------------------------------------------------------------------------------

    def resolve(self, symbols: ModuleSymbols, name: str) -> str:
        """The qualified name a dotted name used in `symbols`' module refers to: through its
        imports and module-level definitions, then through re-exports and aliases elsewhere.
        A name that leads nowhere known is returned as written (`hmac.compare_digest`)."""
        if not name:
            return name
        head, _, rest = name.partition(".")
        target = symbols.imported(head)
        if target is None:
            if head in symbols.functions or any(c.qualname == _qualify(symbols, head)
                                                for c in symbols.classes):
                target = _qualify(symbols, head)
            elif any(alias == head for alias, _ in symbols.aliases):
                value = next(v for a, v in symbols.aliases if a == head)
                if value.partition(".")[0] != head:
                    return self.resolve(symbols, value + ("." + rest if rest else ""))
                return name
            elif any(local == head for local, _ in symbols.instances) or \
                    head in symbols.constants:
                target = _qualify(symbols, head)
            else:
                return name
        if symbols.language == "javascript":
            target = self._unaliased(target, symbols.path)
        full = _join(target, rest, symbols.language)
        return self.canonical(full)

    def _unaliased(self, target: str, importer: str) -> str:
        """A JS import through a `tsconfig.json`/`jsconfig.json` path alias (`@/lib/verify::check`)
        as the project module it names (`apps/web/lib/verify::check`); else as it is."""
        module, separator, member = target.partition(JS_MODULE_SEPARATOR)
        if existing((module,), self._exists, _JS_EXTENSIONS) is not None:
            return target
        if self._aliases is None:
            self._aliases = PathAliases(self.read, self._exists)
        found = existing(list(self._aliases.candidates(module, importer)), self._exists,
                         _JS_EXTENSIONS)
        return f"{found}{separator}{member}" if found is not None else target

    def canonical(self, qualname: str, hops: int = 0) -> str:
        """Follow re-exports: `pkg.verify` where `pkg/__init__.py` imports `verify` from
        `pkg.security` is `pkg.security.verify`."""
        if hops >= _MAX_HOPS:
            return qualname
        module, member = self.split(qualname)
        if module is None or not member:
            return qualname
        symbols = self.modules.get(module) or self.module(module)
        if symbols is None:
            return qualname
        if symbols.module != module:
            # Found under a deeper root (`svc/pkg/mod.py` for `pkg.mod`): its own name is the key.
            qualname = _join(symbols.module, member, symbols.language)
        head, _, rest = member.partition(".")
        if head in symbols.functions or any(c.qualname == _qualify(symbols, head)
                                            for c in symbols.classes):
            return qualname
        exported = dict(symbols.exports).get(head)
        if exported is not None and exported != head:
            return self.canonical(_join(_qualify(symbols, exported), rest, symbols.language),
                                  hops + 1)
        target = symbols.imported(head)
        if target is not None:
            return self.canonical(_join(target, rest, symbols.language), hops + 1)
        alias = dict(symbols.aliases).get(head)
        if alias is not None:
            resolved = self.resolve(symbols, alias)
            if resolved != alias or "." in alias:
                return self.canonical(_join(resolved, rest, symbols.language), hops + 1)
        return qualname

    def split(self, qualname: str) -> tuple[str | None, str]:
        """(module, member) of a qualified name, the longest known (or loadable) module first."""
        if JS_MODULE_SEPARATOR in qualname:
            module, _, member = qualname.partition(JS_MODULE_SEPARATOR)
            return module, member
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            if module in self.modules or self.module(module) is not None:
                return module, ".".join(parts[cut:])
        return None, qualname

    def instance_class(self, qualname: str) -> str | None:
        """The class of a module-level instance (`verifier = Verifier(secret)`), resolved."""
        module, member = self.split(qualname)
        symbols = self.modules.get(module or "")
        if symbols is None or "." in member:
            return None
        callee = dict(symbols.instances).get(member)
        return self.resolve(symbols, callee) if callee else None

    # -- classes -------------------------------------------------------------------------------

    def class_symbol(self, qualname: str) -> ClassSymbol | None:
        found = self.classes.get(qualname)
        if found is None:
            module, _ = self.split(qualname)
            if module is not None:
                self.module(module)
            found = self.classes.get(qualname)
        return found

    def bases(self, qualname: str) -> list[str]:
        """The resolved base classes of a class (direct ones)."""
        cls = self.class_symbol(qualname)
        if cls is None:
            return []
        module, _ = self.split(qualname)
        symbols = self.modules.get(module or "")
        if symbols is None:
            return list(cls.bases)
        return [self.resolve(symbols, base) for base in cls.bases]

    def mro(self, qualname: str) -> Iterator[str]:
        """The class and its ancestors the index knows, nearest first (depth-first, each once)."""
        seen: set[str] = set()
        pending = [qualname]
        while pending and len(seen) < 64:
            current = pending.pop(0)
            if current in seen:
                continue
            seen.add(current)
            yield current
            pending.extend(self.bases(current))

    def method(self, class_qualname: str, name: str) -> str | None:
        """Where `name` is defined for instances of the class (inherited methods included)."""
        for ancestor in self.mro(class_qualname):
            cls = self.class_symbol(ancestor)
            if cls is not None and name in cls.methods:
                return f"{ancestor}.{name}"
        return None

    def class_attribute(self, class_qualname: str, name: str) -> str | None:
        """The resolved name a class attribute holds (`request_class = SignedRequest`),
        inherited attributes included."""
        for ancestor in self.mro(class_qualname):
            cls = self.class_symbol(ancestor)
            if cls is None:
                continue
            value = dict(cls.attributes).get(name)
            if value is not None:
                module, _ = self.split(ancestor)
                symbols = self.modules.get(module or "")
                return self.resolve(symbols, value) if symbols is not None else value
        return None


def _qualify(symbols: ModuleSymbols, name: str) -> str:
    separator = JS_MODULE_SEPARATOR if symbols.language == "javascript" else "."
    return f"{symbols.module}{separator}{name}" if symbols.module else name


def _join(base: str, rest: str, language: str) -> str:
    if not rest:
        return base
    if language == "javascript" and JS_MODULE_SEPARATOR not in base:
        return f"{base}{JS_MODULE_SEPARATOR}{rest}"
    return f"{base}.{rest}"


def _candidate_paths(module: str) -> list[str]:
    """Files that may hold a module: `a.b` -> `a/b.py`, `a/b/__init__.py`, `src/a/b.py`;
    `lib/x` -> `lib/x.ts`, `lib/x/index.js` ..."""
    if "/" in module or JS_MODULE_SEPARATOR in module:
        return [module + ext for ext in _JS_EXTENSIONS] + [
            f"{module}/index{ext}" for ext in _JS_EXTENSIONS[:2]]
    base = module.replace(".", "/")
    found = [f"{base}.py", f"{base}/__init__.py", f"src/{base}.py", f"src/{base}/__init__.py"]
    if "." not in module:  # a top-level JS file (`server`) looks the same as a Python module
        found += [module + ext for ext in _JS_EXTENSIONS]
    return found


def _tails(module: str) -> Iterator[str]:
    """Each part of a module name after a `.` or `/` (`a.b.c`: `b.c`, `c`)."""
    for index, char in enumerate(module):
        if char in "./":
            yield module[index + 1:]
