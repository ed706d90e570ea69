"""The engine: read each source, prefilter by keywords, run the rules, apply suppression.

Big scans fan out to a process pool; small ones stay in-process so the hook starts fast."""

from __future__ import annotations

import codecs
import hashlib
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.credentials import credential_literals_in
from scanner.finding import Finding, Summary
from scanner.keywords import KeywordIndex, index_for
from scanner.parsed import FileKind, ParsedFile
from scanner.redact import (
    SecretValues,
    as_values,
    printable,
    redact_text,
    snippet,
    snippet_window,
)
from scanner.rules import Project, ProjectRule, Rule
from scanner.sources import BINARY_SKIPPED, SourceFile, decode_file, read_file_bytes, read_source
from scanner.suppress import PathIgnores, inline_directives, is_inline_suppressed

if TYPE_CHECKING:
    from concurrent.futures import Future

    from scanner.cache import ResultCache

PARALLEL_MIN_FILES = 200
# Linux forks cheaply and safely here (no threads yet); elsewhere the executor pool is used.
_FORK = sys.platform.startswith("linux")
CHUNK_SIZE = 64
# A tree scan's chunks also stop at this many bytes (plus a per-file allowance), so big files
# travel alone and the workers finish together.
CHUNK_BYTES = 256 * 1024
FILE_OVERHEAD_BYTES = 2048


class WorkerError(Exception):
    """A worker process died before finishing its files (one line; the scan's result is void)."""


@dataclass
class FileResult:
    path: str
    scanned: bool = False
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    suppressed: int = 0
    changed_lines: frozenset[int] | None = None
    directives: dict[int, frozenset[str]] = field(default_factory=dict)
    commit: str | None = None
    binary: bool = False  # skipped as binary; reported in one summary note per scan
    # The results cache: the content digest of a file read from disk (None when not cached),
    # whether the result may be stored (no secret seen), and whether it came from the cache.
    digest: str | None = None
    cacheable: bool = False
    cached: bool = False


@dataclass
class ScanResult:
    findings: list[Finding]
    summary: Summary


def _touches(finding: Finding, changed: frozenset[int] | None) -> bool:
    if changed is None:
        return True
    return any(line in changed for line in range(finding.line, finding.end_line + 1))


# Words the engine itself looks for: inline suppression directives.
_DIRECTIVE_WORDS = ("secret-hygiene", "pragma")


@dataclass(frozen=True)
class _Plan:
    """Per rule set: the one-pass keyword index, and each rule's gate words (None: no gate)."""

    index: KeywordIndex
    gates: tuple[frozenset[str] | None, ...]


_plans: dict[tuple[type[Rule], ...], _Plan] = {}


def _plan(rules: Sequence[Rule]) -> _Plan:
    key = tuple(type(rule) for rule in rules)
    plan = _plans.get(key)
    if plan is None:
        words = {word for rule in rules for word in rule.words()}
        index = index_for(frozenset(words | set(_DIRECTIVE_WORDS)))
        gates = []
        for rule in rules:
            gate = rule.gate_words()
            # A gate holds only words the index finds; otherwise the rule is always asked.
            gates.append(frozenset(gate) if gate and set(gate) <= index.tokens else None)
        plan = _plans[key] = _Plan(index, tuple(gates))
    return plan


def keyword_index(rules: Sequence[Rule]) -> KeywordIndex:
    """The one-pass keyword index for this rule set (built once per process)."""
    return _plan(rules).index


def scan_text(file: ParsedFile, rules: Sequence[Rule]) -> FileResult:
    """Run `rules` over one parsed file: findings (inline-suppressed and diff-filtered), notes,
    and project-rule facts. A rule that raises becomes a note; the other rules still run."""
    plan = _plan(rules)
    present: frozenset[str] | None = None
    if plan.index.accelerated:
        if file.keyword_index is None:
            file.keyword_index = plan.index
        if file.keyword_index is plan.index:
            present = file.keywords_present()
    result = FileResult(path=file.path, scanned=True, changed_lines=file.changed_lines,
                        commit=file.commit)
    raw: list[Finding] = []
    for rule, gate in zip(rules, plan.gates, strict=True):
        if (present is not None and gate is not None and present.isdisjoint(gate)) \
                or not rule.applies_to(file):
            continue
        try:
            if isinstance(rule, ProjectRule):
                facts = rule.collect(file)
                if facts is not None:
                    result.facts[rule.id] = facts
                    # Facts keep source lines for snippets: their credential literals are
                    # redacted from the findings and keep the result out of the cache.
                    file.secrets_seen.update(credential_literals_in(
                        text for text in _strings_in(facts) if "'" in text or '"' in text
                        or "`" in text))
            else:
                raw.extend(rule.check(file))
        except Exception as exc:  # a rule bug must not cost the other rules or files
            result.notes.append(f"{file.path}: rule {rule.id} failed ({type(exc).__name__}); "
                                "the other rules still ran")
    result.notes.extend(file.notes)
    if file.has_any(_DIRECTIVE_WORDS) and ("secret-hygiene" in file.text or "pragma" in file.text):
        result.directives = inline_directives(file.lines)
    secrets = file.secrets_seen
    raw = redact_late(raw, secrets, file.line_text,
                      lambda finding, value: _late(secrets, finding, value))
    for finding in raw:
        if not _touches(finding, file.changed_lines):
            continue
        if is_inline_suppressed(finding, result.directives):
            result.suppressed += 1
            continue
        result.findings.append(finding)
    return result


def _strings_in(facts: Any) -> Iterator[str]:
    """Every distinct string held in a rule's facts (dataclasses, sequences, mappings)."""
    import dataclasses

    stack, seen, texts = [facts], set(), set()
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item not in texts:
                texts.add(item)
                yield item
        elif id(item) in seen:
            continue
        elif isinstance(item, dict):
            seen.add(id(item))
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            seen.add(id(item))
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            seen.add(id(item))
            stack.extend(getattr(item, field.name) for field in dataclasses.fields(item))


def _late(secrets: SecretValues, finding: Finding, value: str) -> bool:
    known = secrets.known_when(finding)
    return known is None or secrets.number(value) >= known


def redact_late(findings: list[Finding], secrets: SecretValues, line_text: Callable[[int], str],
                is_late: Callable[[Finding, str], bool]) -> list[Finding]:
    """Findings made before a value on their line was known (another rule's secret, a later
    finding's) get their snippet made again, and every message is redacted against every value.
    Linear in the findings: each line window is searched once through the value index."""
    if not secrets:
        return findings
    found_on: dict[int, list[str]] = {}  # line -> values in it (lines short enough to be whole)
    out = []
    for finding in findings:
        text = line_text(finding.line)
        window, _, cut_before, cut_after = snippet_window(text, finding.column, secrets.longest)
        if cut_before or cut_after:
            found = secrets.occurring_in(window)
        else:
            cached = found_on.get(finding.line)
            found = cached if cached is not None else found_on.setdefault(
                finding.line, secrets.occurring_in(window))
        if any(is_late(finding, value) for value in found):
            finding = finding.with_changes(snippet=snippet(text, finding.column, secrets))
        message = redact_text(finding.message, secrets)
        out.append(finding if message == finding.message else finding.with_changes(message=message))
    return out


# The scan's results cache (set by `scan` for its duration; forked workers inherit it).
_cache: ResultCache | None = None


# Files that decode() does not read as plain UTF-8: their text re-encodes to other bytes.
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE,
         codecs.BOM_UTF32_BE)


def scan_source(source: SourceFile, rules: Sequence[Rule], max_size: int) -> FileResult:
    digest = data = None
    if source.location is not None and source.text is None and source.blob is None \
            and source.content is None:
        data, note = read_file_bytes(source, max_size)
        if data is not None:
            if _cache is not None and source.changed_lines is None and source.commit is None:
                digest = hashlib.blake2b(data, digest_size=16).hexdigest()
                if _cache.lookup(source.path, digest) is not None:
                    return FileResult(path=source.path, digest=digest, cached=True)
            text, note = decode_file(source, data)
        else:
            text = None
    else:
        text, note = read_source(source, max_size)
    if text is None:
        if note is not None and not source.explicit and note.endswith(": " + BINARY_SKIPPED):
            return FileResult(path=source.path, binary=True)
        return FileResult(path=source.path, notes=[note] if note else [])
    file = ParsedFile(source.path, text, changed_lines=source.changed_lines, commit=source.commit)
    if data is not None and not data.startswith(_BOMS):
        file.__dict__["utf8"] = data  # decoded as UTF-8 (escapes kept): the same bytes again
    if file.kind is FileKind.NOTEBOOK:
        from scanner.notebooks import scan_notebook

        return scan_notebook(file, rules)
    result = scan_text(file, rules)
    result.digest = digest
    result.cacheable = digest is not None and _holds_none_of(result, file.secrets_seen)
    return result


def _holds_none_of(result: FileResult, secrets: Iterable[str]) -> bool:
    """Whether the stored form of `result` is free of every secret a rule saw in the file:
    reports are redacted already, and a result that still held one (in a rule's facts) would
    never be written to the cache."""
    if not secrets:
        return True
    import pickle

    stored = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    values = as_values(secrets)
    # One pass through the value index (a file may hold thousands), not one search per value.
    if values.occurring_in(stored.decode("utf-8", "surrogateescape")):
        return False
    # A value with undecodable bytes is stored as pickle encodes it: searched on its own (rare).
    return not any(secret.encode("utf-8", "surrogatepass") in stored
                   for secret in values if printable(secret) != secret)


# -- worker processes -------------------------------------------------------------------------

_worker_rules: list[Rule] = []
_worker_max_size = 0


def _init_worker(rules: list[Rule], max_size: int, parent: int | None = None) -> None:
    global _worker_max_size
    if parent is not None:
        die_with_parent(parent)
    _worker_rules[:] = rules
    _worker_max_size = max_size


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


def _scan_chunk(chunk: list[SourceFile]) -> list[FileResult | str | tuple[str] | None]:
    return [_compact(scan_source(source, _worker_rules, _worker_max_size)) for source in chunk]


def _expand(source: SourceFile, sent: FileResult | str | tuple[str] | None) -> FileResult:
    """The parent's side of `_compact`: a full result again."""
    if isinstance(sent, FileResult):
        return sent
    if isinstance(sent, tuple):  # a cache hit
        return FileResult(path=source.path, digest=sent[0], cached=True)
    return FileResult(path=source.path, scanned=True, changed_lines=source.changed_lines,
                      commit=source.commit, digest=sent, cacheable=sent is not None)


def _chunks(sources: Iterable[SourceFile], size: int) -> Iterator[list[SourceFile]]:
    chunk: list[SourceFile] = []
    for source in sources:
        chunk.append(source)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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


def _trivial(result: FileResult) -> bool:
    """A scanned file with nothing to say: sent back from a worker as its digest (or None)."""
    return (result.scanned and not result.findings and not result.notes and not result.facts
            and not result.suppressed and not result.directives and not result.binary
            and (result.digest is None or result.cacheable))


def _compact(result: FileResult) -> FileResult | str | tuple[str] | None:
    """What a forked worker sends for a result: None or the digest (trivial), (digest,) (a cache
    hit, which the parent holds already), else the result itself."""
    if result.cached and result.digest is not None:
        return (result.digest,)
    return (result.digest if result.digest is not None else None) if _trivial(result) else result


# What a forked worker inherits: the listed sources, the rules, the chunks and the shared cursor.
_forked: tuple[Sequence[SourceFile], Sequence[Rule], int, list[list[int]], Any, Any, int] | None = None


def _forked_worker(connection: Any) -> None:
    assert _forked is not None
    sources, rules, max_size, chunks, cursor, lock, parent = _forked
    die_with_parent(parent)
    try:
        while True:
            with lock:
                number = cursor.value
                cursor.value += 1
            if number >= len(chunks):
                break
            results = [scan_source(sources[index], rules, max_size) for index in chunks[number]]
            connection.send((number, [_compact(r) for r in results]))
    finally:
        connection.send(None)
        connection.close()


def _run_forked(sources: Sequence[SourceFile], rules: Sequence[Rule], max_size: int,
                jobs: int) -> Iterator[FileResult]:
    """A listed scan on a platform that forks: the workers inherit the sources and rules (nothing
    is pickled on the way out), take chunks from a shared cursor, largest files first, and send
    back only the results that hold something. Results are yielded in source order."""
    import multiprocessing
    from multiprocessing.connection import Connection, wait

    global _forked
    context = multiprocessing.get_context("fork")
    chunks = balanced_chunks(sources)
    lock = context.Lock()
    _forked = (sources, rules, max_size, chunks, context.RawValue("i", 0), lock, os.getpid())
    workers, connections = [], []
    try:
        for _ in range(min(jobs, len(chunks))):
            receiver, sender = context.Pipe(duplex=False)
            worker = context.Process(target=_forked_worker, args=(sender,), daemon=True)
            worker.start()
            sender.close()
            workers.append(worker)
            connections.append(receiver)
    finally:
        _forked = None
    ready: dict[int, FileResult] = {}
    next_index = 0
    open_connections = list(connections)
    try:
        while open_connections:
            for connection in wait(open_connections):
                assert isinstance(connection, Connection)
                try:
                    message: tuple[int, list[FileResult | str | tuple[str] | None]] | None = \
                        connection.recv()
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


def _run_listed(sources: Sequence[SourceFile], rules: Sequence[Rule], max_size: int,
                jobs: int) -> Iterator[FileResult]:
    """A known list of files: every chunk queued at once, biggest first; results are buffered
    and yielded in source order, so the output does not depend on scheduling."""
    # Imported here: the pool (and the logging/multiprocessing it loads) costs the hook start-up.
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                               initargs=(list(rules), max_size, os.getpid()))
    try:
        submitted = [(chunk, pool.submit(_scan_chunk, [sources[index] for index in chunk]))
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


def run_files(sources: Iterable[SourceFile], rules: Sequence[Rule], *, max_size: int,
              jobs: int, expected: int | None = None) -> Iterator[FileResult]:
    """Results in source order. A pool only when jobs > 1 and the scan is big enough to pay.
    `expected` (a count) marks a finite list, scheduled by size; None marks a stream (history)."""
    if jobs <= 1 or (expected is not None and expected < PARALLEL_MIN_FILES):
        for source in sources:
            yield scan_source(source, rules, max_size)
        return
    if expected is not None:
        listed = list(sources)
        if _FORK:
            yield from _run_forked(listed, rules, max_size, jobs)
        else:
            yield from _run_listed(listed, rules, max_size, jobs)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                             initargs=(list(rules), max_size, os.getpid())) as pool:
        # Fork the workers before the first source is read. A stream (history) opens git pipes
        # as it goes; a worker forked after that holds their write ends, so `git cat-file`
        # never sees end of input and the scan hangs when the stream closes it.
        pool.submit(int).result()
        pending: list[tuple[list[SourceFile], Future[list[FileResult | str | tuple[str] | None]]]] = []
        # Keep a bounded window of chunks in flight so memory stays flat on huge scans.
        for chunk in _chunks(sources, CHUNK_SIZE):
            pending.append((chunk, pool.submit(_scan_chunk, chunk)))
            if len(pending) >= jobs * 3:
                done, future = pending.pop(0)
                yield from map(_expand, done, future.result())
        for done, future in pending:
            yield from map(_expand, done, future.result())


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def scan(
    sources: Iterable[SourceFile],
    rules: Sequence[Rule],
    *,
    max_size: int,
    jobs: int = 1,
    expected: int | None = None,
    project_loader: Callable[[str], ParsedFile | None] = lambda path: None,
    project_paths: Callable[[], tuple[str, ...]] = lambda: (),
    path_ignores: PathIgnores | None = None,
    baseline: frozenset[str] = frozenset(),
    dedupe_commits: bool = False,
    on_file: Callable[[str], None] | None = None,
    notes: Sequence[str] = (),
    cache: ResultCache | None = None,
) -> ScanResult:
    """Scan every source and return sorted, suppressed findings with the summary. With a
    `cache`, files read from disk whose content it knows are not scanned again."""
    global _cache
    _cache = cache
    try:
        return _scan(sources, rules, max_size=max_size, jobs=jobs, expected=expected,
                     project_loader=project_loader, project_paths=project_paths,
                     path_ignores=path_ignores, baseline=baseline, dedupe_commits=dedupe_commits,
                     on_file=on_file, notes=notes, cache=cache)
    finally:
        _cache = None


def _scan(
    sources: Iterable[SourceFile],
    rules: Sequence[Rule],
    *,
    max_size: int,
    jobs: int,
    expected: int | None,
    project_loader: Callable[[str], ParsedFile | None],
    project_paths: Callable[[], tuple[str, ...]],
    path_ignores: PathIgnores | None,
    baseline: frozenset[str],
    dedupe_commits: bool,
    on_file: Callable[[str], None] | None,
    notes: Sequence[str],
    cache: ResultCache | None,
) -> ScanResult:
    summary = Summary(errors=list(notes))
    findings: list[Finding] = []
    facts: dict[str, dict[str, Any]] = {}
    # Per scanned file, what project-rule findings need: changed lines, inline ignores, commit.
    context: dict[str, tuple[frozenset[int] | None, dict[int, frozenset[str]], str | None]] = {}
    project_rules = [r for r in rules if isinstance(r, ProjectRule)]
    binary: list[str] = []
    for result in run_files(sources, rules, max_size=max_size, jobs=jobs, expected=expected):
        digest = result.digest
        if cache is not None and digest is not None:
            if result.cached:
                known = cache.lookup(result.path, digest)
                assert known is not None
                result = known
                cache.hits += 1
            if result.cacheable:
                cache.keep(result.path, digest, result)
        if on_file is not None:
            on_file(result.path)
        summary.errors.extend(result.notes)
        summary.suppressed += result.suppressed
        if result.binary:
            binary.append(result.path)
        if not result.scanned:
            continue
        summary.files_scanned += 1
        findings.extend(result.findings)
        for rule_id, rule_facts in result.facts.items():
            facts.setdefault(rule_id, {})[result.path] = rule_facts
        if project_rules:
            context[result.path] = (result.changed_lines, result.directives, result.commit)
    if binary:
        summary.errors.append(binary_note(binary))
    if project_rules:
        project = Project(scanned_paths=tuple(sorted(context)), load=project_loader,
                          all_paths=project_paths)
        for rule in project_rules:
            try:
                produced = list(rule.check_project(facts.get(rule.id, {}), project))
            except Exception as exc:
                summary.errors.append(f"rule {rule.id} failed across the project ({type(exc).__name__})")
                continue
            for finding in produced:
                origin = context.get(finding.path)
                if origin is None:
                    # A file the rule loaded on its own was not asked for (excluded, or not in
                    # the diff): it only informs the verdict on scanned files.
                    continue
                changed_lines, directives, commit = origin
                if not _touches(finding, changed_lines):
                    continue
                if commit and finding.commit is None:
                    finding = finding.with_changes(commit=commit)
                if is_inline_suppressed(finding, directives):
                    summary.suppressed += 1
                    continue
                findings.append(finding)
    if dedupe_commits:
        findings = first_commit_only(findings)
    kept = []
    for finding in findings:
        if (path_ignores is not None and path_ignores.ignores(finding)) or finding.fingerprint in baseline:
            summary.suppressed += 1
        else:
            kept.append(finding)
    kept.sort(key=Finding.sort_key)
    summary.findings = len(kept)
    summary.by_category = dict(Counter(f.category.value for f in kept))
    return ScanResult(kept, summary)


def binary_note(paths: Sequence[str], shown: int = 5) -> str:
    """One line for every binary file a tree scan skipped: how many, and the first few."""
    names = ", ".join(paths[:shown]) + (f" and {len(paths) - shown} more" if len(paths) > shown else "")
    return f"{len(paths)} binary file{'s' if len(paths) != 1 else ''} skipped ({names})"


def first_commit_only(findings: Iterable[Finding]) -> list[Finding]:
    """History: each fingerprint once, at the first commit (sources arrive oldest first),
    with the number of commits that added it."""
    first: dict[str, Finding] = {}
    commits: dict[str, set[str]] = {}
    for finding in findings:
        first.setdefault(finding.fingerprint, finding)
        commits.setdefault(finding.fingerprint, set()).add(finding.commit or "")
    out = []
    for key, finding in first.items():
        count = len(commits[key])
        if count > 1:
            finding = finding.with_changes(message=f"{finding.message} (added in {count} commits)")
        out.append(finding)
    return out


def loader_for(root: Path, max_size: int) -> Callable[[str], ParsedFile | None]:
    """Reads other files of the work tree for project rules, by repository-relative path."""
    cache: dict[str, ParsedFile | None] = {}

    def load(path: str) -> ParsedFile | None:
        if path not in cache:
            location = root / path
            text, _ = read_source(SourceFile(path=path, location=str(location), root=str(root)), max_size)
            cache[path] = None if text is None else ParsedFile(path, text)
        return cache[path]

    return load


def severity_counts(findings: Iterable[Finding]) -> Mapping[str, int]:
    return Counter(f.severity.value for f in findings)
