#!/usr/bin/env python3
"""Benchmark secret-hygiene against detect-secrets, ripgrep and git on real source trees.

Usage: python benchmarks/run.py [--quick]. Downloads sdists from PyPI into benchmarks/work/,
prints a table and writes it to benchmarks/results.md."""

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
from collections.abc import Sequence
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

# Pinned so that figures from different days compare.
SDISTS = {"django": "django==5.2.8", "ansible-core": "ansible-core==2.19.14"}
HOOK_FILES = 20
HISTORY_COMMITS = 2000
FAMILIES = ("SH1", "SH2", "SH3", "SH4")
# Used for the ripgrep comparison only when the registry has no keywords yet.
FALLBACK_KEYWORDS = ("secret", "token", "passw", "api_key", "apikey", "private key", "bearer",
                     "client_id", "webhook", "redirect_uri")
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
    """The unpacked sdist of `name` under benchmarks/work/trees/ (downloaded once)."""
    spec = SDISTS[name]
    version = spec.split("==")[1]
    stem = f"{name.replace('-', '_')}-{version}"
    target = TREES / stem
    if target.is_dir():
        return target
    WORK.mkdir(parents=True, exist_ok=True)
    archives = list(WORK.glob(f"{stem}.tar.gz")) + list(WORK.glob(f"{name}-{version}.tar.gz"))
    if not archives:
        print(f"downloading {spec} (sdist) ...", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "download", spec, "--no-deps",
                        "--no-binary", ":all:", "--quiet", "-d", str(WORK)], check=True)
        archives = list(WORK.glob(f"{stem}.tar.gz")) + list(WORK.glob(f"{name}-{version}.tar.gz"))
    TREES.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archives[0]) as archive:
        try:
            archive.extractall(TREES, filter="data")
        except TypeError:  # Python < 3.11.4 has no extraction filters
            archive.extractall(TREES)
    unpacked = next(p for p in TREES.iterdir() if p.name.lower() == stem.lower())
    return unpacked


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


def prefilter_keywords() -> list[str] | None:
    """The union of every registered rule's keywords (what the engine's prefilter looks for)."""
    code = ("import json; from scanner.registry import RULES; "
            "print(json.dumps(sorted({k for r in RULES for k in r.keywords})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return None
    keywords: list[str] = json.loads(out.stdout)
    return keywords or None


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


def build_history_repo(tree: Path, commits: int) -> Path:
    """A repository whose history replays `tree` as `commits` commits of a few files each (every
    fifth commit also edits an earlier file), written with one `git fast-import`."""
    target = WORK / f"history-{tree.name}-{commits}"
    if (target / ".git").is_dir():
        return target
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    _git(target, "init", "-q", "-b", "main")
    files = sorted(p for p in tree.rglob("*") if p.is_file() and not p.is_symlink())
    per_commit = max(1, len(files) // commits)
    stream = bytearray()
    when = 1_600_000_000
    written: list[str] = []
    for index in range(commits):
        batch = files[index * per_commit:(index + 1) * per_commit]
        if index == commits - 1:
            batch = files[index * per_commit:]
        message = f"commit {index}\n".encode()
        stream += b"commit refs/heads/main\n"
        stream += f"mark :{index + 1}\n".encode()
        stream += f"committer bench <bench@example.invalid> {when + index * 60} +0000\n".encode()
        stream += f"data {len(message)}\n".encode() + message
        if index:
            stream += f"from :{index}\n".encode()
        for path in batch:
            rel = path.relative_to(tree).as_posix()
            data = path.read_bytes()
            stream += f"M 100644 inline {rel}\ndata {len(data)}\n".encode() + data + b"\n"
            written.append(rel)
        if index % 5 == 4 and written:
            rel = written[(index * 7919) % len(written)]
            data = (tree / rel).read_bytes() + f"\n# edited in commit {index}\n".encode()
            stream += f"M 100644 inline {rel}\ndata {len(data)}\n".encode() + data + b"\n"
    _git(target, "fast-import", "--quiet", stdin=bytes(stream))
    _git(target, "checkout", "-q", "main")
    return target


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
                        help="django only, one run each, detect-secrets on django/contrib only")
    parser.add_argument("--output", default=str(RESULTS), help="markdown results file")
    parser.add_argument("--runs", type=int, help="runs per measurement (default 3, --quick 1)")
    parser.add_argument("--fresh-detect-secrets", action="store_true",
                        help="measure detect-secrets again instead of reusing benchmarks/work/")
    parser.add_argument("--detect-secrets-only", action="store_true",
                        help="only measure (and keep) the detect-secrets runs")
    args = parser.parse_args(argv)
    times = args.runs or (1 if args.quick else 3)
    detect_secrets_later: list[tuple[Row, str, Path]] = []
    hook_runs = 1 if args.quick else 5
    load_at_start = _load_average()
    scanner_cmd = tool("secret-hygiene")
    detect_cmd = tool("detect-secrets")
    rows: list[Row] = []
    notes: list[str] = []

    names = ["django"] if args.quick else ["django", "ansible-core"]
    trees = {name: fetch_tree(name) for name in names}
    sizes = {name: file_count(tree) for name, tree in trees.items()}
    for name, (count, megabytes) in sizes.items():
        print(f"{name}: {count} files, {megabytes:.1f} MB", flush=True)
    rules = registry_rules(scanner_cmd)
    print(f"registry: {len(rules)} rules", flush=True)
    keywords = prefilter_keywords()
    if keywords is None:
        notes.append("The registry has no prefilter keywords yet; ripgrep used a stand-in list of "
                     f"{len(FALLBACK_KEYWORDS)} keywords.")
    rg_keywords = keywords or list(FALLBACK_KEYWORDS)
    rg = ensure_ripgrep()
    if rg is None:
        notes.append("ripgrep is not installed and could not be installed: no rg comparison.")

    CONFIG.write_text("# benchmark: defaults only\n")
    config = ("--config", str(CONFIG))

    compile_bytecode()

    def scan_cmd(tree: Path, *extra: str, cache: bool = False) -> list[str]:
        # Cold by default: the results cache would answer every run after the first.
        return [scanner_cmd, "scan", "--all-files", "--format", "json", "-o", os.devnull,
                *config, *(() if cache else ("--no-cache",)), *extra, str(tree)]

    # 1. Full scan against detect-secrets and ripgrep, per tree.
    print("\nfull scan", flush=True)
    for name, tree in trees.items():
        if args.detect_secrets_only:
            ds_tree = tree / "django" / "contrib" if args.quick and name == "django" else tree
            ds_label = name if ds_tree == tree else f"{name}/{ds_tree.relative_to(tree).as_posix()}"
            detect_secrets_row(detect_cmd, ds_label, ds_tree, times, args.fresh_detect_secrets)
            continue
        check = WORK / "check.json"
        done = subprocess.run([scanner_cmd, "scan", "--all-files", "--format", "json", "-o",
                               str(check), *config, str(tree)], capture_output=True, text=True,
                              check=False)
        if done.returncode not in (0, 1):
            sys.exit(f"benchmark: secret-hygiene failed on {name}: {done.stderr.strip()}")
        summary = json.loads(check.read_text())["summary"]
        print(f"  secret-hygiene on {name}: {summary['files_scanned']} files scanned, "
              f"{summary['findings']} findings, {len(summary['errors'])} notes", flush=True)
        ours = repeat("secret-hygiene scan", name, scan_cmd(tree), tree.parent, times)
        rows.append(ours)
        subprocess.run(scan_cmd(tree, cache=True), capture_output=True, check=False)  # fill it
        warm = repeat("secret-hygiene scan, warm cache", name, scan_cmd(tree, cache=True),
                      tree.parent, times)
        warm.note = "second scan of the unchanged tree (results cache)"
        rows.append(warm)
        shutil.rmtree(tree / ".cache", ignore_errors=True)  # the trees stay pristine
        if rg is not None:
            rg_cmd = [rg, "-i", "-F", "-l", "-uu", *(a for k in rg_keywords for a in ("-e", k)), "."]
            rg_out = WORK / "rg.txt"
            rg_row = repeat(f"rg -i -l ({len(rg_keywords)} keywords)", name, rg_cmd, tree, times,
                            rg_out)
            candidates = len(rg_out.read_text(errors="replace").splitlines())
            rg_row.note = f"{candidates} candidate files"
            rows.append(rg_row)
            ours.ratio = (f"{ours.wall / rg_row.wall:.1f}x rg wall, "
                          f"{ours.cpu / max(rg_row.cpu, 1e-3):.1f}x rg CPU")
            warm.ratio = f"{warm.wall / rg_row.wall:.1f}x rg wall"
        ds_tree = tree / "django" / "contrib" if args.quick and name == "django" else tree
        ds_label = name if ds_tree == tree else f"{name}/{ds_tree.relative_to(tree).as_posix()}"
        if ds_tree != tree:
            sub = repeat("secret-hygiene scan", ds_label, scan_cmd(ds_tree), ds_tree.parent, times)
            rows.append(sub)
        else:
            sub = ours
        # Last: detect-secrets takes minutes, and its runs may be kept from an earlier run.
        detect_secrets_later.append((sub, ds_label, ds_tree))
    if args.detect_secrets_only:
        return 0

    if len(trees) > 1:
        # Both trees in one scan: memory must stay flat as the tree grows.
        both = repeat("secret-hygiene scan", "all trees", scan_cmd(TREES), TREES.parent, 1)
        both.note = "one run: memory as the tree grows"
        rows.append(both)

    # 2. Per-family cost: what each family adds to the full scan, in one process (CPU, not wall:
    # on a shared machine the load moves between rows). Issues #4/#5: under 15% each.
    print("\nper-family cost (one process)", flush=True)
    present = {rule["id"][:3] for rule in rules}
    for name, tree in trees.items():
        full = repeat("scan --jobs 1, all rules", name, scan_cmd(tree, "--jobs", "1"), tree.parent,
                      times)
        rows.append(full)
        floor = repeat("scan --jobs 1, no rules (--ignore SH)", name,
                       scan_cmd(tree, "--jobs", "1", "--ignore", "SH"), tree.parent, times)
        floor.ratio = f"all rules add {full.cpu - floor.cpu:.2f} s CPU"
        rows.append(floor)
        for family in FAMILIES:
            if family not in present:
                notes.append(f"{family}xx: no rules registered yet, not measured.")
                continue
            count = sum(1 for rule in rules if rule["id"].startswith(family))
            without = repeat(f"scan --jobs 1 --ignore {family} ({count} rules)", name,
                             scan_cmd(tree, "--jobs", "1", "--ignore", family), tree.parent, times)
            added = full.cpu - without.cpu
            without.ratio = (f"{family}xx adds {added:+.2f} s CPU, "
                             f"{added / max(without.cpu, 1e-9):+.0%} of the scan without it")
            rows.append(without)

    # 3. The pre-commit hook on 20 staged files.
    print("\nhook", flush=True)
    django = trees["django"]
    hook_repo, hook_files = build_hook_repo(django, HOOK_FILES)
    hook_row = repeat(f"secret-hygiene hook ({len(hook_files)} staged files)", "django auth files",
                      [scanner_cmd, "hook", *config, *hook_files], hook_repo, hook_runs)
    hook_row.ratio = "target < 0.3 s"
    rows.append(hook_row)
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

    # 4. History against git log -p --all.
    print("\nhistory", flush=True)
    history_repo = build_history_repo(django, HISTORY_COMMITS)
    commits = int(_git(history_repo, "rev-list", "--count", "--all").decode().strip())
    label = f"synthetic django, {commits} commits"
    log_row = repeat("git log -p --all", label, ["git", "log", "-p", "--all"], history_repo, times,
                     WORK / "git-log.txt")
    rows.append(log_row)
    history_row = repeat("secret-hygiene history", label,
                         [scanner_cmd, "history", "--format", "json", "-o", os.devnull, *config],
                         history_repo, times)
    history_row.ratio = f"{history_row.wall / log_row.wall:.2f}x git log -p"
    rows.append(history_row)

    print("\ndetect-secrets", flush=True)
    for sub, ds_label, ds_tree in detect_secrets_later:
        ds_row = detect_secrets_row(detect_cmd, ds_label, ds_tree, 1 if args.quick else 3,
                                    args.fresh_detect_secrets)
        rows.insert(rows.index(sub) + 1, ds_row)
        sub.ratio = ((sub.ratio + "; " if sub.ratio else "")
                     + f"{ds_row.wall / sub.wall:.0f}x faster than detect-secrets "
                       f"(CPU: {ds_row.cpu / sub.cpu:.0f}x)")
        ds_row.ratio = "1"

    # 5. Report.
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
        "detect-secrets": subprocess.run([detect_cmd, "--version"], capture_output=True, text=True).stdout.strip(),
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
    for key in ("cpus", "cpu", "python", "git", "rg", "detect-secrets", "rules",
                "load average (1, 5, 15 min) at start / end"):
        lines.append(f"| {key} | {machine[key]} |")
    lines.append("")
    lines.append("Trees (unpacked PyPI sdists): " + ", ".join(
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
