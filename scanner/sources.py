"""Where files come from: a tree on disk, the git index, a diff between revisions, history.

Every source yields SourceFile records; reading, decoding and the safety checks live here."""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from scanner.keywords import KeywordIndex

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
# The results cache under a scanned root (scanner.cache); never scanned itself.
CACHE_DIR = ".cache/secret-hygiene"
_BINARY_PROBE = 8192
# The note for a binary file; the engine folds those of a tree walk into one summary line.
BINARY_SKIPPED = "binary file, skipped"
_GIT_ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


@dataclass(frozen=True)
class SourceFile:
    """One file to scan. Either `text` is set (git blobs), or `location` is read at scan time.

    `changed_lines` is None for whole-file scans, else the added lines (1-based) that a finding
    must touch to count. `explicit` marks files the user named, whose skips are always reported."""

    path: str
    text: str | None = None
    location: str | None = None
    changed_lines: frozenset[int] | None = None
    commit: str | None = None
    explicit: bool = False
    root: str | None = None
    # A git blob (object id) read at scan time, in the process that scans it (history).
    blob: str | None = None
    # A created file's bytes, rebuilt from its patch (decoded where it is scanned).
    content: bytes | None = None
    # History: only the analyses that read lines alone run, unless the changed lines let in one
    # that parses the file. `partial`: `content` holds only the changed lines at their places,
    # and `blob` is read where it is scanned if the whole file is needed.
    sparse: bool = False
    partial: bool = False
    # History: the commit's patch of the file, made into `content` (and `partial`) only where
    # the file is scanned (with_content): a result found in the cache never needs it.
    patch: PatchFile | None = field(default=None, compare=False)


class GitError(Exception):
    """git is missing, the directory is not a repository, or a git command failed (one line)."""


# -- reading and decoding ---------------------------------------------------------------------


def decode(data: bytes) -> str | None:
    """Text of a file, or None for binary. Nothing is lost: bytes that are not UTF-8 survive as
    surrogate escapes (printed as U+FFFD), and UTF-16/32 files with a BOM are decoded as such."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            text = _wide_text(data, encoding)
            if text is not None:
                return text
            break  # BOM-like bytes that do not start such a file: read it as UTF-8 below
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if b"\0" in data[:_BINARY_PROBE]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", "surrogateescape")


# A UTF-16/32 file is text: few control characters, no lone surrogates, no noncharacters.
_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_SPACING = re.compile("[ \t\r\n]")
_PROBE_CHARS = 65536


def _wide_text(data: bytes, encoding: str) -> str | None:
    """`data` decoded as UTF-16/32 if it is that, else None. ASCII or UTF-8 bytes read as UTF-16
    decode too, into CJK-looking text: but without a single space or line break (those need NUL
    bytes), and a real text file has one at least every 512 characters."""
    try:
        text = data.decode(encoding, "surrogatepass")
    except UnicodeDecodeError:
        return None
    sample = text[:_PROBE_CHARS]
    if len(_NOT_TEXT.findall(sample)) > len(sample) // 100:
        return None
    if len(sample) >= 16 and len(_SPACING.findall(sample)) < max(1, len(sample) // 512):
        return None
    return text


def _read_all(fd: int, size: int, limit: int) -> bytes:
    """Up to `limit` bytes of a regular file whose size was `size` when opened: one read call in
    the usual case (no buffered file object), more only if the file grew meanwhile."""
    first = os.read(fd, min(size + 1, limit))
    if len(first) <= size:
        return first  # a short read of a regular file is its end
    parts, total = [first], len(first)
    while total < limit:
        more = os.read(fd, limit - total)
        if not more:
            break
        parts.append(more)
        total += len(more)
    return b"".join(parts)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def read_source(source: SourceFile, max_size: int) -> tuple[str | None, str | None]:
    """(text, note). text is None when the file is skipped; note says why, when worth saying."""
    if source.text is not None:
        return source.text, None
    if source.content is not None:
        if len(source.content) > max_size:
            return None, f"{source.path}: blob {(source.blob or '')[:12]} is over max-file-size, skipped"
        return _decode_named(source, source.content)
    if source.blob is not None:
        return _read_blob(source, max_size)
    data, note = read_file_bytes(source, max_size)
    return (None, note) if data is None else decode_file(source, data)


def decode_file(source: SourceFile, data: bytes) -> tuple[str | None, str | None]:
    text = decode(data)
    if text is None:
        return None, f"{source.path}: {BINARY_SKIPPED}"
    return text, None


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_file_bytes(source: SourceFile, max_size: int) -> tuple[bytes | None, str | None]:
    """(content, note) of a file on disk, with the safety checks (symlinks, FIFOs, size).

    The usual case (a regular file, not a symlink) costs open, fstat, read and close. Anything
    else (a symlink, a socket, an odd error) takes the checked path, which names the problem."""
    assert source.location is not None
    if not _NOFOLLOW:
        return _read_checked(source, max_size)
    try:
        # O_NOFOLLOW: a symlink fails here and is judged on the checked path; O_NONBLOCK: a FIFO
        # does not hang the scan.
        fd = os.open(source.location, os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW)
    except FileNotFoundError:
        return None, f"{source.path}: file disappeared before it could be read, skipped"
    except PermissionError:
        return None, f"{source.path}: permission denied, skipped"
    except OSError:
        return _read_checked(source, max_size)
    return _read_opened(fd, source.path, max_size)


# Files over max-file-size are read in windows of this many bytes (each overlapping the next by
# WINDOW_OVERLAP, so a token cut by a window's end is whole in the next), up to OVERSIZED_LIMIT.
WINDOW_BYTES = 4 * 1024 * 1024
WINDOW_OVERLAP = 8 * 1024
OVERSIZED_LIMIT = 1024 * 1024 * 1024


def file_windows(source: SourceFile) -> Iterator[tuple[bytes, int]]:
    """A regular file on disk (links are not followed) as overlapping windows: (bytes, how many
    of them are this window's own, the rest being the next window's start). A file that cannot
    be read, or is over OVERSIZED_LIMIT, gives nothing."""
    assert source.location is not None
    try:
        fd = os.open(source.location, os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW)
    except OSError:
        return
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > OVERSIZED_LIMIT:
            return
        start = 0
        while start < info.st_size:
            data = os.pread(fd, WINDOW_BYTES + WINDOW_OVERLAP, start)
            if not data:
                return
            own = len(data) if start + len(data) >= info.st_size else WINDOW_BYTES
            while 0 < own < len(data) and data[own] & 0xC0 == 0x80:
                own -= 1  # never cut a UTF-8 character in two
            yield data, own
            start += own
    finally:
        os.close(fd)


def _skip_note(info: os.stat_result, rel: str, max_size: int) -> str | None:
    """Why a file that is not a regular file within the size limit is skipped (directories
    silently: their files are listed on their own)."""
    if stat.S_ISDIR(info.st_mode):
        return None
    if not stat.S_ISREG(info.st_mode):
        return f"{rel}: not a regular file (FIFO, socket or device), skipped"
    return f"{rel}: {info.st_size} bytes is over max-file-size ({max_size}), skipped"


def _read_opened(fd: int, rel: str, max_size: int) -> tuple[bytes | None, str | None]:
    """Read an opened file (and close it): a regular file within the size limit, or a note."""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_size:
            return None, _skip_note(info, rel, max_size)
        data = _read_all(fd, info.st_size, max_size + 1)
    except OSError as exc:
        return None, f"{rel}: read failed ({exc.strerror}), skipped"
    finally:
        os.close(fd)
    if len(data) > max_size:
        return None, f"{rel}: over max-file-size ({max_size} bytes), skipped"
    return data, None


def _read_checked(source: SourceFile, max_size: int) -> tuple[bytes | None, str | None]:
    """read_file_bytes step by step: lstat first, so each odd case gets its own note."""
    assert source.location is not None
    rel, location = source.path, source.location
    try:
        info = os.lstat(location)
    except FileNotFoundError:
        return None, f"{rel}: file disappeared before it could be read, skipped"
    except OSError as exc:
        return None, f"{rel}: cannot read ({exc.strerror}), skipped"
    if stat.S_ISLNK(info.st_mode):
        root = Path(source.root or os.getcwd()).resolve()
        try:
            target = Path(location).resolve(strict=True)
        except FileNotFoundError:
            return None, f"{rel}: dangling symlink, skipped"
        except (RuntimeError, OSError):
            return None, f"{rel}: symlink loop, skipped"
        if not _inside(target, root):
            return None, f"{rel}: symlink points outside the scanned root, skipped"
        if not source.explicit:
            return None, None  # the target is scanned under its own name
        try:
            info = os.stat(location)
        except OSError as exc:
            return None, f"{rel}: cannot read ({exc.strerror}), skipped"
    # Judged before opening too: a socket cannot be opened, and Windows cannot open a directory.
    if not stat.S_ISREG(info.st_mode) or info.st_size > max_size:
        return None, _skip_note(info, rel, max_size)
    try:
        # O_NONBLOCK: a file swapped for a FIFO after lstat must not hang the scan.
        fd = os.open(location, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None, f"{rel}: file disappeared before it could be read, skipped"
    except PermissionError:
        return None, f"{rel}: permission denied, skipped"
    except OSError as exc:
        return None, f"{rel}: cannot open ({exc.strerror}), skipped"
    return _read_opened(fd, rel, max_size)


# -- git plumbing -----------------------------------------------------------------------------

# Pinned on every git call. The scanned repository's config and attributes, and the user's own
# config, must neither run a command (fsmonitor, hooks, external diff, textconv, gpg) nor change
# the output we parse (prefixes, root commits, quoting, colour, fused hunks, copies).
_GIT_CONFIG = (
    "core.fsmonitor=false", "core.quotepath=false", "color.ui=false", "color.diff=false",
    "diff.external=", "diff.mnemonicPrefix=false", "diff.noprefix=false", "diff.relative=false",
    "diff.renames=true", "diff.interHunkContext=0", "diff.submodule=short",
    "diff.algorithm=default", "diff.indentHeuristic=true", "diff.suppressBlankEmpty=false",
    "log.showRoot=true", "log.showSignature=false",
    # git's cache of delta bases is 96 MiB by default: half of history's peak memory on flask,
    # for 7% of git's CPU (git log -p --all: 151 -> 74 MB).
    "core.deltaBaseCacheLimit=16m",
)
# No hook may run either. Not for rev-parse: `--git-path hooks` (install-hook) must see the
# repository's own core.hooksPath, and rev-parse runs no hook.
_NO_HOOKS = "core.hooksPath=" + os.devnull
_GIT_ENV = {
    # A partial clone must never fetch what it lacks (git >= 2.39.4), and no transport may run
    # at all for an older git that ignores that (an empty list allows no protocol).
    "GIT_NO_LAZY_FETCH": "1", "GIT_ALLOW_PROTOCOL": "",
    # What was committed, not what refs/replace swaps in; a file name is never a glob or :(magic).
    "GIT_NO_REPLACE_OBJECTS": "1", "GIT_LITERAL_PATHSPECS": "1",
    "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C",
}
# Inherited settings that would run a program or change the diff (GIT_INDEX_FILE and GIT_DIR
# stay: a pre-commit hook must see the index git gives it).
_GIT_ENV_DROPPED = ("GIT_EXTERNAL_DIFF", "GIT_DIFF_OPTS", "GIT_PAGER", "PAGER", "GIT_ASKPASS",
                    "SSH_ASKPASS", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_PROXY_COMMAND")


def git_available() -> bool:
    return shutil.which("git") is not None


def git_command(*args: str) -> list[str]:
    """The argv for `git ARGS` with our pinned options."""
    pinned = [item for setting in _GIT_CONFIG for item in ("-c", setting)]
    if not args or args[0] != "rev-parse":
        pinned += ["-c", _NO_HOOKS]
    return ["git", *pinned, *args]


def git_environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _GIT_ENV_DROPPED}
    env.update(_GIT_ENV)
    return env


def git_failure(args: Sequence[str], code: int, stderr: bytes) -> GitError:
    """One line for a failed git call: git's own `fatal:`/`error:` line, never its usage text."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    reason = next((line for line in lines if line.startswith(("fatal:", "error:"))),
                  lines[-1] if lines else f"exit {code}")
    return GitError(f"git {args[0] if args else ''} failed: {reason}")


def _run(root: Path, args: Sequence[str],
         stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    if not git_available():
        raise GitError("git is not installed or not on PATH")
    try:
        return subprocess.run(git_command(*args), cwd=root, capture_output=True, input=stdin,
                              env=git_environment(), check=False)
    except OSError as exc:
        raise GitError(f"cannot run git ({exc.strerror})") from None


def run_git(root: Path, *args: str, check: bool = True) -> bytes:
    done = _run(root, args)
    if check and done.returncode != 0:
        raise git_failure(args, done.returncode, done.stderr)
    return done.stdout


class GitProcess:
    """A streaming git call: `stdout` is a pipe (and `stdin` one when asked for); stderr goes to
    a temporary file, so a chatty git can never block on a full pipe."""

    def __init__(self, root: Path, *args: str, stdin: bool = False) -> None:
        if not git_available():
            raise GitError("git is not installed or not on PATH")
        self.args = args
        # Closed by finish(): it outlives this call.
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self.process = subprocess.Popen(
                git_command(*args), cwd=root, env=git_environment(), stdout=subprocess.PIPE,
                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, stderr=self._errors)
        except OSError as exc:
            self._errors.close()
            raise GitError(f"cannot run git ({exc.strerror})") from None
        assert self.process.stdout is not None
        self.stdout = self.process.stdout
        self.stdin = self.process.stdin

    def blocks(self, size: int) -> Iterator[bytes]:
        return iter(lambda: self.stdout.read(size), b"")

    def finish(self) -> None:
        """Close the pipes and wait; GitError with git's own message when it failed."""
        if self.stdin is not None and not self.stdin.closed:
            with contextlib.suppress(OSError):
                self.stdin.close()
        self.stdout.close()
        code = self.process.wait()
        self._errors.seek(0)
        stderr = self._errors.read()
        self._errors.close()
        if code != 0:
            raise git_failure(self.args, code, stderr)

    def abandon(self) -> None:
        """Stop reading (the consumer gave up): git ends on the closed pipe; no error is raised."""
        with contextlib.suppress(GitError):
            self.finish()


def repo_root(path: Path) -> Path:
    """The work tree's top level, or GitError when `path` is not inside a git work tree."""
    start = path if path.is_dir() else path.parent
    done = _run(start, ("rev-parse", "--show-toplevel"))
    if done.returncode != 0:
        message = git_failure(("rev-parse",), done.returncode, done.stderr)
        if b"not a git repository" in done.stderr or not done.stderr.strip():
            raise GitError(f"{path} is not inside a git work tree")
        raise message  # say why (dubious ownership, a broken repository ...)
    return Path(os.fsdecode(done.stdout.rstrip(b"\n")))


def repo_root_and_head(path: Path) -> tuple[Path, bool]:
    """`repo_root(path)` and `has_head(root)` from one git process (the hook asks both on every
    commit): git prints the top level, then HEAD's id, or fails quietly (1) before the first
    commit. Anything else is asked again the usual way, so errors read as they always did."""
    start = path if path.is_dir() else path.parent
    done = _run(start, ("rev-parse", "--show-toplevel", "--verify", "-q", "HEAD"))
    out = done.stdout.rstrip(b"\n")
    if done.returncode == 0 and b"\n" in out:
        return Path(os.fsdecode(out.rpartition(b"\n")[0])), True
    if done.returncode == 1 and out and not done.stderr.strip():
        return Path(os.fsdecode(out)), False
    root = repo_root(path)
    return root, has_head(root)


def has_head(root: Path) -> bool:
    return bool(run_git(root, "rev-parse", "--verify", "-q", "HEAD", check=False).strip())


def verify_commit(root: Path, revision: str) -> str:
    """The commit id a user-given revision names; GitError (one line) when it names none. A
    revision is never read as an option."""
    if revision.startswith("-"):
        raise GitError(f"{revision}: a revision cannot start with '-'")
    out = run_git(root, "rev-parse", "--verify", "-q", "--end-of-options", revision + "^{commit}",
                  check=False).strip()
    if not out:
        raise GitError(f"{revision}: unknown revision (not a commit in this repository)")
    return out.decode("ascii")


# -- tree -------------------------------------------------------------------------------------


# Outside git, directories of installed or generated files are skipped (as ruff does) unless
# `--all-files`: a virtualenv or node_modules holds other projects' code, not yours.
SKIPPED_DIRS = frozenset({".venv", "venv", ".tox", ".nox", "node_modules", "__pycache__",
                          ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", ".eggs",
                          "__pypackages__", ".direnv", ".hg", ".svn"})


def tree_files(root: Path, *, all_files: bool = False) -> tuple[list[SourceFile], list[str]]:
    """Files under `root`: in a git work tree the tracked plus untracked-not-ignored files
    (`all_files`: ignored ones too); elsewhere a walk that never follows symlinked directories
    and skips SKIPPED_DIRS (`all_files`: walks them too).
    Submodules, nested repositories and unreadable directories are not scanned: a note says so."""
    notes: list[str] = []
    root_text = str(root)
    if git_available():
        try:
            repo_root(root)
            in_git = True
        except GitError:
            in_git = False
        if in_git:
            paths = _git_listing(root, all_files, notes)
            return [SourceFile(path=p, location=os.path.join(root_text, p), root=root_text)
                    for p in paths], notes
    else:
        notes.append(f"{root}: git not found; scanned every file under the directory")
    files = []

    def unreadable(error: OSError) -> None:
        where = os.path.relpath(error.filename or root, root).replace(os.sep, "/")
        notes.append(f"{where}/: cannot read directory ({error.strerror}), skipped")

    skipped: list[str] = []
    for directory, dirnames, filenames in os.walk(root, followlinks=False, onerror=unreadable):
        prefix = os.path.relpath(directory, root).replace(os.sep, "/")  # once per directory
        prefix = "" if prefix == "." else prefix + "/"
        if not all_files:
            skipped += [prefix + d for d in dirnames if d in SKIPPED_DIRS]
        dirnames[:] = sorted(d for d in dirnames
                             if d != ".git" and (all_files or d not in SKIPPED_DIRS))
        for name in sorted(filenames):
            rel = prefix + name
            if not _in_cache_dir(rel):
                files.append(SourceFile(path=rel, location=os.path.join(directory, name),
                                        root=root_text))
    if skipped:
        notes.append(_named("directory", "directories", sorted(f"{d}/" for d in skipped))
                     + " of installed or generated files not scanned (--all-files scans them)")
    return files, notes


_GITLINK = b"160000"


def _git_listing(root: Path, all_files: bool, notes: list[str]) -> list[str]:
    """Tracked files (with their modes: a submodule is a gitlink) plus untracked ones (a nested
    repository is listed as `dir/`). git's warnings (an unreadable directory) become notes."""
    tracked = _run(root, ("ls-files", "-c", "-s", "-z"))
    untracked = _run(root, ("ls-files", "-o", "-z", *([] if all_files else ["--exclude-standard"])))
    for args, done in ((("ls-files",), tracked), (("ls-files",), untracked)):
        if done.returncode != 0:
            raise git_failure(args, done.returncode, done.stderr)
    paths: set[str] = set()
    submodules: list[str] = []
    for entry in tracked.stdout.split(b"\0"):
        info, tab, raw = entry.partition(b"\t")
        if not tab:
            continue
        path = os.fsdecode(raw)
        if info.startswith(_GITLINK + b" "):
            submodules.append(path)
        elif not _in_cache_dir(path):
            paths.add(path)
    nested: list[str] = []
    for raw in untracked.stdout.split(b"\0"):
        path = os.fsdecode(raw)
        if path.endswith("/"):
            nested.append(path)
        elif path and not _in_cache_dir(path):
            paths.add(path)
    if submodules:
        notes.append(_named("submodule", "submodules", sorted(set(submodules)))
                     + " not scanned (scan each one on its own)")
    if nested:
        notes.append(_named("nested git repository", "nested git repositories", sorted(nested))
                     + " not scanned (scan each one on its own)")
    for line in (tracked.stderr + untracked.stderr).decode("utf-8", "replace").splitlines():
        match = re.match(r"warning: could not open directory '(.*)': (.*)", line)
        if match:
            notes.append(f"{match.group(1)}: cannot read directory ({match.group(2)}), skipped")
        elif line.startswith(("warning:", "error:")):
            notes.append(f"git ls-files: {line}")
    return sorted(paths)


def _named(one: str, many: str, names: Sequence[str], shown: int = 5) -> str:
    listed = ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")
    return f"{len(names)} {one if len(names) == 1 else many} ({listed})"


_CACHE_FILE = re.compile(r"(?:(?:scan|history|diff)-[0-9a-f]+\.bin|\.(?:scan|history|diff)-[\w.]+\.tmp"
                         r"|\.gitignore)")


def _in_cache_dir(path: str) -> bool:
    """Our own cache files (`scan-*.bin`, `history-*.bin`, `diff-*.bin`, their temporary files,
    the `.gitignore` we write) are never scanned; anything else under the cache directory is,
    like any file (with --all-files git lists ignored files too)."""
    return path.startswith(CACHE_DIR + "/") and bool(_CACHE_FILE.fullmatch(path[len(CACHE_DIR) + 1:]))


def explicit_file(path: Path, root: Path) -> SourceFile:
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except (RuntimeError, OSError):  # a symlink loop: name it by its own path; reading says why
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root)).replace(os.sep, "/")
    except ValueError:
        rel = path.as_posix()
    return SourceFile(path=rel, location=str(path), explicit=True, root=str(root))


# -- diffs and history ------------------------------------------------------------------------


@dataclass
class PatchFile:
    path: str
    blob: str | None
    added_text: list[bytes] = field(default_factory=list)
    commit: str | None = None
    new_file: bool = False  # created by this commit/diff: its one hunk adds every line
    hunks: int = 0
    # The added lines as (first line, count) per hunk: a set is built only for a file scanned.
    ranges: list[tuple[int, int]] = field(default_factory=list)
    # Its added lines outgrew what a file within max-file-size can add: dropped while streaming.
    oversized: bool = False
    gitlink: bool = False  # a submodule's commit, not a blob of this repository

    @property
    def added(self) -> set[int]:
        return {line for first, count in self.ranges for line in range(first, first + count)}


def _plus_lines(hunk: bytes, count: int) -> bytes | None:
    """A hunk's `count` added lines without their `+`, each ending in a newline, when the hunk is
    exactly that (the usual shape); None otherwise. Two counts and one replace, no line loop."""
    if hunk.startswith(b"+") and hunk.endswith(b"\n") and hunk.count(b"\n") == count \
            and hunk.count(b"\n+") == count - 1:
        return (b"\n" + hunk).replace(b"\n+", b"\n")[1:]
    return None


def _added_lines(hunk: bytes, count: int) -> list[bytes]:
    """A hunk's added lines without their `+`, line by line (any shape)."""
    return [line[1:] for line in hunk.split(b"\n") if line.startswith(b"+")][:count]


def new_file_content(item: PatchFile) -> bytes | None:
    """A created file's content, rebuilt from its patch (every line is an added line), so its
    blob need not be read from git; None when the patch is not exactly that shape."""
    if not item.new_file or item.hunks != 1 or len(item.added_text) != 1:
        return None
    whole = _plus_lines(item.added_text[0], item.ranges[0][1])
    if whole is not None:
        return whole
    lines = item.added_text[0].split(b"\n")
    added = [line[1:] for line in lines if line.startswith(b"+")]
    if len(added) != item.ranges[0][1] or any(line and not line.startswith((b"+", b"\\"))
                                            for line in lines):
        return None
    # `\ No newline at end of file` follows the last line when the file does not end in one.
    ends_without_newline = any(line.startswith(b"\\") for line in lines)
    return b"\n".join(added) + (b"" if ends_without_newline else b"\n")


def with_content(source: SourceFile) -> SourceFile:
    """A history source with its content made from its patch: the whole file when the patch
    created it, else its added lines at their places (`partial`)."""
    if source.patch is None:
        return source
    content = new_file_content(source.patch)
    partial = content is None
    return replace(source, patch=None, partial=partial,
                   content=added_lines_content(source.patch) if partial else content)


def added_lines_content(item: PatchFile) -> bytes:
    """The file as far as the patch shows it: each added line at its place, every other line
    empty (line numbers and columns stay those of the blob)."""
    parts: list[bytes] = []
    placed = 0  # lines so far
    for (first, count), hunk in zip(item.ranges, item.added_text, strict=False):
        if first - 1 < placed:  # hunks out of order (git never writes them): line by line
            return _placed_lines(item)
        if first - 1 > placed:
            parts.append(b"\n" * (first - 1 - placed))
            placed = first - 1
        lines = _plus_lines(hunk, count)
        if lines is not None:
            parts.append(lines)
            placed += count
            continue
        added = _added_lines(hunk, count)
        parts.extend(line + b"\n" for line in added)
        placed += len(added)
    return b"".join(parts) if placed else b"\n"


def _placed_lines(item: PatchFile) -> bytes:
    """added_lines_content for any order of hunks, a later one written over an earlier one."""
    lines: list[bytes] = []
    for (first, count), hunk in zip(item.ranges, item.added_text, strict=False):
        added = _added_lines(hunk, count)
        if len(lines) < first - 1:
            lines.extend([b""] * (first - 1 - len(lines)))
        lines[first - 1:first - 1 + len(added)] = added
    return b"\n".join(lines) + b"\n"


def line_runs(lines: frozenset[int]) -> tuple[tuple[int, int], ...]:
    """Line numbers as sorted (first, last) runs: 1,2,3,7 -> (1, 3), (7, 7) (compact to keep)."""
    if not lines:
        return ()
    low, high = min(lines), max(lines)
    if high - low + 1 == len(lines):  # one run (one hunk, the usual case): no sort
        return ((low, high),)
    runs: list[tuple[int, int]] = []
    for line in sorted(lines):
        if runs and line == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], line)
        else:
            runs.append((line, line))
    return tuple(runs)


def unquote_git_path(raw: bytes) -> bytes:
    """Undo git's C-style quoting of a path ("a\\tb", octal escapes for bytes)."""
    if not (raw.startswith(b'"') and raw.endswith(b'"')):
        return raw
    body, out, index = raw[1:-1], bytearray(), 0
    simple = {ord("n"): 10, ord("t"): 9, ord("r"): 13, ord('"'): 34, ord("\\"): 92,
              ord("a"): 7, ord("b"): 8, ord("f"): 12, ord("v"): 11}
    while index < len(body):
        char = body[index]
        if char == 92 and index + 1 < len(body):
            nxt = body[index + 1]
            octal = body[index + 1:index + 4]
            # Three octal digits of one byte; anything else (git never writes it) is kept as is.
            if len(octal) == 3 and all(48 <= c <= 55 for c in octal) and int(octal, 8) <= 255:
                out.append(int(octal, 8))
                index += 4
                continue
            out.append(simple.get(nxt, nxt))
            index += 2
            continue
        out.append(char)
        index += 1
    return bytes(out)


_HEADER_LINE = re.compile(rb"\n(?:\x01|diff --git |@@ )[^\n]*")
_HEADER_STARTS = (b"\x01", b"diff --git ", b"@@ ")
_HUNK_HEADER = re.compile(rb"@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_BODY_STARTS = (b"+", b"-", b" ", b"\\")
PATCH_BLOCK = 1 << 20
# A line outside the hunks (a header) longer than this is garbage: dropped, never held whole.
_LONGEST_HEADER_LINE = 1 << 20
_OUTSIDE, _HEADER, _REMOVED, _ADDED = range(4)


def _read_file_header(current: PatchFile, header: bytes) -> None:
    for line in header.split(b"\n"):
        if line.startswith(b"new file mode"):
            current.new_file = True
            current.gitlink = current.gitlink or line.endswith(_GITLINK)
        elif line.startswith(b"new mode "):
            current.gitlink = current.gitlink or line.endswith(_GITLINK)
        elif line.startswith(b"index ") and len(line.split()) > 1:
            fields = line.split()
            shas = fields[1].split(b"..")
            if len(shas) == 2:
                current.blob = shas[1].decode("ascii", "replace")
            current.gitlink = current.gitlink or fields[2:3] == [_GITLINK]
        elif line.startswith(b"+++ "):
            target = line[4:]
            if target.endswith(b"\t"):
                target = target[:-1]
            if target == b"/dev/null":
                current.path = ""
            else:
                target = unquote_git_path(target)
                current.path = os.fsdecode(target[2:] if target.startswith(b"b/") else target)


class _PatchParser:
    """parse_patch's state from one block to the next: the commit, the file and hunk being read,
    and where the last block stopped (inside a hunk line, or inside a header line held back)."""

    def __init__(self, max_size: int | None) -> None:
        # A -U0 hunk line is its text plus one byte, so a file's added text is at most twice its
        # size (and two "\ No newline" lines), and it adds at most one line more than its size
        # in bytes: beyond either, the file is over max-file-size.
        self.limit = None if max_size is None else 2 * max_size + 64
        self.most_lines = None if max_size is None else max_size + 1
        self.lines = 0
        self.commit: str | None = None
        self.current: PatchFile | None = None
        self.header = bytearray()
        self.phase = _OUTSIDE
        self.hunk: list[bytes] = []
        self.kept = 0
        self.carry = b""
        # Inside a line cut by the block's end: True keeps the rest of it (added), False drops it.
        self.tail: bool | None = None

    def feed(self, block: bytes) -> Iterator[PatchFile]:
        data = self.carry + block if self.carry else block
        self.carry = b""
        start = 0
        if self.tail is not None:
            newline = data.find(b"\n")
            end = len(data) if newline < 0 else newline + 1
            if self.tail:
                self._add(data, 0, end)
            if newline < 0:
                return
            self.tail = None
            start = end
        last = data.rfind(b"\n", start)
        whole = last + 1 if last >= 0 else start
        yield from self._lines(data, start, whole)
        if whole < len(data):
            self._hold(data, whole)

    def close(self) -> Iterator[PatchFile]:
        if self.carry:
            data, self.carry = self.carry, b""
            yield from self._lines(data, 0, len(data))
        yield from self._end_file()

    def _hold(self, data: bytes, at: int) -> None:
        """The block ends inside a line: a hunk line is read on (never held whole), a header
        line is held back for the next block."""
        first = data[at:at + 1]
        if self.phase in (_REMOVED, _ADDED) and first in _BODY_STARTS:
            if first == b"+":
                self.phase = _ADDED
            self.tail = self.phase == _ADDED
            if self.tail:
                self._add(data, at, len(data))
        elif len(data) - at > _LONGEST_HEADER_LINE:
            self.tail = False
        else:
            self.carry = data[at:]

    def _lines(self, data: bytes, start: int, end: int) -> Iterator[PatchFile]:
        at = start
        for line_start, line_end in self._headers(data, start, end):
            self._continue(data, at, line_start)
            yield from self._header(data, line_start, line_end)
            at = min(line_end + 1, end)
        self._continue(data, at, end)

    @staticmethod
    def _headers(data: bytes, start: int, end: int) -> Iterator[tuple[int, int]]:
        if start < end and data.startswith(_HEADER_STARTS, start):
            line_end = data.find(b"\n", start, end)
            yield start, end if line_end < 0 else line_end
        for match in _HEADER_LINE.finditer(data, start, end):
            yield match.start() + 1, match.end()

    def _continue(self, data: bytes, start: int, end: int) -> None:
        """Lines between headers: hunk lines (with -U0, removed lines first, then added ones)
        or a file's header lines."""
        if start >= end:
            return
        if self.phase == _ADDED:
            self._add(data, start, end)
        elif self.phase == _REMOVED:
            if data.startswith(b"+", start):
                first = start
            else:
                found = data.find(b"\n+", start, end)
                if found < 0:
                    return
                first = found + 1
            self.phase = _ADDED
            self._add(data, first, end)
        elif self.phase == _HEADER and len(self.header) < _LONGEST_HEADER_LINE:
            self.header += data[start:end]

    def _header(self, data: bytes, start: int, end: int) -> Iterator[PatchFile]:
        kind = data[start]
        if kind == 1:  # \x01 and a commit id: our log format
            yield from self._end_file()
            self.commit = data[start + 1:end].decode("ascii", "replace").strip()
        elif kind == 100:  # "diff --git"
            yield from self._end_file()
            self.current = PatchFile(path="", blob=None, commit=self.commit)
            self.phase = _HEADER
        else:
            self._start_hunk(data, start, end)

    def _start_hunk(self, data: bytes, start: int, end: int) -> None:
        if self.phase == _HEADER:
            self._read_header()
        self._close_hunk()
        self.phase = _OUTSIDE
        current = self.current
        hunk = _HUNK_HEADER.match(data, start, end)
        if current is None or not current.path or hunk is None:
            return
        first = int(hunk.group(1))
        count = 1 if hunk.group(2) is None else int(hunk.group(2))
        if not (first and count):
            return
        current.hunks += 1
        self.lines += count
        if self.most_lines is not None and self.lines > self.most_lines:
            self._drop()
        elif not current.oversized:
            current.ranges.append((first, count))
        self.phase = _REMOVED

    def _read_header(self) -> None:
        assert self.current is not None
        _read_file_header(self.current, bytes(self.header))
        self.header = bytearray()

    def _close_hunk(self) -> None:
        if self.hunk and self.current is not None and not self.current.oversized:
            self.current.added_text.append(self.hunk[0] if len(self.hunk) == 1
                                           else b"".join(self.hunk))
        self.hunk = []

    def _end_file(self) -> Iterator[PatchFile]:
        if self.phase == _HEADER:
            self._read_header()
        self._close_hunk()
        current = self.current
        self.current, self.phase, self.kept, self.lines = None, _OUTSIDE, 0, 0
        if current is not None and (current.ranges or current.oversized):
            yield current

    def _add(self, data: bytes, start: int, end: int) -> None:
        current = self.current
        if current is None or current.oversized or start >= end:
            return
        self.kept += end - start
        if self.limit is not None and self.kept > self.limit:
            self._drop()
            return
        self.hunk.append(data[start:end])

    def _drop(self) -> None:
        """The current file is over max-file-size: forget its lines and read no more of them."""
        assert self.current is not None
        self.current.oversized = True
        self.current.ranges.clear()
        self.current.added_text.clear()
        self.hunk = []


def parse_patch(lines: Iterable[bytes], *, max_size: int | None = None) -> Iterator[PatchFile]:
    """Files with added lines from `git diff/log -p -U0 --full-index` output, given as lines or
    blocks of any size. Lines starting with \\x01 carry a commit id (our log format).

    Works on blocks, not lines: with -U0 every new-side line of a hunk is added, so the hunk
    header gives the line numbers and the body is kept whole for the keyword prefilter. Memory
    stays bounded: nothing is held past the current hunk line, and with `max_size` a file whose
    added text shows it is over the limit is dropped (`oversized`) as it streams by."""
    parser = _PatchParser(max_size)
    for block in lines:
        yield from parser.feed(block)
    yield from parser.close()


def _discard(stream: IO[bytes], count: int) -> None:
    while count > 0:
        got = len(stream.read(min(count, PATCH_BLOCK)))
        if not got:
            return
        count -= got


class BlobReader:
    """Reads many blobs through one `git cat-file --batch` process."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._process: GitProcess | None = None  # started by the first read: often none comes

    @property
    def _git(self) -> GitProcess:
        if self._process is None:
            self._process = GitProcess(self._root, "cat-file", "--batch", stdin=True)
        return self._process

    def read(self, object_name: str, max_size: int) -> tuple[bytes | None, str]:
        """(content, kind): content is None for missing, non-blob or oversized objects (whose
        bytes are read past, never held)."""
        stdin, stdout = self._git.stdin, self._git.stdout
        assert stdin is not None
        try:
            stdin.write(object_name.encode() + b"\n")
            stdin.flush()
        except OSError:
            header = []
        else:
            header = stdout.readline().split()
        if not header:  # git stopped (a partial clone's missing object): say why
            self._git.finish()
            raise GitError("git cat-file stopped early")
        if len(header) < 3:
            return None, "missing"
        kind, size = header[1].decode(), int(header[2])
        if kind != "blob" or size > max_size:
            _discard(stdout, size + 1)
            return None, kind if kind != "blob" else "oversized"
        return stdout.read(size + 1)[:size], kind

    def close(self) -> None:
        if self._process is not None:
            self._process.abandon()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# One `git cat-file --batch` per process and repository, for blobs read where they are scanned.
_blob_readers: dict[str, BlobReader] = {}


def _read_blob(source: SourceFile, max_size: int) -> tuple[str | None, str | None]:
    assert source.blob is not None and source.root is not None
    reader = _blob_readers.get(source.root)
    if reader is None:
        reader = _blob_readers[source.root] = BlobReader(Path(source.root))
    data, kind = reader.read(source.blob, max_size)
    if data is None:
        note = f"{source.path}: blob {source.blob[:12]} is over max-file-size, skipped"
        return None, note if kind == "oversized" else None
    return _decode_named(source, data)


def _decode_named(source: SourceFile, data: bytes) -> tuple[str | None, str | None]:
    """A blob's text; a binary one is skipped, with a note only for a file the user named."""
    text = decode(data)
    if text is None and source.explicit:
        return None, f"{source.path}: {BINARY_SKIPPED}"
    return text, None


def close_blob_readers() -> None:
    while _blob_readers:
        _blob_readers.popitem()[1].close()


# Added bytes the keyword pass cannot judge: UTF-16/32 lines (NUL bytes; such a file is decoded
# whole) and the two characters that lower-case into ASCII (KELVIN SIGN to `k`, CAPITAL I WITH
# DOT ABOVE to `i`), which a gate reading the lower-cased text sees as letters of a word.
_UNJUDGED_BYTES = (b"\0", "\u212a".encode(), "\u0130".encode())


def may_hold_words(item: PatchFile, index: KeywordIndex, path_words: Sequence[str]) -> bool:
    """Whether a changed file's added lines hold a word of `index`, or its path a path word: else
    no gate admits it. A notebook always may (its cells are JSON strings: a word's quote is
    escaped there)."""
    added = b"\n".join(item.added_text)
    if index.any_in(added):
        return True
    lowered = item.path.lower()
    return lowered.endswith(".ipynb") or any(word in lowered for word in path_words) \
        or any(unjudged in added for unjudged in _UNJUDGED_BYTES)


def _patch_sources(root: Path, patch: Iterable[PatchFile], max_size: int, notes: list[str],
                   keywords: Sequence[str] | None = None, path_words: Sequence[str] = (), *,
                   defer_read: bool = False, explicit: bool = False, sparse: bool = False,
                   repeats: dict[tuple[str, str], list[str]] | None = None) -> Iterator[SourceFile]:
    """The patch's files with added lines, read from git now (text) or where they are scanned
    (`defer_read`: a worker process reads its own blobs, so only ids cross between processes).
    `explicit`: the user named these files, so a binary one gets a note. `sparse`: a changed
    file comes as its added lines, its blob read where it is scanned only if needed. `repeats`:
    a change seen before (same path, blob and added lines: a cherry-pick, a rebased pull
    request) is not scanned again; the commit is filed under (path, first commit) instead."""
    first_seen: dict[tuple[str, str, tuple[tuple[int, int], ...]], str] = {}
    from scanner.keywords import index_for

    index = index_for(frozenset(keywords)) if keywords is not None else None
    with contextlib.nullcontext(None) if defer_read or sparse else BlobReader(root) as blobs:
        for item in patch:
            if item.gitlink or not item.path or not item.blob or set(item.blob) == {"0"}:
                continue
            if item.oversized:
                notes.append(f"{item.path}: blob {item.blob[:12]} is over max-file-size, skipped")
                continue
            if index is not None and not may_hold_words(item, index, path_words):
                continue
            if repeats is not None and item.commit is not None:
                key = (item.path, item.blob, tuple(item.ranges))
                first = first_seen.setdefault(key, item.commit)
                if first != item.commit:
                    repeats.setdefault((item.path, first), []).append(item.commit)
                    continue
            changed = frozenset(item.added)
            if sparse:
                yield SourceFile(path=item.path, blob=item.blob, changed_lines=changed,
                                 commit=item.commit, root=str(root), explicit=explicit,
                                 sparse=True, patch=item)
                continue
            # In one process, a created file needs no blob read: the patch holds all of it. (With
            # workers, passing them its id is cheaper than passing its bytes.)
            content = None if defer_read else new_file_content(item)
            if content is not None:
                yield SourceFile(path=item.path, content=content, blob=item.blob,
                                 changed_lines=changed, commit=item.commit, root=str(root),
                                 explicit=explicit)
                continue
            if defer_read:
                yield SourceFile(path=item.path, blob=item.blob, changed_lines=changed,
                                 commit=item.commit, root=str(root), explicit=explicit)
                continue
            assert blobs is not None
            data, kind = blobs.read(item.blob, max_size)
            if data is None:
                if kind == "oversized":
                    notes.append(f"{item.path}: blob {item.blob[:12]} is over max-file-size, skipped")
                continue
            text = decode(data)
            if text is None:
                if explicit:
                    notes.append(f"{item.path}: {BINARY_SKIPPED}")
                continue
            yield SourceFile(path=item.path, text=text, changed_lines=changed,
                             commit=item.commit, root=str(root), explicit=explicit,
                             blob=item.blob)  # the text is read already; the id keys the cache


# Every diff and log we parse: no context, text even for `binary`/`-diff` attributes (real
# binaries are told by content, as in a tree scan), full blob ids, fixed prefixes, no program.
_DIFF_ARGS = ("-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--text", "--full-index",
              "-M", "--diff-filter=d", "--src-prefix=a/", "--dst-prefix=b/",
              "--inter-hunk-context=0", "--submodule=short")
_LOG_ARGS = ("--format=%x01%H", "-p", "--root", *_DIFF_ARGS)
# Commits per `git log --no-walk --stdin` in a partial clone (their ids fit in a pipe's buffer).
_LOG_BATCH = 500


def _patches(root: Path, args: Sequence[str], max_size: int,
             stdin: bytes | None = None) -> Iterator[PatchFile]:
    """A git diff/log patch, parsed as it streams (never held whole)."""
    git = GitProcess(root, *args, stdin=stdin is not None)
    if stdin is not None:
        assert git.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            git.stdin.write(stdin)
            git.stdin.close()
    finished = False
    try:
        yield from parse_patch(git.blocks(PATCH_BLOCK), max_size=max_size)
        finished = True
    finally:
        if finished:
            git.finish()
        else:
            git.abandon()


@dataclass(frozen=True)
class RawChange:
    """One line of `git diff --raw --no-renames`: a path's old and new modes and blob ids."""

    old_mode: bytes
    new_mode: bytes
    old: str
    new: str
    status: str
    path: str


def _nul_fields(blocks: Iterable[bytes]) -> Iterator[bytes]:
    rest = b""
    for block in blocks:
        fields = (rest + block).split(b"\0")
        rest = fields.pop()
        yield from fields
    if rest:
        yield rest


def _raw_commits(fields: Iterable[bytes]) -> Iterator[tuple[str | None, list[RawChange]]]:
    """(commit, changes) from `--raw -z` output (commit lines in our log format; None in a diff)."""
    commit: str | None = None
    changes: list[RawChange] = []
    stream = iter(fields)
    for raw in stream:
        field = raw.lstrip(b"\n")
        if field.startswith(b"\x01"):
            if commit is not None or changes:
                yield commit, changes
            commit, changes = field[1:].decode("ascii", "replace").strip(), []
        elif field.startswith(b":"):
            meta = field[1:].split()
            path = os.fsdecode(next(stream, b""))
            if len(meta) >= 5:
                changes.append(RawChange(meta[0], meta[1], meta[2].decode("ascii", "replace"),
                                         meta[3].decode("ascii", "replace"),
                                         meta[4][:1].decode("ascii", "replace"), path))
    if commit is not None or changes:
        yield commit, changes


def changed_paths(root: Path, options: Sequence[str], revisions: Sequence[str]) -> list[RawChange]:
    """What `git diff OPTIONS REVISIONS` changes, path by path (no rename pairing)."""
    out = run_git(root, "diff", *options, "--raw", "-z", "--no-renames", "--no-abbrev",
                  "--end-of-options", *revisions)
    return [change for _, changes in _raw_commits(out.split(b"\0")) for change in changes]


def blob_bytes(root: Path, object_id: str) -> bytes | None:
    """A blob's bytes, or None when it cannot be read (missing in a partial clone)."""
    done = _run(root, ("cat-file", "blob", object_id))
    return done.stdout if done.returncode == 0 else None


# -- partial clones: what is not here is never fetched ------------------------------------------


def is_partial_clone(root: Path) -> bool:
    """A clone with a promisor remote (`--filter`): objects it lacks are fetched on demand."""
    out = run_git(root, "config", "--get-regexp", r"^(extensions\.partialclone|remote\..*\.promisor)$",
                  check=False)
    for entry in out.decode("utf-8", "replace").splitlines():
        key, _, value = entry.partition(" ")
        if value.strip().lower() not in ("", "false", "no", "off", "0") or key.startswith("ext"):
            return True
    return False


def _present_blobs(root: Path) -> set[str]:
    """Every blob stored locally (listing objects never fetches one)."""
    git = GitProcess(root, "cat-file", "--batch-all-objects", "--unordered",
                     "--batch-check=%(objecttype) %(objectname)")
    present = {line[5:].strip().decode("ascii") for line in git.stdout if line.startswith(b"blob ")}
    git.finish()
    return present


class _Absent:
    """Changes of a partial clone whose blobs are not here: counted, never fetched."""

    def __init__(self, root: Path) -> None:
        self.present = _present_blobs(root)
        self.files = 0
        self.blobs: set[str] = set()

    def diffable(self, changes: Sequence[RawChange]) -> list[str]:
        """The paths git can diff without fetching (a deletion whose blob is missing is left out
        too: rename detection would read it)."""
        keep = []
        for change in changes:
            needed = []
            if change.status != "D" and change.new_mode != _GITLINK:
                needed.append(change.new)
            if change.status != "A" and change.old_mode != _GITLINK:
                needed.append(change.old)
            missing = [blob for blob in needed if set(blob) != {"0"} and blob not in self.present]
            if not missing:
                keep.append(change.path)
            elif change.status != "D":
                self.files += 1
                self.blobs.update(missing)
        return keep

    def note(self) -> str:
        files, blobs = self.files, len(self.blobs)
        return (f"partial clone: {files} changed file{'s' if files != 1 else ''} not scanned: "
                f"{blobs} blob{'s' if blobs != 1 else ''} not present locally, and "
                "secret-hygiene never fetches (a full clone has them)")


# Past this many bytes of paths, a diff is not narrowed to a path list (the command line could
# overflow): the patch parser drops an oversized file as it streams by instead.
_LONGEST_PATH_LIST = 256 * 1024


class Comparison:
    """What `diff` and `hook` compare: the index with HEAD, or two commits. Its changes are
    listed once (a raw listing reads no blob) and serve every question about them."""

    def __init__(self, root: Path, options: Sequence[str], revisions: Sequence[str]) -> None:
        self.root = root
        self.options = tuple(options)
        self.revisions = tuple(revisions)
        self._changes: list[RawChange] | None = None

    @classmethod
    def staged(cls, root: Path, head: bool | None = None) -> Comparison:
        """The index against HEAD (the empty tree before the first commit). `head`: whether
        HEAD exists, when the caller knows (None: asked here)."""
        if head is None:
            head = has_head(root)
        return cls(root, ("--cached",), ("HEAD" if head else EMPTY_TREE,))

    @classmethod
    def commits(cls, root: Path, spec: str) -> Comparison:
        """A user's range (see range_ends), checked."""
        return cls(root, (), range_ends(root, spec))

    def changes(self, paths: Sequence[str] = ()) -> list[RawChange]:
        """The changed paths (no rename pairing), those at or under `paths` when given."""
        if self._changes is None:
            self._changes = changed_paths(self.root, self.options, self.revisions)
        if not paths:
            return list(self._changes)
        wanted = {path.rstrip("/") for path in paths}
        if "." in wanted:
            return list(self._changes)
        return [change for change in self._changes if change.path in wanted
                or any(change.path.startswith(path + "/") for path in wanted)]

    def files(self, paths: Sequence[str] = (), *, max_size: int, notes: list[str],
              explicit: bool = False) -> Iterator[SourceFile]:
        """The blobs on the new side with the lines the comparison adds (`explicit`: the
        user named `paths`, so a binary one gets a note)."""
        patch = self._patch(paths, max_size=max_size, notes=notes)
        yield from _patch_sources(self.root, patch, max_size, notes, explicit=explicit)

    def _patch(self, paths: Sequence[str], *, max_size: int, notes: list[str]) -> Iterator[PatchFile]:
        """The patch, without what git need not diff for us: files over max-file-size (their
        sizes are looked up first, so git never diffs them) and, in a partial clone, files
        whose blobs are not here."""
        changes = self.changes(paths)
        if not changes:
            return
        absent = _Absent(self.root) if is_partial_clone(self.root) else None
        keep = set(absent.diffable(changes) if absent is not None else (c.path for c in changes))
        if absent is not None and absent.files:
            notes.append(absent.note())
        added = {change.new: change.path for change in changes if change.path in keep
                 and change.status != "D" and change.new_mode != _GITLINK
                 and set(change.new) != {"0"}}
        for blob, size in blob_sizes(self.root, added).items():
            if size > max_size:
                notes.append(f"{added[blob]}: blob {blob[:12]} is over max-file-size, skipped")
                keep.discard(added[blob])
        pathspec = list(paths)
        if len(keep) < len({change.path for change in changes}):
            if not keep:
                return
            if sum(len(path) + 1 for path in keep) <= _LONGEST_PATH_LIST:
                pathspec = sorted(keep)
        yield from _patches(self.root, ["diff", *self.options, *_DIFF_ARGS, "--end-of-options",
                                        *self.revisions, "--", *pathspec], max_size)


def blob_sizes(root: Path, blobs: Iterable[str]) -> dict[str, int]:
    """Sizes of blobs that are here, by id (reads no content)."""
    wanted = "".join(blob + "\n" for blob in blobs)
    if not wanted:
        return {}
    done = _run(root, ("cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"),
                stdin=wanted.encode("ascii"))
    if done.returncode != 0:
        raise git_failure(("cat-file",), done.returncode, done.stderr)
    sizes = {}
    for row in done.stdout.decode("ascii", "replace").splitlines():
        fields = row.split()
        if len(fields) == 3 and fields[1] == "blob":
            sizes[fields[0]] = int(fields[2])
    return sizes


def range_ends(root: Path, spec: str) -> tuple[str, str]:
    """The two commits a diff range compares: `BASE...HEAD` (from their merge base),
    `BASE..HEAD`, or `BASE` (meaning BASE...HEAD). Each end is checked to be a commit."""
    if "..." in spec:
        left, right = spec.split("...", 1)
    elif ".." in spec:
        left, right = spec.split("..", 1)
        return verify_commit(root, left or "HEAD"), verify_commit(root, right or "HEAD")
    else:
        left, right = spec, "HEAD"
    head = verify_commit(root, right or "HEAD")
    base = verify_commit(root, left or "HEAD")
    merge_base = run_git(root, "merge-base", "--end-of-options", base, head, check=False).strip()
    if not merge_base:
        raise GitError(f"{spec}: the two sides have no common ancestor")
    return merge_base.decode("ascii"), head


def history_revisions(root: Path, spec: str | None) -> list[str]:
    """`git log` arguments for a user's range (`REV`, `A..B`, `A...B`), every end checked and
    given as a commit id, so nothing the user typed reaches git as an option."""
    if spec is None:
        return ["HEAD"]
    for separator in ("...", ".."):
        if separator in spec:
            left, right = spec.split(separator, 1)
            return [verify_commit(root, left or "HEAD") + separator
                    + verify_commit(root, right or "HEAD")]
    return [verify_commit(root, spec)]


def history_files(root: Path, rev_range: str | None, *, max_size: int, notes: list[str],
                  keywords: Sequence[str] | None, path_words: Sequence[str] = (),
                  defer_read: bool = False, all_refs: bool = False, sparse: bool = True,
                  repeats: dict[tuple[str, str], list[str]] | None = None) -> Iterator[SourceFile]:
    """Every commit's changed blobs, oldest first, with that commit's added lines. Blobs whose
    added lines hold none of `keywords`, and whose lower-cased path holds none of `path_words`,
    are never read or scanned (`keywords` None: every blob is). `all_refs`:
    the commits of every ref (branches, tags, remotes, pull requests), not only HEAD's.
    `sparse`: each file as its added lines, its blob read only where an analysis needs it."""
    if all_refs:
        revisions = ["--all"]  # an option, never user text: given before --end-of-options
    elif rev_range is None and not has_head(root):
        return
    else:
        revisions = history_revisions(root, rev_range)
    options = revisions if all_refs else []
    after = [] if all_refs else revisions
    if is_partial_clone(root):
        patch = _partial_history(root, options, after, max_size, notes)
    else:
        patch = _history_patch(root, options, after, max_size)
    yield from _patch_sources(root, patch, max_size, notes, keywords, path_words,
                              defer_read=defer_read, sparse=sparse, repeats=repeats)


# From this many commits on, history is diffed by two git processes at once, each one half of the
# commits (diffing is nearly all of git's time, and one git uses one core); the later half is
# read ahead, at most READ_AHEAD_BYTES held, while the earlier half is parsed.
SPLIT_HISTORY_COMMITS = 1000
READ_AHEAD_BYTES = 32 * 1024 * 1024


def _history_patch(root: Path, options: Sequence[str], revisions: Sequence[str],
                   max_size: int) -> Iterator[PatchFile]:
    """Every commit's patch, oldest first (parents before children): one `git log` over a
    short history, else two over its halves in that order (the same bytes in the same order)."""
    listing = run_git(root, "rev-list", "--reverse", "--topo-order", *options,
                      "--end-of-options", *revisions).split()
    if len(listing) < SPLIT_HISTORY_COMMITS:
        yield from _patches(root, ["log", "--reverse", "--topo-order", *_LOG_ARGS, *options,
                                   "--end-of-options", *revisions], max_size)
        return
    half = len(listing) // 2
    later = GitProcess(root, "log", "--no-walk=unsorted", "--stdin", *_LOG_ARGS, stdin=True)
    assert later.stdin is not None
    with contextlib.suppress(BrokenPipeError):  # git reads every id before it writes a byte
        later.stdin.write(b"\n".join(listing[half:]) + b"\n")
        later.stdin.close()
    ahead = _ReadAhead(later, READ_AHEAD_BYTES)
    finished = False
    try:
        yield from _log_commits(root, [commit.decode("ascii") for commit in listing[:half]],
                                max_size)
        yield from parse_patch(ahead.blocks(), max_size=max_size)
        finished = True
    finally:
        ahead.end(finished)


class _ReadAhead:
    """A git process's output, read by a thread as fast as git writes it (so git runs on,
    on another core) and held in order, at most `limit` bytes: past that git waits."""

    def __init__(self, git: GitProcess, limit: int) -> None:
        import threading
        from collections import deque

        self.git = git
        self.limit = limit
        self.held: deque[bytes] = deque()
        self.size = 0
        self.done = self.stopped = False
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._pump, name="git read-ahead", daemon=True)
        self.thread.start()

    def _pump(self) -> None:
        try:
            for block in self.git.blocks(PATCH_BLOCK):
                with self.changed:
                    while self.size >= self.limit and not self.stopped:
                        self.changed.wait()
                    if self.stopped:
                        return
                    self.held.append(block)
                    self.size += len(block)
                    self.changed.notify_all()
        except (OSError, ValueError):
            pass  # git was stopped under the read (end); finish() says if git failed
        finally:
            with self.changed:
                self.done = True
                self.changed.notify_all()

    def blocks(self) -> Iterator[bytes]:
        while True:
            with self.changed:
                while not self.held and not self.done:
                    self.changed.wait()
                if not self.held:
                    return
                block = self.held.popleft()
                self.size -= len(block)
                self.changed.notify_all()
            yield block

    def end(self, finished: bool) -> None:
        """Wait for the thread and git (GitError when git failed), or, when the reader gave up
        (`finished` False), stop git and the thread without waiting for the rest."""
        if not finished:
            with self.changed:
                self.stopped = True
                self.changed.notify_all()
            with contextlib.suppress(OSError):
                self.git.process.kill()
        self.thread.join()
        if finished:
            self.git.finish()
        else:
            self.git.abandon()


def _partial_history(root: Path, options: Sequence[str], revisions: Sequence[str], max_size: int,
                     notes: list[str]) -> Iterator[PatchFile]:
    """History in a partial clone: each commit's changes are listed first (that reads no blob);
    commits whose blobs are all here are diffed in batches, the others only for what is here."""
    absent = _Absent(root)
    listing = GitProcess(root, "log", "--reverse", "--topo-order", "--format=%x01%H", "--raw",
                         "-z", "--no-renames", "--no-abbrev", "--root", *options,
                         "--end-of-options", *revisions)
    batch: list[str] = []
    finished = False
    try:
        for commit, changes in _raw_commits(_nul_fields(listing.blocks(PATCH_BLOCK))):
            if commit is None or not changes:
                continue
            keep = absent.diffable(changes)
            if len(keep) == len(changes):
                batch.append(commit)
                if len(batch) >= _LOG_BATCH:
                    yield from _log_commits(root, batch, max_size)
                    batch = []
                continue
            yield from _log_commits(root, batch, max_size)
            batch = []
            if keep:
                yield from _patches(root, ["log", "--no-walk", *_LOG_ARGS, "--end-of-options",
                                           commit, "--", *keep], max_size)
        yield from _log_commits(root, batch, max_size)
        finished = True
    finally:
        if finished:
            listing.finish()
        else:
            listing.abandon()
    if absent.files:
        notes.append(absent.note())


def _log_commits(root: Path, commits: Sequence[str], max_size: int) -> Iterator[PatchFile]:
    if commits:
        yield from _patches(root, ["log", "--no-walk=unsorted", "--stdin", *_LOG_ARGS], max_size,
                            stdin="".join(commit + "\n" for commit in commits).encode("ascii"))
