"""A real temporary git repository for CLI and hook tests."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from scanner.cli import main

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
           "GIT_CONFIG_NOSYSTEM": "1", "HOME": ""}


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str) -> str:
        env = {**os.environ, **GIT_ENV, "HOME": str(self.root.parent)}
        done = subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, check=True)
        return done.stdout.decode("utf-8", "replace")

    def write(self, path: str, text: str) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def commit(self, message: str = "change", *paths: str) -> str:
        self.git("add", *(paths or ("-A",)))
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def run(self, *args: str, cwd: Path | None = None) -> tuple[int, dict[str, Any]]:
        """Run the CLI in-process with --format json; (exit code, parsed report)."""
        out = self.root.parent / "report.json"
        if out.exists():
            out.unlink()
        previous = Path.cwd()
        os.chdir(cwd or self.root)
        try:
            code = main([*args, "--format", "json", "--output", str(out)])
        finally:
            os.chdir(previous)
        report = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
        return code, report


def triples(report: dict[str, Any]) -> set[tuple[str, int, str]]:
    return {(f["path"], f["line"], f["rule"]) for f in report.get("findings", [])}


def scan_committed(root: Path, files: dict[str, str],
                   *args: str) -> tuple[int, set[tuple[str, int, str]]]:
    """Commit `files` to a new repository at `root`, run the CLI there with `args`; (exit code,
    the findings' (path, line, rule))."""
    repo = Repo(root)
    for path, text in files.items():
        repo.write(path, text)
    repo.commit()
    code, report = repo.run(*args)
    return code, triples(report)
