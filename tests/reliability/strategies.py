"""Hypothesis strategies: bytes, Python-like and JS-like text built from the words the rules
look for, config text, git diffs (with the added lines they must yield), secrets and file types."""

from __future__ import annotations

import string
from dataclasses import dataclass

from hypothesis import strategies as st

from tests.support import gate_words

RULE_WORDS = gate_words()

PY_FRAGMENTS = [
    "import os", "import hmac", "import requests", "from flask import Flask, request",
    "app = Flask(__name__)", '@app.route("/webhook", methods=["POST"])', "def handler(request):",
    "async def hook(request: Request):", "class Settings:", "return", "pass", "if", "else:",
    "for x in y:", "with open(path) as f:", "try:", "except Exception:", "lambda: 0", "yield",
    "hmac.new(secret, request.data, hashlib.sha256).hexdigest()", "hmac.compare_digest(a, b)",
    "request.headers.get('X-Hub-Signature-256')", "json.loads(request.data)", "json.dumps(payload)",
    "CLIENT_SECRET", "client_secret", "access_token", "refresh_token", "api_key", "password",
    "SCOPES", "scope", "scopes", "redirect_uri", "state", "code_challenge_method", "verify=False",
    "requests.get", "requests.post", "session.fetch_token", "logging.info", "print", "os.environ",
    "os.getenv('TOKEN')", "response.set_cookie('token', t)", "oauth.authorize_redirect",
    "'https://www.googleapis.com/auth/drive'", "'https://example.com/cb?access_token=abc'",
    "\"response_type\": \"token\"", "'grant_type': 'password'", "'*'", "'admin'", "'repo'",
    "f'Bearer {token}'", "'Bearer eyJhbGciOiJIUzI1NiJ9.e30.abcdefghijklmnopqrstuvwx'",
    "'ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'", "'sk_live_51Habcdefghijklmnopqrstuv'",
    "'GOCSPX-abcdefghijklmnopqrstuvwxyz12'", "'xoxb-1234-5678-abcdefghijklmnop'",
    "# secret-hygiene: ignore", "# pragma: allowlist secret", "# pragma: allowlist nextline secret",
    "\"\"\"doc\"\"\"", "b'bytes'", "r'\\d+'", "f'{x!r:>10}'", "'\\N{BULLET}'", "'\\x00'", "...",
]
JS_FRAGMENTS = [
    "const", "let", "var", "function", "=>", "async", "await", "export default", "import x from 'y'",
    "require('express')", "app.post('/webhook', (req, res) => {", "});", "})", "{", "}", "(", ")",
    "crypto.createHmac('sha256', secret).update(req.body).digest('hex')",
    "crypto.timingSafeEqual(a, b)", "req.headers['stripe-signature']", "JSON.stringify(req.body)",
    "localStorage.setItem('token', t)", "sessionStorage.getItem('access_token')",
    "document.cookie = 'token=' + t", "res.cookie('session', t)", "fetch(url, {headers})",
    "axios.get", "clientSecret", "client_secret", "accessToken", "refreshToken", "apiKey",
    "redirectUri: 'http://example.com/cb'", "response_type: 'token'", "code_challenge_method: 'plain'",
    "scope: 'openid email profile'", "scopes: ['*']", "rejectUnauthorized: false",
    "process.env.TOKEN", "console.log(token)", "`Bearer ${token}`", "/regex[/]+/g", "<div>{x}</div>",
    "// secret-hygiene: ignore", "/* comment */", "'ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'",
    "\"eyJhbGciOiJIUzI1NiJ9.e30.abcdefghijklmnopqrstuvwx\"", "interface T { token: string }",
]
CONFIG_FRAGMENTS = [
    "client_secret:", "client_secret =", "CLIENT_SECRET=", "token:", "scopes:", "scope =",
    "redirect_uri:", "password:", "[oauth]", "[tool.x]", "- ", "  ", "---", "&anchor", "*anchor",
    "<<: *anchor", "{", "}", "[", "]", ":", "=", ",", "\"", "'", "#", "export ", "key: value",
    "https://user:pass@host/path", "'*'", "admin", "true", "null", "0x1F", "1e309", "!!python/object",
    "!!binary", "|", ">", "? complex", "\t", "\\", "\\u0000",
]
SEPARATORS = [" ", "", "\n", "\n    ", "\r\n", "\r", ", ", " = ", ": ", "(", ")", "[", "]", "{", "}",
              "\"", "'", ".", "\t", ";"]


def _soup(fragments: list[str], max_size: int) -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(fragments), st.sampled_from(RULE_WORDS),
                      st.text(max_size=12), st.sampled_from(SEPARATORS))
    return st.lists(piece, max_size=max_size).map("".join)


python_like = _soup(PY_FRAGMENTS, 40)
js_like = _soup(JS_FRAGMENTS, 40)
config_like = _soup(CONFIG_FRAGMENTS, 40)

PATHS_BY_FLAVOUR = {
    "python": ["app.py", "settings.py", "tests/test_x.py", "hooks/webhook.py", "nb.ipynb"],
    "js": ["src/app.js", "server/api.ts", "web/App.tsx", "public/index.html", "x.vue", "a.jsx"],
    "config": ["config.yaml", "app.json", "pyproject.toml", "setup.cfg", ".env", "app.ini",
               "Dockerfile", "run.sh", "README.md", "notes.txt"],
}


@st.composite
def source_files(draw: st.DrawFn) -> tuple[str, str]:
    """(path, text): text of some flavour under a path of any kind (mismatches on purpose)."""
    flavour = draw(st.sampled_from(sorted(PATHS_BY_FLAVOUR)))
    text = draw({"python": python_like, "js": js_like, "config": config_like}[flavour])
    paths = PATHS_BY_FLAVOUR[flavour] + PATHS_BY_FLAVOUR[draw(st.sampled_from(sorted(PATHS_BY_FLAVOUR)))]
    return draw(st.sampled_from(paths)), text


# -- git diffs ----------------------------------------------------------------------------------

PATH_CHARS = st.sampled_from(list(string.ascii_letters + string.digits + " _-.\"\\\t\n\xe9é名/"))


def c_quote(path: bytes) -> bytes:
    """git's quoting of a path in diff headers."""
    special = {9: b"\\t", 10: b"\\n", 34: b'\\"', 92: b"\\\\"}
    if not any(b in special or b >= 0x80 or b < 0x20 for b in path):
        return path
    out = bytearray(b'"')
    for byte in path:
        if byte in special:
            out += special[byte]
        elif byte >= 0x80 or byte < 0x20:
            out += b"\\%03o" % byte
        else:
            out.append(byte)
    return bytes(out + b'"')


@dataclass
class DiffFile:
    path: bytes
    hunks: list[tuple[int, int, list[bytes]]]  # (new start, removed count, added lines)


@st.composite
def diff_files(draw: st.DrawFn) -> DiffFile:
    name = draw(st.text(PATH_CHARS, min_size=1, max_size=12).filter(lambda s: s.strip("/") == s and "//" not in s))
    path = name.encode("utf-8")
    hunks = []
    line = 1
    for _ in range(draw(st.integers(0, 4))):
        line += draw(st.integers(0, 30))
        removed = draw(st.integers(0, 3))
        added = draw(st.lists(st.binary(max_size=20).map(lambda b: b.replace(b"\n", b"")), max_size=4))
        hunks.append((line, removed, added))
        line += len(added) + 1
    return DiffFile(path, hunks)


def render_diff(files: list[DiffFile], commit: str | None = None) -> bytes:
    out = bytearray()
    if commit:
        out += b"\x01" + commit.encode() + b"\n"
    for file in files:
        quoted_a = c_quote(b"a/" + file.path)
        quoted_b = c_quote(b"b/" + file.path)
        tab = b"\t" if b" " in file.path else b""
        out += b"diff --git " + quoted_a + b" " + quoted_b + b"\n"
        out += b"index " + b"1" * 40 + b".." + b"2" * 40 + b" 100644\n"
        out += b"--- " + quoted_a + tab + b"\n+++ " + quoted_b + tab + b"\n"
        for start, removed, added in file.hunks:
            old = f"-{start},{removed}" if removed != 1 else f"-{start}"
            new = f"+{start},{len(added)}" if len(added) != 1 else f"+{start}"
            out += f"@@ {old} {new} @@ context\n".encode()
            out += b"".join(b"-" + b"x" * i + b"\n" for i in range(removed))
            out += b"".join(b"+" + text + b"\n" for text in added)
    return bytes(out)


def expected_added(file: DiffFile) -> set[int]:
    return {start + i for start, _, added in file.hunks for i in range(len(added))}


# -- secrets -----------------------------------------------------------------------------------

_ALNUM = string.ascii_letters + string.digits
SECRET_PREFIXES = ["", "", "", "ghp_", "gho_", "xoxb-", "xoxp-", "sk_live_", "rk_live_", "AKIA",
                   "GOCSPX-", "ya29.", "1//0", "glpat-", "SG.", "AIza", "eyJhbGciOiJIUzI1NiJ9."]


@st.composite
def secret_values(draw: st.DrawFn) -> str:
    """A credential-looking value: optional provider prefix, then 24-48 characters of mixed
    case and digits (at least one of each), sometimes with - or _ inside."""
    prefix = draw(st.sampled_from(SECRET_PREFIXES))
    body = draw(st.text(st.sampled_from(_ALNUM + "_-"), min_size=24, max_size=48))
    body = "Aa0" + body.strip("_-") + "Zz9"
    return prefix + body


FILE_TEMPLATES = {
    "app.py": ['CLIENT_SECRET = "{s}"\n', 'settings = {{"client_secret": "{s}"}}\n',
               'requests.get(url, headers={{"Authorization": "Bearer {s}"}})\n',
               'API_KEY = "{s}"  # production\n', 'password = "{s}"\n',
               'def f():\n    token = "{s}"\n    return token\n'],
    "src/api.js": ['const clientSecret = "{s}";\n', "fetch(u, {{headers: {{Authorization: `Bearer {s}`}}}});\n",
                   "export const API_KEY = '{s}';\n"],
    "config.yaml": ["oauth:\n  client_secret: {s}\n", "token: \"{s}\"\n", "password: '{s}'\n"],
    "config.json": ['{{"client_secret": "{s}"}}\n', '{{"auth": {{"token": "{s}"}}}}\n'],
    ".env": ["CLIENT_SECRET={s}\n", "export API_TOKEN=\"{s}\"\n", "DB_PASSWORD={s}\n"],
    "settings.ini": ["[oauth]\nclient_secret = {s}\n"],
    "pyproject.toml": ['[tool.app]\nclient_secret = "{s}"\n'],
    "deploy.sh": ['export CLIENT_SECRET="{s}"\n', 'curl -H "Authorization: Bearer {s}" https://api\n'],
    "Dockerfile": ["ENV CLIENT_SECRET={s}\n"],
    "README.md": ["Use `client_secret = {s}` to log in.\n"],
    "nb.ipynb": ['{{"cells": [{{"cell_type": "code", "source": ["CLIENT_SECRET = \\"{s}\\"\\n"], '
                 '"metadata": {{}}, "outputs": [{{"output_type": "stream", "name": "stdout", '
                 '"text": ["{s}\\n"]}}]}}], "metadata": {{}}, "nbformat": 4, "nbformat_minor": 5}}\n'],
}


@st.composite
def planted_files(draw: st.DrawFn) -> tuple[str, str, str]:
    """(path, text, secret): one secret in one template, among some filler lines."""
    secret = draw(secret_values())
    path = draw(st.sampled_from(sorted(FILE_TEMPLATES)))
    template = draw(st.sampled_from(FILE_TEMPLATES[path]))
    filler = draw(st.lists(st.sampled_from(["x = 1\n", "\n", "# note\n", "y = 'text'\n"]), max_size=3))
    if path.endswith((".json", ".ipynb")):
        filler = []
    text = "".join(filler) + template.format(s=secret)
    directory = draw(st.sampled_from(["", "app/", "deep/er/", "src/components/"]))
    return directory + path, text, secret
