"""The `secret-hygiene` command line: scan, diff, history, hook, baseline, rules, explain.

Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage/config/environment error."""

from __future__ import annotations

import functools
import io
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from scanner import __version__
from scanner.config import BASELINE_FILE, Config, ConfigError, find_config, load_config
from scanner.engine.pool import WorkerError
from scanner.model.finding import Finding, Severity, Summary
from scanner.providers_command import providers_command
from scanner.redact import one_line
from scanner.rules.base import Rule
from scanner.safe_io import FileSafetyError, read_file, write_file, write_output
from scanner.sources import GitError, SourceFile
from scanner.suppress import BaselineError

if TYPE_CHECKING:
    from scanner.cache import ResultCache
    from scanner.engine.plan import Plan
    from scanner.sources import Comparison, RawChange

FORMATS = ("text", "json", "sarif", "github")


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
        click.option("--quiet", "-q", is_flag=True, help="Print nothing but findings."),
        click.option("--verbose", "-v", count=True, help="Say more (notes, timings)."),
    ]

    @functools.wraps(func)
    def wrapper(format_: str, output: str | None, config: str | None, select: tuple[str, ...],
                ignore: tuple[str, ...], baseline: str | None, no_baseline: bool, jobs: int | None,
                fail_on: str | None, quiet: bool, verbose: int, **kwargs: Any) -> int:
        opts = Options(format_, output, config, _split(select), _split(ignore), baseline, no_baseline,
                       jobs, fail_on, quiet, verbose)
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

    def plan(self, *, fast_paths: bool = True) -> Plan:
        from scanner.engine.plan import build_plan

        return build_plan(self.rules, self.config.options, fast_paths=fast_paths)


def prepare(opts: Options, root: Path) -> Run:
    from scanner.rules import registry
    from scanner.suppress import load_baseline

    config_path = Path(opts.config) if opts.config else find_config(root)
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
    return Run(root=root, config=config, rules=rules, opts=opts, baseline=baseline,
               config_path=config_path, baseline_path=baseline_path)


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
            cache: ResultCache | None = None) -> int:
    from scanner.engine.runner import Settings, loader_for, scan
    from scanner.progress import scan_progress
    from scanner.suppress import PathIgnores

    is_excluded = excluded(run)
    filtered = (s for s in sources if not is_excluded(s.path))
    jobs = _jobs(run)
    settings = Settings(max_size=run.config.max_file_size, cache=cache)
    with scan_progress(run.opts.format, run.opts.quiet, expected) as on_file:
        result = scan(
            filtered, run.plan(), settings, jobs=jobs, expected=expected,
            project_loader=loader_for(run.root, run.config.max_file_size),
            project_paths=functools.cache(lambda: _work_tree_paths(run)),
            path_ignores=PathIgnores.build(run.config.per_file_ignores), baseline=run.baseline,
            dedupe_commits=dedupe_commits, on_file=on_file, notes=(),
        )
    if cache is not None:
        cache.save()
        notes.extend(cache.notes)
    # Notes gathered while streaming sources (git) arrive after the scan; keep them.
    result.summary.errors.extend(notes)
    return report(run, result.findings, result.summary)


def report(run: Run, findings: Sequence[Finding], summary: Summary) -> int:
    from scanner.reporters import REPORTERS

    opts = run.opts
    render = REPORTERS.get(opts.format)
    if render is None:
        raise ToolError(f"--format {opts.format}: not available in this version")
    if opts.format == "text" and not opts.quiet:
        for note in summary.errors:
            click.echo(f"note: {one_line(note)}", err=True)
    if opts.output:
        # Rendered whole, then written aside and renamed: never a truncated report, never
        # through a link the repository committed under the report's name.
        buffer = io.StringIO()
        render(findings, summary, buffer, False)
        try:
            write_output(Path(opts.output), buffer.getvalue().encode("utf-8"), what="report",
                         root=run.root)
        except FileSafetyError as exc:
            raise ToolError(f"--output {exc}") from None
    else:
        stdout: TextIO = sys.stdout
        if not (opts.quiet and not findings and opts.format == "text"):
            render(findings, summary, stdout, _use_color(stdout, opts.format))
    fail_on = Severity.parse(opts.fail_on) if opts.fail_on else run.config.fail_on
    return 1 if any(f.severity.rank >= fail_on.rank for f in findings) else 0


def _use_color(stream: TextIO, fmt: str) -> bool:
    return fmt == "text" and "NO_COLOR" not in os.environ and stream.isatty()


def _git_root(path: Path) -> Path:
    from scanner.sources import repo_root

    return repo_root(path)


# -- commands ---------------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="secret-hygiene")
def cli() -> None:
    """Find committed OAuth/API credentials, oversized scopes, unverified webhooks and unsafe
    OAuth flows."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--all-files", is_flag=True, help="Include git-ignored files.")
@click.option("--no-cache", is_flag=True,
              help="Neither read nor write the results cache (.cache/secret-hygiene/).")
@common_options
def scan(opts: Options, paths: tuple[str, ...], all_files: bool, no_cache: bool) -> int:
    """Scan a whole tree (in git: tracked plus untracked-not-ignored files) or given files."""
    root, targets = _scan_root(paths)
    run = prepare(opts, root)
    sources, notes = _target_sources(targets, root, all_files)
    return execute(run, sources, notes=notes, expected=len(sources),
                   cache=None if no_cache else _results_cache(run))


def _results_cache(run: Run) -> ResultCache:
    """The cache for this root and these settings (rules, options, severities, size limit)."""
    from scanner.cache import ResultCache, settings_digest

    settings = {"max_file_size": run.config.max_file_size,
                "rules": [[rule.id, rule.effective_severity.value, dict(rule.options)]
                          for rule in run.rules]}
    cache = ResultCache(run.root, settings_digest(settings))
    cache.load()
    return cache


def _scan_root(paths: Sequence[str]) -> tuple[Path, list[Path]]:
    """The root that finding paths are relative to, and the targets (which must exist)."""
    targets = [Path(p) for p in paths] or [Path(".")]
    for target in targets:
        if not os.path.lexists(target):
            raise ToolError(f"{target}: no such file or directory")
    root = targets[0] if len(targets) == 1 and targets[0].is_dir() else Path(".")
    return root, targets


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


@cli.command()
@click.argument("revisions", required=False)
@click.option("--staged", is_flag=True, help="The index against HEAD (what the next commit adds).")
@common_options
def diff(opts: Options, revisions: str | None, staged: bool) -> int:
    """Findings that a diff introduces: `--staged`, or `BASE[...HEAD]` / `BASE..HEAD`."""
    from scanner.sources import Comparison

    if staged == bool(revisions):
        raise click.UsageError("give either --staged or a revision range such as main...HEAD")
    _check_revisions(revisions)
    root = _git_root(Path("."))
    run = prepare(opts, root)
    notes: list[str] = []
    comparison = Comparison.commits(root, revisions) if revisions else Comparison.staged(root)
    sources = list(comparison.files(max_size=run.config.max_file_size, notes=notes))
    notes.extend(_config_change_notes(run, comparison))
    return execute(run, sources, notes=notes, expected=len(sources))


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


@cli.command()
@click.argument("rev_range", required=False)
@common_options
def history(opts: Options, rev_range: str | None) -> int:
    """Scan every commit's added lines (default: all commits reachable from HEAD)."""
    from scanner.sources import history_files

    _check_revisions(rev_range)
    root = _git_root(Path("."))
    run = prepare(opts, root)
    notes: list[str] = []
    keywords = run.plan().prefilter_words()
    # With worker processes, each reads its own blobs: only blob ids cross the process boundary.
    sources = history_files(root, rev_range, max_size=run.config.max_file_size, notes=notes,
                            keywords=keywords, defer_read=_jobs(run) > 1)
    return execute(run, sources, notes=notes, expected=None, dedupe_commits=True)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path())
@common_options
def hook(opts: Options, files: tuple[str, ...]) -> int:
    """Pre-commit entry point: the staged content of FILES, findings on staged lines only.
    Files with nothing staged (pre-commit run --all-files) are scanned whole. Everything after
    `--` is a file name, even one starting with '-'."""
    from scanner.sources import Comparison, explicit_file

    for name in files:
        # Only `--` lets such a name through click: it must be a file, not a misplaced option.
        if name.startswith("-") and not os.path.lexists(name):
            raise ToolError(f"{name}: no such file (after `--` every argument is a file name; "
                            "with pre-commit, put options in the hook's `entry` before `--`, "
                            "not in `args`)")
    try:
        root = _git_root(Path("."))
    except GitError:
        root = Path(".")
        run = prepare(opts, root)
        return execute(run, [explicit_file(Path(f), root) for f in files], notes=[], expected=len(files))
    run = prepare(opts, root)
    notes: list[str] = []
    cwd = Path.cwd()
    rel = [os.path.relpath(cwd / f, root).replace(os.sep, "/") for f in files]
    comparison = Comparison.staged(root)
    sources = list(comparison.files(rel, max_size=run.config.max_file_size, notes=notes,
                                    explicit=True)) if rel else []
    staged_names = {change.path for change in comparison.changes(rel)} if rel else set()
    for path in rel:
        if path not in staged_names:
            sources.append(explicit_file(root / path, root))
    notes.extend(_config_change_notes(run, comparison))
    return execute(run, sources, notes=notes, expected=len(sources))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--all-files", is_flag=True, help="Include git-ignored files.")
@click.option("--output", "-o", "baseline_out", type=click.Path(dir_okay=False),
              help=f"Baseline to write (default: {BASELINE_FILE} in the scanned root).")
@click.option("--config", type=click.Path(dir_okay=False), help="Config file (default: discovered).")
@click.option("--update", is_flag=True,
              help="Keep existing entries that still match a finding (with any fields you added), "
                   "drop stale ones, add new findings.")
@click.option("--from-detect-secrets", "detect_secrets_file", type=click.Path(dir_okay=False),
              help="Import the secrets a detect-secrets baseline accepted (merged into the baseline).")
def baseline(paths: tuple[str, ...], all_files: bool, baseline_out: str | None, config: str | None,
             update: bool, detect_secrets_file: str | None) -> int:
    """Write the baseline: every current finding, by fingerprint, so later scans report new ones."""
    from scanner.engine.pool import default_jobs
    from scanner.engine.runner import Settings, loader_for, scan
    from scanner.sources import tree_files
    from scanner.suppress import (
        PathIgnores,
        baseline_entries,
        import_detect_secrets,
        read_baseline,
        sort_entries,
        updated_entries,
        write_baseline,
    )

    root = Path(paths[0]) if paths else Path(".")
    opts = Options("json", None, config, (), (), None, True, None, None, True, 0)
    run = prepare(opts, root)
    target = Path(baseline_out) if baseline_out else root / BASELINE_FILE
    # lexists: a link or FIFO committed under the baseline's name is refused, not skipped.
    has_previous = os.path.lexists(target)
    if detect_secrets_file:
        secret_rules = [r for r in run.rules if r.family == "secret"]
        imported = import_detect_secrets(Path(detect_secrets_file), root, secret_rules,
                                         run.config.max_file_size, run.config.options)
        existing = read_baseline(target, root) if has_previous else []
        entries = sort_entries([*existing, *imported.entries])
        write_baseline(target, entries, root)
        click.echo(f"imported {len(imported.entries)} findings from {detect_secrets_file} "
                   f"({imported.matched_by_hash} by secret hash, {imported.matched_by_line} by line); "
                   f"{target} has {len(entries)} entries", err=True)
        for note in imported.unmatched:
            click.echo(f"note: {one_line(note)}", err=True)
        return 0
    previous = read_baseline(target, root) if update and has_previous else None
    sources, notes = tree_files(root, all_files=all_files)
    is_excluded = excluded(run)
    result = scan([s for s in sources if not is_excluded(s.path)], run.plan(),
                  Settings(max_size=run.config.max_file_size), jobs=default_jobs(),
                  expected=len(sources),
                  project_loader=loader_for(root, run.config.max_file_size),
                  path_ignores=PathIgnores.build(run.config.per_file_ignores))
    if previous is not None:
        entries = updated_entries(previous, result.findings)
        kept = len({e["fingerprint"] for e in previous} & {e["fingerprint"] for e in entries})
        done = (f"updated {target}: {kept} kept, {len(previous) - kept} dropped, "
                f"{len(entries) - kept} added")
    else:
        entries = baseline_entries(result.findings)
        done = f"wrote {len(entries)} entries to {target}"
    write_baseline(target, entries, root)
    click.echo(done, err=True)  # only once the baseline is really written
    for note in notes + result.summary.errors:
        click.echo(f"note: {one_line(note)}", err=True)
    return 0


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--select", multiple=True, help="Rules to fix (ids, prefixes or families; default: every rule with a fix).")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff instead of writing (exit 1 if it is not empty).")
@click.option("--config", type=click.Path(dir_okay=False), help="Config file (default: discovered).")
@click.option("--all-files", is_flag=True, help="Include git-ignored files.")
def fix(paths: tuple[str, ...], select: tuple[str, ...], show_diff: bool, config: str | None,
        all_files: bool) -> int:
    """Apply the fixes of reported, unsuppressed findings (SH101: a hard-coded secret in Python
    becomes os.environ["NAME"]; SH302: a signature compare becomes hmac.compare_digest); prints
    the environment variables to set. A file that cannot be fixed is a note; the others go on."""
    from scanner.app.fix import fix_file
    from scanner.engine.pool import default_jobs
    from scanner.engine.runner import Settings, loader_for, scan
    from scanner.suppress import PathIgnores

    root, targets = _scan_root(paths)
    opts = Options("text", None, config, _split(select), (), None, False, None, None, True, 0)
    run = prepare(opts, root)
    run.rules = [rule for rule in run.rules if rule.has_fix]
    if not run.rules:
        from scanner.rules.registry import RULES

        raise ToolError("nothing to fix with: no selected rule has a fix (rules with fixes: "
                        + ", ".join(r.id for r in RULES if r.has_fix) + ")")
    sources, _ = _target_sources(targets, root, all_files)
    is_excluded = excluded(run)
    result = scan([s for s in sources if not is_excluded(s.path)], run.plan(),
                  Settings(max_size=run.config.max_file_size, want_fixes=True),
                  jobs=default_jobs(), expected=len(sources),
                  project_loader=loader_for(root, run.config.max_file_size),
                  path_ignores=PathIgnores.build(run.config.per_file_ignores),
                  baseline=run.baseline)
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
            click.echo(fixed.diff(path, run.config.options.get("secrets")), nl=False)
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


@cli.command(name="install-hook")
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


@cli.command(name="rules")
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


@cli.command()
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
            return 0
    raise ToolError(f"unknown rule {rule_id!r} (see `secret-hygiene rules`)")


cli.add_command(providers_command)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="secret-hygiene",
                          standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("secret-hygiene: aborted", err=True)
        return 2
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
