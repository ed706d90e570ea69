"""The engine: read each source, extract the facts the plan asks for, run the rules, then the
project rules, then suppression. Big scans fan out to worker processes (scanner.engine.pool)."""

from __future__ import annotations

import codecs
import gc
import hashlib
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from scanner.credentials import credential_literals_in
from scanner.facts.base import Extractor, Fact, FileFacts, Keyed
from scanner.facts.symbols import module_symbols
from scanner.model.document import Document, FileKind
from scanner.model.finding import Finding, Summary
from scanner.redact import (
    REDACTED_MARK,
    SecretValues,
    as_values,
    printable,
    redact_text,
    snippet,
    snippet_window,
)
from scanner.rules.base import ProjectReporter, ProjectRule, RuleContext
from scanner.sources import (
    BINARY_SKIPPED,
    SourceFile,
    decode,
    decode_file,
    file_windows,
    line_runs,
    read_file_bytes,
    read_source,
    with_content,
)
from scanner.suppress import PathIgnores, inline_directives, is_inline_suppressed

if TYPE_CHECKING:
    from scanner.cache import BlobResultCache, ResultCache
    from scanner.engine.plan import Plan, Planned


@dataclass
class FileResult:
    path: str
    scanned: bool = False
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    facts: FileFacts | None = None  # the facts project rules gather (None: none)
    suppressed: int = 0
    changed_lines: frozenset[int] | None = None
    directives: dict[int, frozenset[str]] = field(default_factory=dict)
    commit: str | None = None
    context: str = "code"
    binary: bool = False  # skipped as binary; reported in one summary note per scan
    # The results cache: the content digest of a file read from disk (None when not cached),
    # whether the result may be stored (no secret seen), and whether it came from the cache.
    digest: str | None = None
    cacheable: bool = False
    cached: bool = False
    timings: dict[str, float] | None = None  # --profile: seconds per phase, analysis, rule family

    def holds_nothing(self) -> bool:
        """No finding, note, fact or directive: nothing taken from the file's text."""
        return not self.findings and not self.notes and self.facts is None and not self.directives

    def says_nothing(self) -> bool:
        """A scanned file with nothing to report, note, gather or count (its context the
        default): all that must cross a process boundary or be stored for it is that."""
        return (self.scanned and self.holds_nothing() and not self.suppressed and not self.binary
                and self.context == "code")


@dataclass
class ScanResult:
    findings: list[Finding]
    summary: Summary
    timings: dict[str, float] = field(default_factory=dict)  # --profile, summed over files


def _family(extractor: object) -> str:
    """An analysis's family for --profile: the package under scanner.facts it lives in."""
    parts = type(extractor).__module__.split(".")
    return f"facts: {parts[2] if len(parts) > 2 else parts[-1]}"


@dataclass(frozen=True)
class Settings:
    """How each file is scanned: the size limit, the results cache (scan only) and whether rules
    attach their fixes (the `fix` command)."""

    max_size: int
    cache: ResultCache | None = None
    want_fixes: bool = False
    profile: bool = False  # time each analysis and rule family (--profile)
    hidden: int | None = None  # --redact: percent of a value hidden (None: the default form)


def touches(finding: Finding, changed: frozenset[int] | None) -> bool:
    if changed is None:
        return True
    return any(line in changed for line in range(finding.line, finding.end_line + 1))


def extract(document: Document, plan: Plan, timings: dict[str, float] | None = None,
            admitted: set[Planned] | None = None) -> FileFacts:
    """Every fact the plan's extractors find in `document` (an extractor that raises leaves a
    note; the others still run). `timings`: seconds per family of analyses, added to;
    `admitted`: the extractors whose gates let the document in, added to."""
    facts = FileFacts()
    if plan.index.accelerated and document.keyword_index is None:
        document.keyword_index = plan.index
    # Most gates turn most files away for want of a word: told here by one set operation each,
    # as `Plan.admits` would (a gate with path words is asked in full).
    present = document.keywords_present() if plan.by_sets and \
        document.keyword_index is plan.index else None
    for planned in plan.for_kind(document.kind):
        if present is not None and planned.words and planned.no_path_words \
                and present.isdisjoint(planned.words):
            continue
        if not plan.admits(planned, document):
            continue
        if admitted is not None:
            admitted.add(planned)
        if timings is not None:
            started = time.perf_counter()
            _extract_one(document, planned.extractor, facts)
            family = _family(planned.extractor)
            timings[family] = timings.get(family, 0.0) + time.perf_counter() - started
            continue
        _extract_one(document, planned.extractor, facts)
    return facts


def _extract_one(document: Document, extractor: Extractor, facts: FileFacts) -> None:
    try:
        for fact in extractor.extract(document):
            facts.add(fact)
    except RecursionError:
        document.notes.append(f"{document.path}: code nested too deeply for the "
                              f"{extractor.name} analysis; skipped")
    except Exception as exc:  # an extractor bug must not cost the rules or the other files
        document.notes.append(f"{document.path}: the {extractor.name} analysis failed "
                              f"({type(exc).__name__}); the other analyses still ran")


def scan_document(document: Document, plan: Plan, *, want_fixes: bool = False,
                  timings: dict[str, float] | None = None, hidden: int | None = None) -> FileResult:
    """Run the plan over one document: findings (inline-suppressed and diff-filtered), notes,
    and the facts project rules gather. A rule that raises becomes a note. `timings`: seconds
    per analysis family and rule family, added to (--profile); `hidden`: the --redact level."""
    document.secrets_seen.hidden = hidden
    admitted: set[Planned] = set()
    facts = extract(document, plan, timings, admitted)
    result = FileResult(path=document.path, scanned=True, changed_lines=document.changed_lines,
                        commit=document.commit, context=document.context)
    raw: list[Finding] = []
    context = RuleContext(document, want_fixes=want_fixes)
    present = frozenset(facts.types())
    for rule in plan.file_rules if present else plan.rules_needing_nothing:
        if document.context not in rule.contexts:
            continue
        if rule.needs and present.isdisjoint(rule.needs):
            continue
        started = time.perf_counter() if timings is not None else 0.0
        try:
            raw.extend(rule.check(facts, context))
        except Exception as exc:  # a rule bug must not cost the other rules or files
            result.notes.append(f"{document.path}: rule {rule.id} failed ({type(exc).__name__}); "
                                "the other rules still ran")
        if timings is not None:
            family = f"rules: {rule.id[:3]}xx"
            timings[family] = timings.get(family, 0.0) + time.perf_counter() - started
    if plan.project_facts and not document.sparse:  # added lines alone hold no project facts
        missing = plan.missing_kinds(document.kind, frozenset(admitted))
        # An on-demand kind an extractor of the scan gave whole is not missing.
        missing = frozenset(kind for kind in missing
                            if not (kind in plan.on_demand_facts and facts.of(kind)))
        gathered = FileFacts(missing=missing)
        for kind in plan.project_facts:
            for fact in facts.of(kind):
                gathered.add(fact)
        if document.__dict__.get("code") is not None:  # parsed already: its symbols are cheap
            symbols = module_symbols(document)
            if symbols is not None:
                gathered.add(symbols)
        if gathered:
            result.facts = gathered
            # Facts keep source text for snippets: their credential literals are redacted from
            # the findings and keep the result out of the cache.
            document.secrets_seen.update(credential_literals_in(
                text for text in _strings_in(gathered) if "'" in text or '"' in text or "`" in text))
    result.notes.extend(document.notes)
    if document.has_any(("secret-hygiene", "pragma")) and (
            "secret-hygiene" in document.text or "pragma" in document.text):
        result.directives = inline_directives(document.lines)
    secrets = document.secrets_seen
    raw = redact_late(raw, secrets, document.line_text,
                      lambda finding, value: _late(secrets, finding, value))
    for finding in raw:
        if not touches(finding, document.changed_lines):
            continue
        if is_inline_suppressed(finding, result.directives):
            result.suppressed += 1
            continue
        result.findings.append(finding)
    return result


def _strings_in(facts: FileFacts) -> Iterator[str]:
    """Every distinct string held in a file's facts (dataclasses, sequences, mappings)."""
    import dataclasses

    stack: list[Any] = [fact for kind in facts.types() for fact in facts.of(kind)]
    seen: set[int] = set()
    texts: set[str] = set()
    names: dict[type, tuple[str, ...]] = {}  # a dataclass's field names, looked up once per class
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
        elif not isinstance(item, type) and dataclasses.is_dataclass(item):
            seen.add(id(item))
            kind = type(item)
            fields = names.get(kind)
            if fields is None:
                fields = names[kind] = tuple(field.name for field in dataclasses.fields(item))
            stack.extend(getattr(item, name) for name in fields)


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


# Files that decode() does not read as plain UTF-8: their text re-encodes to other bytes.
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE,
         codecs.BOM_UTF32_BE)


def scan_source(source: SourceFile, plan: Plan, settings: Settings) -> FileResult:
    """Read one source and scan it (or take its result from the cache). With --profile, the
    result carries its timings: every second not spent in an analysis or a rule is the file's
    reading, decoding, gates and suppression."""
    if not settings.profile:
        return _scan_source(source, plan, settings, None)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    result = _scan_source(source, plan, settings, timings)
    timings["read, decode, gates"] = time.perf_counter() - started - sum(timings.values())
    result.timings = timings
    return result


def _scan_source(source: SourceFile, plan: Plan, settings: Settings,
                 timings: dict[str, float] | None) -> FileResult:
    source = with_content(source)
    digest = data = None
    cache = settings.cache
    if source.location is not None and source.text is None and source.blob is None \
            and source.content is None:
        data, note = read_file_bytes(source, settings.max_size)
        if data is None and note is not None and "over max-file-size" in note:
            return scan_windows(source, plan, note, settings.hidden)
        if data is not None:
            if cache is not None and source.changed_lines is None and source.commit is None:
                digest = hashlib.blake2b(data, digest_size=16).hexdigest()
                if usable(cache.lookup(source.path, digest), settings.hidden):
                    return FileResult(path=source.path, digest=digest, cached=True)
            text, note = decode_file(source, data)
        else:
            text = None
    else:
        text, note = read_source(source, settings.max_size)
        if text is None and source.partial:
            # Added lines that do not decode alone (a UTF-16 file's lines cut at 0x0A, a binary):
            # the blob, decoded whole, decides.
            source = replace(source, content=None, sparse=False, partial=False)
            text, note = read_source(source, settings.max_size)
    if text is None:
        if note is not None and not source.explicit and note.endswith(": " + BINARY_SKIPPED):
            return FileResult(path=source.path, binary=True)
        return FileResult(path=source.path, notes=[note] if note else [])
    document = Document(source.path, text, changed_lines=source.changed_lines,
                        commit=source.commit, sparse=source.sparse)
    if source.sparse and plan.needs_whole(document):
        if source.partial:
            text, note = read_source(replace(source, content=None, sparse=False, partial=False),
                                     settings.max_size)
            if text is None:
                return FileResult(path=source.path, notes=[note] if note else [])
            document = Document(source.path, text, changed_lines=source.changed_lines,
                                commit=source.commit)
        else:
            document.sparse = False  # the content is the whole file already
    if data is not None and not data.startswith(_BOMS):
        document.__dict__["utf8"] = data  # decoded as UTF-8 (escapes kept): the same bytes again
    if document.kind is FileKind.NOTEBOOK:
        from scanner.notebooks import scan_notebook

        return scan_notebook(document, plan, want_fixes=settings.want_fixes,
                             hidden=settings.hidden)
    result = scan_document(document, plan, want_fixes=settings.want_fixes, timings=timings,
                           hidden=settings.hidden)
    if document.sparse and source.partial and (result.findings or result.suppressed):
        # Found something in the added lines: the blob, whole, decides (an ignore comment on the
        # line above, a key named on an unchanged line). Still only the analyses of lines run.
        text, note = read_source(replace(source, content=None, sparse=False, partial=False),
                                 settings.max_size)
        if text is not None:
            document = Document(source.path, text, changed_lines=source.changed_lines,
                                commit=source.commit, sparse=True)
            result = scan_document(document, plan, want_fixes=settings.want_fixes,
                                   timings=timings, hidden=settings.hidden)
    result.digest = digest
    # A tree file by its content digest, a git source by its blob (scanner.cache.BlobResultCache);
    # under --redact a result that shows a value is never stored (the cache holds the default form).
    result.cacheable = (digest is not None or source.blob is not None) \
        and usable(result, settings.hidden) \
        and _holds_none_of(result, document.secrets_seen)
    return result


def usable(result: FileResult | None, hidden: int | None) -> bool:
    """Whether a result may go to or come from the cache, which holds the default redaction
    only: under --redact, a result that redacts anything is made afresh and never stored."""
    return result is not None and (hidden is None or not any(
        REDACTED_MARK in finding.snippet or REDACTED_MARK in finding.message
        for finding in result.findings))


def scan_windows(source: SourceFile, plan: Plan, note: str, hidden: int | None = None) -> FileResult:
    """A file over max-file-size (a bundle, a source map, a dump): read in overlapping windows,
    each scanned by the analyses that read lines alone (secrets), never parsed as code. Memory
    stays one window; a secret anywhere in the file is still found, at its place in the file."""
    result = FileResult(path=source.path, scanned=True)
    line, column = 1, 0  # where the current window starts: its line, characters before it there
    for number, (data, own) in enumerate(file_windows(source)):
        if number == 0 and decode(data[:own] if own < len(data) else data) is None:
            return FileResult(path=source.path, binary=True)
        text = data.decode("utf-8", "surrogateescape")
        kept = len(data[:own].decode("utf-8", "surrogateescape"))
        document = Document(source.path, text, sparse=True)
        part = scan_document(document, plan, hidden=hidden)
        result.context = part.context
        for finding in part.findings:
            if document.offset(finding.line, finding.column) >= kept:
                continue  # the next window holds it whole
            result.findings.append(_moved(finding, line, column))
        result.suppressed += part.suppressed
        result.notes.extend(part.notes)
        at_line, at_column = document.position(kept)  # where the next window starts
        line, column = (line, column + at_column - 1) if at_line == 1 \
            else (line + at_line - 1, at_column - 1)
    result.notes.append(f"{note.removesuffix(', skipped')}: read in windows for secrets only "
                        "(no code analysis)")
    return result


def _moved(finding: Finding, line: int, column: int) -> Finding:
    """A finding of a window placed in the file: its window starts at `line`, `column` chars in."""
    first = column if finding.line == 1 else 0
    last = column if finding.end_line == 1 else 0
    return finding.with_changes(line=finding.line + line - 1, end_line=finding.end_line + line - 1,
                                column=finding.column + first, end_column=finding.end_column + last)


def _holds_none_of(result: FileResult, secrets: Iterable[str]) -> bool:
    """Whether the stored form of `result` is free of every secret a rule saw in the file:
    reports are redacted already, and a result that still held one (in a fact) would never be
    written to the cache."""
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


@dataclass
class _Origin:
    """What a project rule's finding needs from the file it lands in."""

    changed_lines: tuple[tuple[int, int], ...] | None  # as runs: history keeps one per path
    directives: dict[int, frozenset[str]]
    commit: str | None
    context: str


def scan(
    sources: Iterable[SourceFile],
    plan: Plan,
    settings: Settings,
    *,
    jobs: int = 1,
    expected: int | None = None,
    project_loader: Callable[[str], Document | None] = lambda path: None,
    project_paths: Callable[[], tuple[str, ...]] = lambda: (),
    path_ignores: PathIgnores | None = None,
    baseline: frozenset[str] = frozenset(),
    dedupe_commits: bool = False,
    commit_repeats: Mapping[tuple[str, str], Sequence[str]] | None = None,
    on_file: Callable[[str], None] | None = None,
    notes: Sequence[str] = (),
    blob_cache: BlobResultCache | None = None,
) -> ScanResult:
    """Scan every source and return sorted, suppressed findings with the summary. `blob_cache`:
    git sources' results (diff, hook, history), looked up here before a source is scanned."""
    summary = Summary(errors=list(notes))
    timings: dict[str, float] = {}
    findings: list[Finding] = []
    facts: dict[str, FileFacts] = {}
    origins: dict[str, _Origin] = {}
    project_rules = [r for r in plan.rules if isinstance(r, ProjectRule)]
    binary: list[str] = []
    cache = settings.cache
    for result in _results(sources, plan, settings, jobs, expected, blob_cache):
        digest = result.digest
        if cache is not None and digest is not None:
            known = cache.lookup(result.path, digest)
            if result.cached:
                assert known is not None
                result = known
                cache.hits += 1
            if result.cacheable:
                cache.keep(result.path, digest, result)
            elif known is not None and settings.hidden is not None:
                cache.keep(result.path, digest, known)  # made afresh under --redact: kept as it was
        if result.timings:
            for phase, seconds in result.timings.items():
                timings[phase] = timings.get(phase, 0.0) + seconds
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
        if result.facts is not None:
            facts[result.path] = result.facts
        if project_rules:
            changed = None if result.changed_lines is None else line_runs(result.changed_lines)
            origins[result.path] = _Origin(changed, result.directives, result.commit,
                                           result.context)
    if binary:
        summary.errors.append(binary_note(binary))
    if project_rules:
        started = time.perf_counter()
        # The project step keeps every module it loads (their code models, for the next rule):
        # the collector's full passes would walk them all again and again to free nothing
        # (0.2-0.3 s on the sentry wheel). Cyclic garbage waits for the step's end.
        collecting = gc.isenabled()
        gc.disable()
        try:
            findings.extend(_project_findings(project_rules, plan, facts, origins, project_loader,
                                              project_paths, summary, settings.hidden))
        finally:
            if collecting:
                gc.enable()
        if settings.profile:
            timings["project rules (modules they load included)"] = time.perf_counter() - started
    if dedupe_commits:
        findings = first_commit_only(findings, commit_repeats)
    kept = []
    for finding in findings:
        if (path_ignores is not None and path_ignores.ignores(finding)) or finding.fingerprint in baseline:
            summary.suppressed += 1
        else:
            kept.append(finding)
    kept.sort(key=Finding.sort_key)
    summary.findings = len(kept)
    summary.by_category = dict(Counter(f.category for f in kept))
    return ScanResult(kept, summary, timings)


def _results(sources: Iterable[SourceFile], plan: Plan, settings: Settings, jobs: int,
             expected: int | None, cache: BlobResultCache | None) -> Iterator[FileResult]:
    """Every source's result in source order (history keeps the first commit of a finding).
    A git source the cache knows is not scanned, nor its blob read: its stored result comes
    back with this commit's fields; the others' results are stored as they arrive."""
    from scanner.engine.pool import run_files

    if cache is None:
        yield from run_files(sources, plan, settings, jobs=jobs, expected=expected)
        return
    # Sources in order: each one's key and, for a hit, its result (None: scanned below).
    pending: deque[tuple[bytes | None, FileResult | None]] = deque()

    def misses() -> Iterator[SourceFile]:
        for source in sources:
            key = cache.key(source)
            found, stored = cache.lookup(key) if key is not None else (False, None)
            known = _restored(stored, source) if found else None
            if known is not None and not usable(known, settings.hidden):
                known = None  # the default form stored; --redact asked for another: scan again
            pending.append((key, known))
            if known is None:
                yield source

    scanned: Iterable[SourceFile] = misses()
    if expected is not None:  # a listed scan is scheduled by what is left to scan
        scanned = list(scanned)
        expected = len(scanned)
    for result in run_files(scanned, plan, settings, jobs=jobs, expected=expected):
        while True:
            key, known = pending.popleft()
            if known is None:
                break
            yield known
        # Stored when it holds no secret: checked where it was scanned, or nothing from the file.
        if key is not None and (result.cacheable or result.holds_nothing()):
            cache.keep(key, _for_storage(result))
        yield result
    while pending:
        known = pending.popleft()[1]
        assert known is not None  # every miss was scanned above
        yield known


def _for_storage(result: FileResult) -> FileResult | tuple[bool, str] | None:
    """A git source's result as stored, without what belongs to one commit or run (put back on
    a hit). Most say nothing: None (scanned, code) or (scanned, context) keep the cache small."""
    if result.says_nothing():
        return None
    if result.holds_nothing() and not result.suppressed and not result.binary:
        return result.scanned, result.context
    return replace(result, findings=[finding.with_changes(commit=None) for finding in result.findings],
                   commit=None, changed_lines=None, timings=None)


def _restored(stored: FileResult | tuple[bool, str] | None, source: SourceFile) -> FileResult:
    """A stored result for this source: its commit and added lines again."""
    if not isinstance(stored, FileResult):
        scanned, context = (True, "code") if stored is None else stored
        if not scanned:  # skipped with nothing to say (a binary blob)
            return FileResult(path=source.path, context=context)
        return FileResult(path=source.path, scanned=True, changed_lines=source.changed_lines,
                          commit=source.commit, context=context)
    findings = [finding.with_changes(commit=source.commit) for finding in stored.findings]
    return replace(stored, findings=findings, commit=source.commit,
                   changed_lines=source.changed_lines, notes=list(stored.notes))


def _project_findings(rules: Sequence[ProjectRule], plan: Plan, facts: Mapping[str, FileFacts],
                      origins: Mapping[str, _Origin],
                      loader: Callable[[str], Document | None],
                      all_paths: Callable[[], tuple[str, ...]], summary: Summary,
                      hidden: int | None = None) -> Iterator[Finding]:
    from scanner.project.index import ProjectIndex

    def read(path: str) -> str | None:
        if isinstance(loader, ProjectLoader):
            return loader.text(path)
        document = loader(path)
        return None if document is None else document.text

    index = ProjectIndex(facts, lambda path, kinds=None: _load_facts(path, loader, plan, kinds),
                         all_paths, scanned=frozenset(origins), partial_loads=plan.fast_paths,
                         read=read)
    reporter = ProjectReporter(commits={p: o.commit for p, o in origins.items()},
                               contexts={p: o.context for p, o in origins.items()}, hidden=hidden)
    for rule in rules:
        try:
            produced = list(rule.check_project(facts, index, reporter))
        except Exception as exc:
            summary.errors.append(f"rule {rule.id} failed across the project ({type(exc).__name__})")
            continue
        for finding in produced:
            origin = origins.get(finding.path)
            if origin is None or origin.context not in rule.contexts:
                # A file loaded on demand was not asked for (excluded, or not in the diff): it
                # only informs the verdict on scanned files.
                continue
            if origin.changed_lines is not None and not any(
                    first <= finding.end_line and finding.line <= last
                    for first, last in origin.changed_lines):
                continue
            if origin.commit and finding.commit is None:
                finding = finding.with_changes(commit=origin.commit)
            if is_inline_suppressed(finding, origin.directives):
                summary.suppressed += 1
                continue
            yield finding


def _load_facts(path: str, loader: Callable[[str], Document | None], plan: Plan,
                kinds: frozenset[type[Fact]] | None = None) -> FileFacts | None:
    """Facts of a file the scan did not cover (a module an import leads to), or did not cover
    whole: the extractors of the plan producing `kinds` (None: every project fact) run on it
    whatever their gates say, since it was asked for by name. Its module symbols come with
    it when it is parsed (always when `kinds` is None or holds them). With fast paths on, the
    facts of an extractor that gives them by key (`Extractor.keyed`: function summaries) are
    built as the rule asks for them; the same facts, fewer built."""
    from scanner.facts.symbols import ModuleSymbols

    document = loader(path)
    if document is None:
        return None
    if kinds is None:
        return whole_file_facts(document, plan)
    wanted = plan.project_facts & kinds
    settled: set[type[Fact]] = set()  # types extracted here, or that no extractor finds here
    found: list[Fact] = []
    lazy: list[Keyed[Any, Any]] = []
    for planned in plan.extractors:
        extractor = planned.extractor
        if extractor.gate.kinds and document.kind not in extractor.gate.kinds:
            settled.update(extractor.produces)
            continue
        if wanted.isdisjoint(extractor.produces):
            continue  # only the project facts asked for are kept: other extractors need not run
        settled.update(extractor.produces)
        try:
            keyed = extractor.keyed(document) if plan.fast_paths else None
            if keyed is not None:
                lazy.append(keyed)  # built as the rule asks for them
                continue
            found.extend(fact for fact in extractor.extract(document)
                         if type(fact) in plan.project_facts)
        except Exception:  # a module we only consult; its own scan reports its problems
            continue
    # An on-demand kind another extractor gave whole is settled too.
    settled.update(kind for kind in plan.on_demand_facts if any(type(f) is kind for f in found))
    facts = FileFacts(missing=plan.project_facts - settled)
    if ModuleSymbols in kinds or document.__dict__.get("code") is not None:
        symbols = module_symbols(document)
        if symbols is not None:
            facts.add(symbols)
    for fact in found:
        facts.add(fact)
    for keyed in lazy:
        facts.add_keyed(keyed)
    return facts


def whole_file_facts(document: Document, plan: Plan) -> FileFacts:
    """Every project fact of `document`, whatever the gates say."""
    facts = FileFacts()
    symbols = module_symbols(document)
    if symbols is not None:
        facts.add(symbols)
    for planned in plan.extractors:
        kinds = planned.extractor.gate.kinds
        if (kinds and document.kind not in kinds) \
                or plan.project_facts.isdisjoint(planned.extractor.produces):
            continue  # only project facts are kept: an extractor without any need not run
        if planned.extractor.gate.on_demand and all(facts.of(kind)
                                                    for kind in planned.extractor.produces):
            continue  # another extractor gave them whole
        try:
            for fact in planned.extractor.extract(document):
                if type(fact) in plan.project_facts:
                    facts.add(fact)
        except Exception:  # a module we only consult; its own scan reports its problems
            continue
    return facts


def binary_note(paths: Sequence[str], shown: int = 5) -> str:
    """One line for every binary file a tree scan skipped: how many, and the first few."""
    names = ", ".join(paths[:shown]) + (f" and {len(paths) - shown} more" if len(paths) > shown else "")
    return f"{len(paths)} binary file{'s' if len(paths) != 1 else ''} skipped ({names})"


def first_commit_only(findings: Iterable[Finding],
                      repeats: Mapping[tuple[str, str], Sequence[str]] | None = None) -> list[Finding]:
    """History: each fingerprint once, at the first commit (sources arrive oldest first),
    with the number of commits that added it (`repeats`: (path, commit) -> the later commits
    that made the same change, not scanned again)."""
    first: dict[str, Finding] = {}
    commits: dict[str, set[str]] = {}
    for finding in findings:
        first.setdefault(finding.fingerprint, finding)
        added = commits.setdefault(finding.fingerprint, set())
        added.add(finding.commit or "")
        added.update((repeats or {}).get((finding.path, finding.commit or ""), ()))
    out = []
    for key, finding in first.items():
        count = len(commits[key])
        if count > 1:
            finding = finding.with_changes(message=f"{finding.message} (added in {count} commits)")
        out.append(finding)
    return out


class ProjectLoader:
    """Reads other files of the work tree for project rules, by repository-relative path: a
    file asked for by name is read once and kept as a Document; `text` reads a file without
    keeping it (a rule that only searches text, over many files)."""

    def __init__(self, root: Any, max_size: int) -> None:
        from pathlib import Path

        self.base = Path(root)
        self.max_size = max_size
        self.loaded: dict[str, Document | None] = {}

    def __call__(self, path: str) -> Document | None:
        if path not in self.loaded:
            text = self.text(path)
            self.loaded[path] = None if text is None else Document(path, text)
        return self.loaded[path]

    def text(self, path: str) -> str | None:
        known = self.loaded.get(path)
        if known is not None:
            return known.text
        text, _ = read_source(SourceFile(path=path, location=str(self.base / path),
                                         root=str(self.base)), self.max_size)
        return text


def loader_for(root: Any, max_size: int) -> ProjectLoader:
    """Reads other files of the work tree for project rules, by repository-relative path."""
    return ProjectLoader(root, max_size)


def severity_counts(findings: Iterable[Finding]) -> Mapping[str, int]:
    return Counter(f.severity.value for f in findings)
