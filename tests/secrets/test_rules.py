"""SH1xx behaviour beyond the documented examples: positions, routing between rules, precision
across languages, options, start-up cost and robustness."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from scanner.rules import secrets as family
from tests.support import scan_files

SECRET = "q8ZrT4vWm2XkP9sLb7NcY3jH"


def findings(path: str, code: str, select: str = "SH1", **kwargs: object) -> list[tuple[str, int, int, int]]:
    result = scan_files({path: code}, select=[select], **kwargs)  # type: ignore[arg-type]
    assert not result.summary.errors, result.summary.errors
    return [(f.rule, f.line, f.column, f.end_column) for f in result.findings]


def rules_of(path: str, code: str) -> list[str]:
    return [rule for rule, *_ in findings(path, code)]


# -- positions ------------------------------------------------------------------------------------


def test_position_is_the_value_one_based() -> None:
    code = f'import os\n\nCLIENT_SECRET = "{SECRET}"\n'
    assert findings("app.py", code) == [("SH101", 3, 18, 18 + len(SECRET))]


def test_position_in_yaml_and_env() -> None:
    assert findings("c.yaml", f"oauth:\n  client_secret: {SECRET}\n") == [("SH101", 2, 18, 42)]
    assert findings(".env", f"X=1\nAPI_TOKEN={SECRET}\n") == [("SH104", 2, 11, 35)]


def test_two_secrets_on_one_line_are_two_findings() -> None:
    code = f'creds = {{"client_secret": "{SECRET}", "refresh_token": "Rt9xLm2Qv7Kp4Zw8Nb3Hc6Jd"}}'
    assert rules_of("app.py", code) == ["SH101", "SH103"]


def test_client_id_before_the_secret_on_the_line_does_not_hide_it() -> None:
    # detect-secrets' is_likely_id_string would drop this if it looked at the whole line.
    code = f'oauth = OAuth(client_id="acme-web-app", client_secret="{SECRET}")'
    assert rules_of("app.py", code) == ["SH101"]


# -- routing: one literal, one rule ------------------------------------------------------------


@pytest.mark.parametrize(("path", "code", "rule"), [
    ("frontend/src/login.js", f'const clientSecret = "{SECRET}";', "SH105"),
    ("server/login.js", f'const clientSecret = "{SECRET}";', "SH101"),
    (".env", f"CLIENT_SECRET={SECRET}", "SH104"),
    (".env.example", f"CLIENT_SECRET={SECRET}", "SH101"),
    (".env", f"VITE_CLIENT_SECRET={SECRET}", "SH105"),
    ("app.py", "GITHUB_TOKEN = 'ghp_9f3KpQ2LmX8vB7nR4tW1zY6aBc3DeFgHiJkL'", "SH106"),
    ("app.py", 'ACCESS_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTcifQ.Zm9vYmFyYmF6cXV4cXV1eA"', "SH102"),
    ("app.py", 'AUTH = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTcifQ.Zm9vYmFyYmF6cXV4cXV1eA"', "SH108"),
    ("app.py", 'refresh_token = "1//0gX9f3KpQ2LmX8vB7nR4tW1zY6aBc3DeFgHiJkLmNoPq"', "SH103"),
    ("frontend/src/g.js", 'const c = "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";', "SH105"),
])
def test_each_literal_goes_to_exactly_one_rule(path: str, code: str, rule: str) -> None:
    assert rules_of(path, code) == [rule]


def test_selecting_only_sh101_does_not_report_a_frontend_literal() -> None:
    # Documented: SH105 owns it; selecting SH101 alone does not bring it back under SH101.
    assert findings("frontend/src/login.js", f'const clientSecret = "{SECRET}";', select="SH101") == []


@pytest.mark.parametrize(("code", "provider"), [
    ('k = "AKIAY3M7Q2K8P5R9T4W6"', "AWS"),
    ("t = 'ghp_9f3KpQ2LmX8vB7nR4tW1zY6aBc3DeFgHiJkL'", "GitHub"),
    ("t = 'glpat-9f3KpQ2LmX8vB7nR4tW1'", "GitLab"),
    ("t = 'xoxb-7248146572-7947640719949-9f3KpQ2LmX8vB7nR4tW1zY6a'", "Slack"),
    ("k = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'", "Stripe"),
    ("PYPI_TOKEN = 'pypi-AgEIcHlwaS5vcmc" + "Xk3dM9pQ2LmX8vB7nR4tW1aZ5cE6" * 3 + "'", "PyPI"),
    ("SQUARE_TOKEN = 'sq0atp-" + "Xk3dM9pQ2LmX8vB7nR4tW1" + "'", "Square"),
    ("twilio_key = 'SK9f3a2b7c4d1e8f60a5b3c9d7e2f4a6b8'", "Twilio"),
])
def test_provider_findings_name_the_provider(code: str, provider: str) -> None:
    # Providers without one of the PROVIDER_PREFIXES are looked for on credential-named lines.
    result = scan_files({"keys.py": code}, select=["SH106"])
    assert [f.rule for f in result.findings] == ["SH106"], code
    assert provider in result.findings[0].message


# -- precision: none of these is a secret --------------------------------------------------------


NEGATIVES = [
    ("app.py", 'client_secret = os.environ["CLIENT_SECRET"]'),
    ("app.py", "client_secret = os.environ.get('CLIENT_SECRET', '')"),
    ("app.py", "client_secret = settings.CLIENT_SECRET"),
    ("app.py", "client_secret: str"),
    ("app.py", "def f(client_secret=None, password: str | None = None): ..."),
    ("app.py", 'client_secret = vault.read("secret/oauth")["client_secret"]'),
    ("app.py", 'client_secret = boto3.client("secretsmanager").get_secret_value(SecretId="x")'),
    ("app.py", 'password = "%(password)s"'),
    ("app.py", 'password = f"{prefix}-{suffix}"'),
    ("settings.xml", "<password>${env.NEXUS_PASSWORD}</password>"),
    ("app.py", f'check_secret("client_secret", "{SECRET}")'),
    ("app.py", 'token = "{token}"'),
    ("app.py", 'api_token = "xxxxxxxxxxxxxxxxxxxx"'),
    ("app.py", 'client_secret = "REDACTED"'),
    ("app.py", 'access_token = "TODO"'),
    ("app.py", 'client_secret = "***"'),
    ("app.py", 'client_secret = "dummy-client-secret-value"'),
    ("app.py", 'client_secret = "your_client_secret_here"'),
    ("app.py", 'client_secret = "12345678901234567890"'),
    ("app.py", 'client_secret = "abcdefghijklmnop"'),
    ("app.py", 'secret = "short1"'),
    ("app.py", 'integrity = "sha512-+KJGIyHgkGuIq3IEBNftfhW/LfWhXUIY6OmyVWjliu5KH1y0fw7VQ8YndE2O4qZdMSd9SqbnC8GOcZEy0Om7sA=="'),
    ("app.py", 'sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"'),
    ("app.py", 'api_key = "7c9e6679-7425-40de-944b-e07fc1f90ae7"'),
    ("app.py", 'commit = "3f786850e387550fdab836ed7e6dc881de23001b"'),
    ("app.py", 'if token == "q8ZrT4vWm2XkP9sLb7NcY3jH":'),
    ("app.py", 'max_tokens = "4096"'),
    ("app.py", 'next_page_token = "CAoQAA9f3KpQ2LmX8vB7nR4tW1"'),
    ("app.py", 'secret_name = "prod/oauth/client-secret"'),
    ("app.py", 'GOOGLE_APPLICATION_CREDENTIALS = "/etc/gcp/service-account.json"'),
    ("app.py", 'password_reset_url = "https://acme.io/reset"'),
    ("server/x.js", "const clientSecret = process.env.CLIENT_SECRET;"),
    ("server/x.js", "const token = `${prefix}-${id}`;"),
    ("server/x.ts", "private clientSecret: string;"),
    ("config.yaml", "client_secret: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n"),
    ("config.yaml", "client_secret: ENC[AES256_GCM,data:Xk3dM9pQ2LmX8vB7,type:str]\n"),
    ("config.yaml", "password: <%= ENV['DB_PASSWORD'] %>\n"),
    ("config.yaml", "token: null\npassword: ~\n"),
    ("settings.ini", "[db]\npassword = ${DB_PASSWORD}\n"),
    ("app.toml", 'password = "env:DB_PASSWORD"\n'),
    ("run.sh", 'export CLIENT_SECRET="$(vault kv get -field=secret oauth/acme)"\n'),
    ("run.sh", "curl -u \"$USER:$PASSWORD\" https://api.acme.io\n"),
    ("Dockerfile", "ARG CLIENT_SECRET\nENV CLIENT_SECRET=$CLIENT_SECRET\n"),
    ("README.md", "Set `CLIENT_SECRET=<your secret>` and `API_TOKEN=...` first.\n"),
    ("yarn.lock", 'token "Ab3Cd8Ef2Gh7Ij4Kl9Mn5Op6"\n'),
    ("tests/test_x.py", 'client = Client(client_secret="test-secret", token="fake-token-123")'),
    ("tests/test_x.py", 'PASSWORD = "hunter2hunter2"'),
    ("tests/test_x.py", 'TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTcifQ.Zm9vYmFyYmF6cXV4cXV1eA"'),
    ("app.py", 'JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"'),
    ("app.py", 'URL = "https://user:${PASSWORD}@git.acme.io/repo.git"'),
    ("app.py", 'URL = "postgres://postgres:postgres@db/app"'),
    # Found on real trees (botocore, moto, numpy, awscli docs):
    ("app.py", 'ACCESS_KEY = "AWSAccessKeyId"'),
    ("app.py", "ADMIN_PASSWORD = 'pbkdf2_sha256$100000$Xk3dM9pQ2LmX$Rt9xLm2Qv7Kp4Zw8Nb3Hc6Jd='"),
    ("app.py", 'creds = {"SessionToken": "ABC12345", "token": "abcd1234defg5678"}'),
    ("app.py", 'credentials = {"username": "admin", "password": "P@55w0rd!"}'),
    ("app.json", '{"arn": "arn:aws:secretsmanager:us-west-2:123456789012:secret:greengrass-Ab12Cd"}'),
    ("cfg.yaml", "arn: arn:aws:secretsmanager:us-west-2:123456789012:secret:greengrass-Ab12Cd\n"),
    ("app.py", 'MANIFEST = \'publicKeyToken="1fc8b3b9a1e18e3b"\''),
    ("api.json", '{"ChangeToken": "12cs345-67cd-890e-1234-5fgh6789", "NextToken": "Xk3dM9pQ2LmX8vB7nR4tW1"}'),
    ("docs/guide.rst", 'client.login(password="Tr0ub4dor&3x")'),
    ("awscli/examples/iam/change-password.rst", '"NewPassword": "]35d/{pB9Fo9wJ"'),
    ("x.json", '{"PrivateKey": "-----BEGIN RSA PRIVATE KEY-----\\nMIIEpAIBAAKCAQEA7qGEpLcjXmQ2bNSwBBLf...fvY4+te\\n-----END RSA PRIVATE KEY-----"}'),
    ("frontend/src/f.js", 'const cfg = { apiKey: "AIzaSyB7x2Kq9Lm4Vt8Rw3Np6Zc1Hd5Jg0Fs2Qe" };'),
    (".env", "NEXT_PUBLIC_API_KEY=AIzaSyB7x2Kq9Lm4Vt8Rw3Np6Zc1Hd5Jg0Fs2Qe\n"),
]


@pytest.mark.parametrize(("path", "code"), NEGATIVES, ids=[f"{p}:{c[:30]}" for p, c in NEGATIVES])
def test_not_a_secret(path: str, code: str) -> None:
    assert findings(path, code) == []


POSITIVES = [
    ("app.py", f'self.client_secret = "{SECRET}"', "SH101"),
    ("app.py", f'os.environ["CLIENT_SECRET"] = "{SECRET}"', "SH101"),
    ("app.py", f'os.environ.setdefault("X", "y"); consumer_secret = "{SECRET}"', "SH101"),
    ("app.py", f'client_secret: str = "{SECRET}"', "SH101"),
    ("app.rb", f"config.client_secret = '{SECRET}'", "SH101"),
    ("main.go", f'clientSecret := "{SECRET}"', "SH101"),
    ("app.php", f"'client_secret' => '{SECRET}',", "SH101"),
    ("app.properties", f"spring.security.oauth2.client.registration.acme.client-secret={SECRET}", "SH101"),
    ("run.sh", f'curl -d "client_id=web&client_secret={SECRET}" https://auth.acme.io/token', "SH101"),
    ("run.sh", f"export APP_SECRET={SECRET}", "SH101"),
    ("run.sh", f"export WEBHOOK_SECRET={SECRET}", "SH110"),
    ("Dockerfile", f"ENV OAUTH_CLIENT_SECRET {SECRET}", "SH101"),
    ("app.py", f'requests.post(url, data={{"refresh_token": "{SECRET}"}})', "SH103"),
    ("server/x.ts", f'const opts = {{ headers: {{ "Authorization": "Bearer {SECRET}" }} }};', "SH102"),
    ("server/x.js", f'headers["Authorization"] = "token {SECRET}";', "SH102"),
    ("app.py", f'BOT_TOKEN = "{SECRET}"', "SH102"),
    ("app.py", f'AWS_SECRET_ACCESS_KEY = "{SECRET}"', "SH110"),
    ("app.py", f'JWT_SECRET = "{SECRET}"', "SH110"),
    ("config.yml", f"smtp:\n  password: '{SECRET}'\n", "SH110"),
    ("app.py", f'DB_PASSWORD = b"{SECRET}"', "SH110"),
    ("wp-config.php", f"define( 'DB_PASSWORD', '{SECRET}' );", "SH110"),
    ("app.py", f'os.environ.setdefault("OAUTH_CLIENT_SECRET", "{SECRET}")', "SH101"),
    ("App.java", f'props.setProperty("db.password", "{SECRET}");', "SH110"),
    ("settings.xml", f"<server><id>nexus</id><password>{SECRET}</password></server>", "SH110"),
]


@pytest.mark.parametrize(("path", "code", "rule"), POSITIVES, ids=[f"{p}:{c[:30]}" for p, c, _ in POSITIVES])
def test_is_a_secret(path: str, code: str, rule: str) -> None:
    assert rules_of(path, code) == [rule]


# -- private keys, URLs, notebooks -------------------------------------------------------------


def test_private_key_in_a_one_line_json_string() -> None:
    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7" + "Xk3dM9pQ2LmX8vB7"
    code = '{"private_key": "-----BEGIN PRIVATE KEY-----\\n' + body + '\\n-----END PRIVATE KEY-----\\n"}'
    result = scan_files({"sa.json": code}, select=["SH1"])
    assert [(f.rule, f.column) for f in result.findings] == [("SH107", 18)]
    assert body not in result.findings[0].snippet


def test_putty_key_file() -> None:
    code = ("PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: deploy\nPublic-Lines: 1\n"
            "AAAAB3NzaC1yc2EAAAABJQAAAQEAhXk3dM9pQ2LmX8vB7nR4tW1aZ5cE6fG7hJ8\n"
            "Private-Lines: 1\nAAABAQCXk3dM9pQ2LmX8vB7nR4tW1aZ5cE6fG7hJ8kL9mN0oPqRsTuVw\n")
    assert rules_of("deploy.ppk", code) == ["SH107"]


def test_notebook_cell_source_is_scanned_as_json_text() -> None:
    code = ('{"cells": [{"cell_type": "code", "source": [\n'
            f'    "CLIENT_SECRET = \\"{SECRET}\\"\\n",\n'
            '    "token = os.environ[\\"T\\"]\\n"\n]}]}\n')
    assert findings("nb.ipynb", code) == [("SH101", 2, 24, 48)]


# -- options ------------------------------------------------------------------------------------


def test_min_length_option() -> None:
    code = 'password = "Xk3d-9pQ!"'
    assert rules_of("app.py", code) == ["SH110"]
    result = scan_files({"app.py": code}, select=["SH1"], options={"secrets": {"min-length": 12}})
    assert result.findings == []


def test_placeholders_option() -> None:
    code = 'client_secret = "acme-local-9f3KpQ2LmX8vB7"'
    assert rules_of("app.py", code) == ["SH101"]
    result = scan_files({"app.py": code}, select=["SH1"], options={"secrets": {"placeholders": ["acme-local-"]}})
    assert result.findings == []


@pytest.mark.parametrize(("raw", "message"), [
    ({"min-length": 0}, "min-length"),
    ({"min-length": True}, "min-length"),
    ({"placeholders": "x"}, "placeholders"),
    ({"placeholders": [""]}, "placeholders"),
])
def test_validate_options_rejects_bad_values(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        family.validate_options(raw)


def test_validate_options_accepts_good_values() -> None:
    family.validate_options({"min-length": 10, "placeholders": ["acme-dev-"]})


# -- suppression, redaction, robustness, cost --------------------------------------------------


def test_detect_secrets_pragma_and_inline_ignore_suppress() -> None:
    code = (f'CLIENT_SECRET = "{SECRET}"  # pragma: allowlist secret\n'
            f'OTHER_CLIENT_SECRET = "{SECRET[::-1]}"  # secret-hygiene: ignore[SH101]\n')
    result = scan_files({"app.py": code}, select=["SH1"])
    assert result.findings == [] and result.summary.suppressed == 2


def test_message_and_snippet_never_hold_the_secret() -> None:
    code = f'CLIENT_SECRET = "{SECRET}"\nDB = "postgres://app:Hn3Kd8Wq2Zt5@db.acme.io/app"\n'
    result = scan_files({"app.py": code}, select=["SH1"])
    assert len(result.findings) == 2
    for finding in result.findings:
        for text in (finding.message, finding.snippet, finding.fingerprint):
            assert SECRET not in text and "Hn3Kd8Wq2Zt5" not in text


def test_minified_line_is_fast_and_still_found() -> None:
    filler = ";".join(f"var a{i}=b{i}(c,{{token:d{i},key:e}})" for i in range(20000))
    code = filler + f';var cfg={{clientSecret:"{SECRET}"}};' + filler
    start = time.perf_counter()
    assert rules_of("server/bundle.min.js", code) == ["SH101"]
    assert time.perf_counter() - start < 5


def test_syntax_errors_and_odd_bytes_do_not_matter() -> None:
    code = f'def broken(:\n    CLIENT_SECRET = "{SECRET}"\n\udcff\udcfe password = "\udcff"\n'
    assert rules_of("app.py", code) == ["SH101"]


def test_detect_secrets_is_not_imported_without_a_candidate() -> None:
    script = (
        "import sys\n"
        "from tests.support import scan_files\n"
        "files = {'a.py': 'token = request.headers[\"X-Token\"]\\nsecret = settings.SECRET\\n',"
        " 'b.yaml': 'password: ${DB_PASSWORD}\\n', 'c.py': 'print(1)\\n'}\n"
        "r = scan_files(files, select=['SH1'])\n"
        "assert r.findings == [], r.findings\n"
        "print('detect_secrets' in sys.modules)\n"
        "r = scan_files({'d.py': 'CLIENT_SECRET = \"q8ZrT4vWm2XkP9sLb7NcY3jH\"\\n'}, select=['SH1'])\n"
        "assert len(r.findings) == 1\n"
        "print('detect_secrets' in sys.modules)\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               timeout=60, check=True)
    assert completed.stdout.split() == ["False", "True"]


@pytest.mark.parametrize("text", [
    "a\nsecret = 1\n\ntoken\nkey key\nlast token",
    "secret\r\nx\r\ntoken = 2\r\n",
    "only\rcarriage\rsecret\r",
    "",
    "no keywords here\n",
])
def test_candidate_lines_match_the_engine_line_numbers(text: str) -> None:
    from scanner.facts.secrets.analysis import _candidate_lines
    from scanner.model.document import Document

    file = Document("a.txt", text)
    keywords = ("secret", "token", "key")
    assert _candidate_lines(file, keywords) == list(file.iter_lines(file.lines_with(keywords)))


def test_crlf_file_positions() -> None:
    code = f'import os\r\n\r\nCLIENT_SECRET = "{SECRET}"\r\n'
    assert findings("app.py", code) == [("SH101", 3, 18, 18 + len(SECRET))]
