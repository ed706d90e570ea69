"""The shapes of false secret findings met on a monolith with a built frontend (sentry 23.7.1 in
the real-code evaluation), rebuilt in the ops-console fixture: exact findings with confidence."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from scanner.model.document import Document, is_test_directory
from tests.gitrepo import scan_committed
from tests.secrets.fixture_projects import finding_rows, scan_project

DIST = "opsconsole/static/opsconsole/dist"
STORAGE_CHUNK = f"{DIST}/chunks/app_integrations_storage_tsx.34db1ab666dd3643314f.js"
STORAGE_MAP = f"{DIST}/sourcemaps/app_integrations_storage_tsx.1f4c4c3ac10ce499beaafc65979b6227.js.map"

# (path, line, rule, confidence, context). Everything else in the fixture is a negative: chunks
# whose `//# sourceMappingURL=` names a map by its content hash after a provider word inside a
# file name (`subscriptionBox_tsx`, `flamegraphZoomView_tsx`, `zoom_meetings_panel_tsx`), a
# vendor chunk's `cond?obj.space_before_token=!0:...` and its source map, a panel id under a name
# that holds "box" inside "TOOLBOX", a recording's MD5 next to "zoom".
EXPECTED = {
    ("opsconsole/app/utils/monitoring.py", 3, "SH106", "high", "code"),
    ("opsconsole/app/utils/zoom.py", 3, "SH101", "high", "code"),
    ("opsconsole/attestation/signing.py", 3, "SH110", "high", "code"),
    (STORAGE_CHUNK, 1, "SH105", "high", "code"),
    (STORAGE_CHUNK, 1, "SH106", "high", "code"),
    (STORAGE_MAP, 1, "SH101", "high", "generated"),
    (STORAGE_MAP, 1, "SH106", "high", "generated"),
    ("opsconsole/testutils/factories.py", 13, "SH109", "low", "test"),
    ("opsconsole/utils/pytest/fixtures.py", 8, "SH109", "low", "test"),
    ("opsconsole/utils/pytest/plugin.py", 11, "SH110", "low", "test"),
    ("opsconsole/utils/pytest/template/credentials.json", 2, "SH110", "low", "test"),
}

# Values of the fixture's own making, in the shapes sentry's tree holds them.
MIXED_32 = "GSQYFQPPlauFuy31Njf72dLqLJ3pKO5R"
HEX_32 = "33b92bb5491daf3f7c1e200673a7ae0e"
GITHUB_TOKEN = "ghp_Rk2vN8qLw5Xz3Tb7Yc1Hd9Mf4Pj6Gs0Ka2Ue"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return scan_project("ops-console", tmp_path_factory.mktemp("bundles"))


def _scan(tmp_path: Path, files: dict[str, str]) -> set[tuple[str, int, str]]:
    _, found = scan_committed(tmp_path / "repo", files, "scan", "--select", "SH1", "--no-cache",
                              "--no-baseline")
    return found


def test_ops_console_findings_are_exact(report: dict[str, Any]) -> None:
    assert finding_rows(report) == EXPECTED


def test_the_bundle_own_box_token_and_zoom_secret_are_still_found(report: dict[str, Any]) -> None:
    """A chunk's own code keeps its tokens: Box's by its format, Zoom's client secret and a query
    string's `access_token` as browser-shipped secrets; the map holding the sources, too."""
    messages = sorted(f["message"].split(";")[0] for f in report["findings"]
                      if f["path"] == STORAGE_CHUNK)
    assert messages == ["Box access token (box-developer-token) hardcoded",
                        "Zoom client secret in browser-shipped code: every visitor can read it",
                        "access token in `access_token` ships to the browser in frontend code"]


def test_a_source_map_comment_names_a_file(tmp_path: Path) -> None:
    """`//# sourceMappingURL=zoom_panel.<hash>.js.map`: the provider word starts the file name and
    the hash is mixed-case, so only the comment says it is a name; the same value assigned in a
    chunk's code, an inline `data:` map's sources and a URL's user part are still read."""
    chunk = ('"use strict";(self.webpackChunkapp=self.webpackChunkapp||[]).push([["zoom_panel"],{1:()=>{}}]);\n'
             f"//# sourceMappingURL=../maps/zoom_panel_tsx.{MIXED_32}.js.map\n")
    sources = json.dumps({"version": 3, "sources": ["deploy.ts"],
                          "sourcesContent": [f'const GITHUB_TOKEN = "{GITHUB_TOKEN}";']})
    inline = f"//# sourceMappingURL=data:application/json;base64,{base64.b64encode(sources.encode()).decode()}\n"
    found = _scan(tmp_path, {
        "static/dist/chunks/zoom_panel.js": chunk,
        "static/dist/chunks/zoom_admin.js": f'const zoom_secret="{MIXED_32}";\n',
        "static/dist/chunks/deploy.js": "console.log(1);\n" + inline,
        "static/dist/chunks/zoom_maps.js": f"//# sourceMappingURL=https://zoom:{MIXED_32}@maps.acme.io/a.js.map\n",
    })
    assert found == {("static/dist/chunks/zoom_admin.js", 1, "SH105"),
                     ("static/dist/chunks/deploy.js", 2, "SH106"),
                     ("static/dist/chunks/zoom_maps.js", 1, "SH105")}


def test_a_provider_word_inside_a_longer_name_is_weak_context(tmp_path: Path) -> None:
    """`flamegraphZoomViewId` and `TOOLBOX_PANEL_ID` do not name Zoom or Box; a name that holds the
    word glued and also names a credential (`mapZoomSecret`) still does."""
    found = _scan(tmp_path, {
        "app/ids.py": (f'flamegraphZoomViewId = "{MIXED_32}"\n'
                       f'TOOLBOX_PANEL_ID = "{MIXED_32}"\n'),
        "app/keys.py": f'mapZoomSecret = "{MIXED_32}"\n',
        "app/plain.py": f'ZOOM_SECRET = "{MIXED_32}"\n',
    })
    assert found == {("app/keys.py", 1, "SH101"), ("app/plain.py", 1, "SH101")}


def test_single_case_hex_is_a_hash_for_a_mixed_case_alphabet_only(tmp_path: Path) -> None:
    """32 lower-case (or upper-case) hex digits next to "zoom" or "box_" are a digest: Zoom's and
    Box's alphabets mix cases; Datadog's and Twilio's are hex, so theirs are still tokens."""
    found = _scan(tmp_path, {
        "app/hashes.py": (f'zoom_file_checksum = "{HEX_32}"\n'
                          f'BOX_ETAG = "{HEX_32.upper()}"\n'),
        "app/hex_keys.py": (f'DATADOG_API_KEY = "{HEX_32}"\n'
                            f'twilio_auth = "{HEX_32}"\n'),
        "app/zoom.py": f'zoom_secret = "{MIXED_32}"\n',
    })
    assert found == {("app/hex_keys.py", 1, "SH106"), ("app/hex_keys.py", 2, "SH106"),
                     ("app/zoom.py", 1, "SH101")}


def test_a_ternary_in_minified_code_is_no_url_parameter(tmp_path: Path) -> None:
    """`cond?this._out.space_before_token=!0:...` sets a boolean; a query string in a string of
    the same bundle (`"https://.../items?access_token=..."`, `` `${base}?client_secret=...` ``,
    a form body) still gives its value."""
    filler = ",".join(f"this._f{i}=t.f{i}" for i in range(120))  # a bundle's line runs on
    code = ("i.prototype.colon=function(t){t.after?this._out.space_before_token=!0:this._out.newline();"
            f"else this.print(t)}},i.prototype.init=function(t){{{filler}}};\n")
    found = _scan(tmp_path, {
        "static/dist/vendor.js": code,
        "static/dist/orders.js": (f'fetch("https://api.acme.io/v1/items?access_token={MIXED_32}");\n'
                               f"fetch(`${{base}}?client_secret={MIXED_32}`);\n"
                               f'post("grant_type=client_credentials&client_secret={MIXED_32}");\n'),
    })
    assert found == {("static/dist/orders.js", 1, "SH105"), ("static/dist/orders.js", 2, "SH105"),
                     ("static/dist/orders.js", 3, "SH105")}


def test_a_source_map_is_read_as_code(report: dict[str, Any]) -> None:
    """A source map's sources are code in JSON strings: `x_token = !flag;` is no value, a quoted
    literal is."""
    paths = {f["path"] for f in report["findings"] if f["path"].endswith(".map")}
    assert paths == {STORAGE_MAP}


@pytest.mark.parametrize(("name", "expected"), [
    ("testutils", True), ("test_utils", True), ("test-helpers", True), ("testlib", True),
    ("integration_tests", True), ("e2e-tests", True), ("pytest", True), ("tests", True),
    ("__tests__", True), ("fixtures", True),
    ("utils", False), ("latest", False), ("contest", False), ("attestation", False),
    ("testnet", False), ("api_spec", False), ("db_fixtures", False),
])
def test_what_a_directory_name_says_about_tests(name: str, expected: bool) -> None:
    assert is_test_directory(name) is expected


def test_test_support_code_outside_tests_is_test_context(report: dict[str, Any]) -> None:
    """`testutils/`, a package's `pytest/` plugin and its templates hold dummies (low); code in
    `app/utils/` and `attestation/` stays code (high)."""
    by_path = {f["path"]: (f["confidence"], f["context"]) for f in report["findings"]}
    assert by_path["opsconsole/testutils/factories.py"] == ("low", "test")
    assert by_path["opsconsole/utils/pytest/template/credentials.json"] == ("low", "test")
    assert by_path["opsconsole/app/utils/zoom.py"] == ("high", "code")
    assert by_path["opsconsole/attestation/signing.py"] == ("high", "code")
    assert Document("pkg/utils/pytest/plugin.py", "").context == "test"
    assert Document("pkg/app/utils/helpers.py", "").context == "code"


@pytest.mark.parametrize(("path", "expected"), [
    ("project/settings/test.py", "test"), ("project/settings/testing.py", "test"),
    ("shop/orders/tests.py", "test"), ("shop/conftest.py", "test"),
    ("shop/orders/test_views.py", "test"), ("shop/orders/views_test.py", "test"),
    ("shop/orders/latest.py", "code"), ("shop/orders/contest.py", "code"),
    ("shop/orders/attest.py", "code"), ("shop/orders/testimonials.py", "code"),
    (".devcontainer/postCreateCommand.sh", "example"), (".devcontainer/.env", "example"),
])
def test_what_a_module_name_says_about_tests(path: str, expected: str) -> None:
    """Django's per-app `tests.py` and test settings modules (`settings/test.py`) hold dummies,
    as `test_*.py` do; a module whose name only ends in "test" is code. A dev container's set-up
    (`.devcontainer/`) is an example of a developer's environment."""
    assert Document(path, "").context == expected


_GITLAB_SECRET = "gloas-" + "f79cfa9a03c97f6ffab303177a5a6778a53c61e3914ba093412f68a9298a1b28"


def test_an_inputs_placeholder_is_no_secret() -> None:
    """The sample an empty form field shows (`placeholder: "gloas-..."`) is written in the
    credential's format to guide the user; the same value as the field's value is reported."""
    from tests.support import scan_files

    form = ('export const fields = [\n  {\n    key: "GITLAB_CLIENT_SECRET",\n'
            f'    placeholder: "{_GITLAB_SECRET}",\n    required: true,\n  }},\n];\n')
    assert scan_files({"apps/admin/gitlab/form.tsx": form}, select=["SH1"]).findings == []
    valued = form.replace("placeholder:", "defaultValue:")
    assert [f.line for f in scan_files({"apps/admin/gitlab/form.tsx": valued},
                                       select=["SH1"]).findings] == [4]
