"""SH1xx on long and repetitive lines, through the CLI on a real repository: what the bounded
passes still find (issue #17 item 5), where a pass stops and the note that says so.

Timing is the pump suite's business (tests/reliability/test_pump.py); here the answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner.facts.secrets import analysis as secrets_analysis
from tests.gitrepo import Repo

SECRET = "q8ZrT4vWm2XkP9sLb7NcY3jH"
OTHER = "Jm4nB8vC2xZ6lK1jH5gF9dS3"
TOKEN = "ghp_Tr5eW2qA9sD4fG7hJ1kL6zX3cV8bN0mQ4pO2"
JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzdmMtYmlsbGluZyIsImlzcyI6ImF1dGguYWNtZS5p"
       "byIsImV4cCI6MTg5MzQ1NjAwMH0.Qm9vN2tXc3JlZ0ZhbHNlUG9zaXRpdmVTaWduYXR1cmU")
PEM_BODY = "MIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi6Jb9xYq7kq3sV1Yh0cV8m2bH4nQ"


def scan(tmp_path: Path, files: dict[str, str]) -> dict[str, Any]:
    repo = Repo(tmp_path / "repo")
    for path, text in files.items():
        repo.write(path, text)
    repo.commit("add")
    _, report = repo.run("scan", ".", "--select", "SH1", "--no-cache")
    return report


def where(report: dict[str, Any]) -> set[tuple[str, int, int, str]]:
    return {(f["path"], f["line"], f["column"], f["rule"]) for f in report["findings"]}


def test_a_jwt_after_a_run_of_repeated_eyj_is_found(tmp_path: Path) -> None:
    """Every `eyJ` of the run fails by the run's end; the real token after it is still read."""
    line = "eyJ" * 50_000 + f' "{JWT}"'
    report = scan(tmp_path, {"server/session.py": f"x = 1\nSESSION = {line}\n"})
    assert where(report) == {("server/session.py", 2, len("SESSION = ") + 150_000 + 3, "SH108")}


def test_jwts_glued_into_runs_are_found_as_detect_secrets_finds_them(tmp_path: Path) -> None:
    """detect-secrets' pattern has no left boundary: a JWT right after other token characters
    counts from its `eyJ`, and one after a `.`-less header run does not hide the next one."""
    line = f'a = "xyz{JWT}", b = "eyJ{"A" * 300}", c = "{JWT}"'
    report = scan(tmp_path, {"server/t.py": line + "\n"})
    assert where(report) == {("server/t.py", 1, line.index("eyJ") + 1, "SH108"),
                             ("server/t.py", 1, line.index('c = "') + 6, "SH108")}


def test_password_after_a_pumped_run_of_keys_is_found(tmp_path: Path) -> None:
    """`password=password=...`: each key's value is the rest of one run, read once; the last key
    holds the real value."""
    line = "password=" * 30_000 + SECRET
    report = scan(tmp_path, {".env": f"DEBUG=1\n{line}\n", "config/app.yaml": f"x: 1\n{line}\n"})
    assert where(report) == {(".env", 2, len(line) - len(SECRET) + 1, "SH104"),
                             ("config/app.yaml", 2, len(line) - len(SECRET) + 1, "SH110")}


def test_long_bare_values_are_still_credentials(tmp_path: Path) -> None:
    """A value longer than the regex step (a Kubernetes service-account JWT, a base64 key file)
    is measured past the step and reported whole."""
    value = ("Zk9" + SECRET) * 40  # 1,080 characters, random enough
    report = scan(tmp_path, {"deploy/kube.yaml": f"users:\n  token: {value}\n"})
    [finding] = report["findings"]
    assert (finding["line"], finding["column"], finding["end_column"]) == (2, 10, 10 + len(value))


def test_a_line_over_the_cap_reports_the_first_values_and_says_so(tmp_path: Path) -> None:
    """More credential values on one line than the cap: the first ones are reported, a note names
    the file, the line and the cap, and a provider token at the end is still found (the provider
    pass has its own count)."""
    cap = secrets_analysis.MAX_CANDIDATES_PER_LINE
    values = [f"k{index:05d}{SECRET}" for index in range(cap + 50)]
    line = " ".join(f"password={value}" for value in values) + f" {TOKEN}"
    report = scan(tmp_path, {".env": line + "\n"})
    rules = [f["rule"] for f in report["findings"]]
    assert rules.count("SH104") == cap
    assert rules.count("SH106") == 1
    [note] = report["summary"]["errors"]
    assert note == (f".env: more than {cap} candidate credential values on line 1; the rest of "
                    "the line was not analysed for them")


def test_one_provider_pumped_does_not_hide_another(tmp_path: Path) -> None:
    """AWS keys over the cap on a line stop the AWS count only: GitHub tokens there are found."""
    cap = secrets_analysis.MAX_CANDIDATES_PER_LINE
    line = f"{TOKEN} " + "AKIA3JWK2UTG5DY2QIM2 " * (cap + 500) + f" {TOKEN}"
    report = scan(tmp_path, {"server/keys.py": line + "\n"})
    github = [f["column"] for f in report["findings"] if "GitHub" in f["message"]]
    assert github == [1, len(line) - len(TOKEN) + 1]
    aws = [f for f in report["findings"] if "AWS" in f["message"]]
    assert len(aws) == cap
    assert report["summary"]["errors"] == [
        f"server/keys.py: more than {cap} candidate AWS tokens on line 1; the rest of "
        "the line was not analysed for them"]


def test_repeated_private_key_headers_give_the_key_to_the_last_one(tmp_path: Path) -> None:
    """A header's body on its own line comes before the next header: a run of headers followed
    by one key is one finding, at the header the key belongs to."""
    header = "-----BEGIN RSA PRIVATE KEY-----"
    line = header * 10_000 + "\\n" + PEM_BODY + "\\n-----END RSA PRIVATE KEY-----"
    report = scan(tmp_path, {"config/key.json": '{"key": "' + line + '"}\n'})
    # Reported from the dashes before `BEGIN`, which the previous header's end shares.
    assert where(report) == {("config/key.json", 1, len('{"key": "') + len(header) * 9_999 - 4,
                              "SH107")}


def test_private_key_body_on_the_following_lines_of_many_headers(tmp_path: Path) -> None:
    """Each following line is read once for all the headers above it."""
    text = "-----BEGIN PRIVATE KEY-----\n" * 2_000 + PEM_BODY + "\n-----END PRIVATE KEY-----\n"
    report = scan(tmp_path, {"deploy/id_rsa": text})
    # The 39 headers closest above the body see it; the others are too far away.
    assert sorted(f["line"] for f in report["findings"]) == list(range(1962, 2001))
