"""Packages pip installed into a directory of the tree (`site-packages/`, `dist-packages/`: a
committed virtualenv) are other projects' code: the code families pass them over, in a scan and
in history, and the secret family still reads them."""

from __future__ import annotations

from pathlib import Path

from scanner.engine.plan import build_plan
from scanner.engine.runner import extract
from scanner.facts.secrets import SecretValue
from scanner.model.document import Document
from tests.gitrepo import Repo, triples
from tests.support import make_rules, scan_files
from tests.support import triples as finding_triples

SECRET = "9f3KpQ2LmX8vB7nR4tW1zY6a"
# A webhook handler comparing its signature with `==` (SH302), a token logged (SH411) and sent
# without TLS verification (SH407), a scope request (SH202, SH204), and a client secret (SH101).
HANDLERS = f'''import hmac
import logging

import requests
from flask import Flask, request

app = Flask(__name__)
log = logging.getLogger(__name__)
CLIENT_SECRET = "{SECRET}"


@app.post("/webhooks/github")
def github_webhook():
    signature = request.headers.get("X-Hub-Signature-256")
    expected = "sha256=" + hmac.new(b"key", request.data, "sha256").hexdigest()
    if signature == expected:
        return "", 204
    return "", 401


def refresh(token):
    log.info("refreshing %s", token)
    return requests.post("https://oauth2.googleapis.com/token", data={{"refresh_token": token}},
                         verify=False)
'''
SCOPES = 'SCOPES = ["https://www.googleapis.com/auth/drive"]\n'
OWN = "acme/hooks.py"
INSTALLED = ("venv/lib/python3.12/site-packages/acme/hooks.py",
             "env/Lib/site-packages/acme/hooks.py",
             "usr/lib/python3/dist-packages/acme/hooks.py")
CODE_FINDINGS = {(16, "SH302"), (22, "SH411"), (24, "SH407")}


def _with_scopes() -> str:
    lines = HANDLERS.splitlines(keepends=True)
    return "".join([*lines[:9], SCOPES, *lines[9:]])


def test_the_code_families_pass_installed_packages_over_and_secrets_are_still_found() -> None:
    text = _with_scopes()
    own = {(line + (line > 9), rule) for line, rule in CODE_FINDINGS} \
        | {(9, "SH101"), (10, "SH202"), (10, "SH204")}
    files = {OWN: text, **dict.fromkeys(INSTALLED, text)}
    assert finding_triples(scan_files(files).findings) == \
        {(OWN, line, rule) for line, rule in own} | {(path, 9, "SH101") for path in INSTALLED}


def test_an_installed_package_is_never_parsed() -> None:
    plan = build_plan(make_rules(), {})
    for path, parsed in ((OWN, True), *((path, False) for path in INSTALLED)):
        document = Document(path, _with_scopes())
        found = set(extract(document, plan).types())
        assert ("code" in document.__dict__) is parsed, path
        assert SecretValue in found and (found != {SecretValue}) is parsed, path


def test_history_passes_installed_packages_over_and_reads_none_whole(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    for path in (OWN, *INSTALLED):
        repo.write(path, "import hmac\n")
    repo.commit("start")
    for path in (OWN, *INSTALLED):
        repo.write(path, HANDLERS)
    repo.commit("handlers")
    code, report = repo.run("history", "--all")
    assert code == 1
    assert triples(report) == {(OWN, line, rule) for line, rule in CODE_FINDINGS} \
        | {(path, 9, "SH101") for path in (OWN, *INSTALLED)}
    # The commit's added lines of an installed module let no code analysis in: its blob is not read.
    plan = build_plan(make_rules(), {})
    lines = frozenset(range(2, len(HANDLERS.splitlines()) + 1))
    for path, whole in ((OWN, True), *((path, False) for path in INSTALLED)):
        added = Document(path, HANDLERS, changed_lines=lines, sparse=True)
        assert plan.needs_whole(added) is whole, path
