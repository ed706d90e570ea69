"""Issue #12 defects of the webhook family, through the CLI on real temporary repositories."""

from __future__ import annotations

import json
from pathlib import Path

from scanner.cli import main
from tests.gitrepo import Repo, triples

TELEGRAM = '''from flask import abort, request

from bot.settings import WEBHOOK_SECRET


@app.post("/telegram/updates")
def telegram_updates():
    if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != WEBHOOK_SECRET:
        abort(403)
    return handle(request.get_json())
'''

NEXT_STRIPE = '''export default async function handler(req, res) {
  await fulfil(req.body);
  res.status(200).end();
}
'''


def test_header_compared_to_the_secret_is_reported(tmp_path: Path) -> None:
    """1: the analysis found `header != secret` but SH302's keyword gate (`import hmac` or three
    GitLab header names) never let the file through."""
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "hooks.py").write_text(TELEGRAM, encoding="utf-8")
    out = tmp_path / "report.json"
    code = main(["scan", str(tmp_path), "--all-files", "--no-cache", "--select", "SH302",
                 "--format", "json", "--output", str(out)])
    report = json.loads(out.read_text(encoding="utf-8"))
    assert code == 1
    assert {(f["path"], f["line"], f["rule"]) for f in report["findings"]} == {
        ("bot/hooks.py", 8, "SH302")}


def test_history_reports_a_nextjs_handler_named_by_its_path(tmp_path: Path) -> None:
    """4: `history` filtered blobs on keywords only, while SH301 also accepts a file by its path
    (`pages/api/webhooks/...`): `scan` and `diff` reported the handler, `history` did not."""
    repo = Repo(tmp_path / "repo")
    repo.write("README.md", "shop\n")
    repo.commit("start")
    repo.write("web/pages/api/webhooks/stripe.js", NEXT_STRIPE)
    added = repo.commit("stripe webhook")
    expected = {("web/pages/api/webhooks/stripe.js", 1, "SH301")}
    code, report = repo.run("history", "--select", "SH3")
    assert code == 1
    assert triples(report) == expected
    assert {f["commit"] for f in report["findings"]} == {added}
    code, report = repo.run("scan", ".", "--no-cache", "--select", "SH3")
    assert (code, triples(report)) == (1, expected)
    code, report = repo.run("diff", "HEAD~1..HEAD", "--select", "SH3")
    assert (code, triples(report)) == (1, expected)
