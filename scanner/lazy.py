"""Deferred imports and regular expressions for start-up time: the hook runs on every commit, so
what it never calls it should not load or compile.

detect-secrets imports `requests` (60-100 ms: urllib3, charset detection, http.cookiejar) for the
verification calls of its plugins. We never verify secrets over the network, so before
detect-secrets is first imported, `requests` is registered as a stand-in module: `import requests`
resolves to it, and the first attribute anyone reads from it (`requests.exceptions`, `__path__`
for a submodule import) imports the real package and answers from it. (The standard library's
`LazyLoader` does not help here: on Python 3.11 the import statement itself reads `__spec__`,
which loads a lazy module at once.)"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

_DEFERRED = ("requests",)


class _StandIn(ModuleType):
    """Holds the place of a module until an attribute is read; then loads it and forwards."""

    def __getattr__(self, attribute: str) -> Any:
        return getattr(load(self.__name__), attribute)


def load(name: str) -> ModuleType:
    """The real module `name`, imported now if only its stand-in was registered."""
    if isinstance(sys.modules.get(name), _StandIn):
        del sys.modules[name]
    return importlib.import_module(name)


def defer(name: str) -> None:
    """Make `import name` cheap until the module is used (no-op if it is already imported)."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:
        return
    stand_in = _StandIn(name)
    stand_in.__spec__ = spec
    stand_in.__file__ = spec.origin
    sys.modules[name] = stand_in


def detect_secrets_module(name: str) -> ModuleType:
    """Import a detect-secrets module (or one of ours built on it) without its network stack."""
    if "detect_secrets" not in sys.modules:
        for deferred in _DEFERRED:
            defer(deferred)
    return importlib.import_module(name)


def compiled_on_use(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """`pattern` compiled on the first call, the same object on every later one: a module-level
    pattern that a run never uses costs nothing at start-up (compiling the unused ones was a
    tenth of a hook run). Call it outside a hot loop, or bind its result first."""
    return functools.cache(functools.partial(_compile, pattern, flags))


def _compile(pattern: str, flags: int) -> re.Pattern[str]:
    # A function of this module, not `re.compile` itself: scanner.compiled_code keeps the
    # programs of the patterns compiled here (written in code).
    return re.compile(pattern, flags)
