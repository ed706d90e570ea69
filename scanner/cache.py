"""The results cache: a second `scan` of an unchanged tree, or `diff`/`hook`/`history` over blobs
scanned before, reuses each file's result instead of running the rules again.

- Where: `.cache/secret-hygiene/` under the scanned root (with a `.gitignore` of `*`, as ruff and
  pytest do), one file per kind (`scan-`, `history-`, `diff-` for diff and hook) and set of
  settings, the four most recently used of each kind kept. `--no-cache` neither reads nor
  writes it.
- Key: for `scan`, each file's path and a BLAKE2b digest of its content (the engine computes it
  as it reads the file); for git sources, the blob id, the path, the added lines and how the
  source is read (BlobResultCache.key), looked up before the blob is read. The cache file as a
  whole is keyed by the tool's version and code, the Python version, the analysis libraries,
  the rules, their options and severities, the size limit and the team's own secret formats.
- Trust: the file is a pickle, so it is signed with HMAC-SHA256 under a key that lives outside
  the repository (`$XDG_CACHE_HOME/secret-hygiene/cache-key`, mode 0600, made on first use).
  A cache committed to a repository, copied from another machine or edited is never unpickled.
- Secrets: a file's result is stored only if no value that a rule saw as a secret in that file
  appears in its stored form (engine._holds_none_of); otherwise the file is rescanned each time.
- Safety: the directory is entered and its files written without following links (a repository
  can commit `.cache` as a link: then the cache is off for the run, with a note); files are
  written aside and renamed, the `.gitignore` first; pruning deletes only regular files in it.
Any problem reading or writing the cache (permissions, a full disk, a corrupt file) turns it off
for that run and the scan goes on."""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import hmac
import itertools
import json
import os
import pickle
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner import __version__
from scanner.safe_io import (
    Directory,
    FileSafetyError,
    LinkRefused,
    open_directory,
    read_file,
    user_cache_dir,
    write_file,
)
from scanner.sources import CACHE_DIR, SourceFile, line_runs

if TYPE_CHECKING:
    from scanner.engine.runner import FileResult

_KEY_NAME = "cache-key"
KEEP_FILES = 4
_FORMAT = 2  # 2: git results pickled one by one
GITIGNORE = b"# Created by secret-hygiene: never commit its cache.\n*\n"
# A cache file is read whole: one this large is not ours (ours hold no file contents).
MAX_CACHE_FILE = 1024 * 1024 * 1024


def _code_fingerprint() -> str:
    """The tool's own source files (size and modification time): a development checkout's
    results are not reused after its code changes, even at the same version number."""
    package = Path(__file__).resolve().parent
    parts = []
    for path in sorted(package.rglob("*")):
        if path.suffix in {".py", ".json"}:
            info = path.stat()
            parts.append(f"{path.relative_to(package)}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


# Libraries whose answers are part of a result: an upgrade must not reuse results made with the
# old version (a stale "0 findings").
ANALYSIS_PACKAGES = ("detect-secrets", "tree-sitter", "tree-sitter-javascript",
                     "tree-sitter-typescript", "hyperscan", "libcst", "PyYAML")


def _project_key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def package_versions() -> dict[str, str | None]:
    """Installed versions of the analysis libraries, from the names of their `.dist-info` /
    `.egg-info` directories on sys.path (the first one wins, as for imports). Neither the
    packages nor importlib.metadata (50 ms of imports here) are loaded."""
    wanted = {_project_key(name): name for name in ANALYSIS_PACKAGES}
    versions: dict[str, str | None] = dict.fromkeys(ANALYSIS_PACKAGES)
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # a zip file, a missing directory
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                project, _, version = name.rsplit(".", 1)[0].partition("-")
                package = wanted.get(_project_key(project))
                if package is not None and versions[package] is None:
                    versions[package] = version
    return versions


def settings_digest(settings: Mapping[str, Any]) -> str:
    """What makes results comparable: tool, Python, the analysis libraries' versions, and the
    scan's rules and options."""
    payload = json.dumps({"format": _FORMAT, "version": __version__, "code": _code_fingerprint(),
                          "python": sys.version, "packages": package_versions(),
                          "settings": settings}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _key_file() -> Path:
    return user_cache_dir() / _KEY_NAME


def _signing_key() -> bytes:
    path = _key_file()
    try:
        key = read_file(path, what="cache key", limit=64)
        if len(key) == 32:
            return key
    except FileNotFoundError:
        pass
    except FileSafetyError as exc:
        raise OSError(str(exc)) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    key = os.urandom(32)
    try:
        write_file(path, key, what="cache key", mode=0o600)
    except FileSafetyError as exc:
        raise OSError(str(exc)) from None
    return key


class _SignedCacheFile:
    """One signed pickle in the cache directory, `PREFIX-DIGEST.bin`: reading it (only through
    our own directory, only if our key signed it), writing it aside, pruning old ones."""

    prefix = "scan"

    def __init__(self, root: Path, digest: str) -> None:
        self.root = root
        self.directory = root / CACHE_DIR
        self.path = self.directory / f"{self.prefix}-{digest[:24]}.bin"
        self.hits = 0
        self.enabled = True
        # Why the cache was turned off for this run, for the scan's notes.
        self.notes: list[str] = []
        try:
            self._key = _signing_key()
        except OSError:
            self.enabled, self._key = False, b""

    def _open(self, create: bool) -> Directory | None:
        """Our real cache directory (never through a link the repository committed), or None
        with the cache turned off for this run."""
        try:
            return open_directory(self.directory, root=self.root, create=create)
        except LinkRefused as exc:
            self.enabled = False
            self.notes.append(f"results cache not used: {exc}")
        except (OSError, FileSafetyError):
            self.enabled = False
        return None

    def _load_payload(self) -> object:
        """The unpickled content of our cache file, or None (absent, not ours, unreadable)."""
        if not self.enabled or not os.path.lexists(self.directory):
            return None
        directory = self._open(create=False)
        if directory is None:
            return None
        with directory:
            try:
                blob = directory.read(self.path.name, limit=MAX_CACHE_FILE, what="results cache")
            except LinkRefused as exc:
                self.enabled = False
                self.notes.append(f"results cache not used: {exc}")
                return None
            except (OSError, FileSafetyError):
                return None
            mac, body = blob[:32], blob[32:]
            if not hmac.compare_digest(mac, hmac.new(self._key, body, hashlib.sha256).digest()):
                return None  # not ours (committed, copied, edited): ignored, and replaced on save
            try:
                loaded = pickle.loads(body)
            except Exception:  # a half-written or incompatible file: start over
                return None
            with contextlib.suppress(OSError):
                directory.touch(self.path.name)  # recently used: kept when old files are pruned
            return loaded

    def _write_payload(self, payload: object) -> None:
        """Sign and write `payload` atomically. The `.gitignore` is written whole first: without
        it the cache file is not written at all."""
        body = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        mac = hmac.new(self._key, body, hashlib.sha256).digest()
        directory = self._open(create=True)
        if directory is None:
            return
        with directory:
            try:
                if _read_or_none(directory, ".gitignore") != GITIGNORE:
                    directory.write(".gitignore", GITIGNORE, what="cache .gitignore")
                directory.write(self.path.name, mac + body, what="results cache", mode=0o600)
            except LinkRefused as exc:
                self.notes.append(f"results cache not used: {exc}")
                return
            except FileSafetyError:
                return
            self._prune(directory)

    def _prune(self, directory: Directory) -> None:
        """Keep the most recently used cache files of our kind (one per set of settings, so one
        per tool version and configuration): upgrades and config changes do not pile files up.
        Only regular files in our own directory are ever deleted."""
        with contextlib.suppress(OSError):
            files = sorted(((info.st_mtime_ns, name) for name, info in directory.regular_files()
                            if fnmatch.fnmatchcase(name, f"{self.prefix}-*.bin")), reverse=True)
            for _mtime, stale in files[KEEP_FILES:]:
                directory.unlink(stale)


class ResultCache(_SignedCacheFile):
    """Results of one scan root under one settings digest: {path: (content digest, result)}."""

    def __init__(self, root: Path, digest: str) -> None:
        super().__init__(root, digest)
        self.entries: dict[str, tuple[str, FileResult]] = {}
        self.fresh: dict[str, tuple[str, FileResult]] = {}

    def load(self) -> None:
        loaded = self._load_payload()
        if isinstance(loaded, dict):
            self.entries = loaded

    def lookup(self, path: str, digest: str) -> FileResult | None:
        entry = self.entries.get(path)
        if entry is not None and entry[0] == digest:
            return entry[1]
        return None

    def keep(self, path: str, digest: str, result: FileResult) -> None:
        self.fresh[path] = (digest, result)

    def save(self) -> None:
        """Write this run's entries (files no longer scanned drop out), atomically; nothing is
        written when every file was a hit and none disappeared."""
        if not self.enabled or (self.hits == len(self.fresh) == len(self.entries)):
            return
        self._write_payload(self.fresh)


class BlobResultCache(_SignedCacheFile):
    """Results of git blobs (`diff`, `hook`, `history`): {key: result}, where the key hashes
    everything a blob's result depends on besides the settings (see `key`). Per-commit fields
    are not stored: the engine puts the commit back on a hit. Unlike a tree's entries, a blob's
    never go stale, so entries of earlier runs are kept, the least recently used dropped first
    past `limit`. `history` and `diff`/`hook` use separate files (the hook stays quick to load)."""

    def __init__(self, root: Path, digest: str, *, prefix: str, limit: int) -> None:
        self.prefix = prefix
        super().__init__(root, digest)
        self.limit = limit
        # Each result pickled on its own, unpickled on a hit: what a hit never needs (facts of
        # other files) is not held as objects (flask: 3.5 MB, not 23 MB).
        self.entries: dict[bytes, bytes] = {}
        self.fresh: dict[bytes, bytes] = {}
        self.used: dict[bytes, None] = {}  # this run's hits, in order (a dict: deterministic)

    @staticmethod
    def key(source: SourceFile) -> bytes | None:
        """What a git source's result depends on: the blob, the path (a finding's path, its
        fingerprint and every path-derived choice: file kind, context, vendored, browser code),
        the added lines, and how the source is read (added lines only or whole, from the patch
        or the blob; named by the user). None for a file that is not a blob (read from disk)."""
        if source.blob is None:
            return None
        lines = "*" if source.changed_lines is None else ",".join(
            f"{first}-{last}" for first, last in line_runs(source.changed_lines))
        patch = source.patch  # made into content where scanned: by the blob and whether created
        flags = "".join("1" if flag else "0" for flag in (
            source.sparse, source.partial, source.explicit, source.text is not None,
            source.content is not None, patch is not None, patch is not None and patch.new_file))
        text = "\0".join((source.blob, source.path, lines, flags))
        return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).digest()

    def load(self) -> None:
        loaded = self._load_payload()
        if isinstance(loaded, dict):
            self.entries = loaded

    def lookup(self, key: bytes) -> tuple[bool, FileResult | tuple[bool, str] | None]:
        """(found, stored result): see engine.runner._for_storage for its forms."""
        if key in self.entries:
            self.used[key] = None
            self.hits += 1
            stored: FileResult | tuple[bool, str] | None = pickle.loads(self.entries[key])
            return True, stored
        return False, None

    def keep(self, key: bytes, stored: FileResult | tuple[bool, str] | None) -> None:
        self.fresh[key] = pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL)

    def save(self) -> None:
        """Write the entries, this run's last (most recently used), the oldest dropped past the
        limit; nothing is written when the run added nothing."""
        if not self.enabled or not self.fresh:
            return
        merged = {key: value for key, value in self.entries.items() if key not in self.used}
        merged.update((key, self.entries[key]) for key in self.used)
        merged.update(self.fresh)
        excess = len(merged) - self.limit
        if excess > 0:
            merged = dict(itertools.islice(merged.items(), excess, None))
        self._write_payload(merged)


def _read_or_none(directory: Directory, name: str) -> bytes | None:
    try:
        return directory.read(name, limit=len(GITIGNORE), what="cache .gitignore")
    except (OSError, FileSafetyError):
        return None
