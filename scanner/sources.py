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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

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
        return decode(source.content), None
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


def git_available() -> bool:
    return shutil.which("git") is not None


def run_git(root: Path, *args: str, check: bool = True) -> bytes:
    if not git_available():
        raise GitError("git is not installed or not on PATH")
    env = {**os.environ, **_GIT_ENV}
    try:
        done = subprocess.run(["git", "-c", "core.quotepath=false", *args], cwd=root,
                              capture_output=True, env=env, check=False)
    except OSError as exc:
        raise GitError(f"cannot run git ({exc.strerror})") from None
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[-1] if message else 'exit ' + str(done.returncode)}")
    return done.stdout


def repo_root(path: Path) -> Path:
    """The work tree's top level, or GitError when `path` is not inside a git work tree."""
    if not git_available():
        raise GitError("git is not installed or not on PATH")
    start = path if path.is_dir() else path.parent
    out = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=start, capture_output=True,
                         env={**os.environ, **_GIT_ENV}, check=False)
    if out.returncode != 0:
        raise GitError(f"{path} is not inside a git work tree")
    return Path(os.fsdecode(out.stdout.rstrip(b"\n")))


def has_head(root: Path) -> bool:
    return bool(run_git(root, "rev-parse", "--verify", "-q", "HEAD", check=False).strip())


# -- tree -------------------------------------------------------------------------------------


def tree_files(root: Path, *, all_files: bool = False) -> tuple[list[SourceFile], list[str]]:
    """Files under `root`: in a git work tree the tracked plus untracked-not-ignored files
    (`all_files`: ignored ones too); elsewhere a walk that never follows symlinked directories."""
    notes: list[str] = []
    root_text = str(root)
    if git_available():
        try:
            repo_root(root)
            in_git = True
        except GitError:
            in_git = False
        if in_git:
            args = ["ls-files", "-c", "-o", "-z"] + ([] if all_files else ["--exclude-standard"])
            listed = run_git(root, *args).split(b"\0")
            paths = sorted({path for p in listed if p and not _in_cache_dir(path := os.fsdecode(p))})
            return [SourceFile(path=p, location=os.path.join(root_text, p), root=root_text)
                    for p in paths], notes
    else:
        notes.append(f"{root}: git not found; scanned every file under the directory")
    files = []
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        prefix = os.path.relpath(directory, root).replace(os.sep, "/")  # once per directory
        prefix = "" if prefix == "." else prefix + "/"
        for name in sorted(filenames):
            rel = prefix + name
            if not _in_cache_dir(rel):
                files.append(SourceFile(path=rel, location=os.path.join(directory, name),
                                        root=root_text))
    return files, notes


_CACHE_FILE = re.compile(r"(?:scan-[0-9a-f]+\.bin|\.scan-\w+\.tmp|\.gitignore)")


def _in_cache_dir(path: str) -> bool:
    """Our own cache files (`scan-*.bin`, their temporary files, the `.gitignore` we write) are
    never scanned; anything else under the cache directory is, like any file (with
    --all-files git lists ignored files too)."""
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
    added: set[int]
    added_text: list[bytes]
    commit: str | None = None
    new_file: bool = False  # created by this commit/diff: its one hunk adds every line
    hunks: int = 0


def new_file_content(item: PatchFile) -> bytes | None:
    """A created file's content, rebuilt from its patch (every line is an added line), so its
    blob need not be read from git; None when the patch is not exactly that shape."""
    if not item.new_file or item.hunks != 1 or len(item.added_text) != 1:
        return None
    lines = item.added_text[0].split(b"\n")
    added = [line[1:] for line in lines if line.startswith(b"+")]
    if len(added) != len(item.added) or any(line and not line.startswith((b"+", b"\\"))
                                            for line in lines):
        return None
    # `\ No newline at end of file` follows the last line when the file does not end in one.
    ends_without_newline = any(line.startswith(b"\\") for line in lines)
    return b"\n".join(added) + (b"" if ends_without_newline else b"\n")


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


_PATCH_HEADER = re.compile(rb"\n(?:\x01|diff --git |@@ )[^\n]*")
_HUNK_HEADER = re.compile(rb"@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_SECTION_STARTS = (b"\ndiff --git ", b"\n\x01")
PATCH_BLOCK = 1 << 20


def _patch_sections(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """Re-cut blocks of patch text at file and commit headers, so each piece holds whole files.
    Hunk body lines always start with a prefix character, so a header can never hide in one."""
    pending = bytearray()
    for block in blocks:
        searched_from = max(0, len(pending) - 12)
        pending += block
        cut = max(pending.rfind(start, searched_from) for start in _SECTION_STARTS)
        if cut >= 0:
            yield bytes(pending[:cut + 1])
            del pending[:cut + 1]
    if pending:
        yield bytes(pending)


def _read_file_header(current: PatchFile, header: bytes) -> None:
    for line in header.split(b"\n"):
        if line.startswith(b"new file mode"):
            current.new_file = True
        elif line.startswith(b"index ") and len(line.split()) > 1:
            shas = line.split()[1].split(b"..")
            if len(shas) == 2:
                current.blob = shas[1].decode("ascii", "replace")
        elif line.startswith(b"+++ "):
            target = line[4:]
            if target.endswith(b"\t"):
                target = target[:-1]
            if target == b"/dev/null":
                current.path = ""
            else:
                target = unquote_git_path(target)
                current.path = os.fsdecode(target[2:] if target.startswith(b"b/") else target)


def parse_patch(lines: Iterable[bytes]) -> Iterator[PatchFile]:
    """Files with added lines from `git diff/log -p -U0 --full-index` output, given as lines or
    blocks of any size. Lines starting with \\x01 carry a commit id (our log format).

    Works on blocks, not lines: with -U0 every new-side line of a hunk is added, so the hunk
    header gives the line numbers and the body is kept whole for the keyword prefilter."""
    commit: str | None = None
    for piece in _patch_sections(lines):
        # A leading newline lets one literal-prefixed pattern find headers on every line start.
        section = b"\n" + piece
        current: PatchFile | None = None
        headers = list(_PATCH_HEADER.finditer(section))
        for index, match in enumerate(headers):
            end = headers[index + 1].start() if index + 1 < len(headers) else len(section)
            kind = section[match.start() + 1:match.start() + 2]
            if kind == b"\x01":
                if current is not None and current.added:
                    yield current
                current = None
                commit = match.group()[2:].decode("ascii", "replace").strip()
            elif kind == b"d":
                if current is not None and current.added:
                    yield current
                current = PatchFile(path="", blob=None, added=set(), added_text=[], commit=commit)
                _read_file_header(current, section[match.end():end])
            elif current is not None and current.path:
                hunk = _HUNK_HEADER.match(match.group(), 1)
                if hunk is None:
                    continue
                start = int(hunk.group(1))
                count = 1 if hunk.group(2) is None else int(hunk.group(2))
                if not (start and count):
                    continue
                current.hunks += 1
                current.added.update(range(start, start + count))
                # Removed lines come first in a -U0 hunk; keep the body from the first added line.
                body = section[match.end() + 1:end]
                first_added = 0 if body.startswith(b"+") else body.find(b"\n+") + 1
                if first_added or body.startswith(b"+"):
                    current.added_text.append(body[first_added:])
        if current is not None and current.added:
            yield current


class BlobReader:
    """Reads many blobs through one `git cat-file --batch` process."""

    def __init__(self, root: Path) -> None:
        self._process = subprocess.Popen(["git", "cat-file", "--batch"], cwd=root,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         env={**os.environ, **_GIT_ENV})

    def read(self, object_name: str, max_size: int) -> tuple[bytes | None, str]:
        """(content, kind): content is None for missing, non-blob or oversized objects."""
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(object_name.encode() + b"\n")
        self._process.stdin.flush()
        header = self._process.stdout.readline().split()
        if len(header) < 3:
            return None, "missing"
        kind, size = header[1].decode(), int(header[2])
        content = self._process.stdout.read(size + 1)[:size]
        if kind != "blob":
            return None, kind
        if size > max_size:
            return None, "oversized"
        return content, kind

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        self._process.wait()

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
    return decode(data), None


def close_blob_readers() -> None:
    while _blob_readers:
        _blob_readers.popitem()[1].close()


def _patch_sources(root: Path, patch: Iterable[PatchFile], max_size: int, notes: list[str],
                   keywords: Sequence[str] | None = None, *,
                   defer_read: bool = False) -> Iterator[SourceFile]:
    """The patch's files with added lines, read from git now (text) or where they are scanned
    (`defer_read`: a worker process reads its own blobs, so only ids cross between processes)."""
    from scanner.keywords import index_for

    index = index_for(frozenset(keywords)) if keywords is not None else None
    with contextlib.nullcontext(None) if defer_read else BlobReader(root) as blobs:
        for item in patch:
            if not item.path or not item.blob or set(item.blob) == {"0"}:
                continue
            if index is not None and not index.any_in(b"\n".join(item.added_text)):
                continue
            # In one process, a created file needs no blob read: the patch holds all of it. (With
            # workers, passing them its id is cheaper than passing its bytes.)
            content = None if defer_read else new_file_content(item)
            if content is not None:
                yield SourceFile(path=item.path, content=content, blob=item.blob,
                                 changed_lines=frozenset(item.added), commit=item.commit,
                                 root=str(root))
                continue
            if defer_read:
                yield SourceFile(path=item.path, blob=item.blob, changed_lines=frozenset(item.added),
                                 commit=item.commit, root=str(root))
                continue
            assert blobs is not None
            data, kind = blobs.read(item.blob, max_size)
            if data is None:
                if kind == "oversized":
                    notes.append(f"{item.path}: blob {item.blob[:12]} is over max-file-size, skipped")
                continue
            text = decode(data)
            if text is None:
                continue
            yield SourceFile(path=item.path, text=text, changed_lines=frozenset(item.added),
                             commit=item.commit, root=str(root))


_DIFF_ARGS = ("-U0", "--no-color", "--no-ext-diff", "--full-index", "-M", "--diff-filter=d")


def staged_files(root: Path, paths: Sequence[str] = (), *, max_size: int,
                 notes: list[str]) -> Iterator[SourceFile]:
    """Staged blobs (the index, not the work tree) with the lines the index adds over HEAD."""
    base = "HEAD" if has_head(root) else EMPTY_TREE
    out = run_git(root, "diff", "--cached", *_DIFF_ARGS, base, "--", *paths)
    yield from _patch_sources(root, parse_patch([out]), max_size, notes)


def range_files(root: Path, spec: str, *, max_size: int, notes: list[str]) -> Iterator[SourceFile]:
    """Blobs at the range's head with the lines added by `BASE...HEAD` / `BASE..HEAD` / `BASE`."""
    if "..." in spec:
        base, head = spec.split("...", 1)
        head = head or "HEAD"
        merge_base = run_git(root, "merge-base", base or "HEAD", head).decode().strip()
        args = [merge_base, head]
    elif ".." in spec:
        base, head = spec.split("..", 1)
        args = [base or "HEAD", head or "HEAD"]
    else:
        merge_base = run_git(root, "merge-base", spec, "HEAD").decode().strip()
        args = [merge_base, "HEAD"]
    for rev in args:
        run_git(root, "rev-parse", "--verify", "-q", rev + "^{commit}")
    out = run_git(root, "diff", *_DIFF_ARGS, *args)
    yield from _patch_sources(root, parse_patch([out]), max_size, notes)


def history_files(root: Path, rev_range: str | None, *, max_size: int, notes: list[str],
                  keywords: Sequence[str] | None, defer_read: bool = False) -> Iterator[SourceFile]:
    """Every commit's changed blobs, oldest first, with that commit's added lines. Blobs whose
    added lines hold none of `keywords` are never read (None: read every blob)."""
    if not has_head(root):
        return
    args = ["log", "--reverse", "--topo-order", "--format=%x01%H", "-p", *_DIFF_ARGS]
    args.append(rev_range or "HEAD")
    if git_available():
        process = subprocess.Popen(["git", "-c", "core.quotepath=false", *args], cwd=root,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env={**os.environ, **_GIT_ENV})
    else:
        raise GitError("git is not installed or not on PATH")
    assert process.stdout is not None
    stdout = process.stdout
    blocks = iter(lambda: stdout.read(PATCH_BLOCK), b"")
    try:
        yield from _patch_sources(root, parse_patch(blocks), max_size, notes, keywords,
                                  defer_read=defer_read)
    finally:
        process.stdout.close()
        stderr = process.stderr.read() if process.stderr else b""
        code = process.wait()
    if code != 0:
        message = stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git log failed: {message[-1] if message else 'exit ' + str(code)}")
