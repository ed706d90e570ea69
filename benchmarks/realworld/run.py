#!/usr/bin/env python3
"""The real-code evaluation: scan pinned real projects and score every finding against the labels
we keep (judged by reading the code), per rule: precision, recall on known positives, and the
findings nobody has judged yet.

Usage:
  python benchmarks/realworld/run.py                 # every project in projects.toml
  python benchmarks/realworld/run.py weblate pretix  # some of them
  python benchmarks/realworld/run.py --unjudged      # also print each unjudged finding in full
  python benchmarks/realworld/run.py --json out.json # the raw findings of each project

Projects come from PyPI (an sdist or wheel at an exact version, downloaded with pip) or from
GitHub at a pinned commit (a local git mirror named by $SH_MIRRORS/<owner>+<repo>.git or
/work/.mirror/<owner>+<repo>/..., else https://codeload.github.com/<owner>/<repo>/tar.gz/<sha>).
Trees are unpacked under benchmarks/realworld/work/ (git-ignored). Nothing here is committed but
the project list, the labels and this script; the scanned code never is.

Labels (labels/<family>/<project>.toml, family = scopes | webhooks | oauth | secrets; or
labels/<project>.toml):
  [[finding]]  rule, path, line (or lines = [...]), verdict = "TP" | "FP", reason = "one line",
               column (optional: two findings of one rule on one line judged apart)
               ("FP not low" counts the false findings not at confidence `low`: what
               `--min-confidence medium` would still show)
  [[receiver]] path, line, verdict = "verified" | "authenticated" | "unverified", reason
               (every webhook receiver of the project, listed by hand: SH301's recall)
  [[miss]]     rule, path, line, reason   (a known positive the tool should report: recall)
A finding matches a label by (rule, path, line); `lines` lists the lines that count as the same
construct when a rule reports it at another line of it."""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
LABELS = HERE / "labels"
RESULTS = HERE / "results.md"
EMPTY_CONFIG = WORK / "empty-config.toml"


@dataclass(frozen=True)
class Project:
    name: str
    source: str  # "pypi:django-allauth==65.3.0", "pypi-wheel:sentry==23.7.1", "github:owner/repo@sha"
    subdir: str = ""  # scan only this part of the tree
    note: str = ""


@dataclass
class Labels:
    findings: dict[tuple[str, str, int], tuple[str, str]] = field(default_factory=dict)
    # Labels that give a column too: two findings of one rule on one line judged apart.
    by_column: dict[tuple[str, str, int, int], tuple[str, str]] = field(default_factory=dict)
    receivers: list[dict[str, object]] = field(default_factory=list)
    misses: list[dict[str, object]] = field(default_factory=list)


def load_projects() -> list[Project]:
    data = tomllib.loads((HERE / "projects.toml").read_text(encoding="utf-8"))
    return [Project(name=p["name"], source=p["source"], subdir=p.get("subdir", ""),
                    note=p.get("note", "")) for p in data["project"]]


def load_labels(project: str) -> Labels:
    """Every labels file of the project: labels/<family>/<project>.toml (one file per rule family,
    so judges of different families never edit the same file) and labels/<project>.toml."""
    labels = Labels()
    for path in [LABELS / f"{project}.toml", *sorted(LABELS.glob(f"*/{project}.toml"))]:
        if path.is_file():
            _read_labels(path, labels)
    return labels


def _read_labels(path: Path, labels: Labels) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for entry in data.get("finding", []):
        verdict = str(entry["verdict"]).upper()
        if verdict not in {"TP", "FP"}:
            sys.exit(f"{path}: finding {entry}: verdict must be TP or FP")
        lines = entry.get("lines") or [entry["line"]]
        for line in lines:
            if "column" in entry:
                labels.by_column[(entry["rule"], entry["path"], int(line), int(entry["column"]))] = \
                    (verdict, entry.get("reason", ""))
            else:
                labels.findings[(entry["rule"], entry["path"], int(line))] = (verdict, entry.get("reason", ""))
    labels.receivers.extend(data.get("receiver", []))
    # A miss may name its lines as a finding label does (`lines`: the first is where it is).
    labels.misses.extend({**m, "line": m["line"] if "line" in m else m["lines"][0]}
                         for m in data.get("miss", []))


# -- getting the trees ----------------------------------------------------------------------------


def tree(project: Project) -> Path:
    target = WORK / "trees" / project.name
    if target.is_dir():
        return target / project.subdir if project.subdir else target
    target.parent.mkdir(parents=True, exist_ok=True)
    kind, _, spec = project.source.partition(":")
    staging = Path(tempfile.mkdtemp(prefix=f"{project.name}-", dir=WORK))
    try:
        if kind in {"pypi", "pypi-wheel"}:
            _from_pypi(spec, staging, wheel=kind == "pypi-wheel")
        elif kind == "github":
            _from_github(spec, staging)
        else:
            sys.exit(f"{project.name}: unknown source kind {kind!r}")
        entries = list(staging.iterdir())
        root = entries[0] if len(entries) == 1 and entries[0].is_dir() else staging
        shutil.move(str(root), str(target))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target / project.subdir if project.subdir else target


def _from_pypi(spec: str, into: Path, *, wheel: bool) -> None:
    download = into.parent / f".{into.name}-download"
    download.mkdir(exist_ok=True)
    args = [sys.executable, "-m", "pip", "download", spec, "--no-deps", "--quiet",
            "--ignore-requires-python", "-d", str(download)]
    args += ["--only-binary", ":all:"] if wheel else ["--no-binary", ":all:"]
    print(f"  downloading {spec} ({'wheel' if wheel else 'sdist'}) ...", flush=True)
    subprocess.run(args, check=True)
    archive = next(download.iterdir())
    if archive.suffix in {".whl", ".zip"}:
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(into / archive.stem)
    else:
        with tarfile.open(archive) as bundle:
            _extract(bundle, into)
    shutil.rmtree(download, ignore_errors=True)


def _from_github(spec: str, into: Path) -> None:
    repo, _, commit = spec.partition("@")
    owner, _, name = repo.partition("/")
    for mirror in _mirrors(owner, name):
        print(f"  exporting {repo}@{commit[:12]} from {mirror} ...", flush=True)
        if _export(mirror, commit, into / name):
            return
    url = f"https://codeload.github.com/{owner}/{name}/tar.gz/{commit}"
    print(f"  downloading {url} ...", flush=True)
    with urllib.request.urlopen(url, timeout=300) as response:  # a pinned https URL
        data = response.read()
    with tarfile.open(fileobj=io.BytesIO(data)) as bundle:
        _extract(bundle, into)


def _export(git_dir: Path, commit: str, into: Path) -> bool:
    """Write the files of `commit` under `into`; a blob the mirror lacks (snapshots leave out
    files of 4 MiB and more) is skipped with a count. False when the commit is not there."""
    listing = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "-z", commit],
                             capture_output=True, check=False)
    if listing.returncode != 0:
        return False
    entries = []
    for record in listing.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, kind, sha = meta.split()
        if kind == b"blob" and mode != b"120000":
            entries.append((sha.decode(), os.fsdecode(path)))
    reader = subprocess.Popen(["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert reader.stdin is not None and reader.stdout is not None
    missing = 0
    for sha, path in entries:
        reader.stdin.write(sha.encode() + b"\n")
        reader.stdin.flush()
        header = reader.stdout.readline().split()
        if len(header) < 3:
            missing += 1
            continue
        data = reader.stdout.read(int(header[2]) + 1)[:-1]
        target = into / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    reader.stdin.close()
    reader.wait()
    if missing:
        print(f"  ({missing} files absent from the mirror were skipped)", flush=True)
    return True


def _mirrors(owner: str, name: str) -> Iterable[Path]:
    bases = [Path(p) for p in os.environ.get("SH_MIRRORS", "").split(os.pathsep) if p]
    bases.append(Path("/work/.mirror"))
    for base in bases:
        for candidate in (base / f"{owner}+{name}.git", base / f"{owner}+{name}"):
            if candidate.is_dir():
                git_dirs = [candidate, *sorted(p for p in candidate.rglob("*") if p.is_dir()
                                                 and (p / "HEAD").is_file() and (p / "objects").is_dir())]
                yield from git_dirs


def _extract(bundle: tarfile.TarFile, into: Path) -> None:
    try:
        bundle.extractall(into, filter="data")
    except TypeError:  # Python < 3.11.4 has no extraction filters
        bundle.extractall(into)


# -- scanning and scoring ------------------------------------------------------------------------


def scan(root: Path, scanner: list[str]) -> dict[str, object]:
    EMPTY_CONFIG.parent.mkdir(parents=True, exist_ok=True)
    EMPTY_CONFIG.write_text("# no settings: every rule, no excludes\n", encoding="utf-8")
    # The trees sit under this repository's (ignored) work directory: git must not see them as
    # part of it, or paths would be reported from this repository's root.
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(root.parent)}
    done = subprocess.run([*scanner, "scan", str(root), "--all-files", "--no-cache", "--no-baseline",
                           "--config", str(EMPTY_CONFIG), "--format", "json"],
                          capture_output=True, text=True, check=False, env=env)
    if done.returncode not in (0, 1):
        sys.exit(f"scan of {root} failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    report: dict[str, object] = json.loads(done.stdout)
    return report


@dataclass
class Score:
    findings: int = 0
    tp: int = 0
    fp: int = 0
    fp_not_low: int = 0  # false findings a user sees by default (confidence high or medium)
    unjudged: int = 0
    known: int = 0  # known positives: TP labels + misses
    found: int = 0  # of which reported

    def precision(self) -> str:
        judged = self.tp + self.fp
        return f"{self.tp / judged:.2f}" if judged else "-"

    def recall(self) -> str:
        return f"{self.found / self.known:.2f}" if self.known else "-"


def score(project: Project, report: dict[str, object], labels: Labels,
          scores: dict[str, Score], unjudged: list[str], show: bool) -> None:
    findings = report.get("findings", [])
    assert isinstance(findings, list)
    reported: set[tuple[str, str, int]] = set()
    for finding in findings:
        rule, path, line = finding["rule"], finding["path"], int(finding["line"])
        reported.add((rule, path, line))
        entry = scores[rule]
        entry.findings += 1
        verdict = labels.by_column.get((rule, path, line, int(finding.get("column", 0)))) \
            or labels.findings.get((rule, path, line))
        if verdict is None:
            entry.unjudged += 1
            text = (f"{project.name}: {rule} {path}:{line} [{finding.get('confidence', '-')}] "
                    f"{finding['message']}")
            unjudged.append(text + (f"\n      {finding['snippet']}" if show else ""))
        elif verdict[0] == "TP":
            entry.tp += 1
        else:
            entry.fp += 1
            entry.fp_not_low += finding.get("confidence") != "low"
    positives = {(r, p, ln) for (r, p, ln), (v, _) in labels.findings.items() if v == "TP"}
    positives |= {(r, p, ln) for (r, p, ln, _), (v, _) in labels.by_column.items() if v == "TP"}
    positives |= {(str(m["rule"]), str(m["path"]), int(str(m["line"]))) for m in labels.misses}
    for rule, path, line in positives:
        scores[rule].known += 1
        if (rule, path, line) in reported:
            scores[rule].found += 1


def receivers(project: Project, report: dict[str, object], labels: Labels) -> tuple[int, int, int]:
    """(receivers listed, recognised by SH301 or judged verified/authenticated silently, flagged
    unverified ones): a listed unverified receiver counts when SH301 reports it; a verified or
    authenticated one counts when SH301 stays silent on it."""
    findings = report.get("findings", [])
    assert isinstance(findings, list)
    flagged = {(f["path"], int(f["line"])) for f in findings if f["rule"] == "SH301"}
    right = unverified = 0
    for receiver in labels.receivers:
        key = (str(receiver["path"]), int(str(receiver["line"])))
        if receiver["verdict"] == "unverified":
            unverified += 1
            right += key in flagged
        else:
            right += key not in flagged
    return len(labels.receivers), right, unverified


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("projects", nargs="*")
    parser.add_argument("--unjudged", action="store_true", help="print unjudged findings in full")
    parser.add_argument("--json", help="write each project's raw report to this file")
    parser.add_argument("--scanner", default="secret-hygiene",
                        help="the command to run (default: secret-hygiene on PATH)")
    args = parser.parse_args()
    scanner = args.scanner.split()
    projects = [p for p in load_projects() if not args.projects or p.name in args.projects]
    scores: dict[str, Score] = defaultdict(Score)
    unjudged: list[str] = []
    raw: dict[str, object] = {}
    receiver_rows = []
    for project in projects:
        print(f"{project.name} ({project.source})", flush=True)
        root = tree(project)
        report = scan(root, scanner)
        raw[project.name] = report
        labels = load_labels(project.name)
        score(project, report, labels, scores, unjudged, args.unjudged)
        listed, right, unverified = receivers(project, report, labels)
        if listed:
            receiver_rows.append((project.name, listed, right, unverified))
    lines = ["| rule | findings | TP | FP | FP not low | unjudged | precision | known positives "
             "| recall |", "|---|---:|---:|---:|---:|---:|---|---:|---|"]
    for rule in sorted(scores):
        entry = scores[rule]
        lines.append(f"| {rule} | {entry.findings} | {entry.tp} | {entry.fp} | {entry.fp_not_low} | "
                     f"{entry.unjudged} | "
                     f"{entry.precision()} | {entry.known} | {entry.recall()} |")
    by_family: Counter[str] = Counter()
    for rule, entry in scores.items():
        by_family[rule[:3]] += entry.found
    table = "\n".join(lines)
    if receiver_rows:
        table += "\n\n| project | receivers listed | SH301 right | unverified |\n|---|---:|---:|---:|\n"
        table += "\n".join(f"| {n} | {c} | {r} | {u} |" for n, c, r, u in receiver_rows)
    print("\n" + table)
    if unjudged:
        print(f"\n{len(unjudged)} unjudged findings:")
        for line in unjudged:
            print("  " + line)
    RESULTS.write_text("# Real-code evaluation\n\nGenerated by `python benchmarks/realworld/run.py`"
                       f" over {len(projects)} projects.\n\n" + table + "\n", encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(raw, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
