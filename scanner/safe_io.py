"""Files the tool writes, and files it reads by name, in a repository it does not trust: no link is
followed below the repository, a write is a new file renamed over the target, a read is capped.

A write creates `.<name>.<random>.tmp` next to the target with O_CREAT|O_EXCL|O_NOFOLLOW, writes
and fsyncs it, then renames it over the target: the old file stays whole until the new one is
complete, and a link or odd file committed under the target's name (or under a directory on the
way, below `root`) is refused, never written through. Directories are entered one by one through
descriptors (`dir_fd`), so a link swapped in between a check and its use is refused too.
A read takes only a regular file (a FIFO or device is refused, never waited on) under a cap."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

# A baseline, a detect-secrets baseline, a config file: far below this in any real project.
MAX_READ = 64 * 1024 * 1024

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)
# Windows has no dir_fd: there each step is checked by path (a narrower race, same refusals).
_DIR_FD = os.open in os.supports_dir_fd and os.stat in os.supports_dir_fd and _NOFOLLOW != 0
# Paths that name an open stream of this process (/dev/stdout, /dev/fd/1, /proc/self/fd/1).
_STREAMS = ("/dev/", "/proc/")
# A temporary name must stay under NAME_MAX (255) whatever the target's name.
_MAX_STEM = 200


class FileSafetyError(Exception):
    """A file we may not or could not write or read; the message is one line naming the path."""


class LinkRefused(FileSafetyError):
    """A symbolic link where we expected our own file or directory: never followed."""


def _is_within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def default_mode(bits: int = 0o666) -> int:
    """The mode `open()` would give a new file (the process umask applied)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return bits & ~mask


class Directory:
    """An opened directory: every name is used relative to it and never followed if a link."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path = path
        self.fd = fd

    def __enter__(self) -> Directory:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def _name(self, name: str) -> str:
        return name if self.fd is not None else str(self.path / name)

    def lstat(self, name: str) -> os.stat_result | None:
        """The entry itself (a link is not followed), or None when there is none."""
        try:
            return os.stat(self._name(name), dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def _open_regular(self, name: str, flags: int) -> int:
        """A descriptor of the regular file `name`: a link, FIFO, device or directory is refused."""
        if self.fd is None:  # no O_NOFOLLOW with dir_fd here: judge the entry first
            info = self.lstat(name)
            if info is not None and stat.S_ISLNK(info.st_mode):
                raise LinkRefused(f"{self.path / name}: is a symbolic link; not followed")
        try:
            fd = os.open(self._name(name), flags | _NOFOLLOW | _NONBLOCK | _CLOEXEC | _BINARY,
                         dir_fd=self.fd)
        except OSError as exc:
            info = self.lstat(name) if exc.errno in {errno.ELOOP, errno.EMLINK} else None
            if info is not None and stat.S_ISLNK(info.st_mode):
                raise LinkRefused(f"{self.path / name}: is a symbolic link; not followed") from None
            raise
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise FileSafetyError(f"{self.path / name}: not a regular file (FIFO, socket, device "
                                  "or directory); not used")
        return fd

    def read(self, name: str, *, limit: int, what: str) -> bytes:
        """The bytes of the regular file `name`, at most `limit` of them (else FileSafetyError).
        OSError (missing, permission) is left to the caller, who names the file its own way."""
        fd = self._open_regular(name, os.O_RDONLY)
        try:
            return _read_capped(fd, limit, f"{self.path / name}: {what} is over the "
                                           f"{_size_text(limit)} limit; not read")
        finally:
            os.close(fd)

    def write(self, name: str, data: bytes, *, what: str, mode: int | None = None) -> None:
        """Replace (or create) `name` with `data`: written aside, fsynced, renamed over it. The old
        file keeps its place until then; its mode (and group) carry over unless `mode` is given."""
        target = self.path / name
        existing = self.lstat(name)
        if existing is not None:
            if stat.S_ISLNK(existing.st_mode):
                raise LinkRefused(f"{target}: is a symbolic link; refusing to write the {what} "
                                  "through it")
            if not stat.S_ISREG(existing.st_mode):
                raise FileSafetyError(f"{target}: not a regular file; refusing to replace it "
                                      f"with the {what}")
        if mode is None:
            mode = stat.S_IMODE(existing.st_mode) if existing is not None else default_mode()
        temporary = f".{name[:_MAX_STEM]}.{os.urandom(6).hex()}.tmp"
        try:
            fd = os.open(self._name(temporary), os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW
                         | _CLOEXEC | _BINARY, 0o600, dir_fd=self.fd)
        except OSError as exc:
            raise FileSafetyError(f"{target}: cannot write {what} ({_reason(exc)})") from None
        try:
            try:
                _write_all(fd, data)
                if existing is not None:
                    _keep_owner(fd, existing)
                if hasattr(os, "fchmod"):
                    os.fchmod(fd, mode)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(self._name(temporary), self._name(name), src_dir_fd=self.fd,
                       dst_dir_fd=self.fd)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(self._name(temporary), dir_fd=self.fd)
            raise FileSafetyError(f"{target}: cannot write {what} ({_reason(exc)})") from None
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(self.fd)  # the rename itself survives a crash

    def regular_files(self) -> Iterator[tuple[str, os.stat_result]]:
        """Names and stats of the regular files directly in this directory (links skipped)."""
        with os.scandir(self.fd if self.fd is not None else self.path) as entries:
            for entry in entries:
                with contextlib.suppress(OSError):
                    info = entry.stat(follow_symlinks=False)
                    if stat.S_ISREG(info.st_mode):
                        yield entry.name, info

    def unlink(self, name: str) -> None:
        os.unlink(self._name(name), dir_fd=self.fd)

    def touch(self, name: str) -> None:
        """Set the entry's times to now (a link itself, never its target)."""
        os.utime(self._name(name), dir_fd=self.fd,
                 follow_symlinks=os.utime not in os.supports_follow_symlinks)


def open_directory(path: Path, *, root: Path | None = None, create: bool = False) -> Directory:
    """Open the directory `path`. Its components below `root` are entered one at a time and
    never through a link (created first when `create`); those above `root` (or all of them
    without one) are the user's choice and followed. FileSafetyError for a link or a file on
    the way, OSError for the rest (missing, permission)."""
    absolute = os.path.abspath(path)
    base = os.path.abspath(root) if root is not None else None
    if root is not None and base is not None and _is_within(absolute, base):
        start, shown = base, Path(root)  # messages name paths as the user gave them
        parts = [part for part in absolute[len(base):].split(os.sep) if part]
    else:
        start, shown, parts = absolute, Path(path), []
    if not _DIR_FD:
        return _open_directory_by_path(Path(start), shown, parts, create)
    fd = os.open(start, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        for part in parts:
            shown = shown / part
            try:
                child = _enter(fd, part, shown, create)
            finally:
                os.close(fd)
                fd = -1
            fd = child
    except BaseException:
        if fd != -1:
            os.close(fd)
        raise
    return Directory(Path(path), fd)


def _enter(parent: int, name: str, path: Path, create: bool) -> int:
    flags = os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC
    try:
        return os.open(name, flags, dir_fd=parent)
    except FileNotFoundError:
        if not create:
            raise
    except OSError as exc:
        if exc.errno in {errno.ELOOP, errno.ENOTDIR, errno.EMLINK}:
            info = os.stat(name, dir_fd=parent, follow_symlinks=False)
            raise _not_a_directory(path, info) from None
        raise
    with contextlib.suppress(FileExistsError):
        os.mkdir(name, 0o777, dir_fd=parent)
    return _enter(parent, name, path, create=False)


def _open_directory_by_path(start: Path, shown: Path, parts: list[str], create: bool) -> Directory:
    current = start
    for part in parts:
        current, shown = current / part, shown / part
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            if not create:
                raise
            with contextlib.suppress(FileExistsError):
                os.mkdir(current)
            info = os.lstat(current)
        if not stat.S_ISDIR(info.st_mode):
            raise _not_a_directory(shown, info)
    return Directory(current, None)


def write_file(path: Path, data: bytes, *, what: str, root: Path | None = None,
               mode: int | None = None) -> None:
    """Replace `path` with `data` safely (see the module docstring); FileSafetyError, one line,
    when it is refused or fails, and then the old file is left as it was."""
    try:
        directory = open_directory(path.parent, root=root)
    except OSError as exc:
        raise FileSafetyError(f"{path}: cannot write {what} ({_reason(exc)})") from None
    with directory:
        directory.write(path.name, data, what=what, mode=mode)


def write_output(path: Path, data: bytes, *, what: str, root: Path) -> None:
    """Write a file the user named (`--output`). Inside `root` or a git work tree every rule of
    write_file holds; elsewhere a link the user made is followed, and a device, FIFO or stream
    (`/dev/stdout`, `/dev/null`) is written to directly."""
    absolute = os.path.abspath(path)
    boundary = root if _is_within(absolute, os.path.abspath(root)) else work_tree_of(absolute)
    if boundary is not None:
        write_file(path, data, what=what, root=boundary)
        return
    try:
        kind = os.stat(absolute).st_mode
    except OSError:
        kind = stat.S_IFREG  # not there yet: a new file
    # /dev/stdout (a pipe with no path, or a file the shell opened for appending) is written
    # as it is, like any device or FIFO the user names.
    if (stat.S_ISREG(kind) or stat.S_ISDIR(kind)) and not absolute.startswith(_STREAMS):
        write_file(Path(os.path.realpath(absolute)), data, what=what)
        return
    try:
        with open(absolute, "ab") as stream:  # appending: never truncates what a shell opened
            stream.write(data)
    except OSError as exc:
        raise FileSafetyError(f"{path}: cannot write {what} ({_reason(exc)})") from None


def user_cache_dir() -> Path:
    """This tool's directory under the user's cache (`$XDG_CACHE_HOME`, default `~/.cache`):
    outside every repository, for what a scanned tree must never supply."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "secret-hygiene"


def work_tree_of(path: str | Path) -> Path | None:
    """The git work tree holding `path` (the nearest parent with a `.git`), if any."""
    for parent in Path(os.path.abspath(path)).parents:
        if os.path.lexists(parent / ".git"):
            return parent
    return None


def read_file(path: Path, *, what: str, limit: int = MAX_READ, root: Path | None = None) -> bytes:
    """A regular file's bytes, at most `limit`. Below `root` nothing is followed (the file
    included); a FIFO or device is refused at once. FileSafetyError for a refusal; OSError
    (missing, permission) is left to the caller."""
    if root is None or not _is_within(os.path.abspath(path), os.path.abspath(root)):
        return _read_followed(path, limit, what)
    with open_directory(path.parent, root=root) as directory:
        return directory.read(path.name, limit=limit, what=what)


def _read_followed(path: Path, limit: int, what: str) -> bytes:
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | _CLOEXEC | _BINARY)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FileSafetyError(f"{path}: not a regular file (FIFO, socket, device or "
                                  f"directory); {what} not read")
        return _read_capped(fd, limit, f"{path}: {what} is over the {_size_text(limit)} limit; "
                                       "not read")
    finally:
        os.close(fd)


def _read_capped(fd: int, limit: int, too_big: str) -> bytes:
    if os.fstat(fd).st_size > limit:
        raise FileSafetyError(too_big)
    parts: list[bytes] = []
    total = 0
    while chunk := os.read(fd, min(1 << 20, limit + 1 - total)):
        parts.append(chunk)
        total += len(chunk)
        if total > limit:  # it grew while we read
            raise FileSafetyError(too_big)
    return b"".join(parts)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _keep_owner(fd: int, existing: os.stat_result) -> None:
    """The replaced file's group (and owner, when we may set it) carry over; best effort."""
    if not hasattr(os, "fchown"):
        return
    owner = existing.st_uid if os.geteuid() == 0 else -1
    current = os.fstat(fd)
    if (current.st_gid, current.st_uid) != (existing.st_gid, existing.st_uid):
        with contextlib.suppress(OSError):
            os.fchown(fd, owner, existing.st_gid)


def _not_a_directory(path: Path, info: os.stat_result) -> FileSafetyError:
    if stat.S_ISLNK(info.st_mode):
        return LinkRefused(f"{path}: is a symbolic link; not followed")
    return FileSafetyError(f"{path}: is not a directory")


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _size_text(size: int) -> str:
    return f"{size // (1024 * 1024)} MiB" if size >= 1024 * 1024 else f"{size} bytes"
