"""parse_patch: the block-based patch reader behind diff, hook and history modes.

Checked against real `git log -p -U0` output of a repository with awkward content, and against
a plain line-by-line reading of the same output, for every way the output can be cut into blocks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.sources import history_files, parse_patch, run_git, with_content
from tests.gitrepo import Repo

LOG_ARGS = ("log", "--reverse", "--topo-order", "--format=%x01%H", "-p", "-U0", "--no-color",
            "--no-ext-diff", "--full-index", "-M", "--diff-filter=d", "HEAD")


def reference(output: bytes) -> list[tuple[str, str | None, frozenset[int], str | None]]:
    """The same facts read line by line, counting each hunk's new-side lines."""
    out: list[tuple[str, str | None, frozenset[int], str | None]] = []
    commit: str | None = None
    path, blob, added, remaining, new_line = "", None, set(), 0, 0

    def flush() -> None:
        if path and added:
            out.append((path, blob, frozenset(added), commit))

    for line in output.split(b"\n"):
        if remaining:
            if line.startswith(b"+"):
                added.add(new_line)
                new_line += 1
                remaining -= 1
            continue
        if line.startswith(b"\x01"):
            flush()
            path, blob, added = "", None, set()
            commit = line[1:].decode()
        elif line.startswith(b"diff --git "):
            flush()
            path, blob, added = "", None, set()
        elif line.startswith(b"index "):
            blob = line.split()[1].split(b"..")[1].decode()
        elif line.startswith(b"+++ "):
            target = line[4:].rstrip(b"\t")  # git adds a tab after a path with spaces
            path = "" if target == b"/dev/null" else target[2:].decode()
        elif line.startswith(b"@@ "):
            plus = line.split(b" ")[2][1:].split(b",")
            new_line = int(plus[0])
            remaining = int(plus[1]) if len(plus) > 1 else 1
    flush()
    return out


def facts(output_blocks: list[bytes]) -> list[tuple[str, str | None, frozenset[int], str | None]]:
    return [(p.path, p.blob, frozenset(p.added), p.commit) for p in parse_patch(output_blocks)]


@pytest.fixture(scope="module")
def awkward_repo(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    repo = Repo(tmp_path_factory.mktemp("patch") / "repo")
    repo.write("app.py", "import os\nTOKEN = os.environ['TOKEN']\n")
    repo.write("space name.txt", "first\n")
    repo.commit("one")
    # Added lines that look like patch headers once prefixed with "+".
    repo.write("app.py", "import os\n++ not a header\ndiff --git a/x b/x\n@@ -1 +1 @@\n"
                         "TOKEN = os.environ['TOKEN']\n--- a/y\n+++ b/y\n")
    repo.write("space name.txt", "first\nsecond\nthird")  # no newline at the end
    repo.write("crlf.ini", "[a]\r\nkey = value\r\n")
    repo.commit("two")
    repo.git("mv", "app.py", "moved.py")
    repo.write("moved.py", (repo.root / "moved.py").read_text() + "tail = 1\n")
    (repo.root / "crlf.ini").unlink()
    repo.write("dir/ünïcode.py", "x = 1\n")
    repo.commit("three")
    repo.write("moved.py", "replaced\n")
    repo.commit("four")
    return repo


def test_block_parser_matches_line_reading_for_any_cut(awkward_repo: Repo) -> None:
    output = run_git(awkward_repo.root, "-c", "core.quotepath=false", *LOG_ARGS)
    expected = reference(output)
    assert {item[0] for item in expected} == {"app.py", "space name.txt", "crlf.ini", "moved.py",
                                                "dir/ünïcode.py"}
    for size in (1, 2, 3, 7, 64, 1 << 20):
        blocks = [output[i:i + size] for i in range(0, len(output), size)]
        assert facts(blocks) == expected, size
    assert facts(output.splitlines(keepends=True)) == expected


def test_added_lines_of_awkward_content(awkward_repo: Repo) -> None:
    output = run_git(awkward_repo.root, "-c", "core.quotepath=false", *LOG_ARGS)
    by_commit = [(path, sorted(added)) for path, _, added, _ in facts([output])]
    assert by_commit == [
        ("app.py", [1, 2]),
        ("space name.txt", [1]),
        ("app.py", [2, 3, 4, 6, 7]),
        ("crlf.ini", [1, 2]),
        ("space name.txt", [2, 3]),
        ("dir/ünïcode.py", [1]),
        ("moved.py", [8]),  # a rename shows only the line it adds
        ("moved.py", [1]),
    ]


def test_history_prefilter_reads_only_blobs_with_keywords(awkward_repo: Repo) -> None:
    notes: list[str] = []
    found = list(history_files(Path(awkward_repo.root), None, max_size=1 << 20, notes=notes,
                               keywords=["token"]))
    assert [(s.path, sorted(s.changed_lines or ())) for s in found] == [("app.py", [1, 2])]
    # A created file is rebuilt from its patch: the same bytes as its blob, no blob read.
    assert with_content(found[0]).content == b"import os\nTOKEN = os.environ['TOKEN']\n"
    everything = list(history_files(Path(awkward_repo.root), None, max_size=1 << 20, notes=notes,
                                    keywords=None))
    assert len(everything) == 8
    assert notes == []


def test_created_files_are_rebuilt_from_their_patch_byte_for_byte(tmp_path: Path) -> None:
    """history and diff read no blob for a created file: the patch holds every line. The rebuilt
    bytes must be the blob's, whatever the line endings, the last newline or the line prefixes."""
    import subprocess

    from scanner.sources import _DIFF_ARGS, new_file_content, parse_patch
    from tests.gitrepo import GIT_ENV, Repo

    contents = {
        "plain.py": b"a = 1\nb = 2\n",
        "no_newline.py": b"a = 1\nb = 2",
        "crlf.txt": b"one\r\ntwo\r\n",
        "lone_cr.txt": b"one\rtwo\n",
        "prefixes.txt": b"+plus\n-minus\n\\backslash\n \n\n@@ not a hunk @@\n",
        "unicode.md": "clé = 'é'\n".encode(),
        "single.txt": b"x",
        "blank_lines.txt": b"\n\n\n",
        "not_utf8.txt": b"token = '\xff\xfe'\n",
    }
    repo = Repo(tmp_path / "repo")
    repo.write("seed.txt", "seed\n")
    repo.commit("seed")
    for name, data in contents.items():
        (repo.root / name).write_bytes(data)
    repo.commit("add")
    out = subprocess.run(["git", "diff", *_DIFF_ARGS, "HEAD~1", "HEAD"], cwd=repo.root,
                         capture_output=True, check=True, env={**os.environ, **GIT_ENV}).stdout
    rebuilt = {item.path: new_file_content(item) for item in parse_patch([out])}
    assert rebuilt == contents
    # A modified file is not rebuilt (its blob holds lines the patch does not show).
    (repo.root / "plain.py").write_bytes(b"a = 1\nb = 3\n")
    repo.commit("change")
    out = subprocess.run(["git", "diff", *_DIFF_ARGS, "HEAD~1", "HEAD"], cwd=repo.root,
                         capture_output=True, check=True, env={**os.environ, **GIT_ENV}).stdout
    assert [new_file_content(item) for item in parse_patch([out])] == [None]


def test_a_changed_files_added_lines_sit_at_their_places_byte_for_byte(tmp_path: Path) -> None:
    """history scans a changed file as its added lines at their places, every other line empty:
    each added line must be the blob's line, whatever its prefix, ending or last newline."""
    import subprocess

    from scanner.sources import _DIFF_ARGS, added_lines_content, parse_patch
    from tests.gitrepo import GIT_ENV, Repo

    before = b"".join(b"line %d\n" % n for n in range(1, 21))
    after_lines = [b"line %d" % n for n in range(1, 21)]
    after_lines[2] = b"+plus prefixed"
    after_lines[3] = b"\\ backslash"
    after_lines[9:11] = [b"crlf\r", b"", b"-minus", b"@@ -1 +1 @@ not a hunk"]
    after_lines.append(b"last, no newline")
    repo = Repo(tmp_path / "repo")
    (repo.root / "f.txt").write_bytes(before)
    repo.commit("seed")
    (repo.root / "f.txt").write_bytes(b"\n".join(after_lines))
    repo.commit("change")
    out = subprocess.run(["git", "diff", *_DIFF_ARGS, "HEAD~1", "HEAD"], cwd=repo.root,
                         capture_output=True, check=True, env={**os.environ, **GIT_ENV}).stdout
    (item,) = parse_patch([out])
    rebuilt = added_lines_content(item).split(b"\n")
    assert item.added == {3, 4, 10, 11, 12, 13, 23}
    for number, line in enumerate(after_lines, 1):
        assert rebuilt[number - 1] == (line if number in item.added else b""), number
