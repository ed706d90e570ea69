"""SH411 on shapes held-out projects showed (dub, reviewboard; 2026-12-08): a token response
logged only when the HTTP response failed is the server's error answer; logging that runs only
in development; a coupon's `token` (a code a customer types); a template parser's `token`. The
same values logged otherwise are still reported."""

from __future__ import annotations

from tests.support import scan_files

REFRESH_JS = '''export async function refreshToken(config, refreshToken) {
  const response = await fetch(config.tokenUrl, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken,
      client_id: config.clientId, client_secret: config.clientSecret }),
  });
  const newToken = await response.json();
  if (!response.ok) {
    console.error(`[${config.name}] refreshToken`, newToken);
    throw new Error("Failed to refresh the access token.");
  }
  return newToken;
}
'''

REFRESH_PY = '''import logging

import requests

log = logging.getLogger(__name__)


def refresh(client_id, client_secret, refresh_token):
    resp = requests.post(TOKEN_URL, data={"grant_type": "refresh_token",
                                          "refresh_token": refresh_token,
                                          "client_id": client_id, "client_secret": client_secret})
    token = resp.json()
    if resp.status_code != 200:
        log.error("refresh failed: %s", token)
        return None
    return token
'''

DEV_ONLY = '''export async function GET(req) {
  const code = new URL(req.url).searchParams.get("code");
  const { accessToken } = await exchangeCode(code);
  if (process.env.NODE_ENV === "development") {
    console.info("OAuth access token:", accessToken);
  }
  await saveConnection(accessToken);
  return Response.redirect("/settings");
}
'''

COUPONS = '''export async function importCoupons(apiToken, coupons, links) {
  const headers = { Authorization: `Bearer ${apiToken}` };
  for (const coupon of coupons) {
    const link = links.find((l) => l.key === coupon.token.toLowerCase());
    if (!link) {
      console.error(`Link not found for coupon ${coupon.token}`);
    }
  }
  return headers;
}
'''

PARSER = '''from django.template.base import Parser

from myapp.auth import access_token_for


class PayloadParser(Parser):
    def invalid_block_tag(self, token, command, parse_until=None):
        raise self.error(token, "Invalid block tag: '%s'" % command)


def do_token(parser, token):
    raise TemplateSyntaxError("bad tag: %s" % token)
'''


def _found(files: dict[str, str]) -> list[tuple[str, int]]:
    return [(f.path, f.line) for f in scan_files(files, select=["SH411"]).findings]


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_token_response_logged_only_when_the_request_failed_is_an_error_answer() -> None:
    assert _found({"lib/ads/oauth.ts": REFRESH_JS, "ads/oauth.py": REFRESH_PY}) == []


def test_logged_when_the_request_succeeded_it_carries_the_token() -> None:
    js = REFRESH_JS.replace("if (!response.ok) {", "if (response.ok) {")
    py = REFRESH_PY.replace("if resp.status_code != 200:", "if resp.status_code == 200:")
    assert sorted(_found({"lib/ads/oauth.ts": js, "ads/oauth.py": py})) == [
        ("ads/oauth.py", _line(py, "log.error")), ("lib/ads/oauth.ts", _line(js, "console.error"))]


def test_logging_that_runs_only_in_development() -> None:
    assert _found({"app/api/oauth/callback/route.ts": DEV_ONLY}) == []
    always = DEV_ONLY.replace('if (process.env.NODE_ENV === "development") {', "{")
    assert _found({"app/api/oauth/callback/route.ts": always}) == [
        ("app/api/oauth/callback/route.ts", _line(always, "console.info"))]


def test_a_coupons_token_and_a_template_parsers_token_are_no_credentials() -> None:
    assert _found({"lib/rewardful/coupons.ts": COUPONS, "myapp/payloads.py": PARSER}) == []
    account = COUPONS.replace("coupon ${coupon.token}", "account ${account.token}").replace(
        "for (const coupon of coupons) {", "for (const coupon of coupons) {\n    const account = coupon.owner;")
    assert _found({"lib/rewardful/coupons.ts": account}) == [
        ("lib/rewardful/coupons.ts", _line(account, "console.error"))]


REMIX_LOADER = '''import { redirect } from "react-router";

export async function loader({ params }) {
  const accessToken = await connectionToken(params.id);
  if (!(await isTurn(accessToken))) {
    throw redirect(`/connect/${accessToken}/waiting`);
  }
  if (!accessToken) {
    throw new Error(`no connection for ${accessToken}`);
  }
  return { ok: true };
}
'''


def test_a_thrown_redirect_is_a_response_not_a_logged_error() -> None:
    """`throw redirect(url)` (Remix, React Router) answers with a 3xx; the URL is no error
    message (SH410 judges a token in a URL); a thrown Error's message is logged."""
    assert _found({"app/routes/connect.tsx": REMIX_LOADER}) == [
        ("app/routes/connect.tsx", _line(REMIX_LOADER, "throw new Error"))]


def test_a_token_in_a_nested_template_string_is_reported_once() -> None:
    code = ("export const itemUrl = (base, id, accessToken) =>\n"
            "  `${base}/api/files/${id}${accessToken ? `?access_token=${accessToken}` : ''}`;\n")
    found = [(f.path, f.line, f.rule) for f in scan_files({"lib/download.ts": code},
                                                         select=["SH410"]).findings]
    assert found == [("lib/download.ts", 2, "SH410")]
