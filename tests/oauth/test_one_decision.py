"""Python and JS/TS get one decision: the cases where the old twin analyses drifted apart (issue
#12), each written in both languages and answered the same way."""

from __future__ import annotations

import pytest

from tests.support import scan_files, triples


def lines(rule: str, files: dict[str, str]) -> dict[str, set[int]]:
    found = triples(scan_files(files, select=[rule]).findings)
    return {path: {line for p, line, r in found if p == path and r == rule} for path in files}


def test_sh404_a_comparison_through_an_attribute_checks_state() -> None:
    # Old Python did not count `saved.state` as a mention of state; old JS did.
    python = ('def callback(request, saved):\n    code = request.args.get("code")\n'
              '    returned = request.args.get("state")\n'
              '    if saved.state != returned:\n        abort(400)\n    return exchange(code)\n')
    js = ("function callback(req, saved) {\n  const code = req.query.code;\n"
          "  const returned = req.query.state;\n"
          "  if (saved.state !== returned) { throw new Error('csrf'); }\n  return exchange(code);\n}\n")
    assert lines("SH404", {"app/views.py": python, "server/cb.js": js}) == {
        "app/views.py": set(), "server/cb.js": set()}
    unchecked = {"app/views.py": python.replace("saved.state != returned", "saved.nonce is None"),
                 "server/cb.js": js.replace("saved.state !== returned", "saved.nonce == null")}
    assert lines("SH404", unchecked) == {"app/views.py": {3}, "server/cb.js": {3}}


@pytest.mark.parametrize(("path", "code", "line"), [
    # Old JS knew neither subscript reads nor injected parameters; old Python knew both.
    ("server/cb.js", "app.get('/cb', (req, res) => {\n  const code = req.query['code'];\n"
                     "  const state = req.query['state'];\n  res.json(exchange(code));\n});\n", 3),
    ("app/views.py", 'def cb(request):\n    code = request.args["code"]\n'
                     '    state = request.args["state"]\n    return exchange(code)\n', 3),
    ("server/cb.js", "async function onCallback(code, state) {\n  return exchange(code);\n}\n", 1),
    ("app/views.py", "async def on_callback(code: str, state: str):\n    return await exchange(code)\n", 1),
])
def test_sh404_subscripts_and_parameters_are_reads_in_both_languages(path: str, code: str,
                                                                      line: int) -> None:
    assert lines("SH404", {path: code})[path] == {line}


def test_sh404_framework_state_is_not_the_query() -> None:
    # Starlette's `request.state` is per-request app state, not the OAuth `state` parameter.
    code = ('async def cb(request):\n    code = request.query_params["code"]\n'
            "    user = request.state.user\n    return await exchange(code, user)\n")
    assert lines("SH404", {"app/views.py": code})["app/views.py"] == set()


def test_sh411_a_computed_index_leaks_its_container_in_both_languages() -> None:
    files = {"app/auth.py": 'raise ValueError(f"bad {access_tokens[i]}")\n',
             "src/auth.js": "throw new Error(`bad ${accessTokens[i]}`);\n"}
    assert lines("SH411", files) == {"app/auth.py": {1}, "src/auth.js": {1}}


def test_sh411_process_streams_are_logs_in_both_languages() -> None:
    files = {"app/cli.py": "sys.stderr.write(access_token)\n",
             "cli/main.js": "process.stderr.write(accessToken);\n"}
    assert lines("SH411", files) == {"app/cli.py": {1}, "cli/main.js": {1}}


def test_sh412_every_response_cookie_api_and_no_http_response_write() -> None:
    # Old JS looked at `res`/`response`/`reply` for SH412 but also `resp` for SH409.
    files = {"server/app.js": "resp.cookie('refresh_token', tokens.refresh_token, opts);\n"
                              "res.write(JSON.stringify({ refresh_token: tokens.refresh_token }));\n",
             "app/views.py": 'resp.set_cookie("refresh_token", tokens["refresh_token"])\n'
                             'response.write(json.dumps({"refresh_token": rt}))\n'}
    assert lines("SH412", files) == {"server/app.js": {1}, "app/views.py": {1}}


def test_sh403_a_desktop_or_mobile_client_with_a_secret_is_confidential_in_both_languages() -> None:
    request = "url = f'{AUTH}?response_type=code&client_id={ID}&state={s}'\n"
    files = {"desk/app.py": "import tkinter\nclient_secret = load()\n" + request,
             "desk/main.js": "import { app } from 'electron';\nconst clientSecret = load();\n"
                             "const url = `${AUTH}?response_type=code&client_id=${ID}&state=${s}`;\n"}
    assert lines("SH403", files) == {"desk/app.py": set(), "desk/main.js": set()}
    without = {path: text.replace("client_secret = load()\n", "").replace(
        "const clientSecret = load();\n", "") for path, text in files.items()}
    assert lines("SH403", without) == {"desk/app.py": {2}, "desk/main.js": {2}}
