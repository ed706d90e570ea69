"""The `secret-hygiene` command line: scan, diff, history, hook, baseline, fix, rules, explain.

Exit codes: 0 nothing at or above --fail-on, 1 findings (or --exit-code N), 2 usage/config/
environment error, 130 interrupted."""

from __future__ import annotations

import functools
import io
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from scanner import __version__, compiled_code
from scanner.config import BASELINE_FILE, Config, ConfigError, find_config, load_config
from scanner.engine.pool import WorkerError
from scanner.model.finding import Confidence, Finding, Severity, Summary
from scanner.providers_command import providers_command
from scanner.redact import MIN_HIDDEN_CHARS, MIN_HIDDEN_SHARE, STRONG_BITS, one_line
from scanner.rules.base import Rule
from scanner.safe_io import FileSafetyError, read_file, write_file, write_output
from scanner.sources import GitError, SourceFile
from scanner.suppress import BaselineError

if TYPE_CHECKING:
    from scanner.cache import BlobResultCache, ResultCache
    from scanner.engine.plan import Plan
    from scanner.engine.runner import ScanResult
    from scanner.reporters import Renderer
    from scanner.sources import Comparison, RawChange

FORMATS = ("text", "json", "sarif", "github")
LEVELS = ("low", "medium", "high")
EXIT_CODES = ("Exit codes: 0 no finding at or above --fail-on; 1 findings (or the --exit-code "
              "given); 2 usage, configuration or environment error; 130 interrupted.")


class ToolError(Exception):
    """An environment or usage problem reported as one line with exit code 2."""


@dataclass
class Options:
    format: str
    output: str | None
    config: str | None
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    baseline: str | None
    no_baseline: bool
    jobs: int | None
    fail_on: str | None
    quiet: bool
    verbose: int
    min_confidence: str | None = None
    exit_code: int = 1
    sarif_output: str | None = None
    codequality_output: str | None = None
    profile: bool = False
    redact: int | None = None


# --redact N: the percent of each value hidden (gitleaks' meaning; default: the usual form).
REDACT_OPTION = click.option(
    "--redact", type=click.IntRange(0, 100), metavar="N",
    help="Percent of each secret value to hide, 0-100 (100: all). Never whole: at least a "
         "quarter, 8 characters and 80 bits stay hidden. Default: a provider prefix or 4 "
         "characters (config: redact).")


def common_options(func: Callable[..., int]) -> Callable[..., int]:
    options = [
        click.option("--format", "format_", type=click.Choice(FORMATS), default="text", show_default=True,
                     help="Output format."),
        click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE."),
        click.option("--config", type=click.Path(dir_okay=False), help="Config file (default: discovered)."),
        click.option("--select", multiple=True, help="Rule ids, prefixes or families to run (repeatable, comma-separated)."),
        click.option("--ignore", multiple=True, help="Rule ids, prefixes or families to skip."),
        click.option("--baseline", type=click.Path(dir_okay=False), help=f"Baseline file (default: {BASELINE_FILE} if present)."),
        click.option("--no-baseline", is_flag=True, help="Report baselined findings too."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: CPU count)."),
        click.option("--fail-on", type=click.Choice(["low", "medium", "high"]), help="Lowest severity that fails (default: low)."),
        click.option("--min-confidence", type=click.Choice(LEVELS),
                     help="Report only findings the rule is at least this sure of (default: low, all)."),
        click.option("--exit-code", type=click.IntRange(1, 125), default=1, show_default=True,
                     help="Exit code when findings fail the run."),
        click.option("--sarif-output", type=click.Path(dir_okay=False),
                     help="Also write the findings as SARIF to FILE (same scan)."),
        click.option("--codequality-output", type=click.Path(dir_okay=False),
                     help="Also write a GitLab code quality (Code Climate) report to FILE."),
        click.option("--quiet", "-q", is_flag=True, help="Print nothing but findings (no summary, no notes)."),
        click.option("--verbose", "-v", count=True,
                     help="Say more on stderr: the config and baseline used, notes, timings."),
        click.option("--profile", is_flag=True,
                     help="Print where the time went (per phase, analysis and rule family) to stderr."),
        REDACT_OPTION,
    ]

    @functools.wraps(func)
    def wrapper(format_: str, output: str | None, config: str | None, select: tuple[str, ...],
                ignore: tuple[str, ...], baseline: str | None, no_baseline: bool, jobs: int | None,
                fail_on: str | None, min_confidence: str | None, exit_code: int,
                sarif_output: str | None, codequality_output: str | None, quiet: bool,
                verbose: int, profile: bool, redact: int | None, **kwargs: Any) -> int:
        if quiet and verbose:
            raise click.UsageError("--quiet and --verbose cannot be combined")
        opts = Options(format_, output, config, _split(select), _split(ignore), baseline, no_baseline,
                       jobs, fail_on, quiet, verbose, min_confidence, exit_code, sarif_output,
                       codequality_output, profile, redact)
        return func(opts, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def _split(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


# -- shared run logic -------------------------------------------------------------------------


@dataclass
class Run:
    root: Path
    config: Config
    rules: list[Rule]
    opts: Options
    baseline: frozenset[str]
    # Where the configuration and the baseline were read from (None: none was).
    config_path: Path | None = None
    baseline_path: Path | None = None
    # What the run is, for the next steps a blocked commit prints: "scan", "commit", "push".
    mode: str = "scan"
    started: float = 0.0
    # Percent of each value hidden (--redact, else the config's `redact`; None: the usual form).
    hidden: int | None = None

    def plan(self, *, fast_paths: bool = True) -> Plan:
        from scanner.engine.plan import build_plan

        return build_plan(self.rules, self.config.options, fast_paths=fast_paths)


def prepare(opts: Options, root: Path, config_from: Path | None = None) -> Run:
    """The run's settings; the config is discovered from `config_from` (default: the root) up
    to the work tree's top."""
    from scanner.rules import registry
    from scanner.suppress import load_baseline

    config_path = Path(opts.config) if opts.config else find_config(config_from or root)
    if opts.config and not Path(opts.config).is_file():
        raise ConfigError(f"{opts.config}: config file not found")
    config = load_config(config_path)
    try:
        registry.check_selectors(opts.select + opts.ignore)
    except registry.SelectorError as exc:
        raise ToolError(f"--select/--ignore: {exc}") from None
    select = opts.select or config.select
    ignore = opts.ignore + config.ignore
    rules = registry.instantiate(registry.select_rules(select, ignore), config.options, config.severity)
    baseline: frozenset[str] = frozenset()
    baseline_path = None
    if not opts.no_baseline:
        baseline_path = _baseline_path(opts, config, root, config_path)
        if baseline_path is not None:
            baseline, note = load_baseline(baseline_path)
            if note is not None and not opts.quiet:
                click.echo(f"note: {one_line(note)}", err=True)
    hidden = opts.redact if opts.redact is not None else config.redact
    run = Run(root=root, config=config, rules=rules, opts=opts, baseline=baseline,
              config_path=config_path, baseline_path=baseline_path, started=time.monotonic(),
              hidden=hidden)
    if hidden is not None and hidden < MIN_HIDDEN_SHARE and opts.format == "text" and not opts.quiet:
        click.echo(f"note: --redact {hidden}: a value is never shown whole; at least "
                   f"{MIN_HIDDEN_SHARE}% of it, {MIN_HIDDEN_CHARS} characters and an estimated "
                   f"{STRONG_BITS} bits stay hidden (so at most {100 - MIN_HIDDEN_SHARE}% is shown)",
                   err=True)
    if opts.verbose:
        click.echo(f"root: {root}", err=True)
        click.echo(f"config: {config_path or 'none (defaults)'}", err=True)
        click.echo(f"baseline: {baseline_path or 'none'}"
                   + (f" ({len(baseline)} fingerprints)" if baseline_path else ""), err=True)
        click.echo(f"rules: {len(rules)} selected", err=True)
    return run


def _baseline_path(opts: Options, config: Config, root: Path, config_path: Path | None) -> Path | None:
    if opts.baseline:
        return Path(opts.baseline)
    if config.baseline:
        # Relative to the config file, unless that lives outside the scanned tree (a CI config
        # kept out of the checkout): then relative to the tree, like every path in it.
        inside = config_path is not None and _relative_to(config_path, root) is not None
        base = config_path.parent if config_path is not None and inside else root
        return base / config.baseline
    default = root / BASELINE_FILE
    return default if default.is_file() else None


def _relative_to(path: Path, root: Path) -> str | None:
    """`path` relative to `root` with / separators, or None when it lies outside."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return None


def excluded(run: Run) -> Callable[[str], bool]:
    # Baselines hold hashes of secrets, not secrets: ours and detect-secrets' are never scanned.
    baselines = (BASELINE_FILE, ".secrets.baseline")
    if not run.config.exclude:
        return lambda path: path.rsplit("/", 1)[-1] in baselines
    spec = run.config.exclude_spec()
    return lambda path: path.rsplit("/", 1)[-1] in baselines or bool(spec.match_file(path))


def _work_tree_paths(run: Run) -> tuple[str, ...]:
    """Every non-excluded file of the work tree: what a project rule may read when a diff or
    hook scan covers only some files (listed only if a rule asks)."""
    from scanner.sources import tree_files

    is_excluded = excluded(run)
    return tuple(s.path for s in tree_files(run.root)[0] if not is_excluded(s.path))


def _jobs(run: Run) -> int:
    from scanner.engine.pool import default_jobs

    return run.opts.jobs or default_jobs()


def execute(run: Run, sources: Sequence[SourceFile] | Iterable[SourceFile], *, notes: list[str],
            expected: int | None, dedupe_commits: bool = False,
            commit_repeats: Mapping[tuple[str, str], Sequence[str]] | None = None,
            cache: ResultCache | None = None, blob_cache: BlobResultCache | None = None,
            work_tree: Sequence[SourceFile] | None = None) -> int:
    """Scan `sources` and report. `work_tree`: the work tree's files, when the caller listed
    them already (a scan of the whole tree); else they are listed if a project rule asks."""
    from scanner.engine.runner import Settings, loader_for, scan
    from scanner.progress import scan_progress
    from scanner.suppress import PathIgnores

    is_excluded = excluded(run)
    filtered = (s for s in sources if not is_excluded(s.path))
    jobs = _jobs(run)
    settings = Settings(max_size=run.config.max_file_size, cache=cache, profile=run.opts.profile,
                        hidden=run.hidden)
    started = time.perf_counter()
    with scan_progress(run.opts.format, run.opts.quiet, expected,
                       label=_progress_label(run)) as on_file:
        result = scan(
            filtered, run.plan(), settings, jobs=jobs, expected=expected,
            project_loader=loader_for(run.root, run.config.max_file_size),
            project_paths=functools.cache(
                lambda: _work_tree_paths(run) if work_tree is None
                else tuple(s.path for s in work_tree if not is_excluded(s.path))),
            path_ignores=PathIgnores.build(run.config.per_file_ignores), baseline=run.baseline,
            dedupe_commits=dedupe_commits, commit_repeats=commit_repeats, on_file=on_file,
            notes=(), blob_cache=blob_cache,
        )
    for used in (cache, blob_cache):
        if used is not None:
            used.save()
            notes.extend(used.notes)
            if run.opts.verbose:
                click.echo(f"results cache: {used.hits} files' results reused ({used.path.name})",
                           err=True)
    # Notes gathered while streaming sources (git) arrive after the scan; keep them.
    result.summary.errors.extend(notes)
    if run.opts.profile:
        _print_profile(result.timings, time.perf_counter() - started, jobs)
    return report(run, result.findings, result.summary)


def _print_profile(timings: Mapping[str, float], wall: float, jobs: int) -> None:
    """Where the time went, to stderr: seconds per phase, analysis family and rule family,
    summed over the worker processes (so they may add up to more than the wall time)."""
    total = sum(timings.values())
    click.echo(f"profile: {wall:.2f} s wall with {jobs} job(s); {total:.2f} s in files, "
               "summed over workers:", err=True)
    for phase, seconds in sorted(timings.items(), key=lambda item: -item[1]):
        click.echo(f"profile:   {seconds:8.2f} s  {100 * seconds / max(total, 1e-9):5.1f}%  {phase}",
                   err=True)


def _progress_label(run: Run) -> str:
    if run.mode.startswith("history"):
        return f"scanning the {run.mode}"
    return {"baseline": "baselining", "fix": "looking for fixes"}.get(run.mode, "scanning")


def confident(findings: Sequence[Finding], summary: Summary,
              minimum: str | None) -> tuple[list[Finding], Summary]:
    """The findings at or above `--min-confidence`, and the summary counting only those."""
    if minimum is None:
        return list(findings), summary
    rank = Confidence.parse(minimum).rank
    kept = [f for f in findings if f.confidence.rank >= rank]
    by_category: dict[str, int] = {}
    for finding in kept:
        by_category[finding.category] = by_category.get(finding.category, 0) + 1
    return kept, Summary(files_scanned=summary.files_scanned, findings=len(kept),
                         by_category=by_category, suppressed=summary.suppressed,
                         errors=summary.errors)


def report(run: Run, findings: Sequence[Finding], summary: Summary) -> int:
    from scanner.reporters import REPORTERS, codequality, sarif, text

    opts = run.opts
    findings, summary = confident(findings, summary, opts.min_confidence)
    render = REPORTERS.get(opts.format)
    if render is None:
        raise ToolError(f"--format {opts.format}: not available in this version")
    if (opts.format == "text" or opts.verbose) and not opts.quiet:
        for note in summary.errors:
            click.echo(f"note: {one_line(note)}", err=True)
    for option, name, extra in (("--sarif-output", opts.sarif_output, sarif.render),
                                ("--codequality-output", opts.codequality_output, codequality.render)):
        if name:
            _write_report(run, Path(name), extra, findings, summary, option)
    if opts.output:
        _write_report(run, Path(opts.output), render, findings, summary)
    else:
        stdout: TextIO = sys.stdout
        if opts.quiet and opts.format == "text":
            text.render_findings(findings, stdout, _use_color(stdout, opts.format))
        else:
            render(findings, summary, stdout, _use_color(stdout, opts.format), _rule_set())
    fail_on = Severity.parse(opts.fail_on) if opts.fail_on else run.config.fail_on
    failed = any(f.severity.rank >= fail_on.rank for f in findings)
    if opts.verbose:
        click.echo(f"done in {time.monotonic() - run.started:.2f}s: {summary.files_scanned} "
                   f"{'file' if summary.files_scanned == 1 else 'files'} scanned, "
                   f"{len(findings)} reported, {summary.suppressed} suppressed, "
                   f"{_jobs(run)} jobs", err=True)
    if failed and opts.format == "text" and not opts.quiet and run.mode in NEXT_STEPS:
        click.echo(NEXT_STEPS[run.mode].format(rule=findings[0].rule), err=True)
    return opts.exit_code if failed else 0


# What to do about a blocked commit or push, printed once after its findings.
NEXT_STEPS = {
    "commit": (
        "secret-hygiene: commit blocked. Next steps:\n"
        "  - a real secret: move it out of the code (`secret-hygiene fix` moves Python ones to an\n"
        "    environment variable) and revoke it: rewriting or amending the commit does not\n"
        "    make a leaked secret safe again;\n"
        "  - a false positive: add `# secret-hygiene: ignore[{rule}]` to the line, or accept every\n"
        "    current finding with `secret-hygiene baseline` (commit the baseline file);\n"
        "  - what a rule means: `secret-hygiene explain {rule}`;\n"
        "  - skip the check once: `git commit --no-verify` (with pre-commit: "
        "`SKIP=secret-hygiene git commit`)."),
}


def _rule_set() -> tuple[type[Rule], ...]:
    """Every registered rule: what reports describe (SARIF lists them all, so a viewer can close
    alerts of rules that found nothing this time)."""
    from scanner.rules.registry import RULES

    return RULES


def _write_report(run: Run, path: Path, render: Renderer, findings: Sequence[Finding],
                  summary: Summary, option: str = "--output") -> None:
    """Rendered whole, then written aside and renamed: never a truncated report, never
    through a link the repository committed under the report's name."""
    buffer = io.StringIO()
    render(findings, summary, buffer, False, _rule_set())
    try:
        write_output(path, buffer.getvalue().encode("utf-8"), what="report", root=run.root)
    except FileSafetyError as exc:
        raise ToolError(f"{option} {exc}") from None


def _use_color(stream: TextIO, fmt: str) -> bool:
    """no-color.org: a non-empty NO_COLOR turns colour off; a non-empty FORCE_COLOR turns it on
    where no terminal is (CI logs)."""
    if fmt != "text" or os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or stream.isatty()


def _git_root(path: Path) -> Path:
    from scanner.sources import repo_root

    return repo_root(path)


# -- commands ---------------------------------------------------------------------------------


NO_CACHE = click.option("--no-cache", is_flag=True,
                        help="Neither read nor write the results cache (.cache/secret-hygiene/).")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog=EXIT_CODES + " `secret-hygiene COMMAND --help` for a command's options.")
@click.version_option(__version__, prog_name="secret-hygiene")
def cli() -> None:
    """Find committed OAuth/API credentials, oversized scopes, unverified webhooks and unsafe
    OAuth flows."""


@cli.command(short_help="Scan a whole tree, given files, or standard input (`-`).",
             epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--all-files", is_flag=True,
              help="Include git-ignored files (outside git: .venv, node_modules, __pycache__ ...).")
@NO_CACHE
@click.option("--stdin-filename", metavar="PATH",
              help="With `scan -`: the path standard input is reported under (its type decides the rules).")
@click.option("--max-archive-depth", type=click.IntRange(0, 8), default=0, show_default=True,
              help="Scan inside zip/jar/whl/tar(.gz) archives this many levels deep (0: not at all); "
                   "each member at most max-file-size.")
@common_options
def scan(opts: Options, paths: tuple[str, ...], all_files: bool, no_cache: bool,
         stdin_filename: str | None, max_archive_depth: int) -> int:
    """Scan a whole tree (in git: tracked plus untracked-not-ignored files), given files, or
    standard input (`-`). Inside a git work tree, paths are relative to its top, whatever the
    working directory or the paths given."""
    if "-" in paths:
        if len(paths) > 1:
            raise click.UsageError("`-` (standard input) cannot be combined with other paths")
        run = prepare(opts, _work_tree_top([Path(".")]) or Path("."))
        data = sys.stdin.buffer.read()
        name = (stdin_filename or "stdin").replace(os.sep, "/")
        return execute(run, [SourceFile(path=name, content=data, explicit=True)], notes=[], expected=1)
    if stdin_filename:
        raise click.UsageError("--stdin-filename goes with `scan -` (standard input)")
    root, targets = _scan_root(paths)
    run = prepare(opts, root, _config_start(targets))
    sources, notes = _target_sources(targets, root, all_files)
    if max_archive_depth:
        from scanner.archives import expand

        # Members stream in (an archive can hold more than memory should): no total known.
        is_excluded = excluded(run)  # an excluded archive is not opened either
        sources = [source for source in sources if not is_excluded(source.path)]
        return execute(run, expand(sources, depth=max_archive_depth,
                                   member_limit=run.config.max_file_size, notes=notes),
                       notes=notes, expected=None, cache=None)
    # The whole work tree scanned: its listing is the one a project rule would ask for.
    whole = len(targets) == 1 and targets[0].is_dir() and targets[0].resolve() == root.resolve()
    return execute(run, sources, notes=notes, expected=len(sources),
                   cache=None if no_cache else _results_cache(run),
                   work_tree=sources if whole else None)


def _results_cache(run: Run) -> ResultCache:
    """The cache for this root and these settings (rules, options, severities, size limit)."""
    from scanner.cache import ResultCache

    cache = ResultCache(run.root, _settings_digest(run))
    cache.load()
    return cache


# Entries a blob cache keeps (the least recently used go first): history's covers a big
# repository's every ref; diff's and hook's stays small, since a commit loads it.
HISTORY_CACHE_ENTRIES = 200_000
DIFF_CACHE_ENTRIES = 20_000


def _blob_cache(run: Run, kind: str, no_cache: bool) -> BlobResultCache | None:
    """The blob results cache of `history` or of `diff` and `hook` (None: --no-cache)."""
    if no_cache:
        return None
    from scanner.cache import BlobResultCache

    cache = BlobResultCache(run.root, _settings_digest(run), prefix=kind,
                            limit=HISTORY_CACHE_ENTRIES if kind == "history" else DIFF_CACHE_ENTRIES)
    cache.load()
    return cache


def _settings_digest(run: Run) -> str:
    """What a cached result depends on besides its file: the rules, their options and
    severities, the size limit, and the team's own secret formats (a rules-file's too)."""
    from scanner.cache import settings_digest
    from scanner.facts.secrets.user_rules import from_options

    try:
        user_rules = repr(from_options(run.config.options.get("secrets", {})))
    except ValueError as exc:  # loading the config reports it first; never reached in practice
        user_rules = f"unreadable: {exc}"
    return settings_digest({
        "max_file_size": run.config.max_file_size,
        "rules": [[rule.id, rule.effective_severity.value, dict(rule.options)] for rule in run.rules],
        "user_rules": user_rules})


def _scan_root(paths: Sequence[str]) -> tuple[Path, list[Path]]:
    """The root that finding paths are relative to, and the targets (which must exist and be
    readable): inside a git work tree its top level, so that paths, the baseline, the config
    and per-file-ignores are the repository's wherever the scan starts; outside git the one
    directory given (or the working directory)."""
    import stat

    targets = [Path(p) for p in paths] or [Path(".")]
    unreadable: list[str] = []
    for target in targets:
        if not os.path.lexists(target):
            raise ToolError(f"{target}: no such file or directory")
        try:
            mode = os.stat(target).st_mode
        except OSError as exc:
            unreadable.append(f"{target}: cannot read ({exc.strerror})")
            continue
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            unreadable.append(f"{target}: not a regular file or directory"
                              " (to scan a pipe or standard input, use `scan -`)")
    # Nothing named can be read: an error, not "0 findings" (one bad name among others is a
    # note, and the rest is scanned).
    if len(unreadable) == len(targets):
        raise ToolError(unreadable[0])
    top = _work_tree_top(targets)
    if top is not None:
        return top, targets
    root = targets[0] if len(targets) == 1 and targets[0].is_dir() else Path(".")
    return root, targets


def _config_start(targets: Sequence[Path]) -> Path:
    """Where config discovery starts: the first directory scanned (a nearer config wins)."""
    first = targets[0]
    return first if first.is_dir() else first.parent


def _work_tree_top(targets: Sequence[Path]) -> Path | None:
    """The top of the git work tree holding every target, spelt relative to the working
    directory when it lies above it (`..`), or None outside git (or across work trees)."""
    from scanner.sources import git_available, repo_root

    if not git_available():
        return None
    # One git call per directory, not per file named.
    directories = {target.absolute() if target.is_dir() else target.absolute().parent
                   for target in targets}
    try:
        tops = {repo_root(directory).resolve() for directory in directories}
    except (GitError, OSError):
        return None
    if len(tops) != 1:
        return None
    top = tops.pop()
    cwd = Path.cwd().resolve()
    if top == cwd:
        return Path(".")
    if top in cwd.parents:
        return Path(os.path.relpath(top, cwd))
    return top


def _target_sources(targets: Sequence[Path], root: Path, all_files: bool) -> tuple[list[SourceFile], list[str]]:
    """Every file of the target directories and the named files, with paths relative to root."""
    from scanner.sources import explicit_file, tree_files

    sources: list[SourceFile] = []
    notes: list[str] = []
    for target in targets:
        if target.is_dir() and not target.is_symlink():
            found, tree_notes = tree_files(target, all_files=all_files)
            notes.extend(tree_notes)
            if target != root:
                prefix = os.path.relpath(target, root).replace(os.sep, "/")
                found = [SourceFile(path=f"{prefix}/{s.path}", location=s.location, root=str(root))
                         for s in found]
            sources.extend(found)
        else:
            sources.append(explicit_file(target, root))
    return sources, notes


@cli.command(short_help="Findings a diff adds: --staged, or BASE...HEAD.", epilog=EXIT_CODES)
@click.argument("revisions", required=False)
@click.option("--staged", is_flag=True, help="The index against HEAD (what the next commit adds).")
@NO_CACHE
@common_options
def diff(opts: Options, revisions: str | None, staged: bool, no_cache: bool) -> int:
    """Findings that a diff introduces: `--staged`, or `BASE[...HEAD]` / `BASE..HEAD`."""
    from scanner.sources import Comparison

    if staged == bool(revisions):
        raise click.UsageError("give either --staged or a revision range such as main...HEAD")
    _check_revisions(revisions)
    root = _git_root(Path("."))
    run = prepare(opts, root)
    run.mode = "scan" if revisions else "commit"
    notes: list[str] = []
    comparison = Comparison.commits(root, revisions) if revisions else Comparison.staged(root)
    sources = list(comparison.files(max_size=run.config.max_file_size, notes=notes))
    notes.extend(_config_change_notes(run, comparison))
    return execute(run, sources, notes=notes, expected=len(sources),
                   blob_cache=_blob_cache(run, "diff", no_cache))


def _check_revisions(revisions: str | None) -> None:
    """A revision is never an option, whatever click let through after `--`."""
    if revisions is not None and revisions.startswith("-"):
        raise click.UsageError(f"{revisions}: a revision range cannot start with '-'")


def _config_change_notes(run: Run, comparison: Comparison) -> list[str]:
    """A note when the diff being scanned changes the scanner's own configuration or baseline:
    a pull request could add a secret together with an `exclude` or a baseline entry for it."""
    from scanner.config import CONFIG_FILES

    watched: set[str] = set()
    if run.opts.config is None:  # discovered: a diff can add or change any candidate file
        watched.update(CONFIG_FILES)
    elif run.config_path is not None:
        watched.add(_relative_to(run.config_path, run.root) or "")
    if not run.opts.no_baseline:
        baseline = run.baseline_path or run.root / BASELINE_FILE
        watched.add(_relative_to(baseline, run.root) or "")
    watched.discard("")
    if not watched:
        return []
    changed = [change.path for change in comparison.changes(sorted(watched))
               if change.path.rsplit("/", 1)[-1] != "pyproject.toml" or _our_table_changed(run, change)]
    if not changed:
        return []
    return [f"this diff changes the scanner's own configuration ({', '.join(sorted(changed))}), "
            "which decides what it reports; in CI, pass --config from outside the checkout "
            "and --no-baseline"]


def _our_table_changed(run: Run, change: RawChange) -> bool:
    """Whether a pyproject.toml change touches [tool.secret-hygiene] (unreadable: assume so)."""
    from scanner.sources import blob_bytes

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib

    tables: list[object] = []
    for blob in (change.old, change.new):
        if set(blob) == {"0"}:
            tables.append(None)
            continue
        data = blob_bytes(run.root, blob)
        try:
            document = tomllib.loads(data.decode("utf-8")) if data is not None else None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError):
            document = None
        if document is None:
            return True
        tool = document.get("tool")
        tables.append(tool.get("secret-hygiene") if isinstance(tool, dict) else None)
    return tables[0] != tables[1]


@cli.command(short_help="Scan what every commit added (REV-RANGE, default HEAD).",
             epilog=EXIT_CODES)
@click.argument("rev_range", required=False)
@click.option("--all", "all_refs", is_flag=True,
              help="Every ref's commits (branches, tags, remotes, pull requests), not only HEAD's.")
@NO_CACHE
@common_options
def history(opts: Options, rev_range: str | None, all_refs: bool, no_cache: bool) -> int:
    """Scan every commit's added lines (default: all commits reachable from HEAD)."""
    from scanner.progress import wanted
    from scanner.sources import history_files

    if all_refs and rev_range is not None:
        raise ToolError("history: give a range or --all, not both")
    _check_revisions(rev_range)
    root = _git_root(Path("."))
    run = prepare(opts, root)
    # The count is shown only in text (the progress bar, the last line) and checks a range; for
    # HEAD or --all in another format it would only walk every commit once more before the scan.
    told = (opts.format == "text" and not opts.quiet) or wanted(opts.format, opts.quiet)
    commits = _commit_count(root, rev_range, all_refs=all_refs) \
        if told or rev_range is not None else None
    run.mode = "history" if commits is None else \
        f"history of {commits} commit{'s' if commits != 1 else ''}"
    notes: list[str] = []
    prefilter = run.plan().prefilter()
    # With worker processes, each reads its own blobs: only blob ids cross the process boundary.
    # A commit's file comes as its added lines; its blob is read only where a rule parses it.
    repeats: dict[tuple[str, str], list[str]] = {}  # a change made again is scanned once
    sources = history_files(root, rev_range, max_size=run.config.max_file_size, notes=notes,
                            keywords=None if prefilter is None else prefilter.words,
                            path_words=() if prefilter is None else prefilter.path_words,
                            defer_read=_jobs(run) > 1, all_refs=all_refs, repeats=repeats)
    code = execute(run, sources, notes=notes, expected=None, dedupe_commits=True,
                   commit_repeats=repeats, blob_cache=_blob_cache(run, "history", no_cache))
    if opts.format == "text" and not opts.quiet:
        click.echo(f"history: {commits} commit{'s' if commits != 1 else ''} "
                   f"({'every ref' if all_refs else rev_range or 'HEAD'})", err=True)
    return code


def _commit_count(root: Path, rev_range: str | None, *, all_refs: bool = False) -> int:
    """How many commits a history scan walks (validated first: git's own `fatal:` line when the
    range names nothing)."""
    from scanner.sources import has_head, history_revisions, run_git

    if all_refs:
        return int(run_git(root, "rev-list", "--count", "--all").strip() or 0)
    if rev_range is None and not has_head(root):
        return 0  # an empty repository: nothing to walk
    out = run_git(root, "rev-list", "--count", *history_revisions(root, rev_range), "--")
    return int(out.strip() or 0)


@cli.command(short_help="Pre-commit entry point: staged lines of FILES.", epilog=EXIT_CODES)
@click.argument("files", nargs=-1, type=click.Path())
@NO_CACHE
@common_options
def hook(opts: Options, files: tuple[str, ...], no_cache: bool) -> int:
    """Pre-commit entry point: the staged content of FILES, findings on staged lines only.
    Files with nothing staged (pre-commit run --all-files) are scanned whole. Everything after
    `--` is a file name, even one starting with '-'."""
    from scanner.sources import Comparison, explicit_file, repo_root_and_head

    for name in files:
        # Only `--` lets such a name through click: it must be a file, not a misplaced option.
        if name.startswith("-") and not os.path.lexists(name):
            raise ToolError(f"{name}: no such file (after `--` every argument is a file name; "
                            "with pre-commit, put options in the hook's `entry` before `--`, "
                            "not in `args`)")
    try:
        root, head = repo_root_and_head(Path("."))
    except GitError:
        root = Path(".")
        run = prepare(opts, root)
        return execute(run, [explicit_file(Path(f), root) for f in files], notes=[], expected=len(files))
    run = prepare(opts, root)
    run.mode = "commit"
    notes: list[str] = []
    cwd = Path.cwd()
    rel = [os.path.relpath(cwd / f, root).replace(os.sep, "/") for f in files]
    comparison = Comparison.staged(root, head)
    sources = list(comparison.files(rel, max_size=run.config.max_file_size, notes=notes,
                                    explicit=True)) if rel else []
    staged_names = {change.path for change in comparison.changes(rel)} if rel else set()
    for path in rel:
        if path not in staged_names:
            sources.append(explicit_file(root / path, root))
    notes.extend(_config_change_notes(run, comparison))
    return execute(run, sources, notes=notes, expected=len(sources),
                   blob_cache=_blob_cache(run, "diff", no_cache) if rel else None)


_FINGERPRINT = re.compile(r"[0-9a-f]{64}")


@cli.command(short_help="Accept today's findings (or a history range's, or one fingerprint).",
             epilog="Exit codes: 0 written; 2 usage, configuration or environment error.")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--all-files", is_flag=True, help="Include git-ignored files.")
@click.option("--output", "-o", "baseline_out", type=click.Path(dir_okay=False),
              help=f"Baseline to write (default: the configured one, else {BASELINE_FILE} at the "
                   "repository's top or the scanned directory).")
@click.option("--config", type=click.Path(dir_okay=False), help="Config file (default: discovered).")
@click.option("--update", is_flag=True,
              help="Keep existing entries that still match a finding (with any fields you added), "
                   "drop stale ones, add new findings. Without it, the fields you added to "
                   "entries that still match are kept too.")
@click.option("--history", "history_range", is_flag=False, flag_value="HEAD", default=None,
              metavar="[REV-RANGE]",
              help="Add what the commits of REV-RANGE add (default HEAD: every commit), e.g. a "
                   "blocked push's REMOTE..LOCAL; existing entries are kept.")
@click.option("--add", "add_fingerprints", multiple=True, metavar="FINGERPRINT",
              help="Accept one reported finding by its fingerprint (from --format json; repeatable).")
@click.option("--reason", help="A reason stored with the entries this run adds.")
@click.option("--from-detect-secrets", "detect_secrets_file", type=click.Path(dir_okay=False),
              help="Import the secrets a detect-secrets baseline accepted (merged into the "
                   "baseline); entries its audit marked real (is_secret: true) are not imported.")
def baseline(paths: tuple[str, ...], all_files: bool, baseline_out: str | None, config: str | None,
             update: bool, history_range: str | None, add_fingerprints: tuple[str, ...],
             reason: str | None, detect_secrets_file: str | None) -> int:
    """Write the baseline: every current finding, by fingerprint, so later scans report only
    new ones. Inside a git work tree it covers the repository (or the PATHS given, keeping the
    entries elsewhere) and is written at its top."""
    from scanner.app.detect_secrets_import import import_detect_secrets
    from scanner.suppress import baseline_entries, read_baseline, sort_entries, write_baseline

    if sum(map(bool, (history_range, add_fingerprints, detect_secrets_file))) > 1:
        raise click.UsageError("give at most one of --history, --add and --from-detect-secrets")
    if (history_range or add_fingerprints) and paths:
        raise click.UsageError("--history and --add take no PATH")
    root, targets = _scan_root(paths)
    opts = Options("text", None, config, (), (), None, True, None, None, False, 0)
    run = prepare(opts, root, _config_start(targets))
    run.mode = "baseline"
    target = Path(baseline_out) if baseline_out else (
        _baseline_path(opts, run.config, root, run.config_path) or root / BASELINE_FILE)
    # lexists: a link or FIFO committed under the baseline's name is refused, not skipped.
    previous = read_baseline(target, root) if os.path.lexists(target) else []
    known = {entry["fingerprint"] for entry in previous}

    def with_reason(entries: Iterable[dict[str, str]]) -> list[dict[str, str]]:
        return [{**entry, "reason": reason} if reason and entry["fingerprint"] not in known else entry
                for entry in entries]

    if add_fingerprints:
        wrong = [fp for fp in add_fingerprints if not _FINGERPRINT.fullmatch(fp.lower())]
        if wrong:
            raise ToolError(f"--add {wrong[0]}: not a fingerprint (64 hex digits, from --format json)")
        added = [{"fingerprint": fp.lower()} for fp in add_fingerprints]
        entries = sort_entries([*previous, *with_reason(added)])
        write_baseline(target, entries, root)
        click.echo(f"added {len(entries) - len(previous)} entries to {target} "
                   f"({len(entries)} in all)", err=True)
        return 0
    if detect_secrets_file:
        secret_rules = [r for r in run.rules if r.family == "secret"]
        imported = import_detect_secrets(Path(detect_secrets_file), root, secret_rules,
                                         run.config.max_file_size, run.config.options)
        entries = sort_entries([*previous, *with_reason(imported.entries)])
        write_baseline(target, entries, root)
        click.echo(f"imported {len(imported.entries)} findings from {detect_secrets_file} "
                   f"({imported.matched_by_hash} by secret hash, {imported.matched_by_line} by line); "
                   f"{target} has {len(entries)} entries", err=True)
        if imported.real:
            click.echo(f"{imported.real} entries that detect-secrets' audit marked as real secrets "
                       "(is_secret: true) were not imported: revoke and remove those secrets; "
                       "scans report them", err=True)
        for note in imported.unmatched:
            click.echo(f"note: {one_line(note)}", err=True)
        return 0
    if history_range is not None:
        from scanner.sources import history_files

        _check_revisions(history_range)
        spec = None if history_range == "HEAD" else history_range
        notes: list[str] = []
        commits = _commit_count(root, spec)
        run.mode = f"history of {commits} commit{'s' if commits != 1 else ''}"
        prefilter = run.plan().prefilter()
        history = history_files(root, spec, max_size=run.config.max_file_size, notes=notes,
                                keywords=None if prefilter is None else prefilter.words,
                                path_words=() if prefilter is None else prefilter.path_words)
        result = _scan_for_command(run, history, expected=None, dedupe_commits=True)
        entries = sort_entries([*previous, *with_reason(baseline_entries(result.findings))])
        done = (f"added {len(entries) - len(previous)} entries from {commits} commits to {target} "
                f"({len(entries)} in all)")
    else:
        sources, notes = _target_sources(targets, root, all_files)
        result = _scan_for_command(run, sources, expected=len(sources))
        current = baseline_entries(result.findings)
        # Entries for files this run did not scan (`baseline src` in a repository) stay.
        scanned = {source.path for source in sources}
        elsewhere = [e for e in previous if e.get("path") is not None and e["path"] not in scanned
                     and not _covers(targets, root, str(e["path"]))]
        if update:
            from scanner.suppress import updated_entries

            entries = sort_entries([*updated_entries(previous, result.findings), *elsewhere])
            kept = len(known & {e["fingerprint"] for e in entries})
            done = (f"updated {target}: {kept} kept, {len(previous) - kept} dropped, "
                    f"{len(entries) - kept} added")
        else:
            # The fields users added (a reason) stay with the entries that still match.
            added_fields = {e["fingerprint"]: e for e in previous}
            entries = sort_entries([*elsewhere, *({**added_fields.get(e["fingerprint"], {}), **e}
                                                  for e in with_reason(current))])
            done = f"wrote {len(entries)} entries to {target}"
            carried = sum(1 for e in current if len(added_fields.get(e["fingerprint"], {})) > 3)
            if carried:
                done += f" (kept the fields you added to {carried})"
    write_baseline(target, entries, root)
    click.echo(done, err=True)  # only once the baseline is really written
    for note in notes + result.summary.errors:
        click.echo(f"note: {one_line(note)}", err=True)
    return 0


@cli.command(short_help="Step through findings, mark each real or false; write the baseline.",
             epilog="Exit codes: 0 done (decisions written); 1 findings marked real; 2 usage, "
                    "configuration or environment error.")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--config", type=click.Path(dir_okay=False), help="Config file (default: discovered).")
@click.option("--all-files", is_flag=True, help="Include git-ignored files.")
@REDACT_OPTION
def audit(paths: tuple[str, ...], config: str | None, all_files: bool, redact: int | None) -> int:
    """Interactive triage (like `detect-secrets audit`): for each finding not yet baselined,
    answer f (false positive: accepted into the baseline with your reason), r (real: to fix and
    revoke, left reported), s (skip) or q (stop). Decisions are written as you go."""
    from scanner.suppress import read_baseline, sort_entries, write_baseline

    root, targets = _scan_root(paths)
    opts = Options("text", None, config, (), (), None, False, None, None, False, 0, redact=redact)
    run = prepare(opts, root, _config_start(targets))
    target = _baseline_path(opts, run.config, root, run.config_path) or root / BASELINE_FILE
    sources, _ = _target_sources(targets, root, all_files)
    findings = _scan_for_command(run, sources, expected=len(sources)).findings
    if not findings:
        click.echo("nothing to audit: no finding outside the baseline", err=True)
        return 0
    real: list[Finding] = []
    accepted = 0
    for number, finding in enumerate(findings, 1):
        click.echo(f"\n[{number}/{len(findings)}] {one_line(finding.path)}:{finding.line}:{finding.column} "
                   f"{finding.rule} {finding.name} ({finding.severity.value}, confidence "
                   f"{finding.confidence.value})\n  {one_line(finding.message)}\n"
                   f"  {one_line(finding.snippet)}")
        answer = click.prompt("  (f)alse positive, (r)eal, (s)kip, (q)uit",
                              type=click.Choice(["f", "r", "s", "q"]), show_choices=False)
        if answer == "q":
            break
        if answer == "r":
            real.append(finding)
        elif answer == "f":
            reason = click.prompt("  reason", default="false positive").strip()
            previous = read_baseline(target, root) if os.path.lexists(target) else []
            entry = {"fingerprint": finding.fingerprint, "rule": finding.rule, "path": finding.path,
                     "reason": reason}
            write_baseline(target, sort_entries([*previous, entry]), root)
            accepted += 1
    click.echo(f"\n{accepted} accepted into {target}; {len(real)} marked real", err=True)
    if real:
        click.echo("revoke and remove the real ones (a rewritten history does not make a "
                   "leaked secret safe): " + ", ".join(f"{f.path}:{f.line} {f.rule}" for f in real),
                   err=True)
    return 1 if real else 0


def _covers(targets: Sequence[Path], root: Path, path: str) -> bool:
    """Whether a baseline entry's path lies under one of the scanned targets."""
    for target in targets:
        rel = _relative_to(target, root)
        if rel is not None and (rel in (".", "") or path == rel or path.startswith(rel + "/")):
            return True
    return False


def _scan_for_command(run: Run, sources: Iterable[SourceFile], *, expected: int | None,
                      dedupe_commits: bool = False, want_fixes: bool = False) -> ScanResult:
    """The engine over `sources` for `baseline` and `fix` (no report), with a progress bar for
    a person at a terminal."""
    from scanner.engine.pool import default_jobs
    from scanner.engine.runner import Settings, loader_for, scan
    from scanner.progress import scan_progress
    from scanner.suppress import PathIgnores

    is_excluded = excluded(run)
    with scan_progress("text", False, expected, label=_progress_label(run)) as on_file:
        return scan((s for s in sources if not is_excluded(s.path)), run.plan(),
                    Settings(max_size=run.config.max_file_size, want_fixes=want_fixes,
                             hidden=run.hidden),
                    jobs=default_jobs(), expected=expected,
                    project_loader=loader_for(run.root, run.config.max_file_size),
                    path_ignores=PathIgnores.build(run.config.per_file_ignores),
                    baseline=run.baseline, dedupe_commits=dedupe_commits, on_file=on_file)


@cli.command(short_help="Apply autofixes (SH101 to os.environ, SH302 to compare_digest).",
             epilog="Exit codes: 0 done; 1 --diff has changes; 2 usage, configuration or "
                    "environment error, or a fixed file could not be written.")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--select", multiple=True, help="Rules to fix (ids, prefixes or families; default: every rule with a fix).")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff instead of writing (exit 1 if it is not empty).")
@click.option("--config", type=click.Path(dir_okay=False), help="Config file (default: discovered).")
@click.option("--all-files", is_flag=True, help="Include git-ignored files.")
@REDACT_OPTION
def fix(paths: tuple[str, ...], select: tuple[str, ...], show_diff: bool, config: str | None,
        all_files: bool, redact: int | None) -> int:
    """Apply the fixes of reported, unsuppressed findings (SH101: a hard-coded secret in Python
    becomes os.environ["NAME"]; SH302: a signature compare becomes hmac.compare_digest); prints
    the environment variables to set. A file that cannot be fixed is a note; the others go on."""
    from scanner.app.fix import fix_file

    root, targets = _scan_root(paths)
    opts = Options("text", None, config, _split(select), (), None, False, None, None, False, 0,
                   redact=redact)
    run = prepare(opts, root, _config_start(targets))
    run.mode = "fix"
    run.rules = [rule for rule in run.rules if rule.has_fix]
    if not run.rules:
        from scanner.rules.registry import RULES

        raise ToolError("nothing to fix with: no selected rule has a fix (rules with fixes: "
                        + ", ".join(r.id for r in RULES if r.has_fix) + ")")
    sources, _ = _target_sources(targets, root, all_files)
    result = _scan_for_command(run, sources, expected=len(sources), want_fixes=True)
    for note in result.summary.errors:
        click.echo(f"note: {one_line(note)}", err=True)
    by_path: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_path.setdefault(finding.path, []).append(finding)
    changed, unfixed, failed, names = 0, 0, 0, set()
    for path, findings in sorted(by_path.items()):
        if not any(f.fix is not None for f in findings):
            unfixed += 1
            continue
        location = root / path
        try:
            data = read_file(location, what="file", root=root, limit=run.config.max_file_size)
            # Read-only by its mode (even for root, who may write anyway) or for this user.
            if not os.stat(location).st_mode & 0o222 or not os.access(location, os.W_OK):
                raise FileSafetyError(f"{path}: read-only")
        except (OSError, FileSafetyError) as exc:
            reason = f"{path}: cannot read ({exc.strerror})" if isinstance(exc, OSError) else str(exc)
            click.echo(f"note: {one_line(reason)}; not fixed", err=True)
            unfixed += 1
            continue
        fixed = fix_file(path, data, findings)
        for note in fixed.notes:
            click.echo(f"note: {one_line(note)}", err=True)
        if fixed.data is None:
            unfixed += 1
            continue
        if show_diff:
            click.echo(fixed.diff(path, run.config.options.get("secrets"), run.hidden), nl=False)
        else:
            try:
                write_file(location, fixed.data, what="fixed file", root=root)
            except FileSafetyError as exc:
                click.echo(f"note: {one_line(str(exc))}; left as it was", err=True)
                failed += 1
                continue
        changed += 1
        names.update(fixed.environment)
    verb = "would fix" if show_diff else "fixed"
    click.echo(f"{verb} {changed} file{'s' if changed != 1 else ''}"
               + (f"; {unfixed} with findings no fix could change" if unfixed else ""), err=True)
    if names:
        click.echo("set these environment variables: " + ", ".join(sorted(names)), err=True)
    if failed:
        raise ToolError(f"{failed} fixed file{'s' if failed != 1 else ''} could not be written "
                        "(see the notes above)")
    return 1 if show_diff and changed else 0


@cli.command(name="install-hook", short_help="Install a native git pre-commit or pre-push hook.",
             epilog="Exit codes: 0 installed; 2 not installed (one line says why).")
@click.option("--pre-push", "pre_push", is_flag=True,
              help="Install the pre-push hook (scans the pushed commits) instead of pre-commit.")
@click.option("--force", is_flag=True, help="Replace a hook not written by secret-hygiene (kept as a backup).")
def install_hook_command(pre_push: bool, force: bool) -> int:
    """Write a native git hook into the repository's hooks directory (honours core.hooksPath)."""
    from scanner.install_hook import InstallError, install

    try:
        done = install(Path("."), "pre-push" if pre_push else "pre-commit", force=force)
    except InstallError as exc:
        raise ToolError(str(exc)) from None
    click.echo(f"{done.action} {done.path}"
               + (f" (the previous hook is now {done.backup})" if done.backup else ""), err=True)
    return 0


@cli.command(name="rules", short_help="List every rule.")
@click.option("--format", "format_", type=click.Choice(["text", "json", "markdown"]), default="text")
def rules_command(format_: str) -> int:
    """List every rule: id, name, category, severity and what it finds."""
    import json

    from scanner.rules.registry import RULES

    if format_ == "json":
        click.echo(json.dumps([{"id": r.id, "name": r.name, "category": r.family,
                                "severity": r.severity.value, "summary": r.summary()} for r in RULES], indent=2))
    elif format_ == "markdown":
        click.echo(rules_table())
    else:
        for r in RULES:
            click.echo(f"{r.id}  {r.name:<42} {r.family:<8} {r.severity.value:<6} {r.summary()}")
    return 0


def rules_table() -> str:
    """The README's rule table, generated from the registry."""
    from scanner.rules.registry import RULES

    lines = ["| id | name | category | severity | what it finds |", "|---|---|---|---|---|"]
    for r in RULES:
        lines.append(f"| {r.id} | `{r.name}` | {r.family} | {r.severity.value} | {r.summary()} |")
    return "\n".join(lines)


@cli.command(short_help="Show a rule's documentation and options (e.g. SH101).")
@click.argument("rule_id")
def explain(rule_id: str) -> int:
    """Show a rule's documentation (e.g. `secret-hygiene explain SH101`)."""
    from scanner.rules.registry import RULES

    wanted = rule_id.strip()
    for rule in RULES:
        if wanted.upper() == rule.id or wanted.lower() == rule.name:
            click.echo(f"# {rule.id} {rule.name}\n\ncategory: {rule.family}  "
                       f"severity: {rule.severity.value}"
                       + (f"  cwe: {', '.join(rule.cwe)}" if rule.cwe else "") + "\n")
            click.echo(rule.doc())
            click.echo(_options_doc(rule))
            return 0
    raise ToolError(f"unknown rule {rule_id!r} (see `secret-hygiene rules`)")


# What each family's options do ([tool.secret-hygiene.<section>]); `explain` prints them.
OPTION_DOCS: dict[str, dict[str, str]] = {
    "secrets": {
        "min-length": "shortest value (characters) a keyword-named secret may have; default 8, 1-256",
        "placeholders": 'values never reported, e.g. ["changeme", "<your-token>"] (placeholders '
                        "such as `xxx`, `<...>`, `${VAR}` are skipped already)",
        "decode-depth": "layers of base64/hex/percent encoding read around a format keyword; "
                        "default 1, 0-3 (2+ also decodes every long encoded run)",
        "rules": "your own formats: [[tool.secret-hygiene.secrets.rules]] id, pattern, keywords, "
                 "entropy, examples (reported as SH106)",
        "rules-file": "a gitleaks/betterleaks rules file whose [[rules]] are added (reported as SH106)",
    },
    "scopes": {
        "max-length": "longest space-joined scope string (characters); default 4000",
        "host-limits": 'per-host limits, e.g. { "accounts.example.com" = 2000 }',
        "map": 'what a scope of your own grants: scope = ["METHOD /path", ...] (for unused-scope checks)',
        "allow": "scopes never reported as unused or over-broad",
    },
    "webhooks": {
        "verifiers": "names of your own functions that verify a webhook signature",
    },
}


def _options_doc(rule: Rule | type[Rule]) -> str:
    from scanner.rules.registry import FAMILY_BY_NAME

    family = FAMILY_BY_NAME[rule.family]
    if not family.options:
        return f"## Options\nnone (the {family.section} family has no options)"
    docs = OPTION_DOCS.get(family.section, {})
    lines = [f"## Options\nIn [tool.secret-hygiene.{family.section}] (every {family.name} rule reads them):"]
    lines += [f"- `{key}`: {docs.get(key, 'see the README')}" for key in sorted(family.options)]
    return "\n".join(lines)


cli.add_command(providers_command)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    finally:
        compiled_code.keep()  # what this run compiled, for the next start-up


def _main(argv: Sequence[str] | None) -> int:
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="secret-hygiene",
                          standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        # click turns Ctrl-C into Abort: 130 is the shell's code for an interrupt.
        click.echo("secret-hygiene: interrupted", err=True)
        return 130
    except click.ClickException as exc:
        # One line, like every other error; `--help` gives the usage.
        command = exc.ctx.command_path if isinstance(exc, click.UsageError) and exc.ctx else "secret-hygiene"
        click.echo(f"{command}: error: {one_line(exc.format_message())} (see --help)", err=True)
        return 2
    except (ConfigError, GitError, BaselineError, ToolError, WorkerError) as exc:
        click.echo(f"secret-hygiene: error: {exc}", err=True)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
