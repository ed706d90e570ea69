"""The scope catalogues (scanner/data/scopes_*.json): each scope says what it grants, what
calls exercise it, whether it is broad and what is narrower; and each provider's scopes are
judged right on small realistic code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.facts.scopes import catalog
from scanner.facts.scopes.catalog import DATA_DIR, load_catalog
from tests.support import scan_files, triples

NEW = ("lucca", "lucid", "salesforce", "atlassian", "zoom", "dropbox", "shopify", "discord", "x")


def catalogue(name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((DATA_DIR / f"scopes_{name}.json").read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("name", [*NEW, "google"])
def test_every_scope_says_what_it_grants_and_what_exercises_it(name: str) -> None:
    data = catalogue(name)
    assert str(data["source"]).startswith("https://")
    assert data["auth_hosts"] and data["api_hosts"]
    scopes = data["scopes"]
    assert isinstance(scopes, dict) and len(scopes) >= 10
    for scope, meaning in scopes.items():
        assert meaning["grants"] and meaning["resource"], scope
        assert meaning["access"] in ("read", "write", "any"), scope
        assert isinstance(meaning["exercised_by"], list), scope
        if meaning.get("broad"):
            assert meaning["narrower"], scope
        if "read_scope" in meaning:
            assert meaning["read_scope"] in scopes, scope


def test_catalogue_files_are_all_loaded() -> None:
    catalog = load_catalog()
    names = {p.name for p in catalog.providers}
    assert set(NEW) <= names
    assert {"github", "google", "hubspot", "microsoft", "slack"} <= names
    assert {"offline_access", "refresh_token", "offline.access"} <= catalog.offline
    assert "https://www.googleapis.com/auth/cloud-platform" in catalog.umbrella
    # Plain words never name a provider by themselves (`email` is everybody's).
    assert catalog.provider_of_scope("email") is None
    assert catalog.provider_of_scope("read_products") == "shopify"


def test_every_catalog_pattern_compiles() -> None:
    # Loading the catalog no longer compiles its patterns (each is compiled when first tried):
    # a broken one must fail here, not in a user's scan.
    catalog = load_catalog()
    assert all(call.pattern.pattern == call.pattern_source for call in catalog.sdk)
    assert all(p.scope_pattern is not None for p in catalog.providers if p.scope_pattern_source)


def found(files: dict[str, str], select: str = "SH2") -> set[tuple[str, int, str]]:
    return triples(scan_files(files, select=[select]).findings)


def test_lucid_offline_access_needs_a_refresh() -> None:
    auth = ('from requests_oauthlib import OAuth2Session\n'
            'SCOPES = ["lucidchart.document.content:readonly", "offline_access"]\n'
            'def session(cid):\n'
            '    return OAuth2Session(cid, scope=SCOPES)\n'
            'def docs(s):\n'
            '    return s.post("https://api.lucid.co/documents/search", json={}).json()\n')
    assert found({"lucid_sync/auth.py": auth}) == {("lucid_sync/auth.py", 2, "SH204")}
    refreshed = auth + ('def renew(s, token):\n'
                        '    return s.refresh_token("https://api.lucid.co/oauth2/token",'
                        ' refresh_token=token["refresh_token"])\n')
    assert found({"lucid_sync/auth.py": refreshed}) == set()


def test_lucca_readwrite_only_read_suggests_readonly() -> None:
    code = ('import requests\n'
            'TOKEN_URL = "https://accounts.world.luccasoftware.com/identity/oauth/token"\n'
            'def token(cid, secret):\n'
            '    return requests.post(TOKEN_URL, data={"grant_type": "client_credentials", "client_id": cid,'
            ' "client_secret": secret, "scope": "employees.readwrite departments.readonly"}).json()\n'
            'def employees(domain, access):\n'
            '    return requests.get(f"https://{domain}.ilucca.net/lucca-api/employees",'
            ' headers={"Authorization": f"Bearer {access}"}).json()\n'
            'def departments(domain, access):\n'
            '    return requests.get(f"https://{domain}.ilucca.net/lucca-api/departments",'
            ' headers={"Authorization": f"Bearer {access}"}).json()\n')
    result = scan_files({"hr/lucca.py": code}, select=["SH204"]).findings
    assert [(f.line, "employees.readonly" in f.message) for f in result] == [(4, True)]


def test_salesforce_full_is_broad_and_api_is_used_by_queries() -> None:
    code = ('from requests_oauthlib import OAuth2Session\n'
            'AUTHORIZE = "https://login.salesforce.com/services/oauth2/authorize"\n'
            'def session(cid):\n'
            '    return OAuth2Session(cid, scope=["api", "full"])\n'
            'def accounts(s, instance):\n'
            '    return s.get(f"{instance}/services/data/v59.0/query", params={"q": "SELECT Id FROM Account"})\n')
    assert found({"crm/sf.py": code}, "SH202") == {("crm/sf.py", 4, "SH202")}


def test_atlassian_configuration_scope_is_broad_and_jira_work_is_used_by_search() -> None:
    code = ('from requests_oauthlib import OAuth2Session\n'
            'SCOPES = ["read:jira-work", "manage:jira-configuration", "offline_access"]\n'
            'jira = OAuth2Session("cid", scope=SCOPES, auto_refresh_url="https://auth.atlassian.com/oauth/token")\n'
            'def search(cloud_id, jql):\n'
            '    url = f"https://api.atlassian.com/ex/jira/{cloud_id}/rest/api/3/search"\n'
            '    return jira.get(url, params={"jql": jql}).json()\n'
            'def refresh(token):\n'
            '    return jira.refresh_token("https://auth.atlassian.com/oauth/token", refresh_token=token)\n')
    assert found({"jira_sync/client.py": code}) == {("jira_sync/client.py", 2, "SH202"),
                                                    ("jira_sync/client.py", 2, "SH204")}


def test_zoom_admin_scopes_are_broad_and_recordings_never_called() -> None:
    code = ('const scopes = ["meeting:write:admin", "recording:read"];\n'
            'export const authorizeUrl = (id) => `https://zoom.us/oauth/authorize?client_id=${id}&scope=${scopes.join(" ")}`;\n'
            'export const createMeeting = (token, body) => fetch("https://api.zoom.us/v2/users/me/meetings",'
            ' { method: "POST", body: JSON.stringify(body), headers: { Authorization: `Bearer ${token}` } });\n')
    assert found({"src/zoom.js": code}) == {("src/zoom.js", 1, "SH202"), ("src/zoom.js", 1, "SH204")}


def test_dropbox_content_write_only_downloaded() -> None:
    code = ('import dropbox\n'
            'SCOPES = ["files.content.write", "account_info.read"]\n'
            'flow = dropbox.DropboxOAuth2FlowNoRedirect("key", use_pkce=True, token_access_type="online", scope=SCOPES)\n'
            'def fetch(dbx, path):\n'
            '    return dbx.files_download(path)\n')
    assert found({"backup/dbx.py": code}, "SH204") == {("backup/dbx.py", 2, "SH204")}


def test_shopify_graphql_calls_touch_every_resource_and_rest_reads_do_not_write() -> None:
    graphql = ('const SCOPES = "read_products,write_orders";\n'
               'export const shopifyConfig = { scopes: SCOPES.split(","), apiKey: process.env.KEY };\n'
               'export async function loader({ request }) {\n'
               '  const { admin } = await authenticate.admin(request);\n'
               '  return admin.graphql(`{ products(first: 10) { nodes { id } } }`);\n'
               '}\n')
    assert found({"app/shopify.server.js": graphql}, "SH204") == set()
    rest = ('import requests\n'
            'SCOPES = ["write_products"]\n'
            'def auth_url(shop, key):\n'
            '    return f"https://{shop}.myshopify.com/admin/oauth/authorize?client_id={key}&scope={\',\'.join(SCOPES)}"\n'
            'def products(shop, token):\n'
            '    return requests.get(f"https://{shop}.myshopify.com/admin/api/2024-01/products.json",'
            ' headers={"X-Shopify-Access-Token": token}).json()\n')
    result = scan_files({"store/sync.py": rest}, select=["SH204"]).findings
    assert [(f.line, "read_products" in f.message) for f in result] == [(2, True)]


def test_discord_identify_and_x_tweet_read_are_used_by_the_login_calls() -> None:
    discord = ('from httpx_oauth.clients.discord import DiscordOAuth2\n'
               'client = DiscordOAuth2("id", "secret", scopes=["identify", "email", "guilds"])\n'
               'async def me(http, token):\n'
               '    return (await http.get("https://discord.com/api/users/@me/guilds")).json()\n')
    x = ('from requests_oauthlib import OAuth2Session\n'
         'x = OAuth2Session("id", scope=["users.read", "tweet.read", "dm.write"],'
         ' auto_refresh_url="https://api.x.com/2/oauth2/token")\n'
         'def me():\n'
         '    return x.get("https://api.x.com/2/users/me").json()\n')
    assert found({"bot/discord_login.py": discord}, "SH204") == set()
    result = scan_files({"social/x_login.py": x}, select=["SH204"]).findings
    assert [(f.line, "`dm.write`" in f.message) for f in result] == [(2, True)]


def test_no_two_catalogues_share_a_file_name_stem_with_a_provider() -> None:
    for path in Path(DATA_DIR).glob("scopes_*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["provider"] == path.stem[len("scopes_"):]


def test_a_wildcard_path_segment_is_not_a_graphql_call() -> None:
    # `/exports/*` names no resource; only a GraphQL endpoint touches every resource.
    code = ('SCOPES = ["people:read", "payroll:read"]\n'
            'session = OAuth2Session("client", scope=SCOPES)\n'
            'session.get("https://api.example.com/api/v3/people")\n'
            'session.get("https://api.example.com/api/v3/exports/*")\n')
    assert found({"hr/sync.py": code}, "SH204") == {("hr/sync.py", 1, "SH204")}


def test_the_catalog_files_are_parsed_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # The API-use gate's SDK words (read at start-up) and the catalog a scan loads come from the
    # same files: reading them twice was a fiftieth of a hook run.
    parsed: list[int] = []
    loads = catalog.json.loads
    monkeypatch.setattr(catalog.json, "loads", lambda text: parsed.append(1) or loads(text))
    caches = (catalog._catalog_data, catalog.sdk_needles, catalog.load_catalog)
    for cached in caches:
        getattr(cached, "cache_clear", lambda: None)()
    try:
        assert catalog.sdk_needles() and catalog.load_catalog().sdk
        assert len(parsed) == len(list(DATA_DIR.glob("scopes_*.json")))
    finally:
        for cached in caches:
            getattr(cached, "cache_clear", lambda: None)()
