#!/usr/bin/env python3
"""Every rule's trigger prefixes pumped over one line at two sizes: CPU time and its ratio.

Usage: python benchmarks/linearity.py [--sizes 0.5,1] [--shapes repeat|all|a,b] [--kinds py,json]
[--only TEXT] [--jobs N]. Prints a table, writes it to benchmarks/linearity.md, exits 1 when any
ratio is 2.5 or more (twice the input may cost twice the time, never four times)."""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import platform
import queue
import resource
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the pump generator lives with the reliability tests

from tests.reliability import pumps  # noqa: E402

RESULTS = HERE / "linearity.md"
LIMIT = 2.5
# Below this CPU time at the larger size, timer noise and start-up decide the ratio.
FLOOR = 0.05
# A case still running after this many CPU seconds is quadratic for our purposes: it is
# stopped and reported as such (the worker is replaced).
CASE_LIMIT = 120.0
# The cases the issue names, always measured first.
NAMED = (("eyJ", "repeat"), ("password=", "repeat"), ("xoxb-1-", "repeat"))


@dataclass
class Case:
    trigger: str
    shape: str
    kind: str
    rules: str
    times: dict[int, float | None]
    findings: int = 0
    notes: int = 0
    plants: str = ""

    @property
    def ratio(self) -> float | None:
        small, large = (self.times[size] for size in sorted(self.times))
        if small is None or large is None:
            return None
        return large / max(small, FLOOR / 2)

    @property
    def failed(self) -> bool:
        large = self.times[max(self.times)]
        if large is None:
            return True
        ratio = self.ratio
        return ratio is not None and large >= FLOOR and ratio >= LIMIT


def _scan_cpu(kind: str, text: str) -> tuple[float, int, int, str]:
    """CPU seconds of scanning `text` as a file of `kind` (or at that path) with every rule,
    as the CLI does."""
    from scanner.engine.plan import build_plan
    from scanner.engine.runner import Settings, scan_source
    from scanner.rules.registry import RULES
    from scanner.sources import SourceFile

    plan = build_plan([rule_class({}) for rule_class in RULES], {})
    source = SourceFile(path=pumps.PATHS.get(kind, kind), text=text)
    before = resource.getrusage(resource.RUSAGE_SELF)
    result = scan_source(source, plan, Settings(max_size=64 * 1024 * 1024))
    after = resource.getrusage(resource.RUSAGE_SELF)
    spent = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    plants = ",".join(sorted(pumps.found_plants(text, result.findings)))
    return spent, len(result.findings), len(result.notes), plants


def _worker(connection: Connection, parent_end: Connection) -> None:
    parent_end.close()  # so that the parent's death ends `recv` with EOFError
    _scan_cpu("py", "x = 1\n")  # imports and compiled patterns, outside the timings
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        if job is None:
            return
        kind, trigger, shape, size = job
        if shape == "example":  # a bad example repeated over many lines, at its own path
            text = pumps.repeated_example(trigger, size)
        else:
            text = pumps.document(kind, pumps.pumped_line(trigger, shape, size))
        connection.send(_scan_cpu(kind, text))


class Worker:
    def __init__(self) -> None:
        self.connection, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_worker, args=(child, self.connection),
                                               daemon=True)
        self.process.start()
        child.close()

    def run(self, job: tuple[str, str, str, int]) -> tuple[float, int, int, str] | None:
        start = _cpu_of(self.process.pid)
        self.connection.send(job)
        while not self.connection.poll(1.0):
            if not self.process.is_alive() or _cpu_of(self.process.pid) - start > CASE_LIMIT:
                self.process.kill()
                self.process.join()
                self.__init__()  # type: ignore[misc]
                return None
        result: tuple[float, int, int, str] = self.connection.recv()
        return result

    def close(self) -> None:
        self.connection.send(None)
        self.process.join(5)


def _cpu_of(pid: int | None) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _measure(worker: Worker, case: Case, sizes: Sequence[int], repeats: int) -> None:
    for size in sizes:
        best: float | None = None
        for _ in range(repeats):
            outcome = worker.run((case.kind, case.trigger, case.shape, size))
            if outcome is None:
                best = None
                break
            spent, case.findings, case.notes, case.plants = outcome
            best = spent if best is None else min(best, spent)
        case.times[size] = best
        if best is None:
            for larger in sizes[sizes.index(size) + 1:]:
                case.times[larger] = None
            return


def _run_queue(work: queue.Queue[Case], sizes: list[int], done: list[Case]) -> None:
    worker = Worker()
    while True:
        try:
            case = work.get_nowait()
        except queue.Empty:
            break
        _measure(worker, case, sizes, 1)
        if case.failed:  # noise or a real superlinear pass: measure again, keep the fastest
            _measure(worker, case, sizes, 3)
        done.append(case)
        print(f"{len(done)} {case.kind:5} {case.shape:12} {case.trigger[:40]!r} "
              f"{case.times} ratio {case.ratio}", file=sys.stderr, flush=True)
    worker.close()


def build_cases(shapes: Sequence[str], kinds: Sequence[str] | None, only: str | None,
                sizes: Sequence[int], heavy: bool = False, rotate: bool = False,
                source: str | None = None) -> list[Case]:
    cases = []
    triggers = pumps.triggers()
    if heavy:  # the issue's prefixes and the heaviest passes' ones, derived or not
        known = {trigger.text: trigger for trigger in triggers}
        every = frozenset(rule_id for trigger in triggers for rule_id in trigger.rules)
        triggers = [known.get(text, pumps.Trigger(text, every, ())) for text in pumps.HEAVY]
    for index, trigger in enumerate(triggers):
        if only is not None and only not in trigger.text:
            continue
        if source is not None and not any(part in where for where in trigger.sources
                                          for part in source.split("|")):
            continue
        rules = ",".join(sorted(trigger.rules)) if len(trigger.rules) < 6 else \
            f"{len(trigger.rules)} rules"
        wanted = list(pumps.PATHS) if heavy else pumps.kinds_for(trigger)
        if rotate and wanted:  # one kind per trigger, taking turns (as the pump test does)
            wanted = [wanted[index % len(wanted)]]
        for kind in wanted:
            if kinds is not None and kind not in kinds:
                continue
            for shape in shapes:
                cases.append(Case(trigger.text, shape, kind, rules, dict.fromkeys(sizes)))
    named = {(text, shape) for text, shape in NAMED}
    cases.sort(key=lambda case: (case.trigger, case.shape) not in named)
    return cases


def example_cases(sizes: Sequence[int]) -> list[Case]:
    """Every rule's bad examples, each repeated over many lines at the example's own path."""
    return [Case(code, "example", path, rule, dict.fromkeys(sizes))
            for rule, path, code in pumps.example_files()]


def render(cases: Sequence[Case], sizes: Sequence[int], started: str, elapsed: float,
           shown: int) -> str:
    small, large = sizes
    failed = [case for case in cases if case.failed]
    ordered = sorted(cases, key=lambda case: -(case.ratio or float("inf")
                                               if case.times[large] is not None else -1)
                     if case.times[large] is not None else float("-inf"))
    named = {(text, shape) for text, shape in NAMED}
    rows = [case for case in cases if (case.trigger, case.shape) in named]
    rows += [case for case in ordered if case not in rows][:shown]
    label = {small: f"{small / 1e6:g} MB", large: f"{large / 1e6:g} MB"}

    def cell(value: float | None) -> str:
        return f"> {CASE_LIMIT:g} s" if value is None else f"{value:.3f}"

    lines = [
        f"Generated by `python benchmarks/linearity.py` on {started} "
        f"({len(cases)} cases, {elapsed / 60:.1f} min).",
        "",
        f"Each case is one rule trigger pumped over the second line of a file of one kind, "
        f"scanned with all {_rule_count()} rules as `secret-hygiene scan` does "
        "(`engine.scan_source`, notebooks included). Times are CPU seconds of the scanning "
        "process (fastest of up to 3 runs for a case that first looked superlinear). The ratio "
        f"is the time at {label[large]} over the time at {label[small]}; a linear pass gives "
        f"about 2, a quadratic one 4. A case fails at a ratio of {LIMIT} or more when the larger "
        f"run takes {FLOOR} s or more (below that, noise decides the ratio).",
        "",
        f"| machine | {platform.machine()}, {os.cpu_count()} cpus, Python "
        f"{platform.python_version()} |",
        "|---|---|",
        f"| cases | {len(cases)} ({len({c.trigger for c in cases})} triggers x shapes x kinds) |",
        f"| failing (ratio >= {LIMIT}) | {len(failed)} |",
        f"| worst ratio | {max((c.ratio or 0 for c in cases), default=0):.2f} |",
        f"| slowest at {label[large]} | "
        f"{max((c.times[large] or 0 for c in cases), default=0):.3f} s |",
        "",
        f"The issue's cases first, then the {shown} highest ratios:",
        "",
        f"| trigger | shape | kind | rules | CPU {label[small]} | CPU {label[large]} | ratio "
        "| findings | notes | plants found |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for case in rows:
        ratio = case.ratio
        shown_ratio = "-" if ratio is None else f"{ratio:.2f}"
        trigger = case.trigger.replace("\n", "\\n")
        trigger = trigger if len(trigger) <= 40 else trigger[:37] + "..."
        trigger = trigger.replace("|", "\\|").replace("`", "'")
        lines.append(f"| `{trigger}` | {case.shape} | {case.kind} | {case.rules} | "
                     f"{cell(case.times[small])} | {cell(case.times[large])} | {shown_ratio} | "
                     f"{case.findings} | {case.notes} | {case.plants or '-'} |")
    if failed:
        lines += ["", "Failing cases:", ""]
        lines += [f"- `{c.trigger[:60]!r}` {c.shape} {c.kind}: {cell(c.times[small])} -> "
                  f"{cell(c.times[large])}" for c in failed]
    return "\n".join(lines) + "\n"


def _rule_count() -> int:
    from scanner.rules.registry import RULES

    return len(RULES)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="0.5,1", help="two sizes in MB (default 0.5,1)")
    parser.add_argument("--shapes", default="repeat",
                        help=f"'all' or a comma list of {', '.join(pumps.SHAPES)}")
    parser.add_argument("--kinds", default=None, help=f"comma list of {', '.join(pumps.PATHS)}")
    parser.add_argument("--only", default=None, help="only triggers containing this text")
    parser.add_argument("--heavy", action="store_true",
                        help="only the heavy prefixes (pumps.HEAVY), in every kind")
    parser.add_argument("--source", default=None,
                        help="only triggers derived from a source containing one of these "
                             "|-separated texts (keyword, denylist, PROVIDERS, example line, "
                             "operator, scanner.)")
    parser.add_argument("--rotate", action="store_true",
                        help="each trigger in one of its kinds, taking turns, not in all")
    parser.add_argument("--examples", action="store_true",
                        help="the rules' bad examples repeated over many lines instead")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--show", type=int, default=40, help="rows shown besides the named ones")
    parser.add_argument("--output", default=str(RESULTS))
    options = parser.parse_args(argv)
    sizes = sorted(int(float(size) * 1_000_000) for size in options.sizes.split(","))
    if len(sizes) != 2:
        parser.error("--sizes takes two sizes")
    shapes = list(pumps.SHAPES) if options.shapes == "all" else options.shapes.split(",")
    kinds = options.kinds.split(",") if options.kinds else None
    cases = (example_cases(sizes) if options.examples
             else build_cases(shapes, kinds, options.only, sizes, options.heavy, options.rotate,
                              options.source))
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    begin = time.monotonic()
    work: queue.Queue[Case] = queue.Queue()
    for case in cases:
        work.put(case)
    measured: list[Case] = []
    threads = [threading.Thread(target=_run_queue, args=(work, sizes, measured))
               for _ in range(options.jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    table = render(measured, sizes, started, time.monotonic() - begin, options.show)
    print(table)
    Path(options.output).write_text(table, encoding="utf-8")
    return 1 if any(case.failed for case in measured) else 0


if __name__ == "__main__":
    sys.exit(main())
