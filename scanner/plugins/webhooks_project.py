"""Cross-module verdict for SH301: which webhook handlers reach a signature verification.

Works on FileFacts only (picklable, collected per file); loads unscanned modules on demand."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from scanner.plugins.webhooks_model import (
    FileFacts,
    Function,
    RouteEntry,
    post_capable,
    webhook_reason,
)

_MAX_DEPTH = 8
_CBV_METHODS = ("post", "put", "dispatch")
_MIDDLEWARE_METHODS = ("__call__", "process_view", "process_request")


@dataclass(frozen=True)
class WebhookHandler:
    path: str
    function: Function
    route: str | None
    reason: str
    middleware: tuple[str, ...]


class ProjectIndex:
    """Every collected function by qualified name, with lazy loading of unscanned modules."""

    def __init__(self, facts: Mapping[str, FileFacts], loader: Callable[[str], FileFacts | None],
                 verifiers: tuple[str, ...]) -> None:
        self.files: dict[str, FileFacts] = dict(facts)
        self.loader = loader
        self.verifiers = verifiers
        self.functions: dict[str, tuple[str, Function]] = {}
        self.by_tail: dict[str, list[str]] = {}
        self.loaded: set[str] = set()
        # Handlers are reported only in files the scan covered (or as targets of their routes).
        self.scanned: frozenset[str] = frozenset(facts)
        for path, file_facts in self.files.items():
            self._add(path, file_facts)
        self._verified: dict[str, bool] = {}

    def _add(self, path: str, file_facts: FileFacts) -> None:
        for qualname, function in file_facts.functions.items():
            self.functions[qualname] = (path, function)
            self.by_tail.setdefault(_tail(qualname), []).append(qualname)

    def _load_for(self, name: str) -> None:
        for candidate in _candidate_paths(name):
            if candidate in self.loaded or candidate in self.files:
                continue
            self.loaded.add(candidate)
            loaded = self.loader(candidate)
            if loaded is not None:
                self.files[candidate] = loaded
                self._add(candidate, loaded)
                return

    def lookup(self, name: str, *, load: bool = True) -> list[tuple[str, Function]]:
        """Functions a (possibly partial) qualified name refers to: the function itself, or the
        request methods of a class; suffix matches cover `src/` layouts."""
        if not name or name.startswith("<"):
            return []
        if name in self.functions:
            return [self.functions[name]]
        methods = [self.functions[f"{name}.{m}"] for m in (*_CBV_METHODS, *_MIDDLEWARE_METHODS)
                   if f"{name}.{m}" in self.functions]
        if methods:
            return methods
        separator = "::" if "::" in name else "."
        for qualname in self.by_tail.get(_tail(name), []):
            if qualname.endswith(separator + name) or qualname.endswith("/" + name):
                return [self.functions[qualname]]
        if load and (separator == "::" or "." in name):
            self._load_for(name)
            return self.lookup(name, load=False)
        return []

    def is_verifier_name(self, name: str) -> bool:
        return any(name == v or name.endswith("." + v) or v.endswith("." + name) for v in self.verifiers)

    def verified(self, function: Function, depth: int = 0) -> bool:
        cached = self._verified.get(function.qualname)
        if cached is not None:
            return cached
        if function.verifies:
            self._verified[function.qualname] = True
            return True
        if depth > _MAX_DEPTH:
            return False
        self._verified[function.qualname] = False  # breaks cycles
        result = any(self.name_verifies(name, depth + 1)
                     for name in (*function.decorators, *function.depends, *function.calls))
        self._verified[function.qualname] = result
        return result

    def name_verifies(self, name: str, depth: int = 0) -> bool:
        if name == "<verifying-middleware>" or (self.verifiers and self.is_verifier_name(name)):
            return True
        return any(self.verified(function, depth) for _, function in self.lookup(name))

    # -- handlers ------------------------------------------------------------------------------

    def handlers(self) -> Iterator[WebhookHandler]:
        seen: set[str] = set()
        for path in sorted(self.scanned):
            file_facts = self.files[path]
            for entry in file_facts.routes:
                for target_path, function in self._route_targets(entry):
                    if function.qualname in seen:
                        continue
                    methods = function.methods if _is_view_method(function) else (
                        entry.methods or function.methods)
                    handler = self._handler(target_path, function, entry.route, methods,
                                            entry.middleware)
                    if handler is not None:
                        seen.add(function.qualname)
                        yield handler
        for path in sorted(self.scanned):
            for function in self.files[path].functions.values():
                if function.is_handler and function.qualname not in seen:
                    handler = self._handler(path, function, function.route, function.methods, ())
                    if handler is not None:
                        seen.add(function.qualname)
                        yield handler
        # Django views not wired in a scanned urls.py but marked by their decorators.
        for path in sorted(self.scanned):
            for function in self.files[path].functions.values():
                if function.qualname in seen or not path.endswith(".py"):
                    continue
                if function.csrf_exempt or (function.methods == ("POST",) and function.decorators):
                    handler = self._handler(path, function, None, function.methods, ())
                    if handler is not None:
                        seen.add(function.qualname)
                        yield handler

    def _load_settings(self, handler_path: str) -> None:
        """Django settings name the middleware; when the scan did not cover them (hook and diff
        modes), look in the usual places once."""
        if any(f.middleware for f in self.files.values()):
            return
        package = handler_path.split("/", 1)[0] if "/" in handler_path else ""
        for base in sorted({package, "config", "project", ""}):
            prefix = f"{base}/" if base else ""
            for candidate in (f"{prefix}settings.py", f"{prefix}settings/__init__.py",
                              f"{prefix}settings/base.py"):
                if candidate in self.files or candidate in self.loaded:
                    continue
                self.loaded.add(candidate)
                loaded = self.loader(candidate)
                if loaded is not None:
                    self.files[candidate] = loaded
                    self._add(candidate, loaded)

    def _route_targets(self, entry: RouteEntry) -> list[tuple[str, Function]]:
        found = self.lookup(entry.target)
        return [(p, f) for p, f in found if f.name not in _MIDDLEWARE_METHODS and f.name != "dispatch"]

    def _handler(self, path: str, function: Function, route: str | None,
                 methods: tuple[str, ...] | None, middleware: tuple[str, ...]) -> WebhookHandler | None:
        if not post_capable(methods):
            return None
        name = function.name
        if _is_view_method(function):
            name = function.qualname.rsplit(".", 2)[-2]  # the class-based view's class
        reason = webhook_reason(route, name, True)
        if reason is None and function.reads_signature:
            reason = "it reads a provider signature or event header"
        if reason is None and function.csrf_exempt and function.parses_event:
            reason = "it is CSRF-exempt and parses a provider event"
        if reason is None:
            return None
        return WebhookHandler(path=path, function=function, route=route, reason=reason,
                              middleware=middleware)

    def handler_verified(self, handler: WebhookHandler) -> bool:
        function = handler.function
        if self.verified(function):
            return True
        if any(self.name_verifies(m) for m in handler.middleware):
            return True
        file_facts = self.files.get(handler.path)
        if file_facts is not None:
            owner = function.owner or ""
            for dependency in file_facts.owner_depends.get(owner, ()):
                if self.name_verifies(dependency):
                    return True
            for hook_owner, hook in file_facts.hooks:
                if (hook_owner == owner or hook_owner in {"app", "server", "fastify"}
                        or not owner) and self.name_verifies(hook):
                    return True
            # Methods of a class-based view: dispatch() or a sibling verify method.
            if function.name in {"post", "put"} and "." in function.qualname:
                cls = function.qualname.rsplit(".", 1)[0]
                dispatch = self.functions.get(f"{cls}.dispatch")
                if dispatch is not None and self.verified(dispatch[1]):
                    return True
        if function.framework in {None, "django"} and handler.path.endswith(".py"):
            self._load_settings(handler.path)
            for other in list(self.files.values()):
                for entry in other.middleware:
                    if self.name_verifies(entry):
                        return True
        return False


def _is_view_method(function: Function) -> bool:
    """`post`/`put` of a class-based view (Django View, Starlette HTTPEndpoint)."""
    return function.name in {"post", "put"} and function.methods is not None \
        and "::" not in function.qualname and function.qualname.count(".") >= 2


def _tail(name: str) -> str:
    return name.rsplit("::", 1)[-1].rsplit(".", 1)[-1]


def _candidate_paths(name: str) -> list[str]:
    if "::" in name:
        module = name.split("::", 1)[0]
        return [module + ext for ext in (".ts", ".js", ".mjs", ".cjs", ".tsx")] + [
            f"{module}/index{ext}" for ext in (".ts", ".js")]
    parts = name.split(".")
    candidates = []
    for cut in range(len(parts) - 1, 0, -1):
        base = "/".join(parts[:cut])
        candidates += [f"{base}.py", f"{base}/__init__.py", f"src/{base}.py"]
    return candidates
