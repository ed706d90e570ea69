"""No secret leaves: for random credentials planted in random files, no output format, verbose
run, log record, note, exception text or baseline holds the secret whole (design contract)."""

from __future__ import annotations

import io
import json
import logging
import os
import tempfile
from collections.abc import Iterable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.cli import main
from scanner.facts.base import FileFacts
from scanner.model.finding import Finding, Severity
from scanner.reporters import REPORTERS
from scanner.rules.base import Bad, Good, Rule, RuleContext
from scanner.rules.registry import RULES, instantiate
from scanner.sources import SourceFile
from scanner.suppress import baseline_entries, baseline_text
from tests.reliability import strategies as sts
from tests.support import ScanResult, run_scan

ALL_RULES = instantiate(RULES, {}, {})


def assert_absent(secret: str, texts: Iterable[str]) -> None:
    for text in texts:
        assert secret not in text, f"secret leaked: {text[:2000]}"


def everything_written(result: ScanResult) -> list[str]:
    outputs = []
    for render in REPORTERS.values():
        stream = io.StringIO()
        render(result.findings, result.summary, stream, False)
        outputs.append(stream.getvalue())
    outputs.append(baseline_text(baseline_entries(result.findings)))
    outputs.extend(result.summary.errors)
    outputs.extend(repr(f) for f in result.findings)
    return outputs


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(sts.planted_files(), min_size=1, max_size=3))
def test_planted_secrets_never_appear_in_any_output(files: list[tuple[str, str, str]]) -> None:
    sources = [SourceFile(path=f"{index}/{path}", text=text) for index, (path, text, _) in enumerate(files)]
    result = run_scan(sources, ALL_RULES, max_size=1 << 22)
    written = everything_written(result)
    for _, _, secret in files:
        assert_absent(secret, written)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sts.planted_files(), st.sampled_from(["\r\n", "\r"]))
def test_no_leak_with_other_line_breaks(file: tuple[str, str, str], newline: str) -> None:
    path, text, secret = file
    result = run_scan([SourceFile(path=path, text=text.replace("\n", newline))], ALL_RULES,
                         max_size=1 << 22)
    assert_absent(secret, everything_written(result))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(sts.planted_files(), min_size=1, max_size=3))
def test_cli_formats_verbose_logs_and_baseline_never_hold_the_secret(files: list[tuple[str, str, str]]) -> None:
    """The real CLI in every format with -vv, DEBUG logging captured, then `baseline`."""
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    root_logger = logging.getLogger()
    previous_level = root_logger.level
    root_logger.addHandler(handler)
    root_logger.setLevel(logging.DEBUG)
    previous_cwd = os.getcwd()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            tree = Path(scratch) / "tree"
            for index, (path, text, _) in enumerate(files):
                target = tree / str(index) / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
            captured: list[str] = []
            for fmt in REPORTERS:
                out, err = io.StringIO(), io.StringIO()
                with redirect_stdout(out), redirect_stderr(err):
                    code = main(["scan", str(tree), "--format", fmt, "-vv", "--no-baseline"])
                assert code in (0, 1), err.getvalue()
                captured += [out.getvalue(), err.getvalue()]
            baseline = Path(scratch) / "baseline.json"
            err = io.StringIO()
            with redirect_stdout(io.StringIO()), redirect_stderr(err):
                assert main(["baseline", str(tree), "-o", str(baseline)]) == 0
            captured += [baseline.read_text(encoding="utf-8"), err.getvalue()]
            os.chdir(tree)
            with redirect_stdout(io.StringIO()) as out, redirect_stderr(io.StringIO()) as err:
                main(["hook", *[f"{i}/{path}" for i, (path, _, _) in enumerate(files)], "-v"])
            captured += [out.getvalue(), err.getvalue()]
    finally:
        os.chdir(previous_cwd)
        root_logger.removeHandler(handler)
        root_logger.setLevel(previous_level)
    captured.append(log.getvalue())
    for _, _, secret in files:
        assert_absent(secret, captured)


class Explodes(Rule):
    """## What it does
    Raises, with the file's text in the exception, to prove exception text never escapes.

    ## Why is this bad?
    Test only.

    ## Example
        x

    ## Use instead
        y
    """

    id = "SH199"
    name = "explodes-for-tests"
    family = "secret"
    severity = Severity.LOW
    examples = (Bad("x", line=1), Good("y"))

    def check(self, facts: FileFacts, context: RuleContext) -> Iterable[Finding]:
        raise ValueError(f"cannot handle {context.document.text!r}")


@settings(max_examples=100, deadline=None)
@given(sts.planted_files())
def test_rule_exception_text_never_reaches_notes(file: tuple[str, str, str]) -> None:
    path, text, secret = file
    result = run_scan([SourceFile(path=path, text=text)], [*ALL_RULES, Explodes()], max_size=1 << 22)
    assert any("SH199" in note and "failed" in note for note in result.summary.errors)
    assert_absent(secret, everything_written(result))


@pytest.mark.parametrize("kind", ["py", "js", "yaml"])
def test_secret_with_undecodable_bytes_is_redacted(kind: str) -> None:
    """A parser may report an undecodable byte as U+FFFD while the line holds the raw byte."""
    secret_bytes = b"Zq8xK2mN4pL7\xffvR1tY5wB3cD6fG9hJ0kA"
    raw = {"py": b'CLIENT_SECRET = "' + secret_bytes + b'"\n',
           "js": b'const clientSecret = "' + secret_bytes + b'";\n',
           "yaml": b"client_secret: " + secret_bytes + b"\n"}[kind]
    from scanner.sources import decode

    text = decode(raw)
    assert text is not None
    result = run_scan([SourceFile(path=f"app.{kind}", text=text)], ALL_RULES, max_size=1 << 22)
    visible = secret_bytes.decode("utf-8", "replace")
    written = everything_written(result)
    assert_absent(visible, written)
    assert_absent(secret_bytes.decode("utf-8", "surrogateescape"), written)
    assert json.loads(written[list(REPORTERS).index("json")])


@pytest.mark.parametrize(("path", "index"), [(p, i) for p, ts in sorted(sts.FILE_TEMPLATES.items())
                                             for i in range(len(ts))])
def test_the_planted_secrets_are_found(path: str, index: int) -> None:
    """The leak properties are not vacuous: every template's secret is reported (redacted)."""
    import random

    rng = random.Random(f"{path}{index}")
    for prefix in ("", "ghp_", "GOCSPX-"):
        secret = prefix + "Aa0" + "".join(rng.choice("abcdefghijKLMNOP0123456789") for _ in range(30)) + "Zz9"
        text = sts.FILE_TEMPLATES[path][index].format(s=secret)
        result = run_scan([SourceFile(path=path, text=text)], ALL_RULES, max_size=1 << 22)
        line = text[:text.index(secret)].count("\n") + 1
        assert any(f.line == line and f.rule.startswith("SH1") for f in result.findings), (path, text)
        assert_absent(secret, everything_written(result))


# Credentials that a rule outside the secret family flags the construct of (issue #17, item 9):
# path -> (template, the rule that must fire, so the property is not vacuous).
OTHER_FAMILY_SHAPES = {
    "src/auth.js": ('export function save() {{\n  localStorage.setItem("access_token", "{s}");\n}}\n',
                    "SH408"),
    "billing/client.py": ('import requests\nTOKEN_URL = "https://auth.acme.io/oauth/token"\n\n'
                          'def fetch():\n    return requests.post(TOKEN_URL, data={{"grant_type": '
                          '"client_credentials"}}, auth=("svc-billing", "{s}"), verify=False)\n',
                          "SH407"),
    "cloud/session.py": ('from authlib.integrations.requests_client import OAuth2Session\n\n'
                         'def session():\n    return OAuth2Session("acme-web", "{s}", scope=['
                         '"https://www.googleapis.com/auth/cloud-platform"])\n', "SH202"),
    "web/views.py": ('def login(resp):\n    resp.set_cookie("session_token", "{s}", secure=True)\n',
                     "SH409"),
}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sts.secret_values(), st.sampled_from(sorted(OTHER_FAMILY_SHAPES)))
def test_credentials_in_other_families_findings_never_appear(secret: str, path: str) -> None:
    template, rule = OTHER_FAMILY_SHAPES[path]
    result = run_scan([SourceFile(path=path, text=template.format(s=secret))], ALL_RULES,
                         max_size=1 << 22)
    assert rule in {f.rule for f in result.findings}
    assert_absent(secret, everything_written(result))
