"""SH110 hardcoded-password: a password or other generic credential in code or config."""

from __future__ import annotations

from scanner.facts.secrets import GENERIC, SecretValue
from scanner.model.finding import Severity
from scanner.rules.base import Bad, Good
from scanner.rules.secrets.common import SecretRule, named


class HardcodedPassword(SecretRule):
    """## What it does
    Finds a password or other generic credential written into code or config. It looks at
    `password`, `passwd`, `pwd`, `passphrase`, `DB_PASS`, `secret`, `secret_key`, `api_key`,
    `private_key`, `signing_key` and similar keys given a literal (detect-secrets' keyword
    detector, with stricter filters). Environment lookups, templates, placeholders, identifiers,
    empty and short values, hashes and test dummies are not reported; form labels are not
    literals of a credential-named key (`label: "Password"` is a word).

    ## Why is this bad?
    Passwords in code are shared by everyone who can read the repository and are rarely rotated;
    the same password is often reused on other systems.

    ## References
    - [CWE-259: Use of Hard-coded Password](https://cwe.mitre.org/data/definitions/259.html)
    - [OWASP Secrets Management Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html)
    """

    id = "SH110"
    name = "hardcoded-password"
    severity = Severity.MEDIUM
    kinds = frozenset({GENERIC})
    cwe = ("CWE-259", "CWE-798")
    examples = (
        Bad('DB_PASSWORD = "Pq7-rT2x!mZ9"', line=1),
        Bad('engine = connect(host="db", user="app", password="Pq7-rT2x!mZ9")', line=1),
        Bad('SECRET_KEY = "django-insecure-9f3kpq2lmx8vb7nr4tw1zy6a@bc3de"', path="mysite/settings.py",
            line=1),
        Bad("database:\n  user: app\n  password: Pq7-rT2x!mZ9\n", path="config/database.yml", line=3),
        Bad('{"smtp": {"user": "mailer", "pass": "Pq7-rT2x!mZ9"}}', path="mail.json", line=1),
        Bad("[db]\npasswd = Pq7-rT2x!mZ9\n", path="setup.cfg", line=2),
        Bad("ENV DB_PASSWORD=Pq7-rT2x!mZ9\n", path="Dockerfile", line=1),
        Bad('[database]\npassword = "Pq7-rT2x!mZ9"\n', path="settings.toml", line=2),
        Bad("export PGPASSWORD='Pq7-rT2x!mZ9'\npsql -h db.acme.io app\n", path="scripts/backup.sh",
            line=1),
        Bad("const mailer = { user: 'ops', pass: 'Pq7-rT2x!mZ9' };", path="server/mail.js", line=1),
        Good('DB_PASSWORD = os.environ["DB_PASSWORD"]'),
        Good('password = vault.read("secret/db")["password"]'),
        Good('password = "changeme"'),
        Good('password = ""'),
        Good('password = "********"'),
        Good('<input type="password" name="password" placeholder="Password">', path="templates/login.html"),
        Good('PASSWORD_FIELD = "password_confirmation"'),
        Good("database:\n  password: ${DB_PASSWORD}\n", path="config/database.yml"),
        Good('[database]\npassword = "env:DB_PASSWORD"\n', path="settings.toml"),
        Good('{"smtp": {"password": null, "password_file": "/run/secrets/smtp"}}', path="mail.json"),
        Good("database:\n  password: '{{ db_password }}'\n", path="ansible/vars.yml"),
        Good('conn = "host=db password=%(password)s"'),
        Good('client.login(username="alice", password="secret")', path="tests/test_login.py"),
        Good('password_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"'),
        Good('api_key = "550e8400-e29b-41d4-a716-446655440000"'),
        Good("def connect(password: str | None = None) -> None: ..."),
        Good('label = {"password": "Password", "secret": "Secret"}'),
    )

    def message(self, found: SecretValue) -> str:
        label = "password" if found.credential == "password" else "secret"
        return f"hardcoded {label} in {named(found)}; load it from the environment or a secret manager"
