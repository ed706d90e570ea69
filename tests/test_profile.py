"""`--profile` says where the time went, per phase, analysis family and rule family, on stderr;
the report itself is the same with and without it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.cli import main

APP = '''from flask import Flask, request

app = Flask(__name__)
CLIENT_SECRET = "9f3KpQ2LmX8vB7nR4tW1zY6a"


@app.post("/webhooks/github")
def github_webhook():
    handle(request.get_json())
    return "", 204
'''


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_profile_names_phases_and_families(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           jobs: str) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    for index in range(60):  # enough files for the worker pool
        (tree / f"mod{index}.py").write_text(f"VALUE = {index}\n", encoding="utf-8")
    (tree / "app.py").write_text(APP, encoding="utf-8")
    reports = []
    for extra in ((), ("--profile",)):
        out = tmp_path / f"report{len(extra)}.json"
        code = main(["scan", str(tree), "--all-files", "--no-cache", "-j", jobs, "--format",
                     "json", "--output", str(out), *extra])
        assert code == 1
        reports.append(json.loads(out.read_text(encoding="utf-8")))
    assert reports[0] == reports[1]
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("profile:")]
    assert lines[0].startswith("profile:") and f"with {jobs} job(s)" in lines[0]
    phases = {line.split("%", 1)[1].strip() for line in lines[1:]}
    assert {"read, decode, gates", "facts: secrets", "facts: webhooks", "rules: SH1xx",
            "project rules (modules they load included)"} <= phases
