"""Compiled Hyperscan databases, kept between runs: compiling the secret family's one pass and
the keyword index costs about 0.2 s per process, loading a serialized copy well under 1 ms.

- Where: `$XDG_CACHE_HOME/secret-hygiene/patterns/` (default `~/.cache`), never inside a scanned
  repository: a database is native code's input, so it must never come from a tree we scan.
- Key: SHA-256 of the Hyperscan version, the mode, and every expression with its id and flags;
  a file holds the SHA-256 of its payload first, so a truncated or edited file is compiled anew.
- Files are written aside and renamed (scanner.safe_io), mode 0600; the 16 most recently used
  are kept. Any problem (read-only home, full disk) means the database is compiled as before:
  the cache only ever changes how long start-up takes, never an answer.
- `SECRET_HYGIENE_PATTERN_CACHE=0` turns it off."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scanner.safe_io import FileSafetyError, read_file, user_cache_dir, write_file

_KEEP = 16
_LIMIT = 64 * 1024 * 1024
_DIGEST = hashlib.sha256().digest_size


def directory() -> Path:
    """Where serialized databases live (outside every repository)."""
    return user_cache_dir() / "patterns"


def enabled() -> bool:
    return os.environ.get("SECRET_HYGIENE_PATTERN_CACHE", "1") not in {"0", "false", "no", "off"}


def block_database(expressions: Sequence[bytes], flags: Sequence[int]) -> Any:
    """A Hyperscan block-mode database of `expressions` (ids 0..n-1, one flag set each): loaded
    from the cache when an identical one was compiled before, else compiled (and kept)."""
    import hyperscan

    ids = list(range(len(expressions)))
    if not enabled():
        return _compile(hyperscan, expressions, ids, flags)
    key = hashlib.sha256(repr((getattr(hyperscan, "__version__", ""), hyperscan.HS_MODE_BLOCK,
                               list(expressions), list(flags))).encode()).hexdigest()
    path = directory() / f"hs-{key[:40]}.db"
    database = _load(hyperscan, path)
    if database is not None:
        return database
    database = _compile(hyperscan, expressions, ids, flags)
    _store(hyperscan, path, database)
    return database


def _compile(hyperscan: Any, expressions: Sequence[bytes], ids: list[int], flags: Sequence[int]) -> Any:
    database = hyperscan.Database()
    database.compile(expressions=list(expressions), ids=ids, elements=len(expressions),
                     flags=list(flags))
    return database


def _load(hyperscan: Any, path: Path) -> Any:
    try:
        data = read_file(path, what="compiled patterns", limit=_LIMIT)
    except (OSError, FileSafetyError):
        return None
    digest, payload = data[:_DIGEST], data[_DIGEST:]
    if not payload or hashlib.sha256(payload).digest() != digest:
        return None
    try:
        database = hyperscan.loadb(payload, hyperscan.HS_MODE_BLOCK)
        # A loaded database comes without the scratch space `compile` allocates.
        database.scratch = hyperscan.Scratch(database)
    except hyperscan.HyperscanError:  # another platform or version: compile instead
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # most recently used: pruning keeps it
    return database


def _store(hyperscan: Any, path: Path, database: Any) -> None:
    try:
        payload = bytes(hyperscan.dumpb(database))
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_file(path, hashlib.sha256(payload).digest() + payload, what="compiled patterns",
                   mode=0o600)
    except (OSError, FileSafetyError, TypeError, ValueError):
        return
    _prune(path.parent)


def _prune(folder: Path) -> None:
    try:
        entries = [(entry.stat(follow_symlinks=False).st_mtime, entry.path)
                   for entry in os.scandir(folder)
                   if entry.name.startswith("hs-") and entry.name.endswith(".db")
                   and entry.is_file(follow_symlinks=False)]
    except OSError:
        return
    for _, old in sorted(entries, reverse=True)[_KEEP:]:
        with contextlib.suppress(OSError):
            os.unlink(old)
