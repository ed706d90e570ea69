"""Worker processes for big scans: forked workers on Linux that inherit the sources and the plan,
an executor pool elsewhere and for streams (history). Results come back in source order.

A forked worker gets its job through its target's arguments; a stream's executor worker gets
the plan once, from its initializer (the one module-level state, set in the worker only)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from scanner.engine.runner import FileResult, Settings, scan_source
from scanner.sources import SourceFile

if TYPE_CHECKING:
    from concurrent.futures import Future

    from scanner.engine.plan import Plan

PARALLEL_MIN_FILES = 200
# Linux forks cheaply and safely here (no threads yet); elsewhere the executor pool is used.
_FORK = sys.platform.startswith("linux")
CHUNK_SIZE = 64
# A tree scan's chunks also stop at this many bytes (plus a per-file allowance), so big files
# travel alone and the workers finish together.
CHUNK_BYTES = 256 * 1024
FILE_OVERHEAD_BYTES = 2048

Sent = FileResult | str | tuple[str] | None


class WorkerError(Exception):
    """A worker process died before finishing its files (one line; the scan's result is void)."""


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a worker just forked from `parent`: on Linux the kernel kills it the moment the parent
    dies (SIGKILL, SIGTERM, a crash), so no worker scans on for nobody."""
    if sys.platform.startswith("linux"):
        import contextlib
        import ctypes
        import signal

        # No prctl (another libc): the check below still runs.
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _scan_chunk(plan: Plan, settings: Settings, chunk: list[SourceFile]) -> list[Sent]:
    return [_compact(scan_source(source, plan, settings)) for source in chunk]


# A stream's worker: its plan and settings, given once when it starts. Sent with every chunk,
# the plan was unpickled again each time and its caches (gate patterns, keyword databases,
# extractors per file kind) rebuilt: 0.5 s of CPU over flask's full history.
_stream_job: tuple[Plan, Settings] | None = None


def _start_stream_worker(parent: int, plan: Plan, settings: Settings) -> None:
    global _stream_job
    die_with_parent(parent)
    _stream_job = (plan, settings)


def _scan_stream_chunk(chunk: list[SourceFile]) -> list[Sent]:
    assert _stream_job is not None, "a stream chunk runs in a worker started by run_files"
    return _scan_chunk(*_stream_job, chunk)


def _expand(source: SourceFile, sent: Sent) -> FileResult:
    """The parent's side of `_compact`: a full result again."""
    if isinstance(sent, FileResult):
        return sent
    if isinstance(sent, tuple):  # a cache hit
        return FileResult(path=source.path, digest=sent[0], cached=True)
    return FileResult(path=source.path, scanned=True, changed_lines=source.changed_lines,
                      commit=source.commit, digest=sent, cacheable=sent is not None)


def _trivial(result: FileResult) -> bool:
    """A scanned file with nothing to say: sent back from a worker as its digest (or None)."""
    return result.says_nothing() and not result.timings \
        and (result.digest is None or result.cacheable)


def _compact(result: FileResult) -> Sent:
    """What a worker sends for a result: None or the digest (trivial), (digest,) (a cache hit,
    which the parent holds already), else the result itself."""
    if result.cached and result.digest is not None:
        return (result.digest,)
    return (result.digest if result.digest is not None else None) if _trivial(result) else result


def _size(source: SourceFile) -> int:
    if source.text is not None:
        return len(source.text)
    try:
        return os.lstat(source.location or source.path).st_size
    except OSError:
        return 0


def balanced_chunks(sources: Sequence[SourceFile]) -> list[list[int]]:
    """Indexes of `sources` in chunks, largest files first (longest-processing-time-first
    scheduling): a big file handed out last would leave the other workers idle at the end."""
    sizes = [_size(source) for source in sources]
    order = sorted(range(len(sources)), key=lambda index: -sizes[index])
    chunks: list[list[int]] = []
    chunk: list[int] = []
    weight = 0
    for index in order:
        chunk.append(index)
        weight += sizes[index] + FILE_OVERHEAD_BYTES
        if len(chunk) >= CHUNK_SIZE or weight >= CHUNK_BYTES:
            chunks.append(chunk)
            chunk, weight = [], 0
    if chunk:
        chunks.append(chunk)
    return chunks


@dataclass(frozen=True)
class _ForkJob:
    """What a forked worker inherits: the listed sources, the plan, the chunks, the cursor."""

    sources: Sequence[SourceFile]
    plan: Plan
    settings: Settings
    chunks: list[list[int]]
    cursor: Any
    lock: Any
    parent: int


def _forked_worker(connection: Any, job: _ForkJob) -> None:
    die_with_parent(job.parent)
    try:
        while True:
            with job.lock:
                number = job.cursor.value
                job.cursor.value += 1
            if number >= len(job.chunks):
                break
            results = [scan_source(job.sources[index], job.plan, job.settings)
                       for index in job.chunks[number]]
            connection.send((number, [_compact(r) for r in results]))
    finally:
        connection.send(None)
        connection.close()


def _run_forked(sources: Sequence[SourceFile], plan: Plan, settings: Settings,
                jobs: int) -> Iterator[FileResult]:
    """A listed scan on a platform that forks: the workers inherit the sources and the plan
    (nothing is pickled on the way out), take chunks from a shared cursor, largest files first,
    and send back only the results that hold something. Results are yielded in source order."""
    import multiprocessing
    from multiprocessing.connection import Connection, wait

    context = multiprocessing.get_context("fork")
    chunks = balanced_chunks(sources)
    job = _ForkJob(sources, plan, settings, chunks, context.RawValue("i", 0), context.Lock(),
                   os.getpid())
    workers, connections = [], []
    for _ in range(min(jobs, len(chunks))):
        receiver, sender = context.Pipe(duplex=False)
        worker = context.Process(target=_forked_worker, args=(sender, job), daemon=True)
        worker.start()
        sender.close()
        workers.append(worker)
        connections.append(receiver)
    ready: dict[int, FileResult] = {}
    next_index = 0
    open_connections = list(connections)
    try:
        while open_connections:
            for connection in wait(open_connections):
                assert isinstance(connection, Connection)
                try:
                    message: tuple[int, list[Sent]] | None = connection.recv()
                except EOFError:
                    message = None
                if message is None:
                    open_connections.remove(connection)
                    continue
                number, results = message
                for index, sent in zip(chunks[number], results, strict=True):
                    ready[index] = _expand(sources[index], sent)
            while next_index in ready:
                yield ready.pop(next_index)
                next_index += 1
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()
        for connection in connections:
            connection.close()
    if next_index != len(sources):  # a worker died (killed, out of memory): fail, loudly
        raise WorkerError(f"a scan worker stopped early (killed or out of memory); "
                          f"{len(sources) - next_index} files were not scanned")


def _run_listed(sources: Sequence[SourceFile], plan: Plan, settings: Settings,
                jobs: int) -> Iterator[FileResult]:
    """A known list of files on a platform without fork: every chunk queued at once, biggest
    first; results are buffered and yielded in source order."""
    # Imported here: the pool (and the logging/multiprocessing it loads) costs the hook start-up.
    from concurrent.futures import ProcessPoolExecutor

    settings = replace(settings, cache=None)  # the cache stays in the parent (never pickled)
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=die_with_parent,
                               initargs=(os.getpid(),))
    try:
        submitted = [(chunk, pool.submit(_scan_chunk, plan, settings,
                                         [sources[index] for index in chunk]))
                     for chunk in balanced_chunks(sources)]
        ready: dict[int, FileResult] = {}
        next_index = 0
        for chunk, future in submitted:
            for index, sent in zip(chunk, future.result(), strict=True):
                ready[index] = _expand(sources[index], sent)
            while next_index in ready:
                yield ready.pop(next_index)
                next_index += 1
    finally:
        # A consumer that stops early must not wait for the rest of the queue.
        pool.shutdown(wait=True, cancel_futures=True)


def run_files(sources: Iterable[SourceFile], plan: Plan, settings: Settings, *, jobs: int,
              expected: int | None = None) -> Iterator[FileResult]:
    """Results in source order. A pool only when jobs > 1 and the scan is big enough to pay.
    `expected` (a count) marks a finite list, scheduled by size; None marks a stream (history)."""
    if jobs <= 1 or (expected is not None and expected < PARALLEL_MIN_FILES):
        for source in sources:
            yield scan_source(source, plan, settings)
        return
    if expected is not None:
        listed = list(sources)
        if _FORK:
            yield from _run_forked(listed, plan, settings, jobs)
        else:
            yield from _run_listed(listed, plan, settings, jobs)
        return
    yield from _run_stream(sources, plan, settings, jobs)


# A stream keeps this many chunks per worker queued or running, and holds at most STREAM_HELD
# chunks (done or not) waiting for an earlier one to finish, so memory stays flat.
STREAM_QUEUED = 3
STREAM_HELD = 64


def _stream_size(source: SourceFile) -> int:
    """What a history source weighs before it is read: its added text (or its text)."""
    if source.text is not None:
        return len(source.text)
    if source.patch is not None:
        return sum(map(len, source.patch.added_text))
    return len(source.content or b"")


def _stream_chunks(sources: Iterable[SourceFile]) -> Iterator[list[SourceFile]]:
    """Chunks of a stream: CHUNK_SIZE sources, or fewer when they weigh CHUNK_BYTES (a commit
    of large created files is spread over the workers instead of landing on one)."""
    chunk: list[SourceFile] = []
    weight = 0
    for source in sources:
        chunk.append(source)
        weight += _stream_size(source) + FILE_OVERHEAD_BYTES
        if len(chunk) >= CHUNK_SIZE or weight >= CHUNK_BYTES:
            yield chunk
            chunk, weight = [], 0
    if chunk:
        yield chunk


def _run_stream(sources: Iterable[SourceFile], plan: Plan, settings: Settings,
                jobs: int) -> Iterator[FileResult]:
    """A stream (history) over an executor pool: chunks are sent as the stream yields them, and
    a new one goes out as soon as any chunk is done (waiting for the oldest left a worker idle
    behind one slow chunk). Results are yielded in source order."""
    from collections import deque
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_stream_worker,
                             initargs=(os.getpid(), plan, settings)) as pool:
        # Fork the workers before the first source is read. A stream (history) opens git pipes
        # as it goes; a worker forked after that holds their write ends, so `git cat-file`
        # never sees end of input and the scan hangs when the stream closes it.
        pool.submit(int).result()
        order: deque[tuple[list[SourceFile], Future[list[Sent]]]] = deque()
        running: set[Future[list[Sent]]] = set()

        def finished() -> Iterator[FileResult]:
            while order and order[0][1].done():
                chunk, future = order.popleft()
                yield from map(_expand, chunk, future.result())

        for chunk in _stream_chunks(sources):
            future = pool.submit(_scan_stream_chunk, chunk)
            order.append((chunk, future))
            running.add(future)
            while len(running) >= jobs * STREAM_QUEUED or len(order) >= STREAM_HELD:
                running = wait(running, return_when=FIRST_COMPLETED).not_done
                yield from finished()
            yield from finished()
        for chunk, future in order:
            yield from map(_expand, chunk, future.result())
