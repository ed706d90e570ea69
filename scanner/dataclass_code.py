"""Compiled code of the methods `dataclasses` writes for our classes, kept between runs: it
compiles the source of every `__init__`, `__eq__`, `__repr__`, `__hash__` and frozen `__setattr__`
anew in each process, a fifth of a hook run; loading the same code objects takes a hundredth.

- What: `dataclasses` builds each method as source text and runs `exec(text, globals, locals)`.
  `install` puts a stand-in `exec` in that module alone. For a class of a `scanner.` module it
  runs the code object compiled before from the identical text (compiled as `exec` would, with no
  `__future__` flags inherited), else compiles it now; any other text goes to `exec` unchanged.
  The methods are the same code, with the same globals and defaults: only the compile is saved.
- Where: `$XDG_CACHE_HOME/secret-hygiene/code/` (default `~/.cache`), one file per Python
  version and bytecode magic, holding the SHA-256 of its payload first (a truncated or edited
  file is ignored); written aside and renamed (scanner.safe_io), mode 0600, by `keep` at the end
  of a command that compiled something new. Any problem means the methods are compiled as before.
- `SECRET_HYGIENE_PATTERN_CACHE=0` turns it off, with the compiled patterns' cache."""

from __future__ import annotations

import builtins
import dataclasses
import hashlib
import importlib.util
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

_DIGEST = hashlib.sha256().digest_size
_LIMIT = 8 * 1024 * 1024  # a bigger file is not read: it is started afresh with this run's methods


class _Store:
    """The code objects by source text: loaded on the first class compiled, then added to."""

    def __init__(self) -> None:
        self.codes: dict[str, CodeType] | None = None  # None: not read yet
        self.compiled_now = False

    def code(self, text: str) -> CodeType:
        if self.codes is None:
            self.codes = _load(path())
        code = self.codes.get(text)
        if code is None:
            # `dont_inherit`: this module's `from __future__ import annotations` must not turn
            # the generated annotations into strings, as `exec(text)` in `dataclasses` does not.
            code = self.codes[text] = compile(text, "<string>", "exec", dont_inherit=True)
            self.compiled_now = True
        return code


_store = _Store()


def _exec(source: Any, globals: dict[str, Any] | None = None,
          locals: Any = None, /) -> None:
    """`exec` as `dataclasses` calls it, with the compile of our classes' methods remembered."""
    if isinstance(source, str):
        if globals is not None and str(globals.get("__name__", "")).startswith("scanner.") \
                and enabled():
            source = _store.code(source)
        else:  # compiled here as `exec` compiles it in `dataclasses`: see `_Store.code`
            source = compile(source, "<string>", "exec", dont_inherit=True)
    builtins.exec(source, globals, locals)


def install() -> None:
    """Make `dataclasses` reuse our classes' compiled methods (idempotent)."""
    dataclasses.exec = _exec  # type: ignore[attr-defined]


def enabled() -> bool:
    return os.environ.get("SECRET_HYGIENE_PATTERN_CACHE", "1") not in {"0", "false", "no", "off"}


def path() -> Path:
    """This interpreter's file (code objects differ between Python versions)."""
    from scanner.safe_io import user_cache_dir

    magic = importlib.util.MAGIC_NUMBER.hex()
    return user_cache_dir() / "code" / \
        f"dataclasses-{sys.implementation.cache_tag}-{magic}-O{sys.flags.optimize}.marshal"


def keep() -> None:
    """Write what this process compiled, with what the file held; nothing when all was loaded."""
    if not _store.compiled_now or _store.codes is None:
        return
    _store.compiled_now = False
    try:
        payload = marshal.dumps(_store.codes)
    except ValueError:
        return
    _write(path(), payload)


def _load(where: Path) -> dict[str, CodeType]:
    from scanner.safe_io import FileSafetyError, read_file

    try:
        data = read_file(where, what="compiled dataclass methods", limit=_LIMIT + _DIGEST)
    except (OSError, FileSafetyError):
        return {}
    digest, payload = data[:_DIGEST], data[_DIGEST:]
    if not payload or hashlib.sha256(payload).digest() != digest:
        return {}
    try:
        codes = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(codes, dict):
        return {}
    return {text: code for text, code in codes.items()
            if isinstance(text, str) and isinstance(code, CodeType)}


def _write(where: Path, payload: bytes) -> None:
    from scanner.safe_io import FileSafetyError, write_file

    try:
        where.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_file(where, hashlib.sha256(payload).digest() + payload,
                   what="compiled dataclass methods", mode=0o600)
    except (OSError, FileSafetyError):
        return
