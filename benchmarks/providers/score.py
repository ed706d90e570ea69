"""Score secret-hygiene on the provider corpus: recall per format and per context, and the false
positives on the negatives (and on lines where no token was planted).

Run by hand after build_corpus.py: `python benchmarks/providers/score.py [CORPUS] [--command CMD]`.
CMD runs the tool (default `secret-hygiene`), e.g. `python -m scanner.cli` with another PYTHONPATH."""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _default_command() -> str:
    """`secret-hygiene` from the running interpreter's environment, else from PATH."""
    beside = shutil.which("secret-hygiene", path=str(Path(sys.executable).parent))
    return shlex.quote(beside) if beside else "secret-hygiene"


def run_scan(command: str, corpus: Path) -> dict[str, Any]:
    argv = [*shlex.split(command), "scan", str(corpus), "--format", "json", "--no-cache", "--all-files",
            "--config", str(corpus / ".secret-hygiene.toml")]
    done = subprocess.run(argv, cwd=corpus, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"scan failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def _relative(path: str, files: set[str]) -> str | None:
    """The corpus file a reported path names (reports are relative to the repository or the root);
    the longest such name, so that the answer never depends on the set's order."""
    for name in sorted(files, key=lambda n: (-len(n), n)):
        if path == name or path.endswith("/" + name):
            return name
    return None


def score(expected: dict[str, Any], report: dict[str, Any], any_rule: bool = False) -> dict[str, Any]:
    """Recall and false positives; only the secret family's findings count unless `any_rule`."""
    positive_files = {p["file"] for p in expected["positives"]}
    negative_files = {n["file"] for n in expected["negatives"]}
    found: set[tuple[str, int]] = set()
    false_positives: list[dict[str, Any]] = []
    for finding in report["findings"]:
        if not any_rule and finding.get("category") != "secret":
            continue
        name = _relative(finding["path"], positive_files | negative_files)
        if name is None:
            continue
        if name in negative_files:
            false_positives.append({"file": name, "line": finding["line"], "rule": finding["rule"]})
        else:
            found.add((name, finding["line"]))
    planted = {(p["file"], p["line"]) for p in expected["positives"]}
    stray = [{"file": f, "line": n} for f, n in sorted(found - planted)]
    by_format: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_context: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_group: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for planted_token in expected["positives"]:
        hit = int((planted_token["file"], planted_token["line"]) in found)
        group = "needs context words" if planted_token["needs_context"] else "has keywords"
        for table, key in ((by_format, planted_token["format"]), (by_context, planted_token["context"]),
                           (by_group, group), (by_group, "all")):
            table[key][0] += hit
            table[key][1] += 1
    return {"recall": by_group, "by_context": by_context, "by_format": by_format,
            "false_positives": false_positives, "stray": stray,
            "negatives": len(negative_files), "files_scanned": report["summary"]["files_scanned"]}


def _pct(pair: list[int]) -> str:
    return f"{pair[0]}/{pair[1]} ({100 * pair[0] / pair[1]:.0f}%)" if pair[1] else "0/0"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=HERE / "corpus")
    parser.add_argument("--command", default=_default_command(), help="how to run the tool")
    parser.add_argument("--any-rule", action="store_true", help="count findings of every family")
    parser.add_argument("--json", type=Path, help="also write the scores to this file")
    parser.add_argument("--all", action="store_true", help="list every format, not only the missed ones")
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    expected = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    result = score(expected, run_scan(args.command, corpus), args.any_rule)
    print(f"files scanned: {result['files_scanned']}")
    for group, pair in sorted(result["recall"].items()):
        print(f"recall, {group}: {_pct(pair)}")
    print("recall by context: " + ", ".join(f"{c} {_pct(p)}" for c, p in sorted(result["by_context"].items())))
    fully = sum(1 for p in result["by_format"].values() if p[0] == p[1])
    print(f"formats found in every context: {fully}/{len(result['by_format'])}")
    print(f"false positives on {result['negatives']} negative files: {len(result['false_positives'])}; "
          f"findings on lines with no planted token: {len(result['stray'])}")
    for ident, pair in sorted(result["by_format"].items()):
        if args.all or pair[0] < pair[1]:
            print(f"  {ident}: {_pct(pair)}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
