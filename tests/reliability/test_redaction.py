"""What we print and store about a secret: whole private key blocks redacted, credentials of the
oauth/scope/webhook families redacted, short values shown as nothing, slow fingerprints for
weak values, and values seen late (another rule, another line, another cell) redacted too."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import random
from collections.abc import Iterable
from pathlib import Path

import pytest

from scanner.cli import main
from scanner.facts.base import FileFacts
from scanner.model.document import Document
from scanner.model.finding import Finding, Severity
from scanner.rules.base import KDF_ITERATIONS, Bad, Good, Rule, RuleContext, fingerprint
from scanner.sources import SourceFile
from tests.gitrepo import Repo
from tests.support import run_scan, scan_doc

FORMATS = ("text", "json", "sarif", "github")


def _outputs(repo: Repo, *args: str) -> dict[str, str]:
    """What every output format prints for `scan` (the cache is written by the first run)."""
    written = {}
    for fmt in FORMATS:
        out = repo.root.parent / f"out.{fmt}"
        previous = Path.cwd()
        os.chdir(repo.root)
        try:
            main(["scan", ".", *args, "--format", fmt, "--output", str(out)])
        finally:
            os.chdir(previous)
        written[fmt] = out.read_text(encoding="utf-8")
    return written


def _cache_bytes(root: Path) -> list[bytes]:
    return [p.read_bytes() for p in (root / ".cache" / "secret-hygiene").glob("scan-*.bin")]


def _findings(written: dict[str, str]) -> list[dict[str, object]]:
    findings: list[dict[str, object]] = json.loads(written["json"])["findings"]
    return findings


def _pieces(secret: str, size: int = 8) -> list[str]:
    return [secret[i:i + size] for i in range(0, len(secret) - size + 1, 2)]


def _assert_nowhere(secret: str, texts: Iterable[str | bytes], size: int = 8) -> None:
    """Not the value, nor any `size`-character piece of it."""
    for text in texts:
        for piece in _pieces(secret, size):
            needle = piece.encode() if isinstance(text, bytes) else piece
            assert needle not in text, f"{piece!r} of the secret leaked: {text[:3000]!r}"


# -- item 4: a private key block is redacted whole, whatever its encoding -----------------------


def _key_body(seed: int) -> str:
    """Random base64 standing in for a key (never a real key)."""
    rng = random.Random(seed)
    return base64.b64encode(bytes(rng.randrange(256) for _ in range(1190))).decode()


def _pem(body: str, newline: str, label: str = "PRIVATE KEY") -> str:
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return (f"-----BEGIN {label}-----{newline}" + newline.join(lines)
            + f"{newline}-----END {label}-----{newline}")


def _key_files(body: str) -> dict[str, str]:
    gcp = {"type": "service_account", "project_id": "demo-project", "private_key_id": "1a2b3c",
           "private_key": _pem(body, "\n"), "client_email": "svc@demo-project.iam.gserviceaccount.com"}
    return {
        "gcp/service-account.json": json.dumps(gcp, indent=2) + "\n",
        ".env": f'PRIVATE_KEY="{_pem(body, chr(92) + "n")}"\n',
        "app/keys.py": f'SIGNING_KEY = "{_pem(body, chr(92) + "n")}"\n',
        "app/doubled.py": f'KEY = "{_pem(body, chr(92) * 2 + "n", "RSA PRIVATE KEY")}"\n',
        "app/one_run.py": f'KEY = "-----BEGIN PRIVATE KEY-----{body}-----END PRIVATE KEY-----"\n',
        "app/cut.py": f'KEY = "-----BEGIN EC PRIVATE KEY-----\\n{body[:400]}"  # truncated\n',
        "deploy/id_rsa": _pem(body, "\n", "OPENSSH PRIVATE KEY"),
        "app/triple.py": f'KEY = """{_pem(body, chr(10))}"""\n',
    }


@pytest.mark.parametrize("path", sorted(_key_files("x")))
def test_a_private_key_is_redacted_whole_in_every_output(tmp_path: Path, path: str) -> None:
    body = _key_body(len(path))
    repo = Repo(tmp_path / "repo")
    repo.write(path, _key_files(body)[path])
    repo.commit()
    written = _outputs(repo)
    assert [f["rule"] for f in _findings(written)] == ["SH107"]
    _assert_nowhere(body.replace("\n", ""), [*written.values(), *_cache_bytes(repo.root)])
    snippet = str(_findings(written)[0]["snippet"])
    assert "-----BEGIN" in snippet
    if path not in {"deploy/id_rsa", "app/triple.py"}:  # the key is on the snippet's line
        assert "…(redacted)…" in snippet


def test_each_line_of_a_key_written_with_real_newlines_is_redacted_in_other_snippets(
        tmp_path: Path) -> None:
    """A second rule flagging a line inside the key block shows no key material either."""
    body = _key_body(7)
    pem = _pem(body, "\n")
    lines = pem.splitlines()
    # Another rule flags a line deep inside the key block: its snippet is key material.
    text = 'KEY = """' + "\n".join(lines) + '"""\n'
    file = Document("app/k.py", text)
    rules = [_SecretOnLine(), _ConstructOnLine(line=6)]
    result = scan_doc(file, rules)
    snippets = [f.snippet for f in result.findings]
    assert len(snippets) == 2
    _assert_nowhere(lines[5], snippets)


# -- item 9: credentials in findings of the other families ------------------------------------


SHAPES = {
    # SH408: a token written to browser storage
    "src/auth.js": ('export function save() {\n'
                    '  localStorage.setItem("access_token", "Zx8kQ2mP9vL4nR7tW3yB6cD1fH5jK0s");\n}\n',
                    "SH408", ["Zx8kQ2mP9vL4nR7tW3yB6cD1fH5jK0s"]),
    # SH407: a basic-auth tuple on a call with verification off (a weak password included)
    "billing/client.py": ('import requests\nTOKEN_URL = "https://auth.acme.io/oauth/token"\n\n'
                          'def fetch():\n    return requests.post(TOKEN_URL, data={"grant_type": '
                          '"client_credentials"}, auth=("svc-billing", "hunter22"), verify=False)\n',
                          "SH407", ["hunter22", "svc-billing"]),
    # SH202: a positional client secret next to an admin scope
    "cloud/session.py": ('from authlib.integrations.requests_client import OAuth2Session\n\n'
                         'def session():\n    return OAuth2Session("acme-web-client", '
                         '"Hq3JtV8cN2mX6bZ4kP9w", scope=["https://www.googleapis.com/auth/'
                         'cloud-platform"])\n',
                         "SH202", ["Hq3JtV8cN2mX6bZ4kP9w"]),
    # SH409: a cookie value set without HttpOnly
    "web/views.py": ('def login(resp):\n'
                     '    resp.set_cookie("session_token", "Vb5nM8qW2eR6tY9uI3oP7aS1", secure=True)\n',
                     "SH409", ["Vb5nM8qW2eR6tY9uI3oP7aS1"]),
}


@pytest.mark.parametrize("path", sorted(SHAPES))
def test_credentials_of_other_rules_are_redacted_everywhere_and_never_cached(
        tmp_path: Path, path: str) -> None:
    text, rule, secrets = SHAPES[path]
    repo = Repo(tmp_path / "repo")
    repo.write(path, text)
    repo.write("lib/clean.py", "def f(token):\n    return len(token)\n")  # a cache is written
    repo.commit()
    written = _outputs(repo)
    assert rule in {f["rule"] for f in _findings(written)}
    cached = _cache_bytes(repo.root)
    assert cached
    for secret in secrets:
        _assert_nowhere(secret, [*written.values(), *cached], size=min(8, len(secret)))
    flagged = [f for f in _findings(written) if f["rule"] == rule]
    assert all("…(redacted)" in str(f["snippet"]) or "chars)" in str(f["snippet"])
               for f in flagged)


def test_a_line_based_fingerprint_does_not_hash_the_credential() -> None:
    """A finding fingerprinted by its line (no construct) gets the same fingerprint whatever the
    password on that line: a baseline holds nothing to brute-force the password from."""
    prints = []
    for password in ("hunter22", "tiger123"):
        file = Document("billing/client.py",
                          f'requests.post(URL, auth=("svc", "{password}"), verify=False)\n')
        [finding] = scan_doc(file, [_ConstructOnLine(construct=None)]).findings
        prints.append(finding.fingerprint)
        assert password not in finding.snippet and password not in finding.message
    assert prints[0] == prints[1]


# -- item 25: the redacted form and the fingerprint of weak values -----------------------------


def test_a_short_password_shows_no_character_and_no_length(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("app/settings.py", 'db_password = "Tr0ub4d!"\n'
                                  'GITHUB_TOKEN = "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"\n')
    repo.commit()
    written = _outputs(repo)
    snippets = {f["line"]: f["snippet"] for f in _findings(written)}
    assert snippets[1] == 'db_password = "…(redacted)"'
    assert snippets[2] == 'GITHUB_TOKEN = "ghp_…(40 chars)"'
    for text in written.values():
        assert "Tr0" not in text and "(8 chars)" not in text


def test_weak_values_are_fingerprinted_with_a_slow_salted_hash(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("app/settings.py", 'db_password = "Tr0ub4d!"\n')
    repo.commit()
    first = _findings(_outputs(repo))
    again = _findings(_outputs(repo, "--no-cache"))
    assert [f["fingerprint"] for f in first] == [f["fingerprint"] for f in again]
    [finding] = first
    assert finding["fingerprint"] != fingerprint("SH110", "app/settings.py", "Tr0ub4d!")
    derived = hashlib.pbkdf2_hmac("sha256", b"Tr0ub4d!", b"secret-hygiene/2\0SH110\0app/settings.py",
                                  KDF_ITERATIONS).hex()
    assert KDF_ITERATIONS >= 100_000
    assert finding["fingerprint"] == fingerprint("SH110", "app/settings.py", "pbkdf2:" + derived)
    # Strong values (brute force is hopeless) keep the fast hash.
    token = "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"
    result = run_scan([SourceFile(path="a.py", text=f'GITHUB_TOKEN = "{token}"\n')],
                         _rules("SH1"), max_size=1 << 20)
    [finding] = result.findings
    assert finding.fingerprint == fingerprint(finding.rule, "a.py", token)


def test_a_version_1_baseline_gets_a_note_and_update_carries_reasons_over(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("app/settings.py", 'db_password = "Tr0ub4d!"\n')
    repo.commit()
    old_print = fingerprint("SH110", "app/settings.py", "Tr0ub4d!")  # how version 1 hashed it
    baseline = repo.root / ".secret-hygiene-baseline.json"
    baseline.write_text(json.dumps({"version": 1, "tool": "secret-hygiene", "findings": [
        {"fingerprint": old_print, "rule": "SH110", "path": "app/settings.py",
         "reason": "test database"}]}), encoding="utf-8")
    code, _report = repo.run("scan", ".")
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "baseline --update" in err and "version 1" in err
    previous = Path.cwd()
    os.chdir(repo.root)
    try:
        assert main(["baseline", "--update"]) == 0
    finally:
        os.chdir(previous)
    document = json.loads(baseline.read_text(encoding="utf-8"))
    assert document["version"] == 2
    [entry] = document["findings"]
    assert entry["reason"] == "test database" and entry["fingerprint"] != old_print
    code, report = repo.run("scan", ".")
    assert code == 0 and report["summary"]["suppressed"] == 1
    assert "baseline --update" not in capsys.readouterr().err


def test_update_carries_nothing_over_when_rule_and_path_match_several(tmp_path: Path) -> None:
    from scanner.suppress import Baseline, updated_entries

    findings = [_finding("SH110", "a.py", "f1"), _finding("SH110", "a.py", "f2")]
    old = Baseline([{"fingerprint": "old", "rule": "SH110", "path": "a.py", "reason": "r"}])
    old.version = 1
    entries = updated_entries(old, findings)
    assert [e.get("reason") for e in entries] == [None, None]
    single = updated_entries(old, findings[:1])
    assert [e.get("reason") for e in single] == ["r"]


# -- linear redaction keeps its guarantee ------------------------------------------------------


class _SecretOnLine(Rule):
    """## What it does
    Test rule: the value of `KEY = "..."` or a private key body line, as a secret.

    ## Why is this bad?
    It stands in for a secret rule.

    ## Example
        KEY = "x"

    ## Use instead
        KEY = os.environ["KEY"]
    """

    id = "SH198"
    name = "test-secret-on-line"
    family = "secret"
    severity = Severity.HIGH
    examples = (Bad('KEY = "Xk9vQ2mP7wL4nR8tBq3ZcV6y"', line=1), Good("KEY = x"))

    def check(self, facts: FileFacts, context: RuleContext) -> Iterable[Finding]:
        file = context.document
        for number, text in enumerate(file.lines, start=1):
            if "-----BEGIN" in text:
                value = file.line_text(number + 1)[:64]
                yield context.report(self, (number, 1, number, 1), "key", secret=value)
            elif 'KEY = "' in text:
                value = text.split('"')[1]
                column = text.index(value) + 1
                yield context.report(self, (number, column, number, column), "key", secret=value)


class _ConstructOnLine(Rule):
    """## What it does
    Test rule: flags a line as a construct, with no secret of its own.

    ## Why is this bad?
    It stands in for an oauth rule that runs before the secret rule.

    ## Example
        log(x)

    ## Use instead
        pass
    """

    id = "SH497"
    name = "test-construct-on-line"
    family = "oauth"
    severity = Severity.LOW
    examples = ()

    def __init__(self, line: int = 1, column: int = 1, construct: str | None = "construct") -> None:
        super().__init__()
        self.line, self.column, self.construct = line, column, construct

    def check(self, facts: FileFacts, context: RuleContext) -> Iterable[Finding]:
        file = context.document
        yield context.report(self, (self.line, self.column, self.line, self.column),
                             f"flagged: {file.line_text(self.line).strip()[:40]}",
                             construct=self.construct)


def test_a_secret_seen_after_a_finding_on_its_line_is_redacted_in_it() -> None:
    secret = "Xk9vQ2mP7wL4nR8tBq3ZcV6y"
    file = Document("a.py", f'KEY = "{secret}"\n')
    result = scan_doc(file, [_ConstructOnLine(), _SecretOnLine()])
    texts = [text for f in result.findings for text in (f.snippet, f.message)]
    assert len(result.findings) == 2
    _assert_nowhere(secret, texts)


def test_a_secret_seen_on_one_line_is_redacted_where_another_line_echoes_it() -> None:
    secret = "Xk9vQ2mP7wL4nR8tBq3ZcV6y"
    file = Document("a.py", f'KEY = "{secret}"\nlog.info("key {secret}")\n')
    result = scan_doc(file, [_ConstructOnLine(line=2), _SecretOnLine()])
    assert {f.line for f in result.findings} == {1, 2}
    _assert_nowhere(secret, [text for f in result.findings for text in (f.snippet, f.message)])


def test_a_late_secret_cut_by_the_snippet_window_leaks_no_part() -> None:
    """On a long line the snippet is a window: a secret seen after the window was cut must not
    show its first or last characters at the window's edge."""
    secret = "Xk9vQ2mP7wL4nR8t"  # short: no character of it may show
    line = "x = 1; " + "a" * 3000 + f' ; KEY = "{secret}" ; ' + "b" * 3000
    column = line.index(secret) - 150  # the window's right edge falls inside the secret
    file = Document("a.js", line + "\n")
    result = scan_doc(file, [_ConstructOnLine(line=1, column=column), _SecretOnLine()])
    _assert_nowhere(secret, [f.snippet for f in result.findings], size=4)


def test_a_secret_in_one_notebook_cell_is_redacted_in_another_cells_output() -> None:
    secret = "Xk9vQ2mP7wL4nR8tBq3ZcV6y"
    notebook = {"cells": [
        {"cell_type": "code", "metadata": {}, "source": [f'KEY = "{secret}"\n'], "outputs": []},
        {"cell_type": "code", "metadata": {}, "source": ["print(KEY)\n"],
         "outputs": [{"output_type": "stream", "name": "stdout", "text": [f"echo {secret}\n"]}]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    text = json.dumps(notebook, indent=1)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if f"echo {secret}" in t)
    result = run_scan([SourceFile(path="n.ipynb", text=text)],
                         [_SecretOnLine(), _EchoOnLine()], max_size=1 << 20)
    assert {f.line for f in result.findings} >= {line}
    _assert_nowhere(secret, [t for f in result.findings for t in (f.snippet, f.message)])


class _EchoOnLine(_ConstructOnLine):
    """## What it does
    Test rule: flags every line holding `echo`.

    ## Why is this bad?
    It stands in for a rule flagging a notebook output.

    ## Example
        echo x

    ## Use instead
        pass
    """

    id = "SH496"
    name = "test-echo-on-line"

    def check(self, facts: FileFacts, context: RuleContext) -> Iterable[Finding]:
        for number, text in enumerate(context.document.lines, start=1):
            if "echo" in text:
                yield context.report(self, (number, 1, number, 1), f"echo: {text[:40]}",
                                     construct="echo")


def _rules(*select: str) -> list[Rule]:
    from scanner.rules import registry

    return registry.instantiate(registry.select_rules(select, ()), {}, {})


def _finding(rule: str, path: str, print_: str) -> Finding:
    return Finding(rule=rule, name="n", category="secret", severity=Severity.HIGH,
                   path=path, line=1, column=1, end_line=1, end_column=1, message="m",
                   snippet="s", fingerprint=print_)


def test_no_secret_in_a_rendered_report_of_many_findings() -> None:
    """Many password lines (the linear path) still redact every value in every format."""
    rng = random.Random(5)
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    values = ["".join(rng.choice(alphabet) for _ in range(28)) for _ in range(300)]
    text = "".join(f'user{n}_password = "{v}"\n' for n, v in enumerate(values))
    result = run_scan([SourceFile(path="settings.py", text=text)], _rules("SH1"),
                         max_size=1 << 22)
    assert len(result.findings) >= 0.9 * len(values)
    from scanner.reporters import REPORTERS

    for render in REPORTERS.values():
        stream = io.StringIO()
        render(result.findings, result.summary, stream, False)
        for value in values:
            assert value not in stream.getvalue()
