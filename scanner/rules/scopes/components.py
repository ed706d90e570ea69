"""Where SH204 decides: the component a request belongs to (nearest pyproject.toml, setup.py,
setup.cfg or package.json), the calls of that component, and directories of provider presets."""

from __future__ import annotations

import posixpath
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from scanner.facts.base import FileFacts
from scanner.facts.scopes import (
    ApiUse,
    ClientBinding,
    ClientMethodCall,
    RefreshTokenUse,
    SubscribedEvent,
)
from scanner.facts.scopes.calls import client_use, event_use
from scanner.facts.scopes.resolve import ResolvedRequest, is_test_path
from scanner.facts.symbols import ModuleSymbols
from scanner.project.index import ProjectIndex

_MANIFESTS = frozenset({"pyproject.toml", "setup.py", "setup.cfg", "package.json"})
# Sibling files making scope requests at which a directory is a library's provider presets
# (social-core's backends/, Auth.js's providers/): their calls are the consuming application's.
PRESET_FILES = 5
# Sibling packages making scope requests at which their directory holds integrations (Home
# Assistant's components/, a plugins/ directory): each package is a component of its own.
INTEGRATION_PACKAGES = 5
_CODE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts")


def component_roots(paths: Iterable[str]) -> tuple[str, ...]:
    """The directories holding a package manifest, deepest first ("" for the scanned root)."""
    roots = {posixpath.dirname(p) for p in paths
             if posixpath.basename(p) in _MANIFESTS and "node_modules/" not in p}
    return tuple(sorted(roots, key=lambda r: (-r.count("/") - bool(r), r)))


def component_of(path: str, roots: Sequence[str]) -> str:
    for root in roots:
        if not root or path.startswith(root + "/"):
            return root
    return ""


def integration_packages(paths: Iterable[str]) -> frozenset[str]:
    """The packages of an integrations directory: where five or more child directories of one
    directory each hold, in their own modules, a file requesting scopes (`components/<x>/const.py`),
    each child is judged on its own calls (one integration's calls say nothing of another's
    scopes). A request deeper down (`api/endpoints/keys.py`) makes no integration of `api/`."""
    children: dict[str, set[str]] = {}
    for path in paths:
        if is_test_path(path):
            continue
        package = posixpath.dirname(path)
        if package:
            children.setdefault(posixpath.dirname(package), set()).add(package)
    return frozenset(package for found in children.values() if len(found) >= INTEGRATION_PACKAGES
                     for package in found)


def preset_directories(requests: Iterable[ResolvedRequest]) -> frozenset[str]:
    """Directories where many sibling files each request scopes: a library's provider presets."""
    files: dict[str, set[str]] = {}
    for request in requests:
        path = request.place.path
        files.setdefault(posixpath.dirname(path), set()).add(path)
    return frozenset(d for d, names in files.items() if len(names) >= PRESET_FILES)


def registrable(host: str) -> str:
    """`api.polar.sh` -> `polar.sh`, `log.concept2.com` -> `concept2.com` (good enough to tie an
    authorize host to its API host; public-suffix accuracy is not needed here)."""
    labels = host.split(".")
    return ".".join(labels[-2:]) if len(labels) >= 2 else host


@dataclass
class ComponentCalls:
    """The API calls of each component, and which components import a provider's own SDK."""

    index: ProjectIndex
    roots: tuple[str, ...]
    packages: frozenset[str] = frozenset()  # integration packages (see integration_packages)
    manifests: tuple[str, ...] = ()  # the roots holding a package manifest
    calls: dict[str, list[ApiUse]] = field(default_factory=dict)
    paths: dict[str, list[str]] = field(default_factory=dict)
    refresh: set[str] = field(default_factory=set)
    _relevant: dict[tuple[str, str | None, str | None], list[ApiUse]] = field(default_factory=dict)
    _imports: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    _by_file: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _client_calls: dict[str, list[ApiUse]] = field(default_factory=dict)
    _clients: dict[str, set[str]] = field(default_factory=dict)  # names bound to library classes
    _own_code: dict[str, list[str]] = field(default_factory=dict)  # root -> its non-test code files

    @classmethod
    def build(cls, index: ProjectIndex, files: Iterable[tuple[str, FileFacts]],
              paths: Iterable[str], packages: frozenset[str] = frozenset()) -> ComponentCalls:
        """The calls of the given files (tests excluded: their calls do not count), grouped by
        component; `paths` are every file known, for manifests and imports; `packages` are
        integration packages, components of their own."""
        known = set(paths)
        manifests = component_roots(known)
        roots = sorted({*manifests, *packages}, key=lambda r: (-r.count("/") - bool(r), r))
        made = cls(index, tuple(roots), packages, manifests)
        for path, file_facts in files:
            uses, refresh = file_facts.of(ApiUse), file_facts.of(RefreshTokenUse)
            # Files without calls are most of a project: no test-path check for them.
            if (uses or refresh) and not is_test_path(path):
                made.add(path, uses)
                if refresh:
                    # Refreshing is the shared OAuth plumbing's job (a framework's token
                    # helper): an integration package counts its whole manifest's.
                    made.refresh.add(component_of(path, manifests))
        for path in known:
            made.add_path(path)
        return made

    def of(self, request: ResolvedRequest) -> list[ApiUse]:
        """Every call of the request's component."""
        return self.calls.get(component_of(request.place.path, self.roots), [])

    def refreshes(self, request: ResolvedRequest) -> bool:
        """Does the request's component handle refresh tokens?"""
        return component_of(request.place.path, self.manifests) in self.refresh

    def add(self, path: str, uses: Iterable[ApiUse]) -> None:
        root = component_of(path, self.roots)
        self.calls.setdefault(root, []).extend(uses)
        if root in self.packages:
            # A request outside every integration package (the project's settings) still sees
            # the calls of the whole component.
            self.calls.setdefault(component_of(path, self.manifests), []).extend(uses)

    def add_path(self, path: str) -> None:
        if path.endswith(_CODE_SUFFIXES):
            self.paths.setdefault(component_of(path, self.roots), []).append(path)

    def imports(self, root: str, word: str) -> tuple[str, ...]:
        """The modules the component's code imports whose name holds `word`, lower-case, read
        from the files' import lines (no parse: a component may be a whole monorepo)."""
        known = self._imports.get((root, word))
        if known is None:
            found: set[str] = set()
            for path in self.code_files(root):  # a test's imports are not the component's SDK
                # The project's own modules (`polar.integrations.slack`) are no SDK.
                found.update(module for module in self._file_imports(path)
                             if word in module and not self._own(module))
            known = self._imports[(root, word)] = tuple(sorted(found))
        return known

    def code_files(self, root: str) -> list[str]:
        """The component's code files but its tests (told apart once per component)."""
        known = self._own_code.get(root)
        if known is None:
            known = self._own_code[root] = [path for path in self.paths.get(root, ())
                                            if not is_test_path(path)]
        return known

    def _file_imports(self, path: str) -> tuple[str, ...]:
        """A file's imported module names, lower-case (read once, whatever the word)."""
        known = self._by_file.get(path)
        if known is None:
            text = self.index.read(path)
            known = self._by_file[path] = () if text is None else tuple(
                module.lower() for module in imported_modules(text, python=path.endswith(".py"))
                if not module.startswith("."))
        return known

    def _own(self, module: str) -> bool:
        """A module of the project itself (or a name inside one: `pkg.mod.Class`)."""
        parent = module.rpartition(".")[0]
        return self.index.is_project_module(module) or (bool(parent) and self.index.is_project_module(parent))

    def relevant(self, request: ResolvedRequest) -> list[ApiUse]:
        """`_relevant`, the same list for every request of one component and provider."""
        root = component_of(request.place.path, self.roots)
        key = (root, request.provider, registrable(request.host) if request.host else None)
        found = self._relevant.get(key)
        if found is None:
            found = self._relevant[key] = self._relevant_calls(request)
        return found

    def _relevant_calls(self, request: ResolvedRequest) -> list[ApiUse]:
        """The calls of the request's component that may exercise its scopes: calls to its
        provider (by catalogue or by the authorize/token host's domain) and calls without a host.
        Empty (say nothing) when none reaches the provider but the component imports the
        provider's own SDK, whose calls no catalogue shows."""
        root = component_of(request.place.path, self.roots)
        calls = self.calls.get(root, [])
        provider, host = request.provider, request.host
        domain = registrable(host) if host else None
        # The package's client calls are read (its files parsed) only where they may count.
        if provider is not None:
            attributable = [c for c in calls if c.provider == provider]
        elif domain is not None:
            # An integration package's client library talks to its one provider.
            attributable = [c for c in calls if c.host and registrable(c.host) == domain] \
                + self.client_calls(root)
        else:
            return [*calls, *self.client_calls(root)]
        hostless = [c for c in calls if c.host is None]
        if not attributable and (self.provider_sdk(request) is not None
                                 or (provider is not None and self.library_clients(root))):
            # No call reaches the provider, and the component calls it through a client
            # library (its SDK, or an integration package's client): the calls are unseen.
            return []
        return attributable + hostless

    def client_calls(self, root: str) -> list[ApiUse]:
        """An integration package's calls through a client library: operation-named methods
        (`client.get_installed_app()`) called on names bound to a class imported from outside
        the project and the standard library. Read on demand, once per package."""
        known = self._client_calls.get(root)
        if known is None:
            known = self._client_calls[root] = self._read_client_calls(root) if root in self.packages else []
        return known

    def library_clients(self, root: str) -> bool:
        """Does an integration package hold instances of a library's classes (its client)?"""
        self.client_calls(root)
        return bool(self._clients.get(root))

    def _read_client_calls(self, root: str) -> list[ApiUse]:
        clients = self._clients[root] = set()
        calls: list[ClientMethodCall] = []
        events: list[ApiUse] = []  # webhook events subscribed to: their resources are used
        for path in self.code_files(root):
            loaded = self.index.load(path, (ClientBinding, ClientMethodCall, SubscribedEvent, ModuleSymbols))
            symbols = self.index.module_of_path(path)
            if loaded is None or symbols is None:
                continue
            clients.update(binding.name for binding in loaded.of(ClientBinding)
                           if self._is_client_class(symbols, binding.cls))
            calls.extend(loaded.of(ClientMethodCall))
            events.extend(event_use(event) for event in loaded.of(SubscribedEvent))
        return [client_use(call) for call in calls if call.receiver in clients] + events

    def _is_client_class(self, symbols: ModuleSymbols, name: str) -> bool:
        """A class imported from a library: neither the project's own nor the standard
        library's, nor an OAuth library's (its `fetch_token` is no API call)."""
        target = symbols.imported(name)
        if target is None or target.startswith("."):
            return False
        top = re.split(r"[./:]", target)[0]
        return bool(top) and top not in sys.stdlib_module_names and not self._own(target) \
            and not _is_oauth_library(target.lower())

    def provider_sdk(self, request: ResolvedRequest) -> str | None:
        """A module the request's component imports that is named after its provider (its SDK,
        `google_photos_library_api`: calls through it reach the API unseen), or None."""
        host = request.host
        word = request.provider or (registrable(host).split(".")[0] if host else "")
        if not word:
            return None
        root = component_of(request.place.path, self.roots)
        return next((module for module in self.imports(root, word)
                     if not _is_oauth_library(module)
                     and not module.startswith(_CATALOGUED_CLIENTS)), None)


# Client libraries whose calls the catalogues read (`build("gmail", "v1")`, google.cloud
# clients): no unseen calls go through them.
_CATALOGUED_CLIENTS = ("googleapiclient", "google.cloud", "@google-cloud/")


# Python: `import a.b, c as d` / `from a.b import x` at a line's start.
_PYTHON_IMPORTS = re.compile(
    r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import\b"
    r"|import[ \t]+((?:[\w.]+(?:[ \t]+as[ \t]+\w+)?[ \t]*,[ \t]*)*[\w.]+(?:[ \t]+as[ \t]+\w+)?)"
    r"[ \t]*(?:$|#|;))", re.MULTILINE)
# JavaScript: `from "x"`, `require("x")`, `import("x")`, `import "x"`. Written to start with a
# character class (`\b(?:from|require...|import...)` as one literal-led pattern): Python's `re`
# then skips to each `f`, `r` or `i` instead of trying three branches at every position (a third
# of the time on a wheel's bundles; the same matches).
_JAVASCRIPT_IMPORTS = re.compile(
    r"[fri](?<=\b[fri])(?:(?<=f)rom|(?<=r)equire[ \t]*\(|(?<=i)mport[ \t]*\(?)"
    r"[ \t]*[\"'`]([^\"'`\n]+)[\"'`]")


def imported_modules(text: str, *, python: bool) -> Iterator[str]:
    """The module names a file's import statements name, read from its text."""
    if not python:
        yield from _JAVASCRIPT_IMPORTS.findall(text)
        return
    for python_from, python_import in _PYTHON_IMPORTS.findall(text):
        if python_from:
            yield python_from
        else:
            yield from (name.split()[0] for name in python_import.split(","))


def _is_oauth_library(module: str) -> bool:
    """Modules that only do the OAuth dance (not the provider's API)."""
    return any(word in module for word in ("oauth", "auth.", "oidc", "msal", "credentials",
                                           "next-auth", "@auth/"))

