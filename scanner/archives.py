"""Archives opened for `scan --max-archive-depth N`: zip, jar, whl, tar, tar.gz/tgz, tar.bz2 and
tar.xz members become sources named `archive.zip!member/path`, read in memory with limits.

Each member is read up to the size limit and no further (a zip bomb never inflates past it); the
members of one archive add up to at most MAX_ARCHIVE_BYTES; an archive inside an archive is opened
while the depth allows. Anything skipped is a one-line note, and the scan goes on."""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO

from scanner.sources import SourceFile

ZIP_SUFFIXES = (".zip", ".jar", ".whl", ".war", ".ear", ".apk", ".nupkg", ".egg")
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
# What all members of one archive may add up to, read in memory.
MAX_ARCHIVE_BYTES = 256 * 1024 * 1024
# The most members read from one archive.
MAX_MEMBERS = 100_000


def is_archive(path: str) -> bool:
    lower = path.lower()
    return lower.endswith(ZIP_SUFFIXES) or lower.endswith(TAR_SUFFIXES)


def expand(sources: Iterable[SourceFile], *, depth: int, member_limit: int,
           notes: list[str]) -> Iterator[SourceFile]:
    """Every source, with each archive (up to `depth` levels) replaced by its members."""
    for source in sources:
        if depth < 1 or not is_archive(source.path):
            yield source
            continue
        opened = _members(source, depth, member_limit, notes)
        if opened is None:
            yield source  # not an archive after all, or unreadable: scanned (and noted) as a file
        else:
            yield from opened


def _open(source: SourceFile) -> IO[bytes] | None:
    if source.content is not None:
        return io.BytesIO(source.content)
    if source.location is None:
        return None
    try:
        return open(source.location, "rb")
    except OSError:
        return None


def _members(source: SourceFile, depth: int, member_limit: int,
             notes: list[str]) -> Iterator[SourceFile] | None:
    stream = _open(source)
    if stream is None:
        return None
    try:
        if zipfile.is_zipfile(stream):
            stream.seek(0)
            members = list(_zip_members(source.path, stream, member_limit, notes))
        else:
            stream.seek(0)
            members = list(_tar_members(source.path, stream, member_limit, notes))
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, ValueError,
            NotImplementedError, RuntimeError) as exc:
        notes.append(f"{source.path}: cannot open archive ({exc}), scanned as a file")
        return None
    finally:
        stream.close()
    return expand(members, depth=depth - 1, member_limit=member_limit, notes=notes)


def _member(archive: str, name: str, data: bytes) -> SourceFile:
    return SourceFile(path=f"{archive}!{name.lstrip('/')}", content=data)


def _zip_members(archive: str, stream: IO[bytes], member_limit: int,
                 notes: list[str]) -> Iterator[SourceFile]:
    total = 0
    with zipfile.ZipFile(stream) as bundle:
        for count, info in enumerate(bundle.infolist()):
            if info.is_dir():
                continue
            if count >= MAX_MEMBERS or total >= MAX_ARCHIVE_BYTES:
                notes.append(f"{archive}: more than the archive limit, the rest not scanned")
                return
            if info.flag_bits & 0x1:
                notes.append(f"{archive}!{info.filename}: encrypted, not scanned")
                continue
            with bundle.open(info) as member:
                data = member.read(member_limit + 1)  # never inflates past the limit
            if len(data) > member_limit:
                notes.append(f"{archive}!{info.filename}: over the size limit of {member_limit} "
                             "bytes, not scanned")
                continue
            total += len(data)
            yield _member(archive, info.filename, data)


def _tar_members(archive: str, stream: IO[bytes], member_limit: int,
                 notes: list[str]) -> Iterator[SourceFile]:
    total = 0
    with tarfile.open(fileobj=stream, mode="r:*") as bundle:
        for count, info in enumerate(bundle):
            if not info.isfile():
                continue  # links, devices and directories hold nothing to read
            if count >= MAX_MEMBERS or total >= MAX_ARCHIVE_BYTES:
                notes.append(f"{archive}: more than the archive limit, the rest not scanned")
                return
            if info.size > member_limit:
                notes.append(f"{archive}!{info.name}: over the size limit of {member_limit} "
                             "bytes, not scanned")
                continue
            member = bundle.extractfile(info)
            if member is None:
                continue
            data = member.read(member_limit + 1)
            total += len(data)
            yield _member(archive, info.name, data)
