"""`--redact N` (issue 16): the percent of each value hidden, in every command and format, never
under the floor (a quarter, 8 characters and 80 bits stay hidden), never on disk."""

from __future__ import annotations

import json
import os
import random
import string
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scanner.cli import main
from scanner.config import BASELINE_FILE
from scanner.engine.plan import build_plan
from scanner.engine.runner import scan_document
from scanner.model.document import Document
from scanner.redact import STRONG_BITS, redact, strength_bits
from tests.gitrepo import Repo
from tests.reliability.test_redaction import (
    _assert_nowhere,
    _cache_bytes,
    _ConstructOnLine,
    _key_body,
    _key_files,
    _pem,
    _SecretOnLine,
)
from tests.workflow.helpers import git_env, run
from tests.workflow.test_notebooks import code, notebook

_ALPHABET = string.ascii_letters + string.digits


def _random(seed: int, length: int) -> str:
    """A random value standing in for a credential (made here: never a real one)."""
    rng = random.Random(seed)
    return "".join(rng.choice(_ALPHABET) for _ in range(length))


GITHUB = "ghp_" + _random(1, 36)  # 40 characters, a provider prefix
LONG = _random(2, 64)  # a long random client secret
SHORTEST = _random(3, 26)  # about the shortest random value whose default form shows 4 chars
PASSWORD = "Tr0ub4d!"  # short: nothing shown, not even its length
WEAK_LONG = "summer2024summer2024summer"  # long but guessable: nothing shown either
SETTINGS = (f'GITHUB_TOKEN = "{GITHUB}"\nCLIENT_SECRET = "{LONG}"\nAPI_SECRET = "{SHORTEST}"\n'
            f'db_password = "{PASSWORD}"\nadmin_password = "{WEAK_LONG}"\n')
VALUES = (GITHUB, LONG, SHORTEST)
FORMATS = ("text", "json", "sarif", "github")


@contextmanager
def _inside(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def _repo(tmp_path: Path, files: dict[str, str] | None = None) -> Repo:
    repo = Repo(tmp_path / "repo")
    for path, text in (files or {"app/settings.py": SETTINGS}).items():
        repo.write(path, text)
    repo.write("lib/clean.py", "def f(token):\n    return len(token)\n")  # a cache entry
    repo.commit()
    return repo


def _reports(repo: Repo, *args: str, command: Iterable[str] = ("scan", "."),
             formats: Iterable[str] = FORMATS, files: Iterable[str] = ()) -> dict[str, str]:
    """Every output format (and the code quality report) of one command, in-process; `files`
    go last, after `--` (the hook's)."""
    written = {}
    for fmt in formats:
        out = repo.root.parent / f"out.{fmt}"
        extra = ["--codequality-output", str(repo.root.parent / "out.cq")] if fmt == "json" else []
        last = ["--", *files] if files else []
        with _inside(repo.root):
            code = main([*command, *args, *extra, "--format", fmt, "--output", str(out), *last])
        assert code == 1, fmt
        written[fmt] = out.read_text(encoding="utf-8")
    written["codequality"] = (repo.root.parent / "out.cq").read_text(encoding="utf-8")
    return written


def _snippets(written: dict[str, str]) -> dict[int, str]:
    return {f["line"]: f["snippet"] for f in json.loads(written["json"])["findings"]
            if f["path"] == "app/settings.py"}


def _shown(value: str, texts: Iterable[str]) -> int:
    """How many leading characters of `value` some text shows."""
    return max((k for text in texts for k in range(len(value) + 1) if value[:k] in text), default=0)


def _floor_kept(value: str, texts: Iterable[str]) -> None:
    """Never whole: at most the part whose rest keeps a quarter, 8 characters and 80 bits."""
    texts = list(texts)
    shown = _shown(value, texts)
    if shown > 4:  # more than the default form
        assert len(value) - shown >= max(8, -(-len(value) // 4)), (value, shown)
        assert strength_bits(value[shown:]) >= STRONG_BITS, (value, shown)
    for text in texts:
        assert value not in text and value[-8:] not in text


# -- levels ---------------------------------------------------------------------------------


def test_level_100_hides_all_of_every_value_in_every_format(tmp_path: Path) -> None:
    written = _reports(_repo(tmp_path), "--redact", "100")
    assert set(_snippets(written).values()) == {
        'GITHUB_TOKEN = "…(redacted)"', 'CLIENT_SECRET = "…(redacted)"',
        'API_SECRET = "…(redacted)"', 'db_password = "…(redacted)"',
        'admin_password = "…(redacted)"'}
    for value in VALUES:  # no piece, and no provider prefix in any snippet
        _assert_nowhere(value, written.values(), size=6)
    assert "chars)" not in "".join(written.values())


def test_level_50_shows_about_half_of_a_long_token_in_every_format(tmp_path: Path) -> None:
    written = _reports(_repo(tmp_path), "--redact", "50")
    assert _snippets(written)[2] == f'CLIENT_SECRET = "{LONG[:32]}…(64 chars)"'
    for fmt, text in written.items():
        # GitHub annotations and code quality issues carry the message alone (no snippet).
        assert fmt in {"github", "codequality"} or f"{LONG[:32]}…(64 chars)" in text, fmt
        assert LONG[:33] not in text, fmt
    for value in VALUES:
        _floor_kept(value, written.values())


def test_no_option_keeps_todays_form_byte_for_byte(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    default = _reports(repo, "--no-cache")
    assert _snippets(default) == {
        1: 'GITHUB_TOKEN = "ghp_…(40 chars)"', 2: f'CLIENT_SECRET = "{LONG[:4]}…(64 chars)"',
        3: f'API_SECRET = "{SHORTEST[:4]}…(26 chars)"', 4: 'db_password = "…(redacted)"',
        5: 'admin_password = "…(redacted)"'}
    # The same as today's redact() of each value, the form every other test pins down.
    assert _snippets(default)[2] == f'CLIENT_SECRET = "{redact(LONG)}"'


def test_level_0_is_clamped_to_the_floor_with_one_note(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path)
    capsys.readouterr()
    with _inside(repo.root):
        assert main(["scan", ".", "--redact", "0", "--no-cache"]) == 1
    out, err = capsys.readouterr()
    notes = [line for line in err.splitlines() if "--redact 0" in line]
    assert len(notes) == 1 and "never shown whole" in notes[0] and "at most 75%" in notes[0]
    shown = _shown(LONG, [out])
    assert 32 < shown <= 48  # more than level 50, never more than the floor lets through
    for value in VALUES:
        _floor_kept(value, [out])
    # The note is for people reading text: JSON output has none.
    written = _reports(repo, "--redact", "0", formats=("json",))
    assert "never shown whole" not in capsys.readouterr().err
    for value in VALUES:
        _floor_kept(value, written.values())


@pytest.mark.parametrize("level", [0, 1, 10, 24, 25, 33, 50, 75, 90, 99])
def test_no_level_shows_a_value_whole(tmp_path: Path, level: int) -> None:
    """What the clamp guarantees: take it out and level 0 prints every value whole."""
    written = _reports(_repo(tmp_path), "--redact", str(level), "--no-cache")
    for value in VALUES:
        _floor_kept(value, written.values())
    snippets = _snippets(written)
    # Short or guessable values show nothing more than by default, at any level.
    assert snippets[4] == 'db_password = "…(redacted)"'
    assert snippets[5] == 'admin_password = "…(redacted)"'


def test_redact_keeps_the_floor_for_every_level_and_length() -> None:
    for length in range(20, 130, 7):
        value = _random(length, length)
        for level in range(101):
            form = redact(value, level)
            shown = form.split("…", 1)[0]
            assert value.startswith(shown) and len(shown) <= len(value) * (100 - level) // 100
            _floor_kept(value, [form])
    assert redact(LONG, None) == redact(LONG) == f"{LONG[:4]}…(64 chars)"


@pytest.mark.parametrize("path", sorted(_key_files("x")))
def test_a_private_key_shows_only_its_header_at_level_0(tmp_path: Path, path: str) -> None:
    body = _key_body(len(path))
    written = _reports(_repo(tmp_path, {path: _key_files(body)[path]}), "--redact", "0")
    findings = json.loads(written["json"])["findings"]
    assert [f["rule"] for f in findings] == ["SH107"]
    assert "-----BEGIN" in findings[0]["snippet"]
    _assert_nowhere(body.replace("\n", ""), written.values())


def test_key_material_on_another_finding_s_line_shows_no_more_at_level_0() -> None:
    """A line inside a key block flagged by another rule: the key lines are redacted in their
    default form (4 characters), never at the level asked."""
    lines = _pem(_key_body(7), "\n").splitlines()
    document = Document("app/k.py", 'KEY = """' + "\n".join(lines) + '"""\n')
    plan = build_plan([_SecretOnLine(), _ConstructOnLine(line=6)], {})
    snippets = [f.snippet for f in scan_document(document, plan, hidden=0).findings]
    assert len(snippets) == 2
    _assert_nowhere(lines[5], snippets)


# -- what goes to disk ------------------------------------------------------------------------


def test_the_cache_holds_the_default_form_and_no_level_leaks_into_another_run(
        tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    at_20 = _reports(repo, "--redact", "20")  # the first run writes the cache
    cached = _cache_bytes(repo.root)
    assert cached
    for value in VALUES:
        _assert_nowhere(value, cached, size=5)  # the default form shows 4 characters at most
    assert LONG[:5] in "".join(at_20.values())  # while the report showed more
    # A default run after it shows today's form, as a run without any cache does.
    default = _snippets(_reports(repo))
    assert default == _snippets(_reports(repo, "--no-cache"))
    assert default[2] == f'CLIENT_SECRET = "{LONG[:4]}…(64 chars)"'
    # A cached default result is not shown at another level: the file is scanned again.
    assert _snippets(_reports(repo, "--redact", "50"))[2] == f'CLIENT_SECRET = "{LONG[:32]}…(64 chars)"'
    assert _snippets(_reports(repo, "--redact", "100"))[2] == 'CLIENT_SECRET = "…(redacted)"'
    for value in VALUES:
        _assert_nowhere(value, _cache_bytes(repo.root), size=5)


def test_baseline_and_fingerprints_are_the_same_at_every_level(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    with _inside(repo.root):
        assert main(["baseline"]) == 0
    plain = (repo.root / BASELINE_FILE).read_bytes()
    prints = {f["fingerprint"] for f in
              json.loads(_reports(repo, "--no-baseline")["json"])["findings"]}
    repo.write(".secret-hygiene.toml", "redact = 0\n")
    with _inside(repo.root):
        assert main(["baseline"]) == 0
    assert (repo.root / BASELINE_FILE).read_bytes() == plain
    for level in ("0", "50", "100"):
        with _inside(repo.root):
            assert main(["scan", ".", "--no-baseline", "--redact", level, "--format", "json",
                         "--output", str(tmp_path / "fp.json")]) == 1
        found = json.loads((tmp_path / "fp.json").read_text(encoding="utf-8"))["findings"]
        assert {f["fingerprint"] for f in found} == prints
    for value in VALUES:
        _assert_nowhere(value, [plain], size=5)


# -- configuration and usage ------------------------------------------------------------------


def test_config_redact_applies_and_the_command_line_wins(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.write("pyproject.toml", "[tool.secret-hygiene]\nredact = 100\n")
    assert _snippets(_reports(repo))[2] == 'CLIENT_SECRET = "…(redacted)"'
    assert _snippets(_reports(repo, "--redact", "50"))[2] == f'CLIENT_SECRET = "{LONG[:32]}…(64 chars)"'


@pytest.mark.parametrize("value", ["101", "-1", "x", "50%", "1.5", ""])
def test_a_bad_level_is_one_line_and_exit_2(tmp_path: Path, value: str) -> None:
    repo = _repo(tmp_path)
    done = run(repo.root, sys.executable, "-m", "scanner.cli", "scan", ".", f"--redact={value}",
               env=git_env())
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "--redact" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.parametrize("value", ["101", "-1", '"50"', "true", "2.5"])
def test_a_bad_level_in_the_config_is_one_line_and_exit_2(tmp_path: Path, value: str) -> None:
    repo = _repo(tmp_path)
    repo.write(".secret-hygiene.toml", f"redact = {value}\n")
    done = run(repo.root, sys.executable, "-m", "scanner.cli", "scan", ".", env=git_env())
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "redact: expected an integer from 0 to 100" in done.stderr


# -- every command that shows a value ---------------------------------------------------------


def _staged(tmp_path: Path) -> Repo:
    """A repository whose next commit (staged) and last commit add the settings file."""
    repo = Repo(tmp_path / "repo")
    repo.write("README.md", "demo\n")
    repo.commit()
    repo.write("app/settings.py", SETTINGS)
    repo.git("add", "app/settings.py")
    return repo


@pytest.mark.parametrize("command", [("diff", "--staged"), ("hook",), ("history",)])
def test_diff_hook_and_history_show_the_level_asked(tmp_path: Path, command: tuple[str, ...]) -> None:
    repo = _staged(tmp_path)
    if command[0] == "history":
        repo.commit()
    files = ("app/settings.py",) if command[0] == "hook" else ()
    written = _reports(repo, "--redact", "50", command=command, files=files)
    assert _snippets(written)[2] == f'CLIENT_SECRET = "{LONG[:32]}…(64 chars)"'
    for value in VALUES:
        _floor_kept(value, written.values())


@pytest.mark.parametrize("command", [("diff", "--staged"), ("hook",), ("history",)])
def test_a_git_result_cached_in_the_default_form_never_answers_another_level(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    repo = _staged(tmp_path)
    if command[0] == "history":
        repo.commit()
    files = ("app/settings.py",) if command[0] == "hook" else ()
    for args, shown in (((), LONG[:4]), (("--redact", "50"), LONG[:32]), ((), LONG[:4])):
        written = _reports(repo, *args, command=command, files=files, formats=("json",))
        assert _snippets(written)[2] == f'CLIENT_SECRET = "{shown}…(64 chars)"', args


def test_audit_and_fix_diff_show_the_level_asked(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("app/settings.py", f'CLIENT_SECRET = "{LONG}"\n')
    repo.commit()
    audit = run(repo.root, sys.executable, "-m", "scanner.cli", "audit", "--redact", "50",
                env={**git_env(), "NO_COLOR": "1"}, stdin="s\n")
    assert audit.returncode == 0, audit.stderr
    assert f'CLIENT_SECRET = "{LONG[:32]}…(64 chars)"' in audit.stdout
    diff = run(repo.root, sys.executable, "-m", "scanner.cli", "fix", "--select", "SH101", "--diff",
               "--redact", "50", env=git_env())
    assert diff.returncode == 1, diff.stderr
    assert f'-CLIENT_SECRET = "{LONG[:32]}…(64 chars)"' in diff.stdout
    default = run(repo.root, sys.executable, "-m", "scanner.cli", "fix", "--select", "SH101",
                  "--diff", env=git_env())
    assert f'-CLIENT_SECRET = "{LONG[:4]}…(64 chars)"' in default.stdout
    for value in VALUES:
        _floor_kept(value, [audit.stdout, diff.stdout, default.stdout])


# -- every kind of source: notebooks, windows, archives, standard input, project rules ---------


def _zip(files: dict[str, str]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


SOURCES = {
    # A notebook: its code cells are scanned as Python, then moved to the .ipynb's lines.
    "nb/demo.ipynb": notebook([code("import os", f'CLIENT_SECRET = "{LONG}"')]),
    # Over max-file-size (4KiB below): read in windows by the secret analysis alone.
    "web/bundle.js": "// padding\n" * 600 + f'const client_secret = "{LONG}";\n',
    # A project rule (SH204) with a credential literal on its line.
    "cloud/scopes.py": (f'SCOPES = ["people:read", "payroll:read"]; PARTNER_KEY = "{LONG}"\n'
                        'session = OAuth2Session("client", scope=SCOPES)\n'
                        'session.get("https://api.example.com/api/v3/people")\n'),
}


@pytest.mark.parametrize("level", [None, "50"])
def test_every_kind_of_source_shows_the_level_asked(tmp_path: Path, level: str | None) -> None:
    repo = Repo(tmp_path / "repo")
    for path, text in SOURCES.items():
        repo.write(path, text)
    (repo.root / "dist").mkdir()
    (repo.root / "dist" / "app.whl").write_bytes(_zip({"pkg/settings.py": SETTINGS}))
    repo.write(".secret-hygiene.toml", 'max-file-size = "4KiB"\n')
    repo.commit()
    args = ("--redact", level) if level else ()
    shown = f"{LONG[:32]}…(64 chars)" if level else f"{LONG[:4]}…(64 chars)"
    found = json.loads(_reports(repo, *args, "--max-archive-depth", "1", formats=("json",))["json"])
    snippets: dict[str, set[str]] = {}
    for finding in found["findings"]:
        snippets.setdefault(finding["path"], set()).add(finding["snippet"])
    for path in (*SOURCES, "dist/app.whl!pkg/settings.py"):
        assert any(shown in snippet for snippet in snippets[path]), (path, snippets.get(path))
    assert {f["rule"] for f in found["findings"] if f["path"] == "cloud/scopes.py"} >= {"SH204"}
    assert all(shown in f["snippet"] for f in found["findings"] if f["rule"] == "SH204")
    # Standard input.
    stdin = run(repo.root, sys.executable, "-m", "scanner.cli", "scan", "-", "--stdin-filename",
                "app/settings.py", *args, env=git_env(), stdin=SETTINGS)
    assert stdin.returncode == 1 and shown in stdin.stdout, stdin.stderr
    for value in VALUES:
        _floor_kept(value, [json.dumps(found), stdin.stdout])
