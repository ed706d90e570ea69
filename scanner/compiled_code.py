"""Code that every run compiled anew, kept between runs: the methods `dataclasses` writes for our
classes (a fifth of a hook run) and the programs `re` compiles patterns into (a tenth).

- Methods: `dataclasses` builds each `__init__`, `__eq__`, `__repr__`, `__hash__` and frozen
  `__setattr__` as source text and runs `exec(text, globals, locals)`. `install` puts a stand-in
  `exec` in that module alone: for a class of a `scanner.` module it runs the code object
  compiled before from the identical text (compiled as `exec` there compiles it, with no
  `__future__` flag inherited), else compiles it now. The methods are the same code with the
  same globals and defaults: only the compile is saved. Other modules' classes are compiled so.
- Patterns: `re` parses a pattern and turns it into a program for `_sre.compile`. `install`
  wraps `re`'s compile step: a pattern and flags seen before get the program kept for them, and
  `_sre.compile` builds the very same pattern object from it. Only patterns written in code are
  kept (compiled at a module's top level, by `compiled_on_use` or as a gate's branch), never one
  built from a scanned file's names. A new pattern is compiled by `re` as ever; its program, derived as `re` derives it, is kept only when the pattern built from it
  equals `re`'s own (any other Python's internals: nothing is kept). A pattern compiled from a
  kept program no longer repeats `re`'s warnings about it (they were given on its first run).
- Where: `$XDG_CACHE_HOME/secret-hygiene/code/` (default `~/.cache`), one file of each kind per
  Python version, its payload's SHA-256 first (a truncated or edited file is ignored); written
  aside and renamed (scanner.safe_io), mode 0600, by `keep` at the end of a command that
  compiled something new. Any problem means compiling as before: never a different answer.
- `SECRET_HYGIENE_PATTERN_CACHE=0` turns it off, with the compiled Hyperscan patterns' cache."""

from __future__ import annotations

import builtins
import dataclasses
import hashlib
import importlib.util
import marshal
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

_DIGEST = hashlib.sha256().digest_size
_LIMIT = 8 * 1024 * 1024  # a bigger file is not read: it is started afresh with this run's code


def enabled() -> bool:
    return os.environ.get("SECRET_HYGIENE_PATTERN_CACHE", "1") not in {"0", "false", "no", "off"}


class _Kept:
    """One file of compiled code by what it was compiled from: read on first use, added to."""

    def __init__(self, kind: str, valid: Callable[[object, object], bool]) -> None:
        self.kind = kind
        self.valid = valid  # whether a key and value read from the file are of the right types
        self.entries: dict[Any, Any] | None = None  # None: not read yet
        self.added = False

    def path(self) -> Path:
        """This interpreter's file (code objects and `re` programs differ between versions)."""
        from scanner.safe_io import user_cache_dir

        magic = importlib.util.MAGIC_NUMBER.hex()
        return user_cache_dir() / "code" / \
            f"{self.kind}-{sys.implementation.cache_tag}-{magic}-O{sys.flags.optimize}.marshal"

    def get(self, key: Any) -> Any:
        if self.entries is None:
            self.entries = self._load()
        return self.entries.get(key)

    def add(self, key: Any, value: Any) -> None:
        if self.entries is None:
            self.entries = self._load()
        self.entries[key] = value
        self.added = True

    def keep(self) -> None:
        """Write what this process added, with what the file held; nothing when it added none."""
        if not self.added or self.entries is None:
            return
        self.added = False
        from scanner.safe_io import FileSafetyError, write_file

        where = self.path()
        try:
            payload = marshal.dumps(self.entries)
            where.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_file(where, hashlib.sha256(payload).digest() + payload,
                       what=f"compiled {self.kind}", mode=0o600)
        except (OSError, FileSafetyError, ValueError):
            return

    def _load(self) -> dict[Any, Any]:
        from scanner.safe_io import FileSafetyError, read_file

        try:
            data = read_file(self.path(), what=f"compiled {self.kind}", limit=_LIMIT + _DIGEST)
        except (OSError, FileSafetyError):
            return {}
        digest, payload = data[:_DIGEST], data[_DIGEST:]
        if not payload or hashlib.sha256(payload).digest() != digest:
            return {}
        try:
            entries = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return {}
        if not isinstance(entries, dict):
            return {}
        return {key: value for key, value in entries.items() if self.valid(key, value)}


# -- the methods dataclasses generates ---------------------------------------------------------

def _is_method_code(text: object, code: object) -> bool:
    return isinstance(text, str) and isinstance(code, CodeType)


_methods = _Kept("dataclass-methods", _is_method_code)


def _method_code(text: str) -> CodeType:
    code: CodeType | None = _methods.get(text)
    if code is None:
        code = compile(text, "<string>", "exec", dont_inherit=True)
        _methods.add(text, code)
    return code


def _exec(source: Any, globals: dict[str, Any] | None = None,
          locals: Any = None, /) -> None:
    """`exec` as `dataclasses` calls it, with the compile of our classes' methods remembered."""
    if isinstance(source, str):
        if globals is not None and str(globals.get("__name__", "")).startswith("scanner.") \
                and enabled():
            source = _method_code(source)
        else:
            # `dont_inherit`: this module's `from __future__ import annotations` must not turn
            # the generated annotations into strings, as `exec` in `dataclasses` does not.
            source = compile(source, "<string>", "exec", dont_inherit=True)
    builtins.exec(source, globals, locals)


# -- the programs re compiles patterns into ----------------------------------------------------

# `re`'s compile step (3.10 names its module sre_compile) and `re`'s C half, which takes the program.
_re_compiler: Any = getattr(re, "_compiler", None) or importlib.import_module("sre_compile")
_sre: Any = importlib.import_module("_sre")
_re_compile: Callable[[Any, int], re.Pattern[Any]] = _re_compiler.compile
# (pattern, flags) -> the arguments of _sre.compile after the pattern
_Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


def _is_program(key: object, program: object) -> bool:
    return isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], (str, bytes)) \
        and isinstance(program, tuple) and len(program) == 5


_programs = _Kept("re-programs", _is_program)


def _program(pattern: str | bytes, flags: int) -> _Program:
    """The arguments `re`'s compile step gives `_sre.compile` for `pattern`, derived as it does."""
    parsed = _re_compiler._parser.parse(pattern, flags)
    code = _re_compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (flags | parsed.state.flags, [int(op) for op in code], parsed.state.groups - 1,
            groupindex, tuple(indexgroup))


# Besides a module's top level, where the patterns written in our code are compiled on first use:
# `compiled_on_use` and the gates' branches.
_DECLARED_IN = frozenset({"scanner.lazy", "scanner.facts.base"})


def _written_in_code() -> bool:
    """Whether the pattern being compiled was written in code (a module's top level, or a module
    of `_DECLARED_IN`), not built from what a scan read (a name found in a file): only those are
    kept, so the file never holds a scanned project's text and stops growing."""
    frame: FrameType | None = sys._getframe(2)  # `re`'s own functions first, then its caller
    while frame is not None and frame.f_globals.get("__name__") == "re":
        frame = frame.f_back
    return frame is not None and (frame.f_code.co_name == "<module>"
                                  or frame.f_globals.get("__name__") in _DECLARED_IN)


def _compile_pattern(pattern: Any, flags: int = 0) -> re.Pattern[Any]:
    """`re`'s compile step, with the program of a pattern compiled before reused."""
    if not isinstance(pattern, (str, bytes)) or flags & re.DEBUG or not enabled():
        return _re_compile(pattern, flags)
    key = (pattern, int(flags))
    program: _Program | None = _programs.get(key)
    if program is not None:
        return _sre.compile(pattern, *program)  # type: ignore[no-any-return]
    compiled = _re_compile(pattern, flags)  # warnings and errors exactly as ever
    if not _written_in_code():
        return compiled
    try:
        program = _program(pattern, int(flags))
        if _sre.compile(pattern, *program) == compiled:
            _programs.add(key, program)
    except Exception:  # another version's internals: keep nothing
        pass
    return compiled


# -- switching it on ---------------------------------------------------------------------------

def install() -> None:
    """Make `dataclasses` and `re` reuse code compiled in earlier runs (idempotent)."""
    dataclasses.exec = _exec  # type: ignore[attr-defined]
    _re_compiler.compile = _compile_pattern


def keep() -> None:
    """Write what this process compiled that the files did not hold."""
    _methods.keep()
    _programs.keep()
