"""The scope family over realistic fixture projects: the exact (path, line, rule) set each yields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support import scan_dir, triples

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "scopes"


def scan(project: str, options: dict[str, Any] | None = None) -> set[tuple[str, int, str]]:
    result = scan_dir(FIXTURES / project, select=["SH2"], options={"scopes": options or {}})
    assert not [e for e in result.summary.errors if "failed" in e], result.summary.errors
    return triples(result.findings)


def test_hubspot_crm_sync() -> None:
    # deals are only read (a POST to /search is a read), companies never called, contacts twice;
    # the test module's dummy list is not reported.
    assert scan("crm_sync") == {
        ("crm_sync/auth.py", 12, "SH204"),
        ("crm_sync/auth.py", 13, "SH204"),
        ("crm_sync/auth.py", 14, "SH203"),
    }


def test_hr_sync_300_scopes_from_another_module() -> None:
    # The list lives in permissions.py (no "scope" in its text: read through project.load);
    # the vendor SDK calls are invisible, so SH204 stays silent; offline_access has refresh handling.
    assert scan("hr_sync") == {("hr_sync/oauth.py", 8, "SH201")}


def test_hr_sync_host_limit_allows_the_long_list() -> None:
    assert scan("hr_sync", {"host-limits": {"auth.hr-cloud.example": 10000}}) == set()
    assert scan("hr_sync", {"max-length": 10000}) == set()
    assert scan("hr_sync", {"host-limits": {"hr-cloud.example": 9000}}) == {("hr_sync/oauth.py", 8, "SH201")}


def test_google_drive_exporter() -> None:
    # drive.readonly is used through googleapiclient (files().list/export_media); sheets are only
    # read; gmail is never called; cloud-platform is catalogued as broad; openid is identity.
    assert scan("drive_exporter") == {
        ("exporter/auth.py", 11, "SH204"),
        ("exporter/auth.py", 12, "SH204"),
        ("exporter/auth.py", 13, "SH202"),
    }


def test_github_app() -> None:
    # repo is broad; read:org is never called; user:email and gist are used; the README's
    # authorize URL is a request too.
    assert scan("github_app") == {
        ("app/oauth.py", 12, "SH202"),
        ("app/oauth.py", 12, "SH204"),
        ("README.md", 4, "SH202"),
        ("README.md", 4, "SH204"),
    }


def test_integration_packages_calling_through_client_libraries() -> None:
    # gateway/integrations/ holds five integration packages: each is judged on its own calls.
    # powerco's client names resources in other words: get_meter_readings reads what
    # read_meter_readings_detail names, get_cheap_hour what *_cheap_hour_schedule name; no call
    # touches the plan, the invoices (the web UI's /api/invoices is another package's) or the
    # outage alerts; offline_access is refreshed by the shared core/oauth.py.
    # lockbox: get/delete_installed_app use r/w:installedapps; no call touches rules.
    # tunes: its library names none of its scopes' resources: nothing is said.
    # thermostat: sdm.service is the SDM API's only scope, reached by API_URL; Pub/Sub goes
    # through the vendor's Google SDK. sheetlog: Drive through a sheets library. Nothing said.
    # settings.py's sign-in asks read:org outside every package: the codehost package's teams
    # call, like every call of the component, exercises it. forge's `mergerequest` is used by
    # the webhook it registers (events `mergerequest:merged`), not by a call.
    assert scan("gateway_hub") == GATEWAY_HUB


GATEWAY_HUB = {
    ("gateway/integrations/powerco/const.py", 8, "SH204"),
    ("gateway/integrations/powerco/const.py", 9, "SH204"),  # read_invoices, read_invoice_pdf
    ("gateway/integrations/powerco/const.py", 10, "SH204"),
    ("gateway/integrations/lockbox/const.py", 7, "SH204"),
}


def test_a_package_whose_calls_reach_the_provider_is_not_parsed_for_client_calls(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Client-library calls count only where no call of the package reaches the request's
    provider (or the request names no provider): thermostat's API_URL calls and codehost's
    teams call reach theirs, so their files are not parsed for client calls; the same findings."""
    from scanner.engine import runner
    from scanner.facts.scopes import ClientMethodCall

    loaded: set[str] = set()
    original = runner._load_facts

    def counted(path: str, loader: Any, plan: Any, kinds: Any = None) -> Any:
        if kinds and ClientMethodCall in kinds:
            loaded.add(path)
        return original(path, loader, plan, kinds)

    monkeypatch.setattr(runner, "_load_facts", counted)
    assert scan("gateway_hub") == GATEWAY_HUB
    packages = {path.split("/")[2] for path in loaded}
    assert "thermostat" not in packages and "codehost" not in packages
    assert {"powerco", "lockbox"} <= packages  # judged through their client libraries


def test_js_spa() -> None:
    # Mail.Read twice; Calendars.ReadWrite only read with fetch; the service worker's `scope: "/"`
    # and the imported SCOPES joined into URLSearchParams add nothing new.
    assert scan("spa") == {
        ("src/auth/config.ts", 3, "SH203"),
        ("src/auth/config.ts", 3, "SH204"),
    }


def test_yaml_json_toml_env_configs() -> None:
    # No code calls at all: SH204 says nothing. `${OAUTH_SCOPE}` is not resolvable: nothing.
    assert scan("configs") == {
        (".env", 2, "SH202"),
        ("config/oauth.yaml", 7, "SH202"),
        ("config/oauth.yaml", 8, "SH203"),
        ("config/oauth.yaml", 10, "SH203"),
        ("config/settings.json", 4, "SH202"),
    }


@pytest.mark.parametrize("project", ["people_sync", "slack_bot"])
def test_fully_used_projects_are_clean(project: str) -> None:
    # people_sync: read scope with GETs only, offline_access with a refresh_token grant;
    # slack_bot: scopes used through slack_sdk calls the catalog maps.
    assert scan(project) == set()


def test_unresolvable_scopes_give_no_finding_and_no_error() -> None:
    result = scan_dir(FIXTURES / "unresolvable", select=["SH2"])
    assert result.findings == []
    assert result.summary.errors == []


def test_syntax_error_leaves_only_the_parse_note() -> None:
    result = scan_dir(FIXTURES / "broken", select=["SH2"])
    assert result.findings == []
    assert [e for e in result.summary.errors if "failed" in e] == []


def test_findings_point_at_the_scope_literal() -> None:
    result = scan_dir(FIXTURES / "crm_sync", select=["SH204"])
    by_line = {f.line: f for f in result.findings}
    unused = by_line[13]
    assert (unused.column, unused.end_column) == (6, 32)
    assert "companies" in unused.message
    assert "crm.objects.deals.read" in by_line[12].message


def test_prose_registries_tables_and_deletion_lists_are_not_requests() -> None:
    # An error message, a translation string, the authorization server's own Scope enum and a
    # table built from it, a migration's DEPRECATED_SCOPES and a UI filter named SCOPES: none
    # is a request, nor a `missing_scopes` translation string. The real requests (an authlib
    # client, a token request body, authorize parameters with client_id/response_type around
    # `"scope": "*"`, an OAuth implementation's `extra_authorize_data`) are still judged.
    assert scan("prose_and_registries") == {
        ("homehub/application_credentials.py", 14, "SH202"),
        ("integrations/partner.py", 12, "SH202"),
        ("integrations/partner.py", 12, "SH204"),
        ("integrations/partner.py", 20, "SH202"),
        ("integrations/partner.py", 38, "SH202"),
    }


def test_unused_scopes_are_decided_per_component() -> None:
    # The mobile app's calls decide its scopes: webhooks:write is only called by the server
    # component; notification_recipients is /v1/notifications/recipients. The billing component
    # calls its provider only through billing_sdk: nothing is said about its scopes.
    assert scan("monorepo") == {("apps/mobile/src/oauthConfig.ts", 11, "SH204")}


def test_google_discovery_chains_client_libraries_and_cloud_platform() -> None:
    # sqlservice.admin is exercised through googleapiclient.discovery.build("sqladmin", ...);
    # cloud-platform is reported where the called API has a narrower scope, and not for Vertex AI,
    # which defines none.
    assert scan("google_cloud") == {("dbadmin/dbadmin/credentials.py", 7, "SH202")}
    result = scan_dir(FIXTURES / "google_cloud", select=["SH202"])
    assert "sqlservice.admin" in result.findings[0].message
    assert "devstorage" not in result.findings[0].message


def test_smartthings_access_prefixes_are_not_wildcards() -> None:
    # r:/x: on devices and locations are used by the calls; r:scenes:* is never called.
    assert scan("smartthings_bridge") == {("bridge/oauth.py", 7, "SH204")}
    result = scan_dir(FIXTURES / "smartthings_bridge", select=["SH204"])
    assert "r:scenes:*" in result.findings[0].message


def test_a_librarys_provider_presets_are_not_judged_for_unused_scopes() -> None:
    # Six sibling preset files: the consuming app makes the calls. A catalogued broad scope in a
    # preset is still reported.
    assert scan("provider_presets") == {("src/providers/github.ts", 10, "SH202")}


def test_offline_access_and_access_type_offline_without_refresh_tokens() -> None:
    # Issue 18's companion check: Google's access_type=offline (a Flow call's keyword, an
    # authorize URL) asks for a refresh token the component never uses; the Lucid exporter's
    # offline_access is used (it refreshes and saves the rotated token).
    assert scan("offline_requests") == {
        ("calendar_digest/digest/auth.py", 17, "SH204"),
        ("web_login/src/login.ts", 4, "SH204"),
    }
