"""The engine's worker pool: big files first, results still in source order, same answers as a
single process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.engine import pool
from scanner.engine.plan import Plan, build_plan
from scanner.engine.runner import FileResult, ScanResult, Settings, loader_for, scan
from scanner.rules import registry
from scanner.rules.base import Bad, ProjectRule, Rule
from scanner.sources import SourceFile, tree_files

SETTINGS = Settings(max_size=1 << 20)


def _plan() -> Plan:
    return build_plan(registry.instantiate(registry.select_rules([], []), {}, {}), {})


def test_balanced_chunks_cover_every_file_once_biggest_first() -> None:
    sizes = [10, 5_000_000, 300, 0, 700_000, *range(1, 200)]
    sources = [SourceFile(path=f"f{i}", text="x" * size) for i, size in enumerate(sizes)]
    chunks = pool.balanced_chunks(sources)
    flat = [index for chunk in chunks for index in chunk]
    assert sorted(flat) == list(range(len(sources)))
    assert chunks[0] == [1] and chunks[1] == [4]  # files over the chunk budget travel alone
    assert all(len(chunk) <= pool.CHUNK_SIZE for chunk in chunks)
    ordered = [sizes[index] for index in flat]
    assert ordered == sorted(ordered, reverse=True)


def _tree_with_findings(root: Path) -> int:
    """Every file-level rule's bad examples, each twice, among filler files of varied sizes."""
    count = 0
    for rule in registry.RULES:
        if issubclass(rule, ProjectRule):
            continue
        for number, example in enumerate(e for e in rule.examples if isinstance(e, Bad)):
            for copy in range(2):
                target = root / rule.id / f"{copy}-{number}" / example.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(example.code, encoding="utf-8")
                count += 1
    for index in range(max(0, pool.PARALLEL_MIN_FILES + 20 - count)):
        (root / "filler").mkdir(exist_ok=True)
        (root / "filler" / f"{index}.txt").write_text("plain words\n" * (index * 37 % 5000))
    return count


def test_pool_gives_the_single_process_answer_in_source_order(tmp_path: Path) -> None:
    planted = _tree_with_findings(tmp_path)
    assert planted > 0
    sources, _ = tree_files(tmp_path)
    assert len(sources) >= pool.PARALLEL_MIN_FILES
    plan = _plan()

    def run(jobs: int) -> ScanResult:
        return scan(sources, plan, SETTINGS, jobs=jobs, expected=len(sources),
                    project_loader=loader_for(tmp_path, 1 << 20))

    single, pooled = run(1), run(2)
    assert single.findings  # the planted examples are found ...
    assert pooled.findings == single.findings  # ... the same way by the pool
    assert pooled.summary == single.summary
    order = [r.path for r in pool.run_files(sources, plan, SETTINGS, jobs=2,
                                            expected=len(sources))]
    assert order == [s.path for s in sources]


def test_a_consumer_that_stops_early_does_not_wait_for_the_queue(tmp_path: Path) -> None:
    for index in range(pool.PARALLEL_MIN_FILES + 50):
        (tmp_path / f"{index}.txt").write_text("token = 1\n" * 50)
    sources, _ = tree_files(tmp_path)
    results = pool.run_files(sources, _plan(), SETTINGS, jobs=2, expected=len(sources))
    first = next(results)
    results.close()  # shuts the pool down, cancelling what has not started
    assert first.path == sources[0].path


def test_history_through_the_worker_pool_finishes(tmp_path: Path) -> None:
    """Workers forked after `git cat-file` started would keep its input open: history hung."""
    from tests.gitrepo import GIT_ENV, Repo

    repo = Repo(tmp_path / "repo")
    repo.write("app.py", "import os\nTOKEN = os.environ['TOKEN']\n")
    repo.commit("one")
    repo.write("app.py", "import os\nTOKEN = os.environ['TOKEN']\nREFRESH_TOKEN = None\n")
    repo.commit("two")
    done = subprocess.run([sys.executable, "-m", "scanner.cli", "history", "--jobs", "2",
                           "--format", "json"], cwd=repo.root, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **GIT_ENV})
    assert done.returncode == 0, done.stderr
    assert '"files_scanned": 2' in done.stdout


def test_history_reads_blobs_in_the_workers_with_the_same_result(tmp_path: Path) -> None:
    """With --jobs 2 each worker reads its own blobs; findings, notes and counts do not change."""
    from tests.gitrepo import GIT_ENV, Repo

    repo = Repo(tmp_path / "repo")
    repo.write("pyproject.toml", "[tool.secret-hygiene]\nmax-file-size = 4000\n")
    for index in range(12):
        repo.write(f"svc{index}.py", f'CLIENT_SECRET = "9f3KpQ2LmX8vB7nR4tW1zY{index:02d}"\n')
        repo.write(f"big{index}.txt", "token = os.environ['T']\n" * 400)  # over max-file-size
        repo.commit(f"c{index}")
    outputs = []
    for jobs in ("1", "2"):
        done = subprocess.run([sys.executable, "-m", "scanner.cli", "history", "--jobs", jobs,
                               "--format", "json"], cwd=repo.root, capture_output=True, text=True,
                              timeout=120, env={**os.environ, **GIT_ENV})
        assert done.returncode == 1, done.stderr
        outputs.append(json.loads(done.stdout))
    single, pooled = outputs
    assert pooled == single
    assert {f["path"] for f in single["findings"]} == {f"svc{i}.py" for i in range(12)}
    assert sum("over max-file-size" in e for e in single["summary"]["errors"]) == 12


def test_forked_workers_and_the_executor_pool_agree(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _tree_with_findings(tmp_path)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "broken.py").write_text("def f(:\n    token = 'x'\n")
    sources, _ = tree_files(tmp_path)
    plan = _plan()

    def run() -> list[FileResult]:
        return list(pool.run_files(sources, plan, SETTINGS, jobs=2, expected=len(sources)))

    forked = run()
    monkeypatch.setattr(pool, "_FORK", False)
    executor = run()
    assert forked == executor
    assert [r.path for r in forked] == [s.path for s in sources]
    assert sum(1 for r in forked if r.findings) > 10


class _Dies(Rule):
    """A rule whose check kills its worker process outright (as an OOM killer would)."""

    id = "SH499"
    name = "dies-in-worker"
    family = "oauth"
    severity = registry.RULES[0].severity
    needs = registry.RULES[0].needs

    def check(self, facts: object, context: object) -> list[object]:  # type: ignore[override]
        os._exit(3)


@pytest.mark.skipif(not pool._FORK, reason="forked workers are Linux-only")
def test_a_worker_that_dies_is_an_error_not_a_hang(tmp_path: Path) -> None:
    rule = registry.RULES[0]
    bad = next(e for e in rule.examples if isinstance(e, Bad))
    for index in range(pool.PARALLEL_MIN_FILES + 10):
        (tmp_path / f"{index}{Path(bad.path).suffix}").write_text(bad.code)
    sources, _ = tree_files(tmp_path)
    plan = build_plan([_Dies()], {})
    with pytest.raises(pool.WorkerError, match="worker stopped early"):
        list(pool.run_files(sources, plan, SETTINGS, jobs=2, expected=len(sources)))


def test_the_project_step_leaves_the_collector_as_it_found_it() -> None:
    """The project step runs with the cyclic collector off (it keeps every module it loads, and
    full passes over them freed nothing); after it, on, or still off when the caller had it off,
    also when a project rule fails."""
    import gc

    from scanner.model.finding import Severity

    collecting: list[bool] = []

    class Failing(ProjectRule):
        id = "SH999"
        severity = Severity.LOW
        needs = ()

        def check_project(self, facts: object, index: object, report: object) -> list[object]:
            collecting.append(gc.isenabled())
            raise RuntimeError("a bug")

    base = _plan()
    plan = Plan((*base.rules, Failing()), base.extractors, base.index, base.project_facts)
    sources = [SourceFile(path="app.py", text='SCOPES = ["repo"]\n')]
    assert gc.isenabled()
    result = scan(sources, plan, SETTINGS)
    assert gc.isenabled()
    assert any("SH999" in note for note in result.summary.errors)
    assert collecting == [False]
    gc.disable()
    try:
        scan(sources, plan, SETTINGS)
        assert not gc.isenabled()
    finally:
        gc.enable()


def _history_stream_repo(root: Path) -> tuple[object, list[str]]:
    """A history whose first commit is slow to scan (a large webhook module, parsed whole) and
    whose later commits are many small files, one re-adding a secret of the first commit."""
    from tests.gitrepo import Repo

    repo = Repo(root)
    handlers = "".join(f"\n\n@app.post('/webhooks/h{n}')\ndef hook_{n}():\n"
                       f"    handle(request.get_json())\n    return '', 204\n" for n in range(150))
    repo.write("server/hooks.py", "from flask import Flask, request\napp = Flask(__name__)\n"
                                  'CLIENT_SECRET = "9f3KpQ2LmX8vB7nR4tW1zY6a"\n' + handlers)
    commits = [repo.commit("slow first")]
    for batch in range(4):
        for index in range(60):
            repo.write(f"notes/b{batch}/n{index}.txt", f"token notes {batch} {index}\n")
        commits.append(repo.commit(f"batch {batch}"))
    repo.write("copy/hooks.py", 'CLIENT_SECRET = "9f3KpQ2LmX8vB7nR4tW1zY6a"\n')
    repo.write("server/other.py", 'CLIENT_SECRET = "9f3KpQ2LmX8vB7nR4tW1zY6a"\n')
    commits.append(repo.commit("the secret again"))
    return repo, commits


def test_a_history_stream_gives_results_in_source_order_whichever_chunk_ends_first(
        tmp_path: Path) -> None:
    """The stream sends a chunk as soon as any chunk is done: later chunks may finish before the
    first (a slow whole-file parse); results still come back in source order, as one process
    gives them, and the first commit of a finding stays the first."""
    from scanner.sources import close_blob_readers, history_files

    repo, commits = _history_stream_repo(tmp_path / "repo")
    root = Path(repo.root)  # type: ignore[attr-defined]
    plan = _plan()

    def sources() -> list[SourceFile]:
        return list(history_files(root, None, max_size=1 << 20, notes=[], keywords=None))

    listed = sources()
    assert len(listed) > 3 * pool.CHUNK_SIZE  # several chunks in flight
    try:
        pooled = list(pool.run_files(iter(listed), plan, SETTINGS, jobs=2))
        single = list(pool.run_files(iter(sources()), plan, SETTINGS, jobs=1))
    finally:
        close_blob_readers()
    assert [(r.path, r.commit) for r in pooled] == [(s.path, s.commit) for s in listed]
    def said(results: list[FileResult]) -> list[tuple[object, ...]]:
        return [(r.path, r.commit, r.scanned, r.findings, r.notes, r.suppressed, r.context)
                for r in results]

    assert said(pooled) == said(single)
    assert any(r.findings for r in pooled if r.commit == commits[0])


def test_a_history_stream_sends_the_plan_once_per_worker_not_with_every_chunk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each chunk used to carry the plan: unpickled again in the worker, its caches rebuilt."""
    from scanner.sources import close_blob_readers, history_files

    repo, _ = _history_stream_repo(tmp_path / "repo")
    plan = _plan()
    pickled: list[int] = []
    original = Plan.__reduce_ex__

    def counting(self: Plan, protocol: int) -> object:  # type: ignore[override]
        pickled.append(protocol)
        return original(self, protocol)

    monkeypatch.setattr(Plan, "__reduce_ex__", counting)
    sources = history_files(Path(repo.root), None, max_size=1 << 20,  # type: ignore[attr-defined]
                            notes=[], keywords=None)
    try:
        results = list(pool.run_files(sources, plan, SETTINGS, jobs=2))
    finally:
        close_blob_readers()
    assert len(results) > 3 * pool.CHUNK_SIZE
    assert len(pickled) <= 2  # none when forked; once per worker with another start method


def test_a_history_stream_spreads_heavy_sources_over_chunks() -> None:
    """A commit of large created files goes out in chunks of at most CHUNK_BYTES (one heavy
    chunk held a worker while the other had nothing left)."""
    from scanner.sources import PatchFile

    big = [SourceFile(path=f"vendor/{n}.py", blob="a" * 40,
                      patch=PatchFile(path=f"vendor/{n}.py", blob="a" * 40,
                                      added_text=[b"+x = 1\n" * 40_000], ranges=[(1, 40_000)]))
           for n in range(6)]
    small = [SourceFile(path=f"s{n}.txt", text="token\n") for n in range(100)]
    chunks = list(pool._stream_chunks(iter(big + small)))
    assert [s.path for chunk in chunks for s in chunk] == [s.path for s in big + small]
    assert [len(chunk) for chunk in chunks[:6]] == [1] * 6
    assert all(len(chunk) <= pool.CHUNK_SIZE for chunk in chunks)
