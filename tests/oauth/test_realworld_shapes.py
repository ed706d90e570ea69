"""Issue #13, OAuth-flow family: the shapes of real code that made SH4xx wrong, each reproduced in
tests/fixtures/oauth/realworld_shapes (positive and negative) and scanned through the CLI in a
real temporary git repository."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.gitrepo import Repo

SHAPES = Path(__file__).resolve().parent.parent / "fixtures" / "oauth" / "realworld_shapes"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("shapes") / "repo"
    shutil.copytree(SHAPES, root)
    repo = Repo(root)
    repo.commit("realworld shapes")
    code, found = repo.run("scan", ".", "--all-files", "--no-cache", "--select", "SH4")
    assert code == 1, found
    return found


def findings(report: dict[str, Any], path: str) -> set[tuple[int, str]]:
    return {(f["line"], f["rule"]) for f in report["findings"] if f["path"] == path}


def confidence(report: dict[str, Any], path: str, line: int) -> str:
    return next(str(f["confidence"]) for f in report["findings"]
                if f["path"] == path and f["line"] == line)


def test_sh411_names_are_not_values(report: dict[str, Any]) -> None:
    """A field name mapped to an error (28), an argument the exception's __init__ only stores
    (33), a nonce (35), a file name (36), a message table's entry (38) and an LLM usage count
    (39) are not leaks; a token in a message (30) and a logged access token (40) are."""
    assert findings(report, "enroll/api.py") == {(30, "SH411"), (40, "SH411")}
    assert confidence(report, "enroll/api.py", 40) == "high"


def test_sh411_token_request_body_and_response_logged(report: dict[str, Any]) -> None:
    """`r.request.body` and `r.text` of a token request are logged (16, 17); the status code
    (18), a profile response (25) and an error response (33, under a status check; 39, in an
    `except`) are fine. Inferred from the function, so medium."""
    assert findings(report, "enroll/token_client.py") == {(16, "SH411"), (17, "SH411")}
    assert confidence(report, "enroll/token_client.py", 16) == "medium"


def test_sh404_state_checked_by_decoding_lookup_or_derived_value(report: dict[str, Any]) -> None:
    """A signed state decoded (jwt.decode), looked up in the session, or split and compared is
    checked; the Jira callback (39) is not. An authorization URL built from the caller's
    `**params` is the caller's request; one built with no state (52) is flagged."""
    assert findings(report, "integrations/callbacks.py") == {(39, "SH404"), (52, "SH404")}


def test_sh404_state_and_code_without_oauth(report: dict[str, Any]) -> None:
    assert findings(report, "panel/alarm.py") == set()


def test_sh404_null_state_store_by_default(report: dict[str, Any]) -> None:
    assert findings(report, "lib/strategy.js") == {(9, "SH404")}


def test_sh403_sh404_provider_definition_of_a_library_that_adds_pkce(report: dict[str, Any]) -> None:
    assert findings(report, "lib/providers.ts") == set()


def test_sh406_a_library_defining_or_choosing_the_grant(report: dict[str, Any]) -> None:
    """GRANT_TYPE of a grant class (14) and a helper choosing among grants (24) are fine; a
    password-grant request (32) is flagged."""
    assert findings(report, "lib/grants.py") == {(32, "SH406")}


def test_sh410_params_through_a_wrapper_or_a_named_dict(report: dict[str, Any]) -> None:
    """`self.get_json(url, params={...})` (15) and a dict built first (20) put the token in the
    URL; a header (25) and SQL bind parameters (32) do not."""
    assert findings(report, "lib/backends.py") == {(15, "SH410"), (20, "SH410")}


def test_sh407_jwt_verify_false_is_not_tls(report: dict[str, Any]) -> None:
    assert findings(report, "lib/tls.py") == {(14, "SH407")}


def test_sh412_columns_fields_cookies_and_whole_token_files(report: dict[str, Any]) -> None:
    """A TEXT column is flagged (10); an integer expiry column (11), a form field (15) and a
    GraphQL mutation field (19) are not. A refresh token in an HttpOnly + Secure cookie (17)
    is fine, one without flags is not (25, also SH409); a token dumped to a file with default
    permissions is (32)."""
    assert findings(report, "webapp/models.py") == {(10, "SH412")}
    assert findings(report, "webapp/views.py") == {(25, "SH409"), (25, "SH412"), (32, "SH412")}


def test_sh412_whole_token_from_fetch_token_dumped_to_a_file(report: dict[str, Any]) -> None:
    """No word `refresh` in the file: the token response fetch_token() returns holds it."""
    assert findings(report, "cli/login.py") == {(15, "SH412")}
    assert confidence(report, "cli/login.py", 15) == "medium"


def test_sh409_framework_defaults_module(report: dict[str, Any]) -> None:
    assert findings(report, "conf/global_settings.py") == set()
    assert findings(report, "mysite/settings.py") == {(5, "SH409")}


def test_sh402_server_default_on_the_received_request(report: dict[str, Any]) -> None:
    """An authorization server filling in RFC 7636's `plain` default on the request it received
    (16) chose nothing; a client configured with `plain` (24) did."""
    assert findings(report, "authserver/pkce.py") == {(24, "SH402")}


def test_sh405_sh406_subclasses_defining_one_flow_each(report: dict[str, Any]) -> None:
    """A library's client subclasses fixing `response_type = "token"` (16) or `grant_type =
    "password"` (20) define the flows; a password-grant request (32) and implicit-grant
    parameters (36) use them."""
    assert findings(report, "oauthclient/clients.py") == {(32, "SH406"), (36, "SH405")}


def test_sh409_framework_default_config_mapping(report: dict[str, Any]) -> None:
    """`default_config = FrozenDict({...})` is the framework's default (13); a deployment's own
    mapping turning Secure off (21) is flagged."""
    assert findings(report, "webframework/app.py") == {(21, "SH409")}


def test_sh404_extra_authorize_parameters_of_an_override(report: dict[str, Any]) -> None:
    """`extra_authorize_data` returns parameters the base class adds to a request that carries
    its own state (10); a function building the whole request without state (14) is flagged."""
    assert findings(report, "integrations/geo_oauth.py") == {(14, "SH404")}


def test_sh410_bare_token_query_parameters(report: dict[str, Any]) -> None:
    """`params={"token": token}` passed by name (12) and `?token={entry.data[CONF_TOKEN]}` in an
    f-string (24) put an account token in the URL; a paging cursor named `next_token` (18), a
    `page_token` (28) and a positional `.format` template (8) do not."""
    assert findings(report, "devices/dyndns.py") == {(12, "SH410"), (24, "SH410")}
    assert confidence(report, "devices/dyndns.py", 12) == "medium"


def test_sh411_flags_ids_challenges_files_and_token_urls(report: dict[str, Any]) -> None:
    """A `manual_token` flag (28), a WWW-Authenticate challenge declared as such (33), an object
    id named `token` (44) and the file names of a secrets map (52) are not credentials; the
    API token (29), a client secret whose placeholder is not a file's (57) and a URL carrying
    `?token={self.api_token}` (36 for SH410, logged at 37) are."""
    assert findings(report, "devices/coordinator.py") == {
        (29, "SH411"), (36, "SH410"), (37, "SH411"), (57, "SH411")}
    assert confidence(report, "devices/coordinator.py", 37) == "medium"


def test_sh411_error_about_an_answer_that_lacks_the_token(report: dict[str, Any]) -> None:
    """Raised where the answer is known to lack `oauth_token` (13: `not in`; 21: the `else` of
    `in`), the message shows no token; where it holds one (26), it does."""
    assert findings(report, "oauthclient/session.py") == {(26, "SH411")}


def test_sh411_a_freshly_minted_code_logged_under_another_name(report: dict[str, Any]) -> None:
    """`grant = {"code": generate_token()}` (22) and `grant = self.create_authorization_code(...)`
    (28) hold a new authorization code whatever they are called; the client id (27) and a
    request id from `secrets.token_hex` (31) are not credentials. Inferred, so medium."""
    assert findings(report, "authserver/grants.py") == {(22, "SH411"), (28, "SH411")}
    assert confidence(report, "authserver/grants.py", 22) == "medium"


def test_sh410_dict_handed_to_a_helper_that_sends_it_as_params(report: dict[str, Any]) -> None:
    """A dict given to a module function (22) or a method (32) that passes that parameter as
    `params=` lands in the URL; one given to a helper that sends it as `data=` (26) does not."""
    assert findings(report, "lib/social_api.py") == {(22, "SH410"), (32, "SH410")}


def test_sh411_token_url_logged_in_a_file_with_only_generic_names(report: dict[str, Any]) -> None:
    """No auth word in the file, but the logged URL (17) was built with `?token={self._token}`
    (16, SH410); a URL without one (19) is fine."""
    assert findings(report, "devices/doorbell.py") == {(16, "SH410"), (17, "SH411")}


def test_sh404_backend_given_the_values_stored_under_the_state(report: dict[str, Any]) -> None:
    """A backend handed the nonce and PKCE verifier its caller found under the state (12) runs
    after the check; a callback that only tests that `state` is present (29) is flagged."""
    assert findings(report, "integrations/oidc_backend.py") == {(29, "SH404")}
