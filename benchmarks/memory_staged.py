"""Peak memory of `secret-hygiene diff --staged` and `history` with one huge staged text file.

Run by hand: `python benchmarks/memory_staged.py [--size-mb 200]`. Prints the peak resident
memory of the CLI process itself and of the largest git process it ran (both `ru_maxrss`)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROBE = """
import resource, sys
from scanner.cli import main
code = main(sys.argv[1:])
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
git = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("MEMORY", own, git, code, file=sys.stderr)
"""


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.invalid",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.invalid"}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def measure(repo: Path, *args: str) -> tuple[float, float, float, int]:
    """(seconds, MB of the CLI process, MB of its largest git child, exit code)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PROBE, *args, "--format", "json", "-o",
                           os.devnull], cwd=repo, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    line = next(ln for ln in done.stderr.splitlines() if ln.startswith("MEMORY"))
    _, own, child, code = line.split()
    return elapsed, int(own) / 1024, int(child) / 1024, int(code)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=int, default=200)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="memory-staged-") as scratch:
        repo = Path(scratch) / "repo"
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        (repo / "small.py").write_text("x = 1\n", encoding="utf-8")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "seed")
        line = b"value_%08d = 'some ordinary text on a line of a big generated file'\n"
        count = options.size_mb * 1024 * 1024 // len(line % 0)
        with open(repo / "huge.txt", "wb") as handle:
            for start in range(0, count, 10_000):
                handle.write(b"".join(line % n for n in range(start, min(count, start + 10_000))))
        git(repo, "add", "huge.txt")
        size = (repo / "huge.txt").stat().st_size
        rows = {"diff --staged": measure(repo, "diff", "--staged")}
        git(repo, "commit", "-q", "-m", "huge")
        rows["diff HEAD~1..HEAD"] = measure(repo, "diff", "HEAD~1..HEAD")
        rows["history"] = measure(repo, "history", "--jobs", "1")
    print(f"staged text file: {size / 1e6:.0f} MB ({count} lines), python {sys.version.split()[0]}")
    print("| command | wall | secret-hygiene peak RSS | largest git child peak RSS | exit |")
    print("|---|---:|---:|---:|---:|")
    for name, (seconds, own, child, code) in rows.items():
        print(f"| {name} | {seconds:.1f} s | {own:.0f} MB | {child:.0f} MB | {code} |")
    print(json.dumps({k: {"seconds": round(v[0], 2), "own_mb": round(v[1]), "git_mb": round(v[2])}
                      for k, v in rows.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
